"""The bulk import measured: a file of N rows (the template's columns, every row a new child in
one of the database's villages) checked and saved by the import service as the worker runs it,
with its time and the process's peak resident memory (tracemalloc would slow the run it
measures by half)."""

from __future__ import annotations

import csv
import io
import resource
import time
from dataclasses import dataclass

from django.utils.crypto import get_random_string

from accounts.choices import AgencyType, LocationLevel, Role
from accounts.models import Agency, Location, User
from imports.columns import COLUMNS
from imports.running import import_run
from imports.services import import_request

SYLLABLES = ["so", "ka", "pha", "rith", "mony", "dara", "vy", "chan", "lina", "pov"]


@dataclass(frozen=True)
class ImportMeasurement:
    rows: int
    seconds: float
    peak_rss_mb: float  # the whole process's peak, Django included
    created: int
    errors: int
    dry_run: bool


def _name(number: int) -> str:
    return "".join(SYLLABLES[int(digit)] for digit in f"{number:05d}").capitalize()


def _villages(limit: int = 200) -> list[Location]:
    villages = list(Location.objects.filter(level=LocationLevel.VILLAGE).order_by("path")[:limit])
    if villages:
        return villages
    # An empty database (no generated dataset): one chain under the first province.
    province = Location.objects.filter(level=LocationLevel.PROVINCE).order_by("code").first()
    if province is None:
        raise RuntimeError("No province: run the migrations first.")
    parent = province
    for level in (LocationLevel.DISTRICT, LocationLevel.COMMUNE, LocationLevel.VILLAGE):
        code = f"B{get_random_string(7, '0123456789')}"
        parent = Location.objects.create(
            code=code,
            level=level,
            name_en=f"Benchmark {level}",
            name_km=f"Benchmark {level}",
            parent=parent,
            path=Location.path_for(parent=parent, code=code),
        )
    return [parent]


def import_file(rows: int, villages: list[Location], tag: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for number in range(rows):
        village = villages[number % len(villages)]
        values = {
            "external_system": "benchmark",
            "external_id": f"{tag}-{number}",
            "given_name": _name(number),
            "family_name": tag.capitalize(),
            "sex": "female" if number % 2 else "male",
            "date_of_birth": f"{2010 + number % 8}-0{1 + number % 9}-1{number % 9}",
            "location_code": village.code,
            "concerns": "neglect;out_of_school",
            "source": "community",
            "summary": "Imported for the benchmark",
        }
        writer.writerow([values.get(name, "") for name in COLUMNS])
    return buffer.getvalue().encode("utf-8")


def measure_import(*, rows: int, dry_run: bool) -> ImportMeasurement:
    """Imports ``rows`` new children for a new agency's supervisor. A real run writes them."""
    tag = get_random_string(8, "abcdefghijklmnopqrstuvwxyz")
    agency = Agency.objects.create(name=f"Benchmark import {tag}", type=AgencyType.NGO)
    importer = User.objects.create(
        username=f"bench-import-{tag}", role=Role.SUPERVISOR, agency=agency
    )
    content = import_file(rows, _villages(), tag)
    started = time.perf_counter()
    case_import = import_request(actor=importer, content=content, dry_run=dry_run, queue=False)
    result = import_run(import_id=case_import.pk)
    seconds = time.perf_counter() - started
    # Linux reports kibibytes.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if result is None:
        raise RuntimeError("The import was run by another process.")
    return ImportMeasurement(
        rows=rows,
        seconds=seconds,
        peak_rss_mb=peak / 2**20,
        created=result.created,
        errors=len(result.errors),
        dry_run=dry_run,
    )
