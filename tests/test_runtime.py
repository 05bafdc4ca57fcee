"""A web worker freezes its loaded application out of garbage collection, so the collector's
full passes stop walking it (and pausing requests) at national scale."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wsgi_worker_starts_with_its_application_frozen() -> None:
    probe = (
        "import gc, sys; import cpims.wsgi; from django.conf import settings; "
        "print(gc.get_freeze_count(), settings.ROOT_URLCONF in sys.modules)"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, a fixed probe
        [sys.executable, "-c", probe], cwd=ROOT, env=os.environ.copy(),
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    frozen, urls_loaded = result.stdout.split()
    assert int(frozen) > 10_000  # the loaded application, not a handful of objects
    assert urls_loaded == "True"
