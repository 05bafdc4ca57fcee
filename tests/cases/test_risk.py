"""Scoring a risk assessment and what recording one does to the case.

Expected levels are worked out here from the current instrument's own bands and options, so the
tests hold for any sensible version of the instrument, not only the one seeded today.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from cases.choices import RISK_ORDER, SAFETY_PLAN_LEVELS, NoteKind, RiskLevel, Stage, Status
from cases.models import Case, CaseNote, RiskAssessment, RiskInstrument, RiskOption
from cases.selectors.risk import risk_instrument_with_content
from cases.services.risk import (
    risk_assessment_record,
    risk_instrument_make_current,
    risk_instrument_publish_copy,
    risk_score,
)
from core.errors import StateConflictError
from tests.conftest import World

SAFETY_PLAN = "Stay with the aunt in Takhmao tonight; the worker visits tomorrow at 9."


def current_instrument() -> RiskInstrument:
    return risk_instrument_with_content().get(is_current=True)


def highest_answers(instrument: RiskInstrument) -> dict[str, str]:
    return {
        q.code: max(q.options.all(), key=lambda o: o.score).code for q in instrument.questions.all()
    }


def lowest_answers(instrument: RiskInstrument) -> dict[str, str]:
    return {
        q.code: min(q.options.all(), key=lambda o: o.score).code for q in instrument.questions.all()
    }


def _option(instrument: RiskInstrument, question: str, option: str) -> RiskOption:
    return next(
        o
        for q in instrument.questions.all()
        if q.code == question
        for o in q.options.all()
        if o.code == option
    )


def expected_level(instrument: RiskInstrument, answers: Mapping[str, str]) -> str:
    """The level the instrument's rules give, worked out independently of the service."""
    questions = list(instrument.questions.all())
    score = sum(_option(instrument, q.code, answers[q.code]).score for q in questions)
    max_score = sum(max(o.score for o in q.options.all()) for q in questions)
    share = Fraction(100 * score, max_score)
    bands = sorted(instrument.bands.all(), key=lambda b: b.from_percent)
    level = [b for b in bands if b.from_percent <= share][-1].level
    for q in questions:
        floor = _option(instrument, q.code, answers[q.code]).minimum_level
        if floor and RISK_ORDER.index(RiskLevel(floor)) > RISK_ORDER.index(RiskLevel(level)):
            level = floor
    return level


def mixed_answers(instrument: RiskInstrument, *, raised: int) -> dict[str, str]:
    """The first ``raised`` questions answered with their highest option that sets no floor, the
    rest with their lowest: a total somewhere between the extremes, decided by the bands."""
    answers = lowest_answers(instrument)
    for q in list(instrument.questions.all())[:raised]:
        unfloored = [o for o in q.options.all() if not o.minimum_level]
        answers[q.code] = max(unfloored, key=lambda o: o.score).code
    return answers


def answers_at(instrument: RiskInstrument, level: str) -> dict[str, str]:
    """Answers whose expected level is ``level``: one of the lowest-to-highest mixes, or every
    highest answer."""
    candidates = [
        mixed_answers(instrument, raised=n) for n in range(len(instrument.questions.all()) + 1)
    ]
    candidates.append(highest_answers(instrument))
    return next(a for a in candidates if expected_level(instrument, a) == level)


def record(
    world: World,
    answers: Mapping[str, str],
    *,
    actor: User | None = None,
    instrument: RiskInstrument | None = None,
    notes: str = "",
    safety_plan: str = "",
) -> RiskAssessment:
    """An assessment of the worker's own case, by the worker unless ``actor`` is given."""
    return risk_assessment_record(
        actor=actor or world.worker,
        case=world.own_case,
        instrument=instrument or current_instrument(),
        answers=answers,
        notes=notes,
        safety_plan=safety_plan,
    )


# --- Scoring -----------------------------------------------------------------------------------


def test_every_highest_answer_gives_critical(db: None) -> None:
    instrument = current_instrument()
    result = risk_score(instrument=instrument, answers=highest_answers(instrument))
    assert result.level == RiskLevel.CRITICAL
    assert result.score == result.max_score


def test_every_lowest_answer_gives_low(db: None) -> None:
    instrument = current_instrument()
    result = risk_score(instrument=instrument, answers=lowest_answers(instrument))
    assert result.level == RiskLevel.LOW


def test_immediate_danger_with_everything_else_lowest_is_raised_to_critical(db: None) -> None:
    instrument = current_instrument()
    answers = lowest_answers(instrument) | {"immediate_danger": "yes"}
    result = risk_score(instrument=instrument, answers=answers)
    share = Fraction(100 * result.score, result.max_score)
    critical = next(b for b in instrument.bands.all() if b.level == RiskLevel.CRITICAL)
    assert share < critical.from_percent, "the total alone must not reach critical"
    assert result.level == RiskLevel.CRITICAL


def test_a_mid_mix_gives_the_band_its_share_of_the_maximum_reaches(db: None) -> None:
    instrument = current_instrument()
    answers = mixed_answers(instrument, raised=len(instrument.questions.all()) // 2)
    expected = expected_level(instrument, answers)
    assert expected not in {RiskLevel.LOW, RiskLevel.CRITICAL}, "the mix must be a middle one"
    assert risk_score(instrument=instrument, answers=answers).level == expected


def test_every_mix_from_lowest_to_highest_gives_the_level_the_bands_say(db: None) -> None:
    instrument = current_instrument()
    seen = set()
    for raised in range(len(instrument.questions.all()) + 1):
        answers = mixed_answers(instrument, raised=raised)
        level = risk_score(instrument=instrument, answers=answers).level
        assert level == expected_level(instrument, answers), raised
        seen.add(level)
    assert len(seen) >= 3, "the mixes should cross several bands"


# --- Bad answers -------------------------------------------------------------------------------


def test_a_missing_answer_is_refused_naming_the_question(world: World) -> None:
    instrument = current_instrument()
    answers = lowest_answers(instrument)
    del answers["harm_severity"]
    with pytest.raises(ValidationError) as error:
        record(world, answers)
    assert "harm_severity" in " ".join(error.value.message_dict["answers"])
    assert not RiskAssessment.objects.exists()


def test_an_unknown_option_is_refused_naming_question_and_option(world: World) -> None:
    answers = lowest_answers(current_instrument()) | {"disability": "sometimes"}
    with pytest.raises(ValidationError) as error:
        record(world, answers)
    message = " ".join(error.value.message_dict["answers"])
    assert "disability" in message
    assert "sometimes" in message


def test_an_unknown_question_is_refused(world: World) -> None:
    answers = lowest_answers(current_instrument()) | {"favourite_colour": "blue"}
    with pytest.raises(ValidationError) as error:
        record(world, answers)
    assert "favourite_colour" in " ".join(error.value.message_dict["answers"])


def test_an_instrument_that_is_not_current_is_refused(world: World) -> None:
    draft = risk_instrument_publish_copy(actor=world.system_admin, instrument=current_instrument())
    with pytest.raises(ValidationError) as error:
        record(world, lowest_answers(current_instrument()), instrument=draft)
    assert "instrument" in error.value.message_dict


# --- Recording ---------------------------------------------------------------------------------


def test_recording_sets_the_case_risk_and_deadlines_from_the_band(world: World) -> None:
    instrument = current_instrument()
    before = timezone.now()
    today = timezone.localdate()
    assessment = record(world, lowest_answers(instrument), notes="Lives with both parents.")
    after = timezone.now()

    band = next(b for b in instrument.bands.all() if b.level == RiskLevel.LOW)
    assert assessment.respond_within_hours == band.respond_within_hours
    hours = timedelta(hours=band.respond_within_hours)
    assert before + hours <= assessment.respond_by <= after + hours
    days = timedelta(days=band.reassess_after_days)
    assert assessment.reassess_by in {today + days, timezone.localdate() + days}
    case = Case.objects.get(pk=world.own_case.pk)
    assert (case.risk_level, case.respond_by, case.reassess_by) == (
        RiskLevel.LOW,
        assessment.respond_by,
        assessment.reassess_by,
    )
    assert case.version == world.own_case.version + 1


def test_critical_deadlines_come_from_the_critical_band(world: World) -> None:
    instrument = current_instrument()
    assessment = record(world, highest_answers(instrument), safety_plan=SAFETY_PLAN)
    band = next(b for b in instrument.bands.all() if b.level == RiskLevel.CRITICAL)
    assert assessment.respond_within_hours == band.respond_within_hours
    expected = assessment.assessed_at + timedelta(hours=band.respond_within_hours)
    assert assessment.respond_by == expected
    assert assessment.reassess_by == timezone.localdate(assessment.assessed_at) + timedelta(
        days=band.reassess_after_days
    )


@pytest.mark.parametrize("level", sorted(SAFETY_PLAN_LEVELS))
def test_high_and_critical_risk_without_a_safety_plan_saves_nothing(
    world: World, level: str
) -> None:
    instrument = current_instrument()
    answers = answers_at(instrument, level)
    case_before = Case.objects.get(pk=world.own_case.pk)
    events = AuditEvent.objects.count()

    with pytest.raises(ValidationError) as error:
        record(world, answers, safety_plan="   ")

    assert level in " ".join(error.value.message_dict["safety_plan"])
    assert not RiskAssessment.objects.exists()
    assert not CaseNote.objects.exists()
    assert AuditEvent.objects.count() == events
    case = Case.objects.get(pk=world.own_case.pk)
    assert (case.risk_level, case.stage, case.version) == (
        case_before.risk_level,
        case_before.stage,
        case_before.version,
    )


def test_the_safety_plan_is_kept_as_a_note_on_the_case(world: World) -> None:
    assessment = record(world, highest_answers(current_instrument()), safety_plan=SAFETY_PLAN)
    note = CaseNote.objects.get(case=world.own_case)
    assert (note.kind, note.text, note.date) == (
        NoteKind.SAFETY_PLAN,
        SAFETY_PLAN,
        timezone.localdate(assessment.assessed_at),
    )
    assert (note.author, note.agency) == (world.worker, world.ngo)


def test_the_case_follows_the_latest_assessment(world: World) -> None:
    instrument = current_instrument()
    record(world, highest_answers(instrument), safety_plan=SAFETY_PLAN)
    assert Case.objects.get(pk=world.own_case.pk).risk_level == RiskLevel.CRITICAL
    later = record(world, lowest_answers(instrument))
    case = Case.objects.get(pk=world.own_case.pk)
    assert (case.risk_level, case.respond_by, case.reassess_by) == (
        RiskLevel.LOW,
        later.respond_by,
        later.reassess_by,
    )


def test_the_first_assessment_moves_an_intake_case_to_assessment_once(world: World) -> None:
    instrument = current_instrument()
    assert world.own_case.stage == Stage.INTAKE
    record(world, lowest_answers(instrument))
    assert Case.objects.get(pk=world.own_case.pk).stage == Stage.ASSESSMENT
    record(world, lowest_answers(instrument))
    assert Case.objects.get(pk=world.own_case.pk).stage == Stage.ASSESSMENT
    stage_changes = [
        event.changes.get("stage")
        for event in AuditEvent.objects.filter(action="risk_assessment.create")
    ]
    assert sorted(stage_changes, key=str) == sorted(
        [[Stage.INTAKE, Stage.ASSESSMENT], None], key=str
    )


def test_a_reassessment_never_moves_a_case_backwards(world: World) -> None:
    Case.objects.filter(pk=world.own_case.pk).update(stage=Stage.IMPLEMENTATION)
    record(world, lowest_answers(current_instrument()))
    assert Case.objects.get(pk=world.own_case.pk).stage == Stage.IMPLEMENTATION


def test_the_owners_supervisor_may_record_an_assessment(world: World) -> None:
    assessment = record(world, lowest_answers(current_instrument()), actor=world.supervisor)
    assert assessment.assessed_by == world.supervisor


def test_oversight_without_management_may_not_record_one(world: World) -> None:
    with pytest.raises(PermissionDenied):
        record(world, lowest_answers(current_instrument()), actor=world.dosvy_officer)
    assert not RiskAssessment.objects.exists()


def test_a_closed_case_is_not_assessed(world: World) -> None:
    Case.objects.filter(pk=world.own_case.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    with pytest.raises(StateConflictError):
        record(world, lowest_answers(current_instrument()))
    assert not RiskAssessment.objects.exists()


def test_the_audit_event_keeps_the_outcome_but_not_the_narrative(world: World) -> None:
    notes = "Uncle threatened the child on 3 March."
    assessment = record(
        world, highest_answers(current_instrument()), notes=notes, safety_plan=SAFETY_PLAN
    )
    event = AuditEvent.objects.get(action="risk_assessment.create")
    assert event.case_id == world.own_case.pk
    assert event.object_id == str(assessment.pk)
    assert event.changes["score"] == assessment.score
    assert event.changes["risk_level"] == RiskLevel.CRITICAL
    trail = json.dumps(event.changes, ensure_ascii=False)
    assert notes not in trail
    assert SAFETY_PLAN not in trail


# --- Instrument versions -----------------------------------------------------------------------


def _content(instrument: RiskInstrument) -> tuple[object, object]:
    """Everything an instrument says, without the ids."""
    loaded = risk_instrument_with_content().get(pk=instrument.pk)
    bands = [
        (b.level, b.from_percent, b.respond_within_hours, b.reassess_after_days)
        for b in loaded.bands.all()
    ]
    questions = [
        (
            q.code,
            q.order,
            q.domain,
            q.text_en,
            q.text_km,
            [
                (o.code, o.order, o.label_en, o.label_km, o.score, o.minimum_level)
                for o in q.options.all()
            ],
        )
        for q in loaded.questions.all()
    ]
    return bands, questions


def test_a_published_copy_has_the_same_content_as_a_new_version_not_current(world: World) -> None:
    source = current_instrument()
    copy = risk_instrument_publish_copy(actor=world.system_admin, instrument=source)
    assert copy.version == source.version + 1
    assert not copy.is_current
    assert _content(copy) == _content(source)
    assert RiskInstrument.objects.get(is_current=True) == source


def test_making_a_version_current_retires_the_previous_one(world: World) -> None:
    admin = world.system_admin
    source = current_instrument()
    copy = risk_instrument_publish_copy(actor=admin, instrument=source)
    risk_instrument_make_current(actor=admin, instrument=copy)
    assert list(RiskInstrument.objects.filter(is_current=True)) == [copy]
    event = AuditEvent.objects.get(action="risk_instrument.make_current")
    assert event.changes == {"version": copy.version, "previous_version": source.version}


def test_an_instrument_missing_a_band_is_not_made_current(world: World) -> None:
    admin, source = world.system_admin, current_instrument()
    copy = risk_instrument_publish_copy(actor=admin, instrument=source)
    copy.bands.filter(level=RiskLevel.MEDIUM).delete()
    with pytest.raises(ValidationError):
        risk_instrument_make_current(actor=admin, instrument=copy)
    assert RiskInstrument.objects.get(is_current=True) == source


def test_only_system_admins_publish_or_switch_versions(world: World) -> None:
    with pytest.raises(PermissionDenied):
        risk_instrument_publish_copy(actor=world.worker, instrument=current_instrument())
    with pytest.raises(PermissionDenied):
        risk_instrument_make_current(actor=world.supervisor, instrument=current_instrument())


def test_assessments_keep_the_version_they_were_made_with(world: World) -> None:
    admin = world.system_admin
    first = current_instrument()
    earlier = record(world, lowest_answers(first))
    copy = risk_instrument_publish_copy(actor=admin, instrument=first)
    risk_instrument_make_current(actor=admin, instrument=copy)
    later = record(world, lowest_answers(current_instrument()))
    assert (earlier.instrument_id, later.instrument_id) == (first.pk, copy.pk)


def test_an_instrument_used_by_assessments_is_read_only_in_the_admin(world: World) -> None:
    instrument = current_instrument()
    question = instrument.questions.first()
    assert question is not None
    client = Client()
    client.force_login(world.system_admin)
    change_url = f"/admin/cases/riskquestion/{question.pk}/change/"
    assert client.get(change_url).status_code == 200

    record(world, lowest_answers(instrument))
    response = client.post(
        change_url,
        {
            "code": question.code,
            "order": 0,
            "domain": "x",
            "text_en": "Changed",
            "text_km": "ផ្លាស់ប្ដូរ",
            "instrument": instrument.pk,
        },
    )
    assert response.status_code == 403
    question.refresh_from_db()
    assert question.text_en != "Changed"
