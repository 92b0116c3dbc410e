"""A write-only file whose writes are kept until taken: streams a writer's output.

zipfile and lxml's incremental writer want a file to write to; an HTTP
response wants pieces to send. The writer writes here and the generator
around it takes what was written after each record.
"""

from __future__ import annotations


class Pipe:
    """Collects writes; take() hands them over and forgets them."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> int:
        """Keep data until the next take()."""
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here."""

    def take(self) -> bytes:
        """What was written since the last take."""
        data, self.parts = b"".join(self.parts), []
        return data
