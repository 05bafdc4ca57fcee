"""The legal proceedings' operations, fuzzed from the API's own schema as tests/api/test_fuzz.py
fuzzes the whole API: with ids that exist (a proceeding of the worker's case) and ids that do
not, whatever is sent, the answer is a refusal or a success the schema describes, never a
server error."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import given
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok

from tests.api.test_fuzz import (
    CHECKS,
    FUZZ_SETTINGS,
    MODES,
    NEGATIVE,
    Client,
    _coverage_failures,
    _existing,
    _signed_in,
    api_schema,
    app_in_test_transaction,
)
from tests.conftest import World

# The module's fixtures, used here by name.
__all__ = ["api_schema", "app_in_test_transaction"]

LEGAL = "/legal-proceedings/"


@pytest.mark.parametrize("persona", ["worker", "commune_member"])
def test_every_answer_of_the_legal_operations_is_what_the_schema_says(
    world: World,
    api_schema: schemathesis.BaseSchema,
    app_in_test_transaction: WSGIHandler,
    persona: str,
) -> None:
    worker = Client(api_schema, app_in_test_transaction, world.worker)
    case = {"case_id": world.own_case.pk}
    proceeding = worker.create(
        "POST /api/v1/cases/{case_id}/legal-proceedings/",
        path_parameters=case,
        body={"court": "Kandal Provincial Court", "child_role": "victim"},
    )
    worker.send(
        "POST /api/v1/cases/{case_id}/legal-proceedings/{id}/hearings/",
        path_parameters={**case, "id": proceeding},
        body={"date": "2026-12-24", "kind": "trial", "video_link": True},
    )
    known = {"cases": world.own_case.pk, "case_id": world.own_case.pk}
    known["legal-proceedings"] = proceeding
    headers = _signed_in(getattr(world, persona))

    def call(case: Any) -> Any:
        return case.call(app=app_in_test_transaction, headers=headers)

    operations = [
        result.ok()
        for result in api_schema.get_all_operations()
        if isinstance(result, Ok) and LEGAL in result.ok().path
    ]
    assert len(operations) == 6
    found: list[str] = []
    for operation in operations:
        existing = _existing(operation.path, known)
        found += [
            f"coverage: {operation.label}\n{failure}"
            for failure in _coverage_failures(api_schema, operation, existing, call)
        ]
        for mode, path_parameters in [*((mode, existing) for mode in MODES), (NEGATIVE, None)]:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @FUZZ_SETTINGS
            @given(case=strategy)
            def fuzz(case: Any) -> None:
                case.validate_response(call(case), checks=CHECKS)

            try:
                fuzz()
            except (AssertionError, FailureGroup) as failure:
                found.append(f"{mode.value}: {operation.label}\n{failure}")
    assert not found, "\n\n".join(found)
