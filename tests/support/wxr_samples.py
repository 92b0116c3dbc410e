"""WordPress's own WXR test files (../shared/wxr beside the repository) and the
counts its INDEX.md gives for each; tests skip when the folder is absent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

WXR_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "wxr"
NUMBERS = re.compile(r"\d+")


@dataclass(frozen=True)
class IndexCounts:
    """One row of INDEX.md's Summary table."""

    wxr_version: str | None
    well_formed: bool
    items: int = 0
    posts: int = 0
    pages: int = 0
    attachments: int = 0
    comments: int = 0
    # approved "1", "0", "spam", "trash", anything else (missing included)
    comments_by_status: tuple[int, ...] = (0, 0, 0, 0, 0)
    replies: int = 0
    orphans: int = 0
    max_depth: int = 0
    authors: int = 0
    categories: int = 0
    categories_with_parent: int = 0
    tags: int = 0
    terms: int = 0
    terms_with_parent: int = 0
    postmeta: int = 0


def sample_names() -> list[str]:
    """Every sample file, relative to the folder ("phpunit-data/slashes.xml");
    empty when the folder is absent."""
    if not WXR_DIR.is_dir():
        return []
    return sorted(p.relative_to(WXR_DIR).as_posix() for p in WXR_DIR.rglob("*.xml"))


def sample(name: str) -> Path:
    """The path of one sample file, skipping the test when it is not there."""
    path = WXR_DIR / name
    if not path.is_file():
        pytest.skip(f"{path} is absent (WordPress's WXR samples are not in this clone)")
    return path


def _row(cells: list[str]) -> IndexCounts:
    """IndexCounts from the cells after the file name."""
    version = None if cells[0] == "None" else cells[0]
    if cells[1] != "ok":
        return IndexCounts(version, well_formed=False)
    numbers = [[int(n) for n in NUMBERS.findall(cell)] for cell in cells[2:]]
    items, posts, pages, attachments, comments, replies, depth, authors = numbers[:8]
    categories, tags, terms, postmeta = numbers[8:]
    return IndexCounts(
        version,
        well_formed=True,
        items=items[0],
        posts=posts[0],
        pages=pages[0],
        attachments=attachments[0],
        comments=comments[0],
        comments_by_status=tuple(comments[1:]),
        replies=replies[0],
        orphans=replies[1],
        max_depth=depth[0],
        authors=authors[0],
        categories=categories[0],
        categories_with_parent=categories[1],
        tags=tags[0],
        terms=terms[0],
        terms_with_parent=terms[1],
        postmeta=postmeta[0],
    )


def index_counts() -> dict[str, IndexCounts]:
    """INDEX.md's Summary table by file name (skips when INDEX.md is absent)."""
    index = sample("INDEX.md")
    rows = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| ") and cells[0].endswith(".xml"):
            rows[cells[0]] = _row(cells[1:])
    return rows
