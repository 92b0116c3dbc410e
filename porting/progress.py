"""An import's progress on a terminal: a bar with items/s and an ETA, or plain lines."""

from __future__ import annotations

import sys
import time

import click

# Without a terminal (a log, CI), a line at most this often.
PLAIN_EVERY = 5.0


class ProgressDisplay:
    """Called with (done, total) after each item; close() when finished."""

    def __init__(self, label: str, interactive: bool | None = None) -> None:
        self.label = label
        self.interactive = sys.stdout.isatty() if interactive is None else interactive
        self.started = time.monotonic()
        self._last_line = 0.0
        self._bar = None
        self._shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.interactive:
            self._bar_update(done, total)
        elif time.monotonic() - self._last_line >= PLAIN_EVERY or done == total:
            self._last_line = time.monotonic()
            click.echo(self.line(done, total))

    def line(self, done: int, total: int) -> str:
        """`120/5,000 items, 830 items/s, about 6 s left`."""
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = done / elapsed
        left = (total - done) / rate if rate else 0
        return (
            f"{self.label}: {done:,}/{total:,} items, {rate:,.0f} items/s,"
            f" about {left:,.0f} s left"
        )

    def _bar_update(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = click.progressbar(
                length=total,
                label=self.label,
                show_eta=True,
                show_pos=True,
                item_show_func=lambda _: self._rate(),
            )
            self._bar.__enter__()
        self._bar.update(done - self._shown, done)
        self._shown = done

    def _rate(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return f"{self._shown / elapsed:,.0f} items/s"

    def close(self) -> None:
        """End the bar (a no-op for plain lines)."""
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None
