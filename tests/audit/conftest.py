from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def anchor_file(settings: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Each test anchors into its own file, never the development data folder's."""
    path = tmp_path / "anchors.jsonl"
    settings.AUDIT_ANCHOR_PATH = path  # type: ignore[attr-defined]
    return path
