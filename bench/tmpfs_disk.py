"""A small tmpfs for one run's SQLite database, and a file that fills it for a while.

Mounting needs root. The filler only ever writes on a tmpfs this module
mounted, and never more than that tmpfs holds, so a mistake cannot fill the
machine's real disk.
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

SIZE_MB = 64
_CHUNKS = (1 << 20, 4096)  # big writes first, then the last pages


class SmallDisk:
    """A tmpfs of size_mb mounted at path for the run."""

    def __init__(self, path: Path, size_mb: int = SIZE_MB) -> None:
        self.path = path
        self.size_mb = size_mb
        self.filler = path / "filler"
        self.mounted = False

    def mount(self) -> str | None:
        """Mount the tmpfs; the reason it could not be, or None when it is mounted."""
        if os.geteuid() != 0:
            return "mounting a tmpfs needs root"
        self.path.mkdir(mode=0o700, exist_ok=True)
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={self.size_mb}m,mode=0700"]
            + ["folio-faults", str(self.path)],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            return f"mount failed: {done.stderr.strip() or done.returncode}"
        self.mounted = True
        return None

    def unmount(self) -> None:
        """Unmount (lazily when something still holds a file there)."""
        if not self.mounted:
            return
        self.free()
        if subprocess.run(["umount", str(self.path)], capture_output=True).returncode:
            subprocess.run(["umount", "-l", str(self.path)], check=True)
        self.mounted = False

    def is_ours(self) -> bool:
        """True when path is a tmpfs no larger than the size asked for."""
        mounts = Path("/proc/self/mounts").read_text().splitlines()
        tmpfs = any(line.split()[1:3] == [str(self.path), "tmpfs"] for line in mounts)
        return tmpfs and self.capacity() <= self.size_mb << 20

    def capacity(self) -> int:
        """The file system's size in bytes."""
        stats = os.statvfs(self.path)
        return stats.f_blocks * stats.f_frsize

    def fill(self) -> int:
        """Write zeros until the tmpfs is full; the bytes written."""
        if not self.mounted or not self.is_ours():
            raise RuntimeError(f"{self.path} is not this run's small tmpfs")
        limit = self.capacity()
        zeros = bytes(_CHUNKS[0])
        written = 0
        fd = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            for chunk in _CHUNKS:
                while written < limit:
                    try:
                        written += os.write(fd, zeros[:chunk])
                    except OSError as exc:
                        if exc.errno != errno.ENOSPC:
                            raise
                        break
        finally:
            os.close(fd)
        return written

    def free(self) -> None:
        """Delete the filler: the space is there again."""
        self.filler.unlink(missing_ok=True)

    def available(self) -> int:
        """Bytes free on the tmpfs."""
        stats = os.statvfs(self.path)
        return stats.f_bavail * stats.f_frsize
