"""How a web worker's Python runs: its garbage collector.

A request allocates thousands of short-lived objects (model instances, query clones,
serializer fields). The collector's full passes walk every object the worker holds, the whole
loaded application included, and pause the request they fall in: at national scale they were
the slowest 5 % of list requests (50 to 150 ms more; docs/performance.md). Objects loaded at
start-up live as long as the worker, so they are frozen out of every pass.
"""

from __future__ import annotations

import gc
from importlib import import_module

from django.conf import settings


def freeze_loaded_application() -> None:
    """Loads the URL map (and with it every view, serializer and form), then freezes what is
    in memory: the collector no longer walks it."""
    import_module(settings.ROOT_URLCONF)
    gc.collect()
    gc.freeze()
