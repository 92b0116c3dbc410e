"""The fault table: which requests met which fault, and what became of them."""

from __future__ import annotations

from dataclasses import dataclass

ACK_STATUSES = {200, 201, 302, 303}
KILL = "worker SIGKILL"
LOCK = "write lock held"
FULL = "full disk"
RESTART = "PostgreSQL restart"
ORDER = [KILL, LOCK, FULL, RESTART]  # the table's rows, in this order
SMTP = "all requests (SMTP down)"  # the last row: the whole run
HEADER = (
    "| database | fault | events | fault s | requests during | 503 + Retry-After "
    "| 503 without | 500 | no answer | acknowledged | stored | first ack after |"
)


@dataclass
class Result:
    """One request: what it was, how it ended, and when."""

    kind: str  # "read" or "post"
    status: int  # 0: no HTTP answer (connection reset, worker killed)
    started: float  # time.monotonic()
    seconds: float
    retry_after: str = ""  # the header's value, "" when absent
    marker: str | None = None  # a post's unique marker
    site_page: bool = True  # a 503 came with the site's error page

    @property
    def ended(self) -> float:
        return self.started + self.seconds

    @property
    def acknowledged(self) -> bool:
        return self.kind == "post" and self.status in ACK_STATUSES


@dataclass
class Window:
    """When one fault event lasted; start == end for an instant (a SIGKILL)."""

    fault: str
    start: float
    end: float

    def met(self, result: Result) -> bool:
        """True when the request was in flight at some moment of the fault."""
        return result.started <= self.end and result.ended >= self.start

    def recovery(self, results: list[Result]) -> float | None:
        """Seconds from the fault's end to the first post begun after it and acknowledged."""
        acks = [r.ended for r in results if r.acknowledged and r.started >= self.end]
        return min(acks) - self.end if acks else None


@dataclass
class Row:
    """One line of the table: a fault's events on one database, added up."""

    database: str
    fault: str
    events: int
    seconds: float
    requests: int
    refused: int  # 503 with Retry-After
    waits: str  # the Retry-After values they carried
    bare_503: int
    errors_500: int
    unanswered: int
    acknowledged: int
    stored: int
    recovery: float | None  # the slowest event's; None: no post after it succeeded
    lasting: bool  # a fault with a duration (recovery applies)

    def render(self) -> str:
        """The row as a Markdown table line."""
        recovered = "-"
        if self.lasting:
            recovered = "none" if self.recovery is None else f"{self.recovery:.1f} s"
        cells = [
            self.database,
            self.fault,
            f"{self.events:,}",
            f"{self.seconds:.1f}",
            f"{self.requests:,}",
            f"{self.refused:,}" + (f" ({self.waits} s)" if self.waits else ""),
            f"{self.bare_503:,}",
            f"{self.errors_500:,}",
            f"{self.unanswered:,}",
            f"{self.acknowledged:,}",
            f"{self.stored:,}",
            recovered,
        ]
        return "| " + " | ".join(cells) + " |"


def row(
    database: str,
    fault: str,
    windows: list[Window],
    results: list[Result],
    found: set[str],
) -> Row:
    """Add up the requests that met any of the fault's windows."""
    met = [r for r in results if any(w.met(r) for w in windows)]
    acked = {r.marker for r in met if r.acknowledged}
    lasting = any(w.end > w.start for w in windows)
    recoveries = [w.recovery(results) for w in windows] if lasting else []
    return Row(
        database=database,
        fault=fault,
        events=len(windows),
        seconds=sum(w.end - w.start for w in windows),
        requests=len(met),
        refused=sum(1 for r in met if r.status == 503 and r.retry_after),
        waits=", ".join(
            sorted({r.retry_after for r in met if r.status == 503} - {""}, key=int)
        ),
        bare_503=sum(1 for r in met if r.status == 503 and not r.retry_after),
        errors_500=sum(1 for r in met if r.status == 500),
        unanswered=sum(1 for r in met if r.status == 0),
        acknowledged=len(acked),
        stored=len(acked & found),
        recovery=None if None in recoveries else max(recoveries, default=None),
        lasting=lasting,
    )


def render(rows: list[Row]) -> str:
    """The whole table, in Markdown."""
    rule = "|---|---|" + "---:|" * 10
    return "\n".join([HEADER, rule, *(r.render() for r in rows)])
