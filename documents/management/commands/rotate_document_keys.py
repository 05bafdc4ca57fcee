"""manage.py rotate_document_keys: after a new key is put first in DOCUMENT_KEYS, re-encrypts
every document's file with it, so the old keys can be dropped."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from documents.services import document_keys_rotate


class Command(BaseCommand):
    help = (
        "Re-encrypts with the first key of DOCUMENT_KEYS every case document's file that was "
        "encrypted with another, and prints how many. Run it after putting a new key first; "
        "once it is done, the old keys may be removed. Running it again re-encrypts nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        rekeyed, total = document_keys_rotate()
        self.stdout.write(f"{rekeyed} of {total} documents re-encrypted with the first key.")
