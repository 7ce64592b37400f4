"""Real processes against one store: two writers at once, and a writer killed with SIGKILL mid-batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from servanda.record.bootstrap import RecordHandle
from servanda.record.integrity import verify
from servanda.store.log_storage import SqlLogStorage
from tests.integration.helpers import log_size

ROOT = Path(__file__).resolve().parents[2]


def _writer(url: str, prefix: str, batches: int, size: int) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.integration.writer", url, prefix, str(batches), str(size)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def _verifies(handle: RecordHandle) -> None:
    with handle.store.read() as connection:
        report = verify(connection, SqlLogStorage(connection), [])
    assert report.ok, report.problems


def test_two_writers_at_once_both_succeed_and_the_log_never_forks(handle: RecordHandle, db_url: str) -> None:
    writers = [_writer(db_url, name, 6, 40) for name in ("alpha", "beta")]
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        assert out.count("committed") == 6
    assert log_size(handle) == 2 * 6 * 40
    _verifies(handle)


def test_a_writer_killed_mid_batch_leaves_exactly_the_committed_batches(
    handle: RecordHandle, db_url: str
) -> None:
    batch = 3000
    writer = _writer(db_url, "doomed", 50, batch)
    assert writer.stdout is not None
    committed = 0
    while committed < 2:  # let two batches land, then kill it while it works on the next
        line = writer.stdout.readline()
        assert line, writer.stderr.read() if writer.stderr else "writer died"
        committed += line.startswith("committed")
    time.sleep(0.15)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=30)
    writer.stdout.close()
    if writer.stderr is not None:
        writer.stderr.close()
    size = log_size(handle)
    assert size % batch == 0, f"a partial batch is in the log: {size} entries"
    assert committed * batch <= size <= (committed + 1) * batch
    _verifies(handle)
    # the store is still writable after the crash (no stale lock)
    again = _writer(db_url, "after", 1, 10)
    _out, err = again.communicate(timeout=60)
    assert again.returncode == 0, err
    assert log_size(handle) == size + 10
