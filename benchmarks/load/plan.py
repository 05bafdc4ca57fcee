"""What each simulated user does: the personas signed in, their cases and names, the cases they
may write a note on and the visits they may record, handed to the load tool as a JSON file."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.test import Client
from django.utils import timezone

from benchmarks.dataset.generate import dataset_reference
from benchmarks.personas import Persona, pick_personas, sample_cases, sign_in
from cases.choices import Section
from cases.models import Case
from cases.policy import case_accesses, case_actions, may_record_in_section
from reintegration.choices import FollowUpStatus, WellbeingDomain
from reintegration.selectors import follow_ups_visible

# Visits each persona may record over the whole run: each one is recorded once, so every step
# gets its own share of them.
FOLLOW_UP_POOL = 400
FOLLOW_UP_HORIZON = timedelta(days=30)
# Users take the personas in this order, so that one user is the social worker, whose day is
# the mixed workload, and every larger step holds each persona about as often.
ORDER = ("provincial_worker", "provincial_supervisor", "national", "commune", "analyst")


@dataclass
class LoadPersona:
    key: str
    label: str
    token: str
    case_ids: list[int]
    note_case_ids: list[int]
    latin_names: list[str]
    khmer_names: list[str]
    follow_up_ids: list[int] = field(default_factory=list)

    def for_step(self, step: int | None, steps: int) -> dict[str, Any]:
        """What the persona does in step ``step`` of ``steps`` (None: the warm-up, which
        records no visit)."""
        return {
            "key": self.key,
            "token": self.token,
            "case_ids": self.case_ids,
            "note_case_ids": self.note_case_ids,
            "latin_names": self.latin_names,
            "khmer_names": self.khmer_names,
            "follow_up_ids": [] if step is None else self.follow_up_ids[step::steps],
        }


@dataclass
class Plan:
    personas: list[LoadPersona]
    today: str
    due_before: str

    def for_step(self, step: int | None, steps: int) -> dict[str, Any]:
        """The plan of one step of ``steps``: the same personas, with visits no other step
        records."""
        return {
            "today": self.today,
            "due_before": self.due_before,
            "wellbeing_domains": list(WellbeingDomain.values),
            "personas": [persona.for_step(step, steps) for persona in self.personas],
        }


def _note_cases(persona: Persona) -> list[int]:
    """The sampled cases on which the persona may write a note, by the one rule of actions."""
    cases = list(Case.objects.filter(pk__in=persona.case_ids))
    accesses = case_accesses(persona.user, cases)
    return [
        case.pk
        for case in cases
        if "add_note" in case_actions(persona.user, case, accesses[case.pk])
    ]


def _follow_ups(persona: Persona) -> list[int]:
    """Scheduled visits the persona may record, by the rule the service applies."""
    today = timezone.localdate()
    visits = (
        follow_ups_visible(user=persona.user)
        .filter(
            status=FollowUpStatus.SCHEDULED,
            case__status="open",
            case__restricted=False,
            reintegration__date__lte=today,
        )
        .select_related("case__owner")
        .order_by("scheduled_date", "id")[: FOLLOW_UP_POOL * 4]
    )
    recordable = [
        visit.pk
        for visit in visits
        if may_record_in_section(persona.user, visit.case, Section.FOLLOW_UPS)
    ]
    return recordable[:FOLLOW_UP_POOL]


def build_plan(seed: str) -> Plan:
    """The benchmark's personas, signed in through the token endpoint, with their samples."""
    reference = dataset_reference()
    if reference is None:
        raise LookupError("No generated dataset in this database (manage.py generate_dataset).")
    # A host the settings allow, as the in-process benchmark signs in.
    host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
    client = Client(HTTP_HOST=host, SERVER_NAME=host)
    personas = []
    picked = sorted(
        pick_personas(), key=lambda p: ORDER.index(p.key) if p.key in ORDER else len(ORDER)
    )
    for persona in picked:
        sign_in(client, persona)
        sample_cases(persona, seed)
        personas.append(
            LoadPersona(
                key=persona.key,
                label=persona.label,
                token=persona.token,
                case_ids=persona.case_ids,
                note_case_ids=_note_cases(persona),
                latin_names=persona.latin_names,
                khmer_names=persona.khmer_names,
                follow_up_ids=_follow_ups(persona),
            )
        )
    return Plan(
        personas=personas,
        today=timezone.localdate().isoformat(),
        due_before=(reference + FOLLOW_UP_HORIZON).date().isoformat(),
    )
