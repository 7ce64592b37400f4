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


def test_the_main_job_serves_the_record(tmp_path: Path) -> None:
    import socket
    import time

    import httpx2 as httpx

    home = tmp_path / "servanda-data"
    for step in (["init"], ["import", "data/starter"], ["log", "checkpoint"]):
        assert _servanda(home, *step).returncode == 0
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    program = Path(sys.executable).with_name("servanda")
    env = {**os.environ, "SERVANDA_HOME": str(home)}
    env.pop("SERVANDA_DB", None)
    server = subprocess.Popen(
        [str(program), "serve", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                home_page = httpx.get(base + "/", timeout=5)
                break
            except httpx.TransportError:
                assert server.poll() is None, server.communicate()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        assert home_page.status_code == 200 and "Latest signed checkpoint" in home_page.text
        actor = httpx.get(base + "/actors/ru.json", timeout=30).json()
        assert actor["actor"]["name"] == "Russian Federation"
    finally:
        server.terminate()
        out, _err = server.communicate(timeout=30)
    assert f"http://localhost:{port}/" in out
