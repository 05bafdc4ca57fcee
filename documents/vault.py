"""Where the files are kept: encrypted with the keys of ``DOCUMENT_KEYS`` (Fernet, from
``cryptography``: AES-128-CBC with an HMAC-SHA256, so a file changed at rest fails to decrypt
instead of being served) and written through the ``documents`` storage (a private folder, or an
S3-compatible bucket; docs/operations.md).

``DOCUMENT_KEYS`` is a list: the first key encrypts, every key decrypts. A new key is put first
and the old ones kept after it, so the files written before still open (key rotation);
``manage.py rotate_document_keys`` then re-encrypts them with the first key, after which the
old keys may be dropped."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages

from documents.choices import DocumentType

# The first bytes of each accepted format: what the file is, whatever its name says.
SIGNATURES: tuple[tuple[bytes, DocumentType], ...] = (
    (b"%PDF-", DocumentType.PDF),
    (b"\xff\xd8\xff", DocumentType.JPEG),
    (b"\x89PNG\r\n\x1a\n", DocumentType.PNG),
)
EXTENSIONS = {DocumentType.PDF: "pdf", DocumentType.JPEG: "jpg", DocumentType.PNG: "png"}


class UnreadableDocumentError(Exception):
    """A stored file that no key of ``DOCUMENT_KEYS`` decrypts: a key was dropped too soon, or
    the file was changed at rest."""


def sniff(head: bytes) -> DocumentType | None:
    """The format of a file from its first bytes; None for any other."""
    for signature, kind in SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def sealer(keys: list[str] | None = None) -> MultiFernet:
    """The keys of ``DOCUMENT_KEYS`` (or ``keys``), the first one encrypting."""
    return MultiFernet([Fernet(key) for key in (keys or settings.DOCUMENT_KEYS)])


def storage() -> Storage:
    return storages["documents"]


@dataclass(frozen=True)
class Stored:
    name: str
    size: int
    sha256: str


def store(content: bytes) -> Stored:
    """Encrypts ``content`` and writes it under a new random name (nothing of the case or the
    child in it)."""
    token = uuid.uuid4().hex
    name = storage().save(f"{token[:2]}/{token}", ContentFile(sealer().encrypt(content)))
    return Stored(name=name, size=len(content), sha256=hashlib.sha256(content).hexdigest())


def discard(name: str) -> None:
    """Removes a file written for a record that was not saved after all."""
    storage().delete(name)


def fetch(name: str) -> bytes:
    """The file as it was uploaded."""
    with storage().open(name, "rb") as handle:
        sealed = handle.read()
    try:
        return sealer().decrypt(sealed)
    except InvalidToken as error:
        raise UnreadableDocumentError(name) from error


def sealed_with_first_key(name: str) -> bool:
    """Whether the file is encrypted with the first key of ``DOCUMENT_KEYS``."""
    with storage().open(name, "rb") as handle:
        sealed = handle.read()
    try:
        Fernet(settings.DOCUMENT_KEYS[0]).decrypt(sealed)
    except InvalidToken:
        return False
    return True


def reseal(name: str) -> str:
    """Writes the file again, encrypted with the first key, under a new name (returned): the
    old file stays until the record names the new one, so a failure loses nothing."""
    with storage().open(name, "rb") as handle:
        sealed = handle.read()
    try:
        rotated = sealer().rotate(sealed)
    except InvalidToken as error:
        raise UnreadableDocumentError(name) from error
    token = uuid.uuid4().hex
    return storage().save(f"{token[:2]}/{token}", ContentFile(rotated))
