"""The risk endpoints: the current instrument, a case's assessments, who may read and record
them, and the admin's versioning actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm
from pytest_django import DjangoAssertNumQueries

from accounts.models import User
from audit.models import AuditEvent
from cases.choices import NoteKind, RiskLevel, Stage, Status
from cases.models import Case, CaseNote, RiskAssessment, RiskInstrument, RiskOption
from cases.selectors.risk import risk_instrument_with_content
from cases.services.risk import risk_instrument_make_current, risk_instrument_publish_copy
from tests.conftest import World, api_client

INSTRUMENT_URL = "/api/v1/risk-instruments/current/"
SAFETY_PLAN = "Moved to the shelter tonight; police informed; review tomorrow morning."
ASSESSMENT_FIELDS = {
    "id",
    "score",
    "max_score",
    "risk_level",
    "respond_within_hours",
    "respond_by",
    "reassess_by",
    "instrument",
    "answers",
    "notes",
    "assessed_by",
    "assessed_at",
}


def assessments_url(case: Case) -> str:
    return f"/api/v1/cases/{case.pk}/risk-assessments/"


def current_instrument() -> RiskInstrument:
    return risk_instrument_with_content().get(is_current=True)


def extreme_answers(instrument: RiskInstrument, *, highest: bool) -> dict[str, str]:
    pick = max if highest else min
    return {
        q.code: pick(q.options.all(), key=lambda o: o.score).code
        for q in instrument.questions.all()
    }


def payload(*, highest: bool = False, **overrides: Any) -> dict[str, Any]:
    instrument = current_instrument()
    return {
        "instrument": instrument.pk,
        "answers": extreme_answers(instrument, highest=highest),
        "notes": "",
    } | overrides


def post(user: User, case: Case, body: dict[str, Any], **headers: str) -> Any:
    return api_client(user).post(assessments_url(case), body, format="json", headers=headers)


# --- The instrument ----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["worker", "commune_member", "police", "analyst"])
def test_any_signed_in_user_reads_the_current_instrument(world: World, persona: str) -> None:
    response = api_client(getattr(world, persona)).get(INSTRUMENT_URL)

    assert response.status_code == 200
    body = response.json()
    instrument = RiskInstrument.objects.get(is_current=True)
    assert (body["id"], body["version"], body["name"]) == (
        instrument.pk,
        instrument.version,
        instrument.name,
    )
    assert {"id", "version", "name", "questions", "bands"} <= set(body)
    question = next(q for q in body["questions"] if q["code"] == "immediate_danger")
    assert {"code", "domain", "text_en", "text_km", "options"} <= set(question)
    assert question["text_km"] == "តើកុមារកំពុងប្រឈមនឹងគ្រោះថ្នាក់ធ្ងន់ធ្ងរភ្លាមៗឬទេ?"
    option = next(o for o in question["options"] if o["code"] == "yes")
    assert {"code", "label_en", "label_km", "score"} <= set(option)
    assert option["label_km"] == "បាទ/ចាស"
    assert {b["level"] for b in body["bands"]} == set(RiskLevel.values)
    assert {"level", "from_percent", "respond_within_hours", "reassess_after_days"} <= set(
        body["bands"][0]
    )


def test_the_instrument_costs_the_same_queries_however_many_questions_it_has(
    world: World,
) -> None:
    client = api_client(world.worker)
    with CaptureQueriesContext(connection) as seeded:
        assert client.get(INSTRUMENT_URL).status_code == 200
    seeded_queries = len(seeded.captured_queries)
    assert seeded_queries == 4  # the instrument, its bands, its questions, their options

    admin = world.system_admin
    bigger = risk_instrument_publish_copy(actor=admin, instrument=current_instrument())
    for n in range(5):
        question = bigger.questions.create(
            code=f"extra_{n}", order=100 + n, domain="extra", text_en="Extra?", text_km="បន្ថែម?"
        )
        question.options.create(code="no", label_en="No", label_km="ទេ", score=0)
        question.options.create(code="yes", label_en="Yes", label_km="បាទ/ចាស", score=1)
    risk_instrument_make_current(actor=admin, instrument=bigger)

    with CaptureQueriesContext(connection) as larger:
        response = client.get(INSTRUMENT_URL)
    assert len(response.json()["questions"]) == len(bigger.questions.all())
    assert len(larger.captured_queries) == seeded_queries


def test_no_current_instrument_answers_404(world: World) -> None:
    RiskInstrument.objects.update(is_current=False)
    assert api_client(world.worker).get(INSTRUMENT_URL).status_code == 404


def test_the_instrument_needs_a_signed_in_user(db: None) -> None:
    assert api_client().get(INSTRUMENT_URL).status_code == 401


# --- Recording ---------------------------------------------------------------------------------


def test_the_owner_records_an_assessment_and_reads_it_back(world: World) -> None:
    response = post(world.worker, world.own_case, payload(notes="ឪពុកម្ដាយនៅផ្ទះ"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == ASSESSMENT_FIELDS
    assert body["risk_level"] == RiskLevel.LOW
    assert body["notes"] == "ឪពុកម្ដាយនៅផ្ទះ"
    assert (body["instrument"], body["assessed_by"]) == (current_instrument().pk, world.worker.pk)
    detail = api_client(world.worker).get(f"{assessments_url(world.own_case)}{body['id']}/")
    assert detail.status_code == 200
    assert detail.json() == body
    case = Case.objects.get(pk=world.own_case.pk)
    assert (case.risk_level, case.stage) == (RiskLevel.LOW, Stage.ASSESSMENT)


def test_every_highest_answer_is_critical_over_the_api(world: World) -> None:
    response = post(world.worker, world.own_case, payload(highest=True, safety_plan=SAFETY_PLAN))
    assert response.status_code == 201, response.content
    assert response.json()["risk_level"] == RiskLevel.CRITICAL
    assert response.json()["score"] == response.json()["max_score"]


def test_a_missing_answer_answers_400_and_saves_nothing(world: World) -> None:
    body = payload()
    del body["answers"]["deception"]
    before = Case.objects.get(pk=world.own_case.pk)

    response = post(world.worker, world.own_case, body)

    assert response.status_code == 400
    assert "deception" in " ".join(response.json()["answers"])
    assert RiskAssessment.objects.count() == 0
    case = Case.objects.get(pk=world.own_case.pk)
    assert (case.risk_level, case.stage, case.version, case.respond_by) == (
        before.risk_level,
        before.stage,
        before.version,
        before.respond_by,
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"answers": {"disability": "maybe"}}, id="unknown option"),
        pytest.param({"answers": {"shoe_size": "large"}}, id="unknown question"),
        pytest.param({"answers": {"disability": 3}}, id="option not a code"),
    ],
)
def test_answers_that_do_not_fit_the_instrument_answer_400(
    world: World, change: dict[str, dict[str, Any]]
) -> None:
    body = payload()
    body["answers"] |= change["answers"]
    response = post(world.worker, world.own_case, body)
    assert response.status_code == 400, response.content
    assert "answers" in response.json()
    assert RiskAssessment.objects.count() == 0


def test_an_instrument_that_is_not_current_answers_400(world: World) -> None:
    draft = risk_instrument_publish_copy(actor=world.system_admin, instrument=current_instrument())
    for instrument in [draft.pk, 999_999]:
        response = post(world.worker, world.own_case, payload(instrument=instrument))
        assert response.status_code == 400, response.content
        assert "instrument" in response.json()
    assert RiskAssessment.objects.count() == 0


def test_critical_without_a_safety_plan_answers_400_and_saves_nothing(world: World) -> None:
    response = post(world.worker, world.own_case, payload(highest=True))

    assert response.status_code == 400
    assert RiskLevel.CRITICAL in " ".join(response.json()["safety_plan"])
    assert RiskAssessment.objects.count() == 0
    assert CaseNote.objects.count() == 0
    assert Case.objects.get(pk=world.own_case.pk).risk_level == ""


def test_critical_with_a_safety_plan_keeps_it_as_a_safety_plan_note(world: World) -> None:
    response = post(world.worker, world.own_case, payload(highest=True, safety_plan=SAFETY_PLAN))

    assert response.status_code == 201, response.content
    note = CaseNote.objects.get(case=world.own_case)
    assert (note.kind, note.text, note.author_id) == (
        NoteKind.SAFETY_PLAN,
        SAFETY_PLAN,
        world.worker.pk,
    )


def test_a_later_low_assessment_brings_the_case_down_from_critical(world: World) -> None:
    post(world.worker, world.own_case, payload(highest=True, safety_plan=SAFETY_PLAN))
    assert Case.objects.get(pk=world.own_case.pk).risk_level == RiskLevel.CRITICAL
    response = post(world.worker, world.own_case, payload())
    assert response.status_code == 201
    case = Case.objects.get(pk=world.own_case.pk)
    assert case.risk_level == RiskLevel.LOW
    assert case.reassess_by.isoformat() == response.json()["reassess_by"]  # type: ignore[union-attr]


def test_a_closed_case_answers_409(world: World) -> None:
    Case.objects.filter(pk=world.own_case.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    response = post(world.worker, world.own_case, payload())
    assert response.status_code == 409
    assert RiskAssessment.objects.count() == 0


def test_a_retried_post_with_the_same_idempotency_key_records_once(world: World) -> None:
    first = post(world.worker, world.own_case, payload(), **{"Idempotency-Key": "visit-42"})
    again = post(world.worker, world.own_case, payload(), **{"Idempotency-Key": "visit-42"})
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert RiskAssessment.objects.count() == 1


# --- Who may read and record -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_worker", "police", "commune_member", "analyst"])
def test_people_outside_the_case_get_404_on_its_assessments(world: World, persona: str) -> None:
    assessment = post(world.worker, world.own_case, payload()).json()
    client = api_client(getattr(world, persona))
    url = assessments_url(world.own_case)

    assert client.get(url).status_code == 404
    assert client.get(f"{url}{assessment['id']}/").status_code == 404
    assert client.post(url, payload(), format="json").status_code == 404
    assert RiskAssessment.objects.count() == 1


def test_provincial_oversight_reads_assessments_but_may_not_record_them(world: World) -> None:
    post(world.worker, world.own_case, payload())
    client = api_client(world.dosvy_officer)

    listed = client.get(assessments_url(world.own_case))
    assert listed.status_code == 200
    assert len(listed.json()["results"]) == 1
    assert client.post(assessments_url(world.own_case), payload(), format="json").status_code == 403
    assert RiskAssessment.objects.count() == 1


def test_the_owners_supervisor_records_an_assessment(world: World) -> None:
    response = post(world.supervisor, world.own_case, payload())
    assert response.status_code == 201, response.content
    assert response.json()["assessed_by"] == world.supervisor.pk


def test_a_grant_of_the_profile_alone_does_not_open_the_risk_section(world: World) -> None:
    post(world.worker, world.own_case, payload())
    assessment = RiskAssessment.objects.get()
    outsider = world.other_worker
    assign_perm("cases.view_case_profile", outsider, world.own_case)
    client = api_client(outsider)

    assert client.get(f"/api/v1/cases/{world.own_case.pk}/").status_code == 200
    assert client.get(assessments_url(world.own_case)).status_code == 403
    assert client.get(f"{assessments_url(world.own_case)}{assessment.pk}/").status_code == 403


def test_a_grant_of_the_risk_section_reads_but_does_not_record(world: World) -> None:
    post(world.worker, world.own_case, payload())
    outsider = world.other_worker
    assign_perm("cases.view_case_risk", outsider, world.own_case)
    client = api_client(outsider)

    assert client.get(assessments_url(world.own_case)).status_code == 200
    assert client.post(assessments_url(world.own_case), payload(), format="json").status_code == 403


def test_an_anonymous_caller_gets_401(world: World) -> None:
    assert api_client().get(assessments_url(world.own_case)).status_code == 401
    assert api_client().post(assessments_url(world.own_case), payload()).status_code == 401


def test_an_assessment_of_another_case_is_not_found_under_this_one(world: World) -> None:
    post(world.worker, world.own_case, payload())
    assessment = RiskAssessment.objects.get()
    other = world.restricted_case  # the worker's too, so only the pairing is wrong
    response = api_client(world.worker).get(f"{assessments_url(other)}{assessment.pk}/")
    assert response.status_code == 404


# --- The list ----------------------------------------------------------------------------------


def test_the_list_is_latest_first_in_a_bounded_number_of_queries(
    world: World, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(3):
        post(world.worker, world.own_case, payload())
    client = api_client(world.worker)
    with CaptureQueriesContext(connection) as few:
        client.get(assessments_url(world.own_case))
    queries_for_a_few = len(few.captured_queries)
    for _ in range(12):
        post(world.worker, world.own_case, payload())

    with django_assert_max_num_queries(queries_for_a_few):
        response = client.get(assessments_url(world.own_case))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 15
    ids = [row["id"] for row in body["results"]]
    assert ids == list(
        RiskAssessment.objects.order_by("-assessed_at", "-id").values_list("id", flat=True)
    )
    assert ids == sorted(ids, reverse=True)


# --- The admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_browser(world: World) -> Client:
    client = Client()
    client.force_login(world.system_admin)
    return client


def _run_action(browser: Client, action: str, *instruments: RiskInstrument) -> Any:
    return browser.post(
        "/admin/cases/riskinstrument/",
        {"action": action, "_selected_action": [i.pk for i in instruments]},
        follow=True,
    )


def _content(instrument: RiskInstrument) -> list[tuple[object, ...]]:
    loaded = risk_instrument_with_content().get(pk=instrument.pk)
    return [
        (
            q.code,
            q.text_en,
            q.text_km,
            [(o.code, o.label_km, o.score, o.minimum_level) for o in q.options.all()],
        )
        for q in loaded.questions.all()
    ] + [(b.level, b.from_percent, b.respond_within_hours) for b in loaded.bands.all()]


def _option_of(instrument: RiskInstrument, question: str, option: str) -> int:
    return RiskOption.objects.get(
        question__instrument=instrument, question__code=question, code=option
    ).pk


def test_the_admin_publishes_a_copy_with_the_same_questions_and_options(
    world: World, admin_browser: Client
) -> None:
    source = current_instrument()

    response = _run_action(admin_browser, "publish_copy", source)

    assert response.status_code == 200
    copy = RiskInstrument.objects.get(version=source.version + 1)
    assert not copy.is_current
    assert _content(copy) == _content(source)


def test_the_admin_makes_a_version_current_leaving_exactly_one(
    world: World, admin_browser: Client
) -> None:
    source = current_instrument()
    _run_action(admin_browser, "publish_copy", source)
    copy = RiskInstrument.objects.get(version=source.version + 1)

    response = _run_action(admin_browser, "make_current", copy)

    assert response.status_code == 200
    assert list(RiskInstrument.objects.filter(is_current=True)) == [copy]
    assert api_client(world.worker).get(INSTRUMENT_URL).json()["version"] == copy.version


def test_the_admin_makes_only_one_version_current_at_a_time(
    world: World, admin_browser: Client
) -> None:
    source = current_instrument()
    _run_action(admin_browser, "publish_copy", source)
    copy = RiskInstrument.objects.get(version=source.version + 1)

    response = _run_action(admin_browser, "make_current", source, copy)

    assert "exactly one" in response.content.decode()
    assert list(RiskInstrument.objects.filter(is_current=True)) == [source]


def test_the_admin_pages_for_instruments_and_questions_open(
    world: World, admin_browser: Client
) -> None:
    instrument = current_instrument()
    question = instrument.questions.all()[0]
    for url in [
        "/admin/cases/riskinstrument/",
        f"/admin/cases/riskinstrument/{instrument.pk}/change/",
        f"/admin/cases/riskquestion/{question.pk}/change/",
    ]:
        assert admin_browser.get(url).status_code == 200, url


def test_staff_who_are_not_system_admins_cannot_publish_or_switch(world: World) -> None:
    world.supervisor.is_staff = True
    world.supervisor.save(update_fields=["is_staff"])
    browser = Client()
    browser.force_login(world.supervisor)
    source = current_instrument()
    assert browser.get("/admin/cases/riskinstrument/").status_code == 403
    _run_action(browser, "publish_copy", source)
    assert list(RiskInstrument.objects.all()) == [source]


def test_the_admin_changes_to_an_instrument_are_audited(
    world: World, admin_browser: Client
) -> None:
    source = current_instrument()
    _run_action(admin_browser, "publish_copy", source)
    copy = risk_instrument_with_content().get(version=source.version + 1)
    question = copy.questions.all()[0]
    options = list(question.options.all())
    form: dict[str, Any] = {
        "instrument": copy.pk,
        "code": question.code,
        "order": question.order,
        "domain": question.domain,
        "text_en": question.text_en,
        "text_km": question.text_km,
        "options-TOTAL_FORMS": len(options),
        "options-INITIAL_FORMS": len(options),
        "options-MIN_NUM_FORMS": 0,
        "options-MAX_NUM_FORMS": 1000,
    }
    for n, option in enumerate(options):
        form |= {
            f"options-{n}-id": option.pk,
            f"options-{n}-question": question.pk,
            f"options-{n}-order": option.order,
            f"options-{n}-code": option.code,
            f"options-{n}-label_en": option.label_en,
            f"options-{n}-label_km": option.label_km,
            f"options-{n}-score": option.score + (1 if n == 0 else 0),
            f"options-{n}-minimum_level": option.minimum_level,
        }

    response = admin_browser.post(f"/admin/cases/riskquestion/{question.pk}/change/", form)

    assert response.status_code == 302, response.content
    edited = RiskOption.objects.get(pk=options[0].pk)
    assert edited.score == options[0].score + 1
    event = AuditEvent.objects.get(action="riskoption.update")
    assert (event.object_id, event.actor_id) == (str(edited.pk), world.system_admin.pk)
    assert event.changes == {"score": edited.score}
    assert RiskOption.objects.get(pk=_option_of(source, question.code, options[0].code)).score == (
        options[0].score
    ), "the version in use is untouched"


def test_the_current_instrument_cannot_be_deleted(world: World, admin_browser: Client) -> None:
    source = current_instrument()
    response = admin_browser.get(f"/admin/cases/riskinstrument/{source.pk}/delete/")
    assert response.status_code == 403
    changelist = admin_browser.get("/admin/cases/riskinstrument/")
    assert "delete_selected" not in changelist.content.decode()
