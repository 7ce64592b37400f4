"""The quick start's main job, through the installed ``servanda`` program, as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _servanda(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    program = Path(sys.executable).with_name("servanda")
    env = {**os.environ, "SERVANDA_HOME": str(home), "COLUMNS": "120"}
    env.pop("SERVANDA_DB", None)
    return subprocess.run(
        [str(program), *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=300
    )


def test_the_main_job_loads_the_starter_record_verifies_it_and_shows_russia(tmp_path: Path) -> None:
    home = tmp_path / "servanda-data"
    for step in (["init"], ["import", "data/starter"], ["log", "checkpoint"], ["log", "verify"]):
        done = _servanda(home, *step)
        assert done.returncode == 0, (step, done.stderr)
    assert "OK:" in done.stdout
    overview = _servanda(home, "overview")
    assert "statement" in overview.stdout and "latest signed checkpoint" in overview.stdout
    timeline = _servanda(home, "timeline", "ru")
    assert timeline.returncode == 0
    assert "Russian Federation" in timeline.stdout and "1994-12-05" in timeline.stdout
    again = _servanda(home, "import", "data/starter")
    assert "0 entries appended" in again.stdout
    assert (home / "log.key").stat().st_mode & 0o777 == 0o600
