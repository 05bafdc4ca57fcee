"""The case's own tabs in the case file: profile, concerns, risk, plan, services, notes, consent
and history. Each reads its section of the case the door already gave."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from cases.choices import ConsentScope, Section
from cases.models import Case, CaseService, Child, Consent
from cases.selectors import case as case_selectors
from cases.selectors import records as record_selectors
from cases.selectors import risk as risk_selectors
from cases.services import plan as plan_services
from cases.web.case_file import (
    Bound,
    CaseFile,
    Tab,
    register_tab,
)
from cases.web.forms import (
    ConsentForm,
    ConsentWithdrawForm,
    NoteForm,
    PlanDecisionForm,
    ServiceForm,
    ServiceStatusForm,
)
from core.web import localized

NOTES_PAGE_SIZE = 30


HISTORY_PAGE_SIZE = 50


def _profile(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    case_selectors.with_family(file.case)
    return {}


def _concerns(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    return {
        "concerns": [
            localized(row.concern.label_en, row.concern.label_km)
            for row in case_selectors.concerns_of(file.case)
        ]
    }


def _risk(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    assessments = risk_selectors.risk_assessments_of(file.case)
    return {"assessments": list(assessments.select_related("assessed_by"))}


def _plan(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    plans = list(
        record_selectors.plans_of(file.case).select_related(
            "created_by", "submitted_by", "decided_by"
        )
    )
    return {
        "plans": plans,
        "in_the_making": any(plan.status in plan_services.IN_THE_MAKING for plan in plans),
        "decision": PlanDecisionForm(),
        "editable": plan_services.EDITABLE,
    }


@dataclass(frozen=True)
class ServiceRow:
    record: CaseService
    label: str
    status_form: ServiceStatusForm | None  # None: the reader may not change it


def _services(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    services = record_selectors.services_of(file.case).select_related(
        "service", "provider_agency", "agency", "recorded_by"
    )
    status_forms = bound.get("status_forms", {})

    def status_form(record: CaseService) -> ServiceStatusForm | None:
        # The service's rule: the recording agency, or the people who manage the case.
        if not (file.can_add_notes and (file.access.manage or record.agency_id == user.agency_id)):
            return None
        return status_forms.get(record.pk) or ServiceStatusForm(
            initial={"status": record.status}, prefix=f"service-{record.pk}"
        )

    return {
        "services": [
            ServiceRow(
                record,
                localized(record.service.label_en, record.service.label_km),
                status_form(record),
            )
            for record in services
        ],
        "service_form": bound.get("service_form") or ServiceForm(),
    }


def _notes(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    notes = record_selectors.notes_of(file.case).select_related("agency", "author")
    page = Paginator(notes, NOTES_PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "note_form": bound.get("note_form") or NoteForm(initial={"date": timezone.localdate()}),
    }


@dataclass(frozen=True)
class ConsentRow:
    consent: Consent
    scopes: list[str]
    withdraw_form: ConsentWithdrawForm | None  # None: withdrawn, or not the reader's to withdraw


def _consent(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    consents = record_selectors.consents_of(file.case).select_related("recorded_by")
    withdraw_forms = bound.get("withdraw_forms", {})
    return {
        "consents": [
            ConsentRow(
                consent,
                [
                    str(ConsentScope(scope).label)
                    for scope in consent.scope
                    if scope in ConsentScope.values
                ],
                None
                if consent.withdrawn or not file.can_manage
                else withdraw_forms.get(consent.pk)
                or ConsentWithdrawForm(prefix=f"consent-{consent.pk}"),
            )
            for consent in consents
        ],
        "consent_form": bound.get("consent_form")
        or ConsentForm(initial={"date": timezone.localdate()}),
    }


@dataclass
class HistoryRow:
    """One line of the history: an event, or a run of readings by one person folded into one
    (``count`` of them, from ``when`` to ``until``)."""

    when: datetime
    who: str
    what: str
    action: str
    actor_id: int | None
    changed: list[str] = field(default_factory=list)
    count: int = 1
    until: datetime | None = None


def _history(request: HttpRequest, user: User, file: CaseFile, bound: Bound) -> dict[str, Any]:
    page = Paginator(case_selectors.case_history(case=file.case), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows: list[HistoryRow] = []
    for event in page:
        last = rows[-1] if rows else None
        if (
            last is not None
            and event.action.startswith(READING)
            and last.action == event.action
            and last.actor_id == event.actor_id
        ):
            last.count += 1
            last.until = event.created_at
            continue
        rows.append(
            HistoryRow(
                when=event.created_at,
                who=getattr(event, "actor_name", None) or event.actor_username or "—",
                what=str(HISTORY_LABELS.get(event.action, event.action)),
                action=event.action,
                actor_id=event.actor_id,
                changed=_changed(event.changes) if event.action == "case.update" else [],
            )
        )
    return {"page": page, "rows": rows}


# Readings of a case (its file, a tab, its history): a run of them by one person is one line.
READING = "case.view_"


def _changed(changes: Any) -> list[str]:
    """The names of the fields an edit of the case changed, as the forms name them; never their
    values, which the history does not repeat (some are masked in the trail)."""
    if not isinstance(changes, dict):
        return []
    names: list[str] = []
    for key, value in changes.items():
        if key == "child" and isinstance(value, dict):
            names += [_field_label(Child, name) for name in value]
        elif isinstance(value, list) and len(value) == 2:
            names.append(_field_label(Case, key))
    return names


# The case's own fields an edit may change, named as the edit page names them.
_CASE_FIELD_LABELS = {
    "stage": gettext_lazy("Stage"),
    "source": gettext_lazy("Source"),
    "summary": gettext_lazy("Summary"),
    "labour_sector": gettext_lazy("Labour sector"),
    "concerns": gettext_lazy("Concerns"),
}


def _field_label(model: type[Case] | type[Child], name: str) -> str:
    if model is Case:
        return str(_CASE_FIELD_LABELS.get(name, name))
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    return str(getattr(found, "verbose_name", name)).capitalize()


# What the history says for each kind of event on a case; a kind not named shows its code.
HISTORY_LABELS = {
    "case.create": gettext_lazy("Case registered"),
    "case.update": gettext_lazy("Case edited"),
    "case.assign": gettext_lazy("Case given to another worker"),
    "case.closure_request": gettext_lazy("Closure requested"),
    "case.closure_reject": gettext_lazy("Closure refused"),
    "case.close": gettext_lazy("Case closed"),
    "case.reopen": gettext_lazy("Case reopened"),
    "case.grants": gettext_lazy("Access given or taken away"),
    "case.area_grants": gettext_lazy("Follow-ups opened to a commune"),
    "case.follow_up_begin": gettext_lazy("Follow-up visits begin"),
    "case.contact": gettext_lazy("Contact with the child recorded"),
    "case.reassess_by": gettext_lazy("Risk reassessment falls due"),
    "case.view_file": gettext_lazy("Case file read"),
    "case.view_history": gettext_lazy("History read"),
    "case.view_print": gettext_lazy("Summary printed"),
    "case.view_print_pdf": gettext_lazy("Summary downloaded as PDF"),
    "case.view_profile": gettext_lazy("Profile read"),
    "case.view_concerns": gettext_lazy("Concerns read"),
    "case.view_risk": gettext_lazy("Risk assessments read"),
    "case.view_case_plan": gettext_lazy("Case plan read"),
    "case.view_notes": gettext_lazy("Notes, services or consent read"),
    "case.view_placements": gettext_lazy("Placements read"),
    "case.view_follow_ups": gettext_lazy("Follow-ups read"),
    "case.view_repatriation": gettext_lazy("Repatriations read"),
    "case.view_legal": gettext_lazy("Court case read"),
    "case.view_documents": gettext_lazy("Documents read"),
    "risk_assessment.create": gettext_lazy("Risk assessed"),
    "plan.create": gettext_lazy("Plan written"),
    "plan.update": gettext_lazy("Plan edited"),
    "plan.submit": gettext_lazy("Plan sent for approval"),
    "plan.approve": gettext_lazy("Plan approved"),
    "plan.reject": gettext_lazy("Plan sent back"),
    "service.create": gettext_lazy("Service recorded"),
    "service.update": gettext_lazy("Service updated"),
    "note.create": gettext_lazy("Note added"),
    "consent.create": gettext_lazy("Consent recorded"),
    "consent.withdraw": gettext_lazy("Consent withdrawn"),
    "referral.create": gettext_lazy("Referral made"),
    "referral.approve": gettext_lazy("Referral approved"),
    "referral.accept": gettext_lazy("Referral accepted"),
    "referral.decline": gettext_lazy("Referral declined"),
    "referral.complete": gettext_lazy("Referral completed"),
    "referral.cancel": gettext_lazy("Referral cancelled"),
    "custody.record": gettext_lazy("Custody transfer recorded"),
    "identification.create": gettext_lazy("Victim identification recorded"),
    "repatriation.create": gettext_lazy("Repatriation opened"),
    "repatriation.advance": gettext_lazy("Repatriation moved on"),
    "legal_proceeding.create": gettext_lazy("Court case opened"),
    "legal_proceeding.update": gettext_lazy("Court case updated"),
    "hearing.create": gettext_lazy("Hearing recorded"),
    "hearing.reschedule": gettext_lazy("Hearing moved"),
    "document.upload": gettext_lazy("Document added"),
    "document.download": gettext_lazy("Document downloaded"),
    "document.withdraw": gettext_lazy("Document withdrawn"),
    "document.rekey": gettext_lazy("Document re-encrypted with the new key"),
    "placement.create": gettext_lazy("Placement recorded"),
    "reintegration.create": gettext_lazy("Reintegration recorded"),
    "follow_up.complete": gettext_lazy("Follow-up visit recorded"),
    "follow_up.reschedule": gettext_lazy("Follow-up visit rescheduled"),
}


for _tab, _loader in [
    (Tab("profile", gettext_lazy("Profile and family"), (Section.PROFILE,), 10), _profile),
    (Tab("concerns", gettext_lazy("Concerns"), (Section.CONCERNS,), 20), _concerns),
    (Tab("risk", gettext_lazy("Risk"), (Section.RISK,), 30), _risk),
    (Tab("plan", gettext_lazy("Case plan"), (Section.CASE_PLAN,), 40), _plan),
    (Tab("services", gettext_lazy("Services"), (Section.NOTES,), 50), _services),
    (Tab("notes", gettext_lazy("Notes"), (Section.NOTES,), 60), _notes),
    (Tab("consent", gettext_lazy("Consent"), (Section.NOTES,), 70), _consent),
    (Tab("history", gettext_lazy("History"), (), 1000), _history),
]:
    register_tab(_tab, _loader)
