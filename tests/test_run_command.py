"""The README's run command, exactly as a newcomer runs it: no services, SQLite and the embedded
broker. It must serve /healthz, accept a demo login, and stop all its processes on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 240
STOP_TIMEOUT = 60


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Output:
    """Collects the command's output from a background thread, so its pipe never fills."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self._thread.start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_run_command_serves_health_and_a_demo_login_then_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DEBUG"}
    }
    env.update({"PORT": str(port), "CPIMS_VAR_DIR": str(tmp_path / "var")})
    process = subprocess.Popen(  # noqa: S603 - our own script, fixed arguments
        [str(ROOT / "scripts" / "run")],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output = _Output(process)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = requests.get(f"{base}/healthz", timeout=5)
                if health.status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            time.sleep(1)
        assert health is not None, f"the server never answered:\n{output.text}"
        assert health.status_code == 200, output.text
        assert health.json() == {"database": "ok", "broker": "ok"}
        assert (tmp_path / "var" / "cpims.sqlite3").exists(), "not running on SQLite"

        logins = dict(re.findall(r"^(social_worker|supervisor) (\S+)$", output.text, re.M))
        assert set(logins) == {"social_worker", "supervisor"}, output.text

        browser = requests.Session()
        form = browser.get(f"{base}/accounts/login/", timeout=10)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
        assert csrf is not None
        signed_in = browser.post(
            f"{base}/accounts/login/",
            data={
                "username": "social_worker",
                "password": logins["social_worker"],
                "csrfmiddlewaretoken": csrf.group(1),
            },
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=10,
        )
        assert signed_in.status_code == 200
        assert signed_in.url == f"{base}/", signed_in.url
        assert 'id="overdue-visits"' in signed_in.text  # the demo child back home, a visit late
        cases = browser.get(f"{base}/cases/", timeout=10)
        assert re.search(r"12-\d{4}-00001", cases.text), cases.text

        token = requests.post(
            f"{base}/api/v1/auth/token/",
            json={"username": "supervisor", "password": logins["supervisor"]},
            timeout=10,
        )
        assert token.status_code == 200, token.text
        me = requests.get(
            f"{base}/api/v1/users/me/",
            headers={"Authorization": f"Bearer {token.json()['token']}"},
            timeout=10,
        )
        assert me.json()["role"] == "supervisor"

        deadline = time.monotonic() + 60
        while "beat: Starting" not in output.text and time.monotonic() < deadline:
            time.sleep(1)
        assert re.search(r"celery@\S+ ready", output.text), output.text
        assert "beat: Starting" in output.text, output.text
    finally:
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
        try:
            process.wait(timeout=STOP_TIMEOUT)
        finally:
            deadline = time.monotonic() + STOP_TIMEOUT
            while _group_alive(process.pid) and time.monotonic() < deadline:
                time.sleep(0.5)
            left_running = _group_alive(process.pid)
            if left_running:
                os.killpg(process.pid, signal.SIGKILL)
    assert not left_running, f"processes survived Ctrl-C:\n{output.text}"
    # Everything the system writes stays in its data folder, none of it in the code's.
    assert not (ROOT / "control").exists()
