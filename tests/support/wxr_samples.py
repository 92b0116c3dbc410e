"""WordPress's own WXR test files, shared beside the repository and never copied in."""

from __future__ import annotations

from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def wxr_sample(name: str) -> Path:
    """The path of a shared WXR file (`../shared/wxr/<name>`); skips the test when absent."""
    path = REPOSITORY.parent / "shared" / "wxr" / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/wxr")
    return path
