"""The import benchmark (bench/wxr_synth.py, bench/import_bench.py), run tiny. No timings."""

from __future__ import annotations

import pytest

from bench import import_bench
from bench.import_scale import Timed
from bench.import_scale import report as scale_report
from bench.wxr_synth import MAX_DEPTH
from bench.wxr_synth import Plan
from bench.wxr_synth import shares
from bench.wxr_synth import write_wxr
from porting.wxr_reader import read_wxr
from porting.wxr_reader import scan_wxr
from porting.wxr_records import Author
from porting.wxr_records import ItemRecord
from porting.wxr_records import Term

TINY = Plan(posts=3, comments=50)


def _depth(comment, by_id) -> int:
    """How deep a comment sits in its post's thread (0: top level)."""
    depth = 0
    while comment.parent_wp_id:
        comment = by_id[comment.parent_wp_id]
        depth += 1
    return depth


def test_synthetic_wxr_reads_with_the_counts_asked_for(tmp_path):
    written = write_wxr(tmp_path / "tiny.xml", TINY)
    records = list(read_wxr(written.path))
    items = [r for r in records if isinstance(r, ItemRecord)]
    comments = [c for item in items for c in item.comments]
    assert (written.items, written.comments) == (3, 50)
    assert len(items) == 3 and len(comments) == 50
    assert {item.post_type for item in items} == {"post"}
    assert len({c.wp_id for c in comments}) == 50
    assert written.largest_post == max(len(item.comments) for item in items)
    assert sum(isinstance(r, Author) for r in records) == 5
    assert {r.taxonomy for r in records if isinstance(r, Term)} == {
        "category",
        "post_tag",
    }
    for item in items:
        by_id = {c.wp_id: c for c in item.comments}
        # Every reply's parent is an earlier comment of the same post.
        assert all(c.parent_wp_id in by_id for c in item.comments if c.parent_wp_id)
        assert all(_depth(c, by_id) < MAX_DEPTH for c in item.comments)
    summary = scan_wxr(written.path)
    assert summary.wxr_version == "1.2"
    assert summary.total_bytes == written.bytes
    assert set(summary.comments_by_status) <= {"1", "0", "spam", "trash"}


def test_synthetic_wxr_has_every_state_threads_and_pingbacks_at_scale(tmp_path):
    written = write_wxr(tmp_path / "some.xml", Plan(posts=20, comments=3000))
    summary = scan_wxr(written.path)
    states = summary.comments_by_status
    assert set(states) == {"1", "0", "spam", "trash"}
    assert states["1"] > states["0"] > states["spam"] > states["trash"]
    items = [r for r in read_wxr(written.path) if isinstance(r, ItemRecord)]
    kinds = {c.comment_type for item in items for c in item.comments}
    assert {"", "pingback"} <= kinds
    depths = {
        _depth(c, {x.wp_id: x for x in item.comments})
        for item in items
        for c in item.comments
    }
    assert max(depths) >= 4


def test_synthetic_wxr_is_the_same_for_the_same_seed(tmp_path):
    first = write_wxr(tmp_path / "a.xml", TINY).path.read_bytes()
    again = write_wxr(tmp_path / "b.xml", TINY).path.read_bytes()
    other = write_wxr(tmp_path / "c.xml", Plan(3, 50, seed=9)).path.read_bytes()
    assert first == again != other


@pytest.mark.parametrize(("posts", "comments"), [(3, 50), (1000, 1_000_000), (7, 0)])
def test_comment_shares_sum_to_the_total_and_lean_on_a_few_posts(posts, comments):
    import random

    counts = shares(Plan(posts, comments), random.Random(1))
    assert len(counts) == posts and sum(counts) == comments
    if comments >= 1000 * posts:
        assert max(counts) > 10 * sorted(counts)[posts // 2]


def _row(database="sqlite", comments=1_000_000, rate=6_123.4, growth=42.25) -> dict:
    """One size's figures, as measure() returns them."""
    return {
        "database": database,
        "file_bytes": 1_050_000_000,
        "items": 1000,
        "comments": comments,
        "largest_post": 26_480,
        "seconds": comments / rate,
        "cpu_seconds": comments / rate / 2,
        "comments_per_s": rate,
        "items_per_s": 1000 * rate / comments,
        "peak_rss_mb": 150.5,
        "rss_growth_mb": growth,
        "anon_growth_mb": growth - 10,
        "file_growth_mb": 10.0,
    }


def test_report_formats_figures_and_marks_targets():
    rows = [_row(), _row(comments=10_000, rate=300.0, growth=120.0)]
    rows.append(_row(database="postgresql"))
    result = {
        "meta": {
            "started": "2026-12-06T14:00:00+00:00",
            "command": "python -m bench.import_bench",
            "machine": {"cpus": 2, "cpu_model": "AMD EPYC", "python": "3.11.7"},
        },
        "rows": rows,
    }
    text = import_bench.render(result)
    assert "1,050.0" in text and "1,000,000" in text and "26,480" in text
    assert "6,123" in text and "12,247" in text and "42.2" in text
    assert "[  met  ] SQLite >= 5,000 comments/s at 1,000,000 comments: 6,123/s" in text
    assert "[NOT MET] SQLite >= 5,000 comments/s at 10,000 comments: 300/s" in text
    assert "[  met  ] peak RSS growth <= 100 MB at 1,000,000 comments" in text
    assert "[NOT MET] peak RSS growth <= 100 MB at 10,000 comments" in text
    # PostgreSQL has figures, no targets.
    assert len(import_bench.target_lines(rows)) == 4
    assert text.count("postgresql") == 1 and "no targets" in text


def test_scale_report_compares_the_two_databases():
    small = [
        Timed("home", "/", 200, 2.0, 3.0),
        Timed("staff queue", "/staff/c", 200, 10, 20),
    ]
    large = [
        Timed("home", "/", 200, 3.0, 5.0),
        Timed("staff queue", "/staff/c", 200, 25, 60),
    ]
    text = scale_report(small, large)
    assert "1.50x" in text and "2.50x" in text
    assert "[  met  ] home: large within 2x of small: 1.50x" in text
    assert "[NOT MET] staff queue: large within 2x of small: 2.50x" in text
    assert "[NOT MET] staff queue: p99 < 50 ms: 60.0 ms" in text


@pytest.mark.slow
def test_import_bench_measures_a_tiny_file(tmp_path):
    row = import_bench.measure(50, 3, "sqlite", tmp_path, import_bench.PG_URL)
    assert row["comments"] == 50 and row["items"] == 3
    assert row["imported"]["comment"] == 50
    assert sum(row["stored_comments"].values()) == 50
    assert row["stored_articles"] == 3
    assert row["peak_rss_mb"] >= row["baseline_rss_mb"] > 0
    assert row["seconds"] > 0 and row["comments_per_s"] > 0
