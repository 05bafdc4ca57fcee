"""Import files made as a person makes them (the template's columns, a Primero export), sent as
a person sends them (the API, the page) and run as the worker runs them (the service)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Location, User
from imports.columns import COLUMNS
from imports.models import CaseImport
from imports.running import import_run
from imports.services import import_request
from tests.conftest import api_client

IMPORTS = "/api/v1/imports/"
# Syllables for names no two rows share (a namesake of the same age would be a duplicate).
SYLLABLES = ["so", "ka", "pha", "rith", "mony", "dara", "vy", "chan", "lina", "pov"]


def unique_name(number: int) -> str:
    digits = f"{number:04d}"
    return "".join(SYLLABLES[int(digit)] for digit in digits).capitalize()


def row(number: int, village: Location, **values: str) -> dict[str, str]:
    """A valid row of the template's columns, child ``number`` of the file."""
    base = {
        "external_system": "ngo-sheet",
        "external_id": f"S-{number}",
        "given_name": unique_name(number),
        "family_name": "Chea",
        "given_name_km": "",
        "family_name_km": "",
        "sex": "female" if number % 2 else "male",
        "date_of_birth": f"{2010 + number % 8}-0{1 + number % 9}-1{number % 9}",
        "estimated_age": "",
        "location_code": village.code,
        "concerns": "neglect;out_of_school",
        "source": "community",
        "summary": f"Row {number}",
        "owner": "",
    }
    base.update(values)
    return base


def csv_bytes(rows: Iterable[Mapping[str, str]], header: Iterable[str] = COLUMNS) -> bytes:
    names = list(header)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def send(user: User, content: bytes, *, dry_run: bool = False, name: str = "cases.csv") -> Any:
    return api_client(user).post(
        IMPORTS,
        {"file": SimpleUploadedFile(name, content), "dry_run": "true" if dry_run else "false"},
        format="multipart",
    )


def imported(user: User, content: bytes, *, dry_run: bool = False) -> dict[str, Any]:
    """Sent through the API, run as the worker runs it, read back through the API."""
    answer = send(user, content, dry_run=dry_run)
    assert answer.status_code == 202, answer.content
    assert answer.json()["status"] == "queued"
    pk = answer.json()["id"]
    import_run(import_id=pk)
    detail = api_client(user).get(f"{IMPORTS}{pk}/")
    assert detail.status_code == 200
    return dict(detail.json())


def last_import() -> CaseImport:
    return CaseImport.objects.order_by("-id").first()  # type: ignore[return-value]


def imports_of_two_sizes(user: User) -> list[CaseImport]:
    """Two finished dry runs of ``user``: one of a row, one of fifty rows with errors (the
    query-count probe asks that both cost the same to read)."""
    village = Location.objects.filter(level="village").order_by("pk").first()
    assert village is not None
    made = []
    for rows in (
        [row(1, village)],
        [row(n, village, sex="girl" if n % 2 else "male") for n in range(1, 51)],
    ):
        case_import = import_request(actor=user, content=csv_bytes(rows), dry_run=True, queue=False)
        import_run(import_id=case_import.pk)
        made.append(case_import)
    return made
