"""The fault harness's bookkeeping and its safety catches, without a server or a mount."""

from __future__ import annotations

import pytest

from bench import faults
from bench import pg_cluster
from bench.fault_table import FULL
from bench.fault_table import Result
from bench.fault_table import Window
from bench.fault_table import render
from bench.fault_table import row
from bench.tmpfs_disk import SmallDisk


def _post(started, seconds, status, marker, retry_after=""):
    return Result("post", status, started, seconds, retry_after, marker)


def test_a_window_meets_the_requests_in_flight_during_it():
    window = Window(FULL, 10.0, 12.0)
    assert window.met(_post(9.0, 1.5, 303, "a"))  # still running when it began
    assert window.met(_post(11.0, 5.0, 503, "b"))
    assert not window.met(_post(8.0, 1.0, 303, "c"))  # over before it
    assert not window.met(_post(12.5, 0.1, 303, "d"))  # begun after it
    assert Window("kill", 10.0, 10.0).met(_post(9.0, 2.0, 0, "e"))


def test_a_row_counts_refusals_acknowledgements_and_recovery():
    results = [
        _post(9.0, 1.5, 303, "a"),
        _post(10.5, 0.2, 503, "b", "60"),
        _post(11.0, 0.3, 503, "c", "2"),
        _post(11.5, 0.2, 500, "d"),
        _post(12.5, 0.5, 303, "e"),  # after: the recovery
    ]
    line = row("SQLite", FULL, [Window(FULL, 10.0, 12.0)], results, {"a"})
    assert (line.requests, line.refused, line.waits) == (4, 2, "2, 60")
    assert (line.errors_500, line.acknowledged, line.stored) == (1, 1, 1)
    assert line.recovery == pytest.approx(1.0)
    assert "| SQLite | full disk | 1 | 2.0 | 4 | 2 (2, 60 s) |" in render([line])


def test_no_acknowledgement_after_a_fault_is_no_recovery():
    results = [_post(10.5, 0.2, 503, "b", "5"), _post(12.5, 0.5, 503, "c", "5")]
    line = row("PostgreSQL", "restart", [Window("restart", 10.0, 12.0)], results, set())
    assert line.recovery is None and "| none |" in line.render()


def test_the_filler_writes_only_on_a_tmpfs_it_mounted(tmp_path):
    disk = SmallDisk(tmp_path)  # an ordinary folder on the real disk
    with pytest.raises(RuntimeError):
        disk.fill()
    disk.mounted = True  # even when told it is mounted, it looks for itself
    with pytest.raises(RuntimeError):
        disk.fill()
    assert not disk.filler.exists()


def test_a_missing_server_is_a_reason_to_skip(tmp_path):
    assert pg_cluster.unavailable(tmp_path) is not None


def test_command_line_defaults_run_both_databases():
    args = faults.arguments([])
    assert (args.database, args.seconds, args.restarts) == ("both", 60.0, 2)
    assert (args.lock_seconds, args.full_seconds) == (8.0, 5.0)
