from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet


@pytest.fixture(autouse=True)
def vault_dir(settings: Any, tmp_path: Path) -> Path:
    """Each test's documents in a folder of its own, encrypted with a key of its own."""
    folder = tmp_path / "documents"
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": folder, "base_url": None},
        },
    }
    return folder
