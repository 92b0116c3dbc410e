"""tools/codeshape.py: function lengths, view lengths and blueprint seams."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from textwrap import dedent

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "tools" / "codeshape.py"


def run(root: Path | None = None) -> subprocess.CompletedProcess:
    args = [sys.executable, str(SCRIPT)] + ([str(root)] if root else [])
    return subprocess.run(args, capture_output=True, text=True, check=False)


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dedent(text))
    return root


def view(name: str, lines: int) -> str:
    body = "".join(f"    x{i} = {i}\n" for i in range(lines - 2))
    return f'@bp.get("/{name}")\ndef {name}():\n    """A view."""\n{body}'


BASE = {
    "blueprints/__init__.py": "",
    "blueprints/a/__init__.py": '"""Blueprint a.\n\nPublic modules: page.\n"""\n',
    "blueprints/a/page.py": "def context():\n    return {}\n",
    "blueprints/a/views.py": view("short", 10),
    "blueprints/b/__init__.py": '"""Blueprint b.\n\nPublic modules: none.\n"""\n',
}


def test_repository_passes():
    result = run()
    assert "longest functions" in result.stdout
    assert "lines on average" in result.stdout
    assert "Problems:" not in result.stdout, result.stdout
    assert result.returncode == 0


def test_clean_synthetic_tree_passes(tmp_path):
    files = {**BASE, "blueprints/b/views.py": "from blueprints.a.page import context\n"}
    result = run(write(tmp_path, files))
    assert result.returncode == 0, result.stdout
    assert "short  blueprints/a/views.py" in result.stdout


def test_long_view_fails(tmp_path):
    result = run(write(tmp_path, {**BASE, "blueprints/b/views.py": view("long", 41)}))
    assert result.returncode == 1
    assert "view long is 41 lines (at most 40)" in result.stdout


@pytest.mark.parametrize(
    "source",
    [
        "from blueprints.a.views import short\n",
        "import blueprints.a.views as a_views\n",
        "from blueprints.a import views\n",
        "from ..a import views\n",
        "from blueprints.a.secret import thing\n",
    ],
)
def test_import_of_a_non_public_module_fails(tmp_path, source):
    files = {**BASE, "blueprints/a/secret.py": "thing = 1\n"}
    files["blueprints/b/views.py"] = source
    result = run(write(tmp_path, files))
    assert result.returncode == 1
    assert "not a public module of blueprints.a" in result.stdout


def test_views_listed_as_public_fails(tmp_path):
    init = '"""Blueprint a.\n\nPublic modules: page, views.\n"""\n'
    result = run(write(tmp_path, {**BASE, "blueprints/a/__init__.py": init}))
    assert result.returncode == 1
    assert "views is never a public module" in result.stdout
