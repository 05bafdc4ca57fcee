"""A real webhook receiver (an HTTP server on this machine), for the delivery tests; the real
Celery worker thread they run against is tests/conftest.py's ``celery_worker_thread``."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

WAIT_SECONDS = 20
RECEIVER_HOST = "127.0.0.1"


@dataclass(frozen=True)
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int


class Receiver:
    """Answers POSTs with the given status codes in turn (the last one repeats) and keeps
    every request it got."""

    def __init__(self, answers: list[int]) -> None:
        self._answers = list(answers)
        self._lock = threading.Lock()
        self.received: list[Received] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    code = (
                        receiver._answers.pop(0)
                        if len(receiver._answers) > 1
                        else (receiver._answers[0])
                    )
                    receiver.received.append(Received(dict(self.headers.items()), body, code))
                self.send_response(code)
                if 300 <= code < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read what was received, not the server's log."""

        self.server = ThreadingHTTPServer((RECEIVER_HOST, 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://{RECEIVER_HOST}:{self.port}/hooks/cpims"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def requests(self) -> list[Received]:
        with self._lock:
            return list(self.received)


@pytest.fixture
def make_receiver(settings: Any) -> Iterator[Callable[[list[int]], Receiver]]:
    """Starts receivers on 127.0.0.1, which the test that uses them allows as a private
    webhook host; every other test keeps the default, where private addresses are refused."""
    settings.WEBHOOK_ALLOWED_PRIVATE_HOSTS = [RECEIVER_HOST]
    started: list[Receiver] = []

    def make(answers: list[int]) -> Receiver:
        receiver = Receiver(answers)
        started.append(receiver)
        return receiver

    yield make
    for receiver in started:
        receiver.stop()


def wait_until(condition: Callable[[], bool], *, timeout: float = WAIT_SECONDS) -> None:
    """Polls until ``condition`` holds; fails the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Not reached within {timeout} seconds.")
        time.sleep(0.05)
