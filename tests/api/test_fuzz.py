"""The API, fuzzed from its own OpenAPI schema, as a social worker and as the system admin.

Every operation gets schemathesis's coverage cases (each parameter and field at its bounds, of
the wrong type, missing, and each declared status's trigger it can reach) and a few random
requests that fit the schema and that do not (odd Unicode, NUL, huge numbers), with ids that
exist and ids that do not. Whatever is sent, the answer may be a refusal but never a server
error, and it is what the schema says: a status the operation declares, a body of that
status's schema and content type, and the headers it declares. The records the fuzzer reaches
are made first through the same operations, with requests a client would send, and those
answers are checked the same way (a creation, an idempotent replay).

The requests run in-process through the WSGI application, inside the test's transaction, which
is rolled back at the end: nothing the fuzzer writes reaches another test."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import RequestFactory
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import User
from accounts.services import token_issue
from cases.selectors.risk import risk_instrument_with_content
from notifications.models import NotificationKind
from notifications.outbox import Notice, notify
from tests.conftest import World
from tests.factories import PASSWORD
from tests.reintegration.helpers import months_ago, reintegrate, visits

# The coverage cases reach each refusal; a few random requests of each kind add what no rule
# foresees, few enough to keep the whole run to a couple of minutes.
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
MODES = [schemathesis.GenerationMode.POSITIVE, NEGATIVE]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# Revoking the persona's own token is fuzzed last, so the other operations run signed in; the
# deletions just before it, so the records they delete are there for the others.
LAST = "POST /api/v1/auth/token/revoke/"
# The operations are dealt, in the order of their labels, into this many tests per persona, each
# with its own records in its own transaction, so parallel workers share the run evenly.
SHARDS = 4


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


def _signed_in(user: User) -> dict[str, str]:
    request = RequestFactory().post("/api/v1/auth/token/")
    token = token_issue(request=request, username=user.username, password=PASSWORD).token
    return {"Authorization": f"Bearer {token}"}


def _failure(case: Any, response: Any) -> tuple[str, str] | None:
    """What is wrong with the answer, if anything: the kinds of failure and the report."""
    try:
        case.validate_response(response, checks=CHECKS)
    except (AssertionError, FailureGroup) as failure:
        kinds = getattr(failure, "exceptions", [failure])
        kind = "; ".join(
            sorted(f"{getattr(e, 'title', e)} {getattr(e, 'message', '')}" for e in kinds)
        )
        return kind, str(failure)
    return None


class Client:
    """Requests a client would send, through the schema's operations; each answer is checked
    against the schema as the fuzzer's are."""

    def __init__(self, schema: schemathesis.BaseSchema, app: WSGIHandler, user: User) -> None:
        self.schema, self.app, self.headers = schema, app, _signed_in(user)

    def send(self, label: str, *, headers: dict[str, str] | None = None, **parts: Any) -> Any:
        operation = self.schema.find_operation_by_label(label)
        assert operation is not None, label
        case = operation.Case(headers=headers or {}, **parts)
        response = case.call(app=self.app, headers=self.headers)
        failure = _failure(case, response)
        assert failure is None, f"{label}\n{failure[1]}"
        assert response.status_code < 300, f"{label}: {response.status_code} {response.text}"
        return response

    def create(self, label: str, **parts: Any) -> int:
        return int(self.send(label, **parts).json()["id"])


@pytest.fixture
def known_ids(
    world: World, api_schema: schemathesis.BaseSchema, app_in_test_transaction: WSGIHandler
) -> dict[str, int]:
    """Ids that exist, by the collection in the path (or the parameter's name), so the fuzzer
    reaches past the lookup into validation, the services and the answers that show a record,
    not only "not found": a record of each kind on the worker's case, and a webhook of her
    agency."""
    worker = Client(api_schema, app_in_test_transaction, world.worker)
    admin = Client(api_schema, app_in_test_transaction, world.system_admin)
    case = {"case_id": world.own_case.pk}
    today = timezone.localdate().isoformat()
    instrument = risk_instrument_with_content().get(is_current=True)

    intake = {
        "child": {
            "given_name": "Srey Leak",
            "family_name": "Meas",
            "given_name_km": "ស្រីលក្ខណ៍",
            "family_name_km": "មាស",
            "sex": "female",
            "estimated_age": 15,
            "location": world.pp_village.pk,
        },
        "concerns": ["sex_trafficking"],
        "source": "police",
    }
    key = {"Idempotency-Key": "fuzz-intake-1"}
    first = worker.send("POST /api/v1/cases/", body=intake, headers=key)
    replayed = worker.send("POST /api/v1/cases/", body=intake, headers=key)
    assert replayed.headers.get("idempotent-replayed") == ["true"], replayed.headers
    assert replayed.json()["id"] == first.json()["id"]

    worker.create(
        "POST /api/v1/cases/{case_id}/consents/",
        path_parameters=case,
        body={"given_by": "caregiver", "scope": ["data_sharing", "referral"], "date": today},
    )
    consent = worker.create(
        "POST /api/v1/cases/{case_id}/consents/",
        path_parameters=case,
        body={"given_by": "child", "scope": ["services"], "date": today},
    )
    action = {"description": "Visit", "responsible": world.worker.pk, "due_date": today}
    plan = worker.create(
        "POST /api/v1/cases/{case_id}/case-plans/",
        path_parameters=case,
        body={"goals": [{"description": "Safe at home", "actions": [action]}]},
    )
    service = worker.create(
        "POST /api/v1/cases/{case_id}/services/",
        path_parameters=case,
        body={"service": "psychosocial", "status": "in_progress", "start_date": today},
    )
    worker.create(
        "POST /api/v1/cases/{case_id}/notes/",
        path_parameters=case,
        body={"kind": "home_visit", "date": today, "text": "បានជួបគ្រួសារ"},
    )
    assessment = worker.create(
        "POST /api/v1/cases/{case_id}/risk-assessments/",
        path_parameters=case,
        body={
            "instrument": instrument.pk,
            "answers": {q.code: q.options.all()[0].code for q in instrument.questions.all()},
        },
        headers={"Idempotency-Key": "fuzz-assessment-1"},
    )
    referral = worker.create(
        "POST /api/v1/referrals/",
        body={
            "case": world.own_case.pk,
            "to_agency": world.other_ngo.pk,
            "type": "service",
            "urgency": "urgent",
            "services": ["psychosocial"],
            "reason": "Counselling near home.",
            "shared_sections": ["profile"],
        },
        headers={"Idempotency-Key": "fuzz-referral-1"},
    )
    webhook = admin.create(
        "POST /api/v1/webhooks/",
        body={
            "agency": world.ngo.pk,
            "url": "https://hooks.partner.example/cpims",
            "events": ["referral.created"],
        },
    )
    follow_up = visits(reintegrate(world, on=months_ago(2), case=world.own_case))[0]
    (notification,) = notify(
        [
            Notice(
                kind=NotificationKind.REFERRAL_ACCEPTED,
                recipient_id=world.worker.pk,
                subject=f"referral:{referral}",
                referral_id=referral,
                case_id=world.own_case.pk,
            )
        ]
    )
    return {
        "cases": world.own_case.pk,
        "case_id": world.own_case.pk,
        "users": world.teammate.pk,
        "user_id": world.teammate.pk,
        "agencies": world.ngo.pk,
        "locations": world.pp_village.pk,
        "consents": consent,
        "case-plans": plan,
        "services": service,
        "risk-assessments": assessment,
        "referrals": referral,
        "follow-ups": follow_up.pk,
        "notifications": notification,
        "webhooks": webhook,
    }


def _existing(path: str, known: dict[str, int]) -> dict[str, int]:
    segments = path.strip("/").split("/")
    ids: dict[str, int] = {}
    for before, segment in pairwise(segments):
        name = segment.strip("{}")
        if segment.startswith("{") and (before in known or name in known):
            ids[name] = known[name] if name in known else known[before]
    return ids


def _coverage_failures(
    schema: schemathesis.BaseSchema,
    operation: Any,
    existing: dict[str, int],
    call: Any,
) -> Iterable[str]:
    """The first failure of each kind among the operation's coverage cases; the ids that exist
    stand in the path but where a case tries the path's own parsing."""
    config = schema.config.generation_for(operation=operation, phase="coverage")
    found: dict[str, str] = {}
    for case in schema.iter_coverage_cases(
        operation, generation_modes=MODES, generation_config=config
    ):
        assert case.meta is not None  # a coverage case says what it tries
        if case.meta.phase.data.parameter_location is not ParameterLocation.PATH:
            case.path_parameters.update(existing)
        failure = _failure(case, call(case))
        if failure is not None:
            found.setdefault(*failure)
    return found.values()


def _shard_of_operations(schema: schemathesis.BaseSchema, shard: int) -> list[Any]:
    """Every SHARDS-th operation from ``shard`` on, in the order they are fuzzed."""
    results = list(schema.get_all_operations())
    operations = sorted(
        (result.ok() for result in results if isinstance(result, Ok)),
        key=lambda operation: operation.label,
    )
    assert len(operations) == len(results), "an operation's schema could not be read"
    return sorted(
        operations[shard::SHARDS],
        key=lambda operation: (operation.label == LAST, operation.method.upper() == "DELETE"),
    )


def test_the_shards_fuzz_every_operation_once(api_schema: schemathesis.BaseSchema) -> None:
    labels = [op.label for shard in range(SHARDS) for op in _shard_of_operations(api_schema, shard)]
    assert len(labels) == len(set(labels)) == len(list(api_schema.get_all_operations()))
    assert LAST in labels


def _non_conformances(
    schema: schemathesis.BaseSchema,
    app: WSGIHandler,
    user: User,
    known: dict[str, int],
    shard: int,
) -> list[str]:
    headers = _signed_in(user)

    def call(case: Any) -> Any:
        return case.call(app=app, headers=headers)

    operations = _shard_of_operations(schema, shard)
    found: list[str] = []
    for operation in operations:
        existing = _existing(operation.path, known)
        found += [
            f"{user.username}, coverage: {operation.label}\n{failure}"
            for failure in _coverage_failures(schema, operation, existing, call)
        ]
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
                case.validate_response(call(case), checks=CHECKS)

            try:
                fuzz()
            except (AssertionError, FailureGroup) as failure:
                found.append(f"{user.username}, {mode.value}: {operation.label}\n{failure}")
    return found


PARTS = [(persona, shard) for persona in ("worker", "system_admin") for shard in range(SHARDS)]


@pytest.mark.parametrize(
    "part", PARTS, ids=[f"{persona}-{shard + 1}of{SHARDS}" for persona, shard in PARTS]
)
def test_every_answer_to_any_request_is_what_the_schema_says(
    world: World,
    api_schema: schemathesis.BaseSchema,
    app_in_test_transaction: WSGIHandler,
    known_ids: dict[str, int],
    part: tuple[str, int],
) -> None:
    persona, shard = part
    errors = _non_conformances(
        api_schema, app_in_test_transaction, getattr(world, persona), known_ids, shard
    )
    assert not errors, "\n\n".join(errors)
