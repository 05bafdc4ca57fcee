"""The application's connections prepare the statements they run often (cpims/settings.py):
PostgreSQL then parses each once, and plans it once when a generic plan costs no more than
planning every run (docs/performance.md)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Agency

pytestmark = pytest.mark.django_db


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_a_statement_run_often_is_prepared_once_on_its_connection() -> None:
    threshold = settings.DATABASES["default"]["OPTIONS"]["prepare_threshold"]
    mark = "accounts_agency"

    for _run in range(threshold - 1):
        list(Agency.objects.filter(pk=-1))
    before = [statement for statement in _prepared_statements() if mark in statement]
    for _run in range(2):
        list(Agency.objects.filter(pk=-2))
    after = [statement for statement in _prepared_statements() if mark in statement]

    assert before == []
    # Bound by the server: one statement for every id asked, not one a value.
    assert len(after) == 1
    assert "$1" in after[0]
