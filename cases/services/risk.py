"""Risk assessments, and the versions of the instrument they are made with.

An assessment is scored against the current instrument: the total's share of the highest
possible score picks a band, answers that carry a floor (a child in immediate danger) can only
raise the level, and the level's band sets how soon to respond and when to assess again. The
case follows its latest assessment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from audit import services as audit
from cases.choices import RISK_ORDER, SAFETY_PLAN_LEVELS, NoteKind, RiskLevel, Stage
from cases.models import (
    Case,
    CaseNote,
    Child,
    RiskAssessment,
    RiskBand,
    RiskInstrument,
    RiskOption,
    RiskQuestion,
)
from cases.policy import case_get
from cases.reminders import case_reschedule_reminders
from cases.selectors.risk import risk_instrument_with_content
from cases.services.common import advance_stage, case_changed


def _rank(level: str) -> int:
    return RISK_ORDER.index(RiskLevel(level))


def _level_name(level: str) -> str:
    """The level's name in the reader's language, never its code, as a sentence has it
    mid-way ("The risk is high"); Khmer has no capitals to lower."""
    return str(RiskLevel(level).label).lower()


@dataclass(frozen=True)
class RiskScore:
    score: int
    max_score: int
    band: RiskBand

    @property
    def level(self) -> str:
        return self.band.level

    @property
    def needs_safety_plan(self) -> bool:
        """At this level the immediate safety plan is recorded with the assessment."""
        return self.level in SAFETY_PLAN_LEVELS


def _chosen_options(instrument: RiskInstrument, answers: Mapping[str, str]) -> list[RiskOption]:
    """The option picked for each question, in question order; every problem with the answers is
    reported at once, each naming its question."""
    questions: list[RiskQuestion] = list(instrument.questions.all())
    options = {q.code: {o.code: o for o in q.options.all()} for q in questions}
    errors: list[str] = []
    unknown = set(answers) - set(options)
    if unknown:
        errors.append(_("Unknown questions: %(codes)s.") % {"codes": ", ".join(sorted(unknown))})
    missing = [q.code for q in questions if q.code not in answers]
    if missing:
        errors.append(
            _("Every question needs an answer; not answered: %(codes)s.")
            % {"codes": ", ".join(missing)}
        )
    for question in questions:
        answer = answers.get(question.code)
        if answer is not None and answer not in options[question.code]:
            errors.append(
                _("%(question)s: '%(answer)s' is not one of its answers (%(choices)s).")
                % {
                    "question": question.code,
                    "answer": answer,
                    "choices": ", ".join(options[question.code]),
                }
            )
    if errors:
        raise ValidationError({"answers": errors})
    return [options[q.code][answers[q.code]] for q in questions]


def _reaches(band: RiskBand, *, score: int, max_score: int) -> bool:
    # from_percent <= 100 * score / max_score, in integers so no rounding decides a level.
    if max_score == 0:
        return band.from_percent == 0
    return band.from_percent * max_score <= 100 * score


def risk_score(*, instrument: RiskInstrument, answers: Mapping[str, str]) -> RiskScore:
    """Scores ``answers`` against ``instrument`` (loaded with its content, see
    :func:`cases.selectors_risk.risk_instrument_with_content`). Raises ValidationError on
    ``answers`` for a missing answer, an unknown question or an unknown option."""
    chosen = _chosen_options(instrument, answers)
    score = sum(option.score for option in chosen)
    max_score = sum(
        max((option.score for option in question.options.all()), default=0)
        for question in instrument.questions.all()
    )
    bands = sorted(instrument.bands.all(), key=lambda band: band.from_percent)
    if not bands:
        raise ValidationError({"instrument": [_("This risk instrument has no bands.")]})
    reached = [band for band in bands if _reaches(band, score=score, max_score=max_score)]
    # A score below every band still has to be some level: the lowest.
    level = reached[-1].level if reached else bands[0].level
    floors = [option.minimum_level for option in chosen if option.minimum_level]
    floor = max(floors, key=_rank, default=None)
    if floor is not None and _rank(floor) > _rank(level):
        level = floor
    band_of = {band.level: band for band in bands}
    if level not in band_of:
        raise ValidationError(
            {
                "instrument": [
                    _("This risk instrument has no band for %(level)s.")
                    % {"level": _level_name(level)}
                ]
            }
        )
    return RiskScore(score=score, max_score=max_score, band=band_of[level])


@dataclass(frozen=True)
class RiskPreview:
    """What the answers given so far come to, before anything is saved. With every question
    answered, ``result`` is what saving them records; with some left, the least they can come
    to (see :func:`risk_preview`)."""

    result: RiskScore
    answered: int
    questions: int

    @property
    def complete(self) -> bool:
        return self.answered == self.questions


def _lowest_option(question: RiskQuestion) -> RiskOption:
    # The answer that adds least: the lowest score, and one that sets no floor where scores tie.
    return min(
        question.options.all(), key=lambda option: (option.score, bool(option.minimum_level))
    )


def risk_preview(*, instrument: RiskInstrument, answers: Mapping[str, str]) -> RiskPreview:
    """Scores the answers given so far with :func:`risk_score`, as saving them would. A question
    not answered yet (or answered with what is not one of its options) counts as its lowest
    answer: a level only rises with the score and with the floors, so the level shown is the
    least the assessment can come to, and a safety plan it calls for is needed whatever the
    rest of the answers. Reads nothing but ``instrument`` (loaded with its content)."""
    questions = list(instrument.questions.all())
    given = {
        question.code: answers[question.code]
        for question in questions
        if answers.get(question.code) in {option.code for option in question.options.all()}
    }
    assumed = {
        question.code: _lowest_option(question).code
        for question in questions
        if question.code not in given and question.options.all()
    }
    result = risk_score(instrument=instrument, answers={**assumed, **given})
    return RiskPreview(result=result, answered=len(given), questions=len(questions))


# The question of the child's age, and its options' codes, which name the ages they stand for:
# "12_14" is 12 to 14 years old, "under_6" younger than 6, "18_plus" 18 or older.
AGE_QUESTION = "child_age"
_AGE_RANGE = re.compile(r"^(?P<low>\d+)_(?P<high>\d+)$")
_AGE_UNDER = re.compile(r"^under_(?P<limit>\d+)$")
_AGE_PLUS = re.compile(r"^(?P<low>\d+)_plus$")


def _age_fits(code: str, age: int) -> bool:
    if match := _AGE_RANGE.match(code):
        return int(match["low"]) <= age <= int(match["high"])
    if match := _AGE_UNDER.match(code):
        return age < int(match["limit"])
    if match := _AGE_PLUS.match(code):
        return age >= int(match["low"])
    return False


def risk_answers_from_case_file(
    *, instrument: RiskInstrument, child: Child, today: date | None = None
) -> dict[str, str]:
    """The answers the case file already gives: the child's age band, from the date of birth or
    the estimated age as the child's record counts it (:meth:`Child.age_on`). Empty when the
    instrument asks no age, the age is not known or fits none of its options. The person
    assessing sees them filled in and can change them."""
    question = next((q for q in instrument.questions.all() if q.code == AGE_QUESTION), None)
    age = child.age_on(today or timezone.localdate())
    if question is None or age is None:
        return {}
    option = next((o for o in question.options.all() if _age_fits(o.code, age)), None)
    return {} if option is None else {question.code: option.code}


@transaction.atomic(durable=True)
def risk_assessment_record(
    *,
    actor: User,
    case: Case,
    instrument: RiskInstrument,
    answers: Mapping[str, str],
    notes: str = "",
    safety_plan: str = "",
) -> RiskAssessment:
    """Records an assessment of ``case`` (fetched through the access policy) by its owner or the
    owner's supervisor, and sets the case's risk level and deadlines from it. At high and
    critical risk the immediate safety plan is required and kept as a note on the case."""
    # Re-read under a row lock: two assessments saved at once must not both build on the same
    # case version, or one would silently undo the other's level and version bump.
    case, _access = case_get(actor, case.pk, action="assess_risk", lock=True)
    if actor.agency_id is None:
        # Notes record the agency that wrote them; a user of no agency manages no case anyway.
        raise PermissionDenied(_("Only a member of an agency assesses risk."))
    current = risk_instrument_with_content().filter(pk=instrument.pk, is_current=True).first()
    if current is None:
        raise ValidationError(
            {"instrument": [_("This is not the current risk instrument: assess with that one.")]}
        )
    result = risk_score(instrument=current, answers=answers)
    safety_plan = safety_plan.strip()
    if result.needs_safety_plan and not safety_plan:
        raise ValidationError(
            {
                "safety_plan": [
                    _("The risk is %(level)s: record the immediate safety plan.")
                    % {"level": _level_name(result.level)}
                ]
            }
        )

    now = timezone.now()
    today = timezone.localdate(now)
    assessment = RiskAssessment.objects.create(
        case=case,
        instrument=current,
        answers={q.code: answers[q.code] for q in current.questions.all()},
        score=result.score,
        max_score=result.max_score,
        risk_level=result.level,
        respond_within_hours=result.band.respond_within_hours,
        respond_by=now + timedelta(hours=result.band.respond_within_hours),
        reassess_by=today + timedelta(days=result.band.reassess_after_days),
        notes=notes,
        assessed_by=actor,
        assessed_at=now,
    )
    note = None
    if safety_plan:
        note = CaseNote.objects.create(
            case=case,
            kind=NoteKind.SAFETY_PLAN,
            date=today,
            text=safety_plan,
            agency_id=actor.agency_id,
            author=actor,
        )

    stage_before = case.stage
    case.risk_level = assessment.risk_level
    case.respond_by = assessment.respond_by
    case.reassess_by = assessment.reassess_by
    moved = advance_stage(case, when_at=Stage.INTAKE, to=Stage.ASSESSMENT)
    case_changed(case, "risk_level", "respond_by", "reassess_by", *(["stage"] if moved else []))
    case_reschedule_reminders(case)

    # The notes and the safety plan are narrative about the child: the trail keeps the outcome.
    changes: dict[str, Any] = {
        "instrument_version": current.version,
        "score": assessment.score,
        "max_score": assessment.max_score,
        "risk_level": assessment.risk_level,
        "respond_by": assessment.respond_by,
        "reassess_by": assessment.reassess_by,
    }
    if moved:
        changes["stage"] = [stage_before, case.stage]
    if note is not None:
        changes["safety_plan_note"] = note.pk
    audit.record(
        actor=actor,
        action="risk_assessment.create",
        obj=assessment,
        case_id=case.pk,
        changes=changes,
    )
    return assessment


# --- Instrument versions -----------------------------------------------------------------------


def _require_system_admin(actor: User) -> None:
    # Configuration, like the rest of the admin site: decided by role, not by Django permissions.
    if actor.role != Role.SYSTEM_ADMIN:
        raise PermissionDenied(_("Only a system admin manages risk instruments."))


def _check_instrument_complete(instrument: RiskInstrument) -> None:
    """What scoring relies on: questions that can each be answered, and one band per level
    starting at 0% and rising with the level."""
    errors: list[str] = []
    questions = list(instrument.questions.all())
    if not questions:
        errors.append(_("The instrument has no questions."))
    unanswerable = [q.code for q in questions if not q.options.all()]
    if unanswerable:
        errors.append(
            _("Questions without options: %(codes)s.") % {"codes": ", ".join(unanswerable)}
        )
    bands = {band.level: band.from_percent for band in instrument.bands.all()}
    if set(bands) != set(RISK_ORDER):
        errors.append(_("The instrument needs exactly one band for each risk level."))
    else:
        starts = [bands[level] for level in RISK_ORDER]
        if starts[0] != 0 or starts != sorted(set(starts)):
            errors.append(
                # xgettext:no-python-format  # noqa: ERA001
                _("Bands must start at 0% for the lowest level and rise with each level.")
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic(durable=True)
def risk_instrument_publish_copy(*, actor: User, instrument: RiskInstrument) -> RiskInstrument:
    """A new version with the same bands, questions and options, not yet current: edit it, then
    make it current. Assessments keep pointing at the version they were made with."""
    _require_system_admin(actor)
    source = risk_instrument_with_content().get(pk=instrument.pk)
    # Two publications at once would pick the same number; the unique version refuses the second.
    version = (RiskInstrument.objects.aggregate(last=Max("version"))["last"] or 0) + 1
    copy = RiskInstrument.objects.create(version=version, name=source.name, is_current=False)
    RiskBand.objects.bulk_create(
        RiskBand(
            instrument=copy,
            level=band.level,
            from_percent=band.from_percent,
            respond_within_hours=band.respond_within_hours,
            reassess_after_days=band.reassess_after_days,
        )
        for band in source.bands.all()
    )
    questions = list(source.questions.all())
    copied = RiskQuestion.objects.bulk_create(
        RiskQuestion(
            instrument=copy,
            code=question.code,
            order=question.order,
            domain=question.domain,
            text_en=question.text_en,
            text_km=question.text_km,
        )
        for question in questions
    )
    RiskOption.objects.bulk_create(
        RiskOption(
            question=new_question,
            code=option.code,
            order=option.order,
            label_en=option.label_en,
            label_km=option.label_km,
            score=option.score,
            minimum_level=option.minimum_level,
        )
        for question, new_question in zip(questions, copied, strict=True)
        for option in question.options.all()
    )
    audit.record(
        actor=actor,
        action="risk_instrument.publish",
        obj=copy,
        changes={"version": copy.version, "copied_from_version": source.version},
    )
    return copy


@transaction.atomic(durable=True)
def risk_instrument_make_current(*, actor: User, instrument: RiskInstrument) -> RiskInstrument:
    """Makes ``instrument`` the one new assessments use, retiring the previous one in the same
    transaction. An instrument that cannot score every answer is refused."""
    _require_system_admin(actor)
    instrument = risk_instrument_with_content().select_for_update().get(pk=instrument.pk)
    _check_instrument_complete(instrument)
    retired = RiskInstrument.objects.filter(is_current=True).exclude(pk=instrument.pk)
    previous = retired.values_list("version", flat=True).first()
    # Retire first: the database allows one current instrument at any moment.
    retired.update(is_current=False)
    if not instrument.is_current:
        instrument.is_current = True
        instrument.save(update_fields=["is_current"])
    audit.record(
        actor=actor,
        action="risk_instrument.make_current",
        obj=instrument,
        changes={"version": instrument.version, "previous_version": previous},
    )
    return instrument
