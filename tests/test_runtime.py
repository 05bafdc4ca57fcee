"""How the application runs at national scale: a web worker freezes its loaded application out
of garbage collection, and its database connections plan without parallel workers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def test_the_wsgi_worker_starts_with_its_application_frozen() -> None:
    probe = (
        "import gc, sys; import cpims.wsgi; from django.conf import settings; "
        "print(gc.get_freeze_count(), settings.ROOT_URLCONF in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed probe
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    frozen, urls_loaded = result.stdout.split()
    assert int(frozen) > 10_000  # the loaded application, not a handful of objects
    assert urls_loaded == "True"


@pytest.mark.django_db
def test_the_applications_queries_run_without_parallel_workers() -> None:
    """Short page reads: parallel plans cost more than they save (docs/performance.md)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        (workers,) = cursor.fetchone() or ("",)
    assert workers == "0"
