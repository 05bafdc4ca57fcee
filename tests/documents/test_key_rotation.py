"""Rotating the documents' key (docs/operations.md, "Case documents"): a new key put first
encrypts, the old ones still decrypt, and rotate_document_keys re-encrypts the files with the
new one so the old can be dropped."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command

from audit.models import AuditEvent
from documents.models import Document
from tests.conftest import World, api_client
from tests.documents.helpers import JPEG, PDF, documents_url, stored_files, upload

pytestmark = pytest.mark.django_db


def _rotate() -> str:
    out = io.StringIO()
    call_command("rotate_document_keys", stdout=out)
    return out.getvalue().strip()


def test_rotating_re_encrypts_every_file_with_the_new_key_so_the_old_can_go(
    world: World, settings: Any, vault_dir: Path
) -> None:
    client = api_client(world.worker)
    old_key = settings.DOCUMENT_KEYS[0]
    first = upload(client, world.own_case, PDF).json()
    new_key = Fernet.generate_key().decode()
    settings.DOCUMENT_KEYS = [new_key, old_key]
    second = upload(client, world.own_case, JPEG, kind="photo").json()

    assert _rotate() == "1 of 2 documents re-encrypted with the first key."

    # One file per document, each opening with the new key alone.
    files = stored_files(vault_dir)
    assert len(files) == 2
    for path in files:
        Fernet(new_key).decrypt(path.read_bytes())
        with pytest.raises(InvalidToken):
            Fernet(old_key).decrypt(path.read_bytes())
    settings.DOCUMENT_KEYS = [new_key]
    base = documents_url(world.own_case)
    assert client.get(f"{base}{first['id']}/download/").getvalue() == PDF
    assert client.get(f"{base}{second['id']}/download/").getvalue() == JPEG
    (event,) = AuditEvent.objects.filter(action="document.rekey")
    assert event.object_id == str(first["id"])
    assert _rotate() == "0 of 2 documents re-encrypted with the first key."


def test_without_the_old_key_an_old_file_does_not_open(world: World, settings: Any) -> None:
    client = api_client(world.worker)
    created = upload(client, world.own_case, PDF).json()
    settings.DOCUMENT_KEYS = [Fernet.generate_key().decode()]
    client.raise_request_exception = False

    response = client.get(f"{documents_url(world.own_case)}{created['id']}/download/")

    assert response.status_code == 500
    assert Document.objects.count() == 1
    assert not AuditEvent.objects.filter(action="document.download").exists()
