"""The API, fuzzed from its own OpenAPI schema: requests that fit the schema and requests that do
not (wrong types, out-of-range numbers, NUL and odd Unicode in strings, missing fields), sent to
every operation as two people who use it every day. Whatever they send, the answer may be a
refusal but never a server error.

The requests run in-process through the WSGI application, inside the test's transaction, which
is rolled back at the end: nothing the fuzzer writes reaches another test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok

from accounts.models import User
from accounts.services import token_issue
from tests.conftest import World
from tests.factories import PASSWORD

# Enough to reach each operation's refusals (and its successes) a few times each, few enough to
# keep the whole run to a minute or two.
EXAMPLES_PER_OPERATION = 3
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,  # the same requests on every run
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found, not shrunk
    suppress_health_check=list(HealthCheck),
)
NEGATIVE = schemathesis.GenerationMode.NEGATIVE
MODES = (schemathesis.GenerationMode.POSITIVE, NEGATIVE)
# Revoking the persona's own token is fuzzed last, so the other operations run signed in.
LAST = "POST /api/v1/auth/token/revoke/"


@pytest.fixture(scope="module")
def api_schema() -> schemathesis.BaseSchema:
    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
    return schemathesis.openapi.from_dict(document, config=schemathesis.Config())


@pytest.fixture
def app_in_test_transaction() -> Iterator[WSGIHandler]:
    """The WSGI application, without the connection cleanup a server does around each request
    (closing the connection would end the test's transaction); as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield WSGIHandler()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _bearer_token(user: User) -> str:
    request = RequestFactory().post("/api/v1/auth/token/")
    return token_issue(request=request, username=user.username, password=PASSWORD).token


def _known_ids(world: World) -> dict[str, int]:
    """Ids that exist, by the collection in the path (or the parameter's name), so the fuzzer
    reaches past the lookup into validation and the services, not only "not found"."""
    return {
        "cases": world.own_case.pk,
        "case_id": world.own_case.pk,
        "users": world.teammate.pk,
        "user_id": world.teammate.pk,
        "agencies": world.ngo.pk,
        "locations": world.pp_village.pk,
    }


def _existing(path: str, known: dict[str, int]) -> dict[str, int]:
    segments = path.strip("/").split("/")
    ids: dict[str, int] = {}
    for before, segment in pairwise(segments):
        name = segment.strip("{}")
        if segment.startswith("{") and (before in known or name in known):
            ids[name] = known[name] if name in known else known[before]
    return ids


def _server_errors(
    schema: schemathesis.BaseSchema, app: WSGIHandler, user: User, known: dict[str, int]
) -> list[str]:
    headers = {"Authorization": f"Bearer {_bearer_token(user)}"}
    results = list(schema.get_all_operations())
    operations = sorted(
        (result.ok() for result in results if isinstance(result, Ok)),
        key=lambda operation: operation.label == LAST,
    )
    assert len(operations) == len(results), "an operation's schema could not be read"
    found: list[str] = []
    for operation in operations:
        existing = _existing(operation.path, known)
        # With ids that exist, both kinds of request; with made-up ids (mostly "not found"), the
        # ones that do not fit the schema, to try the paths' parsing.
        runs = [(mode, existing or None) for mode in MODES]
        if existing:
            runs.append((NEGATIVE, None))
        for mode, path_parameters in runs:
            strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

            @FUZZ_SETTINGS
            @given(case=strategy)
            def fuzz(case: Any) -> None:
                response = case.call(app=app, headers=headers)
                case.validate_response(response, checks=[not_a_server_error])

            try:
                fuzz()
            except (AssertionError, FailureGroup) as failure:
                found.append(f"{user.username}, {mode.value}: {operation.label}\n{failure}")
    return found


@pytest.mark.parametrize("persona", ["worker", "agency_admin"])
def test_no_request_to_any_operation_gets_a_server_error(
    world: World,
    api_schema: schemathesis.BaseSchema,
    app_in_test_transaction: WSGIHandler,
    persona: str,
) -> None:
    errors = _server_errors(
        api_schema, app_in_test_transaction, getattr(world, persona), _known_ids(world)
    )
    assert not errors, "\n\n".join(errors)
