"""Install test-only plugins for one test: a throwaway distribution on sys.path.

``install_plugins(greeter="tests.support.plugin_doubles.greeter:plugin")``
writes ``greeter-0.1.dist-info`` (METADATA and an entry point in the
``folio.plugins`` group) into a temporary directory put first on sys.path, so
importlib.metadata finds it as if pip had installed it; monkeypatch takes it
off again after the test.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest

from plugins.loading import GROUP

VERSION = "0.1"


def write_distribution(root: Path, name: str, entry_point: str) -> Path:
    """A <name>-0.1.dist-info under root whose folio.plugins entry point is given."""
    info = root / f"{name}-{VERSION}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: {VERSION}\n"
    )
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{name} = {entry_point}\n")
    return info


@pytest.fixture
def install_plugins(monkeypatch, tmp_path) -> Callable[..., Path]:
    """Install plugins by name=\"module:object\" for this test only."""
    root = tmp_path / "site-packages"

    def _install(**entry_points: str) -> Path:
        for name, entry_point in entry_points.items():
            write_distribution(root, name, entry_point)
        monkeypatch.syspath_prepend(str(root))
        importlib.invalidate_caches()
        return root

    return _install
