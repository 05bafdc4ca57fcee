"""Files and uploads for the documents tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Case

# The first bytes of each accepted format, and something after them.
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"A birth certificate. " * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"photo-of-a-child " * 40
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"scanned-order " * 40
# A Windows program: "MZ", then its DOS stub.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"This program cannot be run in DOS mode. " * 20


def documents_url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/documents/"


def upload(
    client: Any,
    case: Case,
    content: bytes = PDF,
    *,
    name: str = "scan.pdf",
    kind: str = "birth_certificate",
    title: str = "Birth certificate",
    **extra: Any,
) -> Any:
    return client.post(
        documents_url(case),
        {"file": SimpleUploadedFile(name, content), "kind": kind, "title": title, **extra},
        format="multipart",
    )


def stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file())
