"""Exports write their files into a directory of the test's own, asked for and built as a
person would ask (the service, the API) and as the worker builds them (the build service)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from exports.build import export_build
from exports.models import CaseExport
from exports.services import export_request

REASON = "Quarterly review of the province's cases"


@pytest.fixture(autouse=True)
def exports_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EXPORTS_DIR = tmp_path / "exports"
    return Path(settings.EXPORTS_DIR)


def built(
    user: User,
    fields: list[str],
    *,
    filters: dict[str, str] | None = None,
    export_format: str = "csv",
) -> CaseExport:
    """An export asked for by ``user`` and built, as the worker builds it."""
    export = export_request(
        actor=user, filters=filters or {}, fields=fields, reason=REASON, format=export_format
    )
    export_build(export_id=export.pk)
    return CaseExport.objects.get(pk=export.pk)


def csv_rows(export: CaseExport) -> list[list[str]]:
    """The file's rows, header first."""
    with export.path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))
