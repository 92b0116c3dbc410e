"""What an import did with each piece: counts per kind and every warning."""

from __future__ import annotations

import json
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field

OUTCOMES = ("imported", "updated", "skipped", "converted")


@dataclass(frozen=True)
class Warning:
    """Something the import changed or left out, with the WordPress id it concerns."""

    kind: str
    wp_id: str
    message: str


@dataclass
class ImportReport:
    """Per kind (post, page, comment, tag...): imported / updated / skipped /
    converted, and the warnings, in the order they happened."""

    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    warnings: list[Warning] = field(default_factory=list)
    # Totals noted once instead of a line per item (shortcodes by name...).
    notes: Counter = field(default_factory=Counter)
    dry_run: bool = False

    def count(self, kind: str, outcome: str, n: int = 1) -> None:
        """Count n pieces of kind with outcome (one of OUTCOMES)."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        if n:
            self.counts[kind][outcome] += n

    def warn(self, kind: str, wp_id: object, message: str) -> None:
        """Record a warning about the piece kind #wp_id."""
        self.warnings.append(Warning(kind, str(wp_id or ""), message))

    def note(self, what: str, n: int = 1) -> None:
        """Add n to a running total shown at the end (e.g. "shortcode [gallery]")."""
        if n:
            self.notes[what] += n

    def as_dict(self) -> dict:
        """The report as plain data (for --report FILE.json and the staff page)."""
        return {
            "dry_run": self.dry_run,
            "counts": {
                kind: {outcome: counts[outcome] for outcome in OUTCOMES}
                for kind, counts in sorted(self.counts.items())
            },
            "notes": dict(sorted(self.notes.items())),
            "warnings": [
                {"kind": w.kind, "wp_id": w.wp_id, "message": w.message}
                for w in self.warnings
            ],
        }

    def to_json(self) -> str:
        """The report as a JSON document."""
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)

    def lines(self) -> list[str]:
        """The report for a terminal: a table of counts, the notes, the warnings."""
        head = "Dry run: nothing was written." if self.dry_run else "Import finished."
        out = [head, "", f"{'kind':<12}" + "".join(f"{o:>11}" for o in OUTCOMES)]
        for kind, counts in sorted(self.counts.items()):
            out.append(f"{kind:<12}" + "".join(f"{counts[o]:>11}" for o in OUTCOMES))
        if self.notes:
            out += ["", "Notes:"]
            out += [f"  {what}: {n}" for what, n in sorted(self.notes.items())]
        if self.warnings:
            out += ["", f"Warnings ({len(self.warnings)}):"]
            out += [
                f"  {w.kind} {w.wp_id}: {w.message}" if w.wp_id else f"  {w.message}"
                for w in self.warnings
            ]
        return out
