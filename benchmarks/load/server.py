"""gunicorn with production settings, started on a free local port against this database and
stopped afterwards: the server the load goes through."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

HEALTH_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 15


class ServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_url() -> str:
    """The URL of the database this process uses (under tests, the test database)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return (
        f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/"
        f"{quote(db['NAME'], safe='')}"
    )


def production_environment(workdir: Path, workers: int) -> dict[str, str]:
    """Production settings for one run: throwaway keys, this host only, and TLS taken from the
    X-Forwarded-Proto header the load tool sends, as behind the reference proxy."""
    if not settings.REDIS_URL:
        raise ServerError("REDIS_URL must be set: production settings need Redis.")
    static_root = workdir / "static"
    static_root.mkdir(exist_ok=True)
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DEBUG", "DOCUMENT_", "AUDIT_"))
    }
    environment.update(
        {
            "CPIMS_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "AUDIT_ANCHOR_KEY": secrets.token_urlsafe(48),
            "DOCUMENT_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "ALLOWED_HOSTS": "127.0.0.1",
            "BEHIND_TLS_PROXY": "true",
            "DATABASE_URL": database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "CPIMS_VAR_DIR": str(workdir),
            "STATIC_ROOT": str(static_root),
            "WEB_CONCURRENCY": str(workers),
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


class GunicornServer:
    """``with GunicornServer(...) as server:`` serves on ``server.url`` until the block ends."""

    def __init__(self, workdir: Path, workers: int) -> None:
        self.workdir = workdir
        self.workers = workers
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        if self.process is None:
            raise ServerError("The server is not running.")
        return self.process.pid

    def __enter__(self) -> GunicornServer:
        with self.log_path.open("wb") as log:
            # The image's command (Dockerfile), on a local port; the access log as there.
            self.process = subprocess.Popen(  # noqa: S603 - fixed arguments, our own server
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "cpims.wsgi:application",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--access-logfile",
                    "-",
                    "--no-control-socket",
                ],
                cwd=settings.BASE_DIR,
                env=production_environment(self.workdir, self.workers),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise ServerError(f"gunicorn exited at start:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=2) as answer:  # noqa: S310 - our own local server
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise ServerError(f"gunicorn did not answer /healthz in time:\n{self.log_tail()}")

    def log_tail(self, lines: int = 30) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        """SIGTERM lets the workers finish their requests and close their connections."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
