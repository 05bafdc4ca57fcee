"""Says in one line which service the test suite needs and cannot reach, and exits 2."""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse


def reachable(url: str, default_port: int) -> tuple[bool, str]:
    parts = urlparse(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or default_port
    try:
        with socket.create_connection((host, port), timeout=3):
            return True, f"{host}:{port}"
    except OSError:
        return False, f"{host}:{port}"


def main() -> int:
    for name, variable, port in (
        ("PostgreSQL", "DATABASE_URL", 5432),
        ("Redis", "REDIS_URL", 6379),
    ):
        ok, where = reachable(os.environ[variable], port)
        if not ok:
            sys.stderr.write(
                f"{name} is not reachable at {where}: start it, or point "
                f"{variable} at one that runs.\n"
            )
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
