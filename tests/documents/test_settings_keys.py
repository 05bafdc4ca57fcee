"""The documents' keys and storage are settings read at start-up (docs/operations.md, "Case
documents"): production refuses to start without a valid key; development makes one."""

from __future__ import annotations

import base64
import secrets
from pathlib import Path

import pytest

from tests.test_settings import PRODUCTION, _manage

pytestmark = pytest.mark.slow


def _key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def test_production_refuses_to_start_without_a_document_key(tmp_path: Path) -> None:
    without = {name: value for name, value in PRODUCTION.items() if name != "DOCUMENT_KEYS"}

    result = _manage(tmp_path, "check", SECRET_KEY=secrets.token_urlsafe(60), **without)

    assert result.returncode != 0
    assert "DOCUMENT_KEYS must hold the key" in result.stderr


@pytest.mark.parametrize(
    "keys", ["not-a-key", f"{_key()},short"], ids=["not-a-key", "a-good-key-then-a-short-one"]
)
def test_a_document_key_that_is_not_a_fernet_key_stops_the_start(tmp_path: Path, keys: str) -> None:
    result = _manage(tmp_path, "check", DOCUMENT_KEYS=keys)

    assert result.returncode != 0
    assert "Each key of DOCUMENT_KEYS" in result.stderr


def test_development_makes_a_document_key_once_and_keeps_it_private(tmp_path: Path) -> None:
    assert _manage(tmp_path, "check").returncode == 0
    key_file = tmp_path / "document_key"
    key = key_file.read_text()
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert key_file.stat().st_mode & 0o777 == 0o600

    assert _manage(tmp_path, "check").returncode == 0
    assert key_file.read_text() == key


def test_an_unknown_document_storage_stops_the_start(tmp_path: Path) -> None:
    result = _manage(tmp_path, "check", DOCUMENT_STORAGE="ftp")

    assert result.returncode != 0
    assert "DOCUMENT_STORAGE must be" in result.stderr


def test_an_s3_bucket_is_configured_as_the_documents_storage(tmp_path: Path) -> None:
    result = _manage(
        tmp_path,
        "shell",
        "-c",
        "from django.core.files.storage import storages; "
        "s = storages['documents']; print(type(s).__name__, s.bucket_name, s.default_acl)",
        DOCUMENT_STORAGE="s3",
        DOCUMENT_S3_BUCKET="cpims-documents",
        DOCUMENT_S3_ENDPOINT_URL="http://127.0.0.1:9",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["S3Storage", "cpims-documents", "private"]
