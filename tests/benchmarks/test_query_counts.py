"""Query-count guards on every list and detail endpoint of the API, against a generated
dataset: for one person, each answers with the same number of SQL statements whatever the page
size and however much the object holds, and no more than its budget. A new GET endpoint fails this
test until it is given a probe here."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Model, Q, QuerySet
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.choices import AgencyType, LocationLevel, Role
from accounts.models import Agency, Location, User
from cases.models import (
    Case,
    CaseDeparture,
    CasePlan,
    CaseService,
    DepartureReason,
    RiskAssessment,
)
from cases.policy import visible_cases
from documents import vault
from documents.models import Document
from exports.build import export_build
from exports.models import CaseExport
from exports.services import export_request
from legal.models import DefendantStatusChange, Hearing, LegalProceeding
from notifications.webhooks import webhook_emit, webhook_endpoint_create
from referrals.models import Referral
from reintegration.models import FollowUp
from reporting.facts import facts_refresh
from tests.conftest import api_client
from tests.imports.conftest import imports_of_two_sizes
from tests.intake.test_calls_api import operator_with_calls
from tests.intake.test_concern_reports_api import office_with_reports
from trafficking.choices import RepatriationStatus
from trafficking.models import Repatriation, RepatriationStep

pytestmark = pytest.mark.django_db

# The most statements each endpoint may run: the counts measured when the guard was written.
# Reading a case or one of its sections writes an audit event (three statements: the chain's
# lock, its last hash, the insert), and so does each page of a list of cases, referrals or visits.
BUDGETS = {
    "user-me": 3,
    "user-list": 4,
    "user-detail": 4,
    "agency-list": 5,
    "agency-detail": 4,
    "location-list": 2,
    "location-detail": 1,
    "case-list": 12,
    "case-detail": 13,
    "case-history": 15,
    "case-gone": 2,  # the departures, and their cases' external ids
    "case-named-people": 6,  # the door gives the reader's access with the case
    "risk-instrument-current": 4,
    "case-risk-assessment-list": 12,
    "case-risk-assessment-detail": 11,
    "case-plan-list": 14,
    "case-plan-detail": 13,
    "case-service-list": 12,
    "case-service-detail": 11,
    "case-note-list": 12,
    "case-consent-list": 12,
    "webhook-list": 2,
    "webhook-detail": 1,
    "webhook-deliveries": 3,
    "referral-list": 8,
    "referral-detail": 6,
    "service-directory": 4,
    "case-custody-transfer-list": 12,
    "referral-queue": 4,
    "case-placement-list": 12,
    "case-identification-list": 9,
    "case-repatriation-list": 10,
    "case-repatriation-detail": 10,
    "crossing-list": 1,
    "case-legal-proceeding-list": 10,
    "case-legal-proceeding-detail": 10,
    "case-legal-hearing-list": 10,
    "case-document-list": 9,
    "case-document-detail": 9,
    "case-document-download": 9,
    "case-reintegration": 13,
    "follow-up-list": 7,
    "follow-up-detail": 10,
    "notification-list": 2,
    "notification-unread-count": 1,
    "statistics": 2,  # the grouped count and the store's "as of"
    "statistics-caseload": 5,
    "report-list": 1,
    "report": 14,
    "export-list": 1,
    "export-detail": 1,
    "export-download": 6,  # the download is audited
    "import-detail": 1,
    "import-template": 0,  # a file made in memory
    "helpline-call-list": 1,
    "concern-report-list": 2,
    "concern-report-detail": 1,
}
NOT_PROBED = {"schema", "api-docs"}  # documents, not data


@dataclass
class Scene:
    national: User  # a MoSVY supervisor: every case, every section, the history
    admin: User
    agency_admin: User
    receiver: User  # a social worker of the agency that received the most referrals
    supervisor: User
    quiet_supervisor: User


# A probe gives the variants of one endpoint: (who asks, path) pairs that must cost the same.
Probe = Callable[[Scene], list[tuple[User, str]]]


def _paged(user: User, path: str) -> list[tuple[User, str]]:
    joiner = "&" if "?" in path else "?"
    return [(user, f"{path}{joiner}page_size=1"), (user, f"{path}{joiner}page_size=50")]


def _extremes(queryset: QuerySet[Any], related: str) -> list[Any]:
    """The object with the most ``related`` rows and one with the fewest, but some: an empty
    list rightly skips the queries that would fetch its items' details."""
    ordered = queryset.annotate(rows=Count(related)).filter(rows__gt=0)
    return [ordered.order_by("-rows", "id").first(), ordered.order_by("rows", "id").first()]


def _case_list(route: str, related: str) -> Probe:
    def probe(scene: Scene) -> list[tuple[User, str]]:
        cases = _extremes(Case.objects.filter(restricted=False), related)
        return [
            variant
            for case in cases
            for variant in _paged(scene.national, reverse(route, kwargs={"case_id": case.pk}))
        ]

    return probe


def _case_detail(route: str, model: type[Model], related: str) -> Probe:
    def probe(scene: Scene) -> list[tuple[User, str]]:
        objects = _extremes(model._default_manager.filter(case__restricted=False), related)
        return [
            (scene.national, reverse(route, kwargs={"case_id": obj.case_id, "pk": obj.pk}))
            for obj in objects
        ]

    return probe


def _gone(scene: Scene) -> str:
    """The gone feed of the receiver, with sixty cases she lost sight of."""
    lost = Case.objects.exclude(pk__in=visible_cases(scene.receiver).values("pk")).order_by("id")
    CaseDeparture.objects.bulk_create(
        CaseDeparture(user=scene.receiver, case=case, reason=DepartureReason.TRANSFER)
        for case in lost[:60]
    )
    return reverse("case-gone") + "?since=2000-01-01T00:00:00Z"


def _webhook(scene: Scene) -> int:
    """An endpoint of the agency admin's agency, with three deliveries."""
    admin = scene.agency_admin
    assert admin.agency_id is not None
    endpoint = webhook_endpoint_create(
        actor=admin,
        actor_admin_of_agency_id=admin.agency_id,
        actor_is_system_admin=False,
        agency_id=admin.agency_id,
        url="https://partner.example.org/hook",
        events=["referral.created"],
    )
    for number in range(3):
        webhook_emit(
            event="referral.created",
            agency_ids=[admin.agency_id],
            payload={"referral": {"id": number}},
        )
    return endpoint.pk


def _analyst(scene: Scene) -> User:
    """A national analyst, once the statistics store holds the dataset."""
    facts_refresh(full=True)
    return User.objects.filter(role=Role.DATA_ANALYST, location__isnull=True).order_by("id")[0]


def _exports(scene: Scene) -> list[CaseExport]:
    """Two exports of the national supervisor, a small one and one of every case, built as the
    worker builds them."""
    made = []
    for filters in ({"status": "closed"}, {}):
        export = export_request(
            actor=scene.national,
            filters=filters,
            fields=["case_number", "child.given_name", "stage"],
            reason="Quarterly review",
            format="csv",
        )
        export_build(export_id=export.pk)
        made.append(export)
    return made


def _by_notifications(scene: Scene) -> list[User]:
    return _extremes(User.objects.all(), "notifications")


PROBES: dict[str, Probe] = {
    "concern-report-list": lambda s: [
        variant
        for reports in (2, 60)
        for variant in _paged(office_with_reports(reports)[0], reverse("concern-report-list"))
    ],
    "concern-report-detail": lambda s: [
        (office, reverse("concern-report-detail", args=[ids[-1]]))
        for office, ids in (office_with_reports(1), office_with_reports(30))
    ],
    "helpline-call-list": lambda s: [
        variant
        for calls in (2, 60)
        for variant in _paged(operator_with_calls(calls), reverse("helpline-call-list"))
    ],
    "user-me": lambda s: [(user, reverse("user-me")) for user in (s.national, s.receiver)],
    "user-list": lambda s: _paged(s.admin, reverse("user-list")),
    "user-detail": lambda s: [
        (s.admin, reverse("user-detail", args=[user.pk]))
        for user in (s.receiver, s.quiet_supervisor)
    ],
    "agency-list": lambda s: _paged(s.national, reverse("agency-list")),
    "agency-detail": lambda s: [
        (s.national, reverse("agency-detail", args=[agency.pk]))
        for agency in _extremes(Agency.objects.all(), "service_rows")
    ],
    "location-list": lambda s: _paged(s.national, reverse("location-list")),
    "location-detail": lambda s: [
        (s.national, reverse("location-detail", args=[location.pk]))
        for location in _extremes(Location.objects.all(), "children")
    ],
    "case-list": lambda s: [
        *_paged(s.national, reverse("case-list")),
        *_paged(s.receiver, reverse("case-list")),
    ],
    "case-gone": lambda s: _paged(s.receiver, _gone(s)),
    "case-detail": lambda s: [
        (s.national, reverse("case-detail", args=[case.pk]))
        for case in _extremes(Case.objects.filter(restricted=False), "concern_rows")
    ],
    "case-history": lambda s: [
        variant
        for case in _extremes(Case.objects.filter(restricted=False), "risk_assessments")
        for variant in _paged(s.national, reverse("case-history", args=[case.pk]))
    ],
    "case-named-people": lambda s: [
        (case.owner, reverse("case-named-people", args=[case.pk]))
        for case in _extremes(Case.objects.filter(restricted=True), "named_user_rows")
    ],
    "risk-instrument-current": lambda s: [(s.national, reverse("risk-instrument-current"))],
    "case-risk-assessment-list": _case_list("case-risk-assessment-list", "risk_assessments"),
    "case-risk-assessment-detail": _case_detail(
        "case-risk-assessment-detail", RiskAssessment, "case__risk_assessments"
    ),
    "case-plan-list": _case_list("case-plan-list", "plans__goals"),
    "case-plan-detail": _case_detail("case-plan-detail", CasePlan, "goals__actions"),
    "case-service-list": _case_list("case-service-list", "services"),
    "case-service-detail": _case_detail("case-service-detail", CaseService, "case__services"),
    "case-note-list": _case_list("case-note-list", "notes"),
    "case-consent-list": _case_list("case-consent-list", "consents"),
    "case-custody-transfer-list": _case_list("case-custody-transfer-list", "custody_transfers"),
    "case-placement-list": _case_list("case-placement-list", "placements"),
    "case-identification-list": _case_list("case-identification-list", "identifications"),
    "case-repatriation-list": _case_list("case-repatriation-list", "repatriations__steps"),
    "case-repatriation-detail": _case_detail("case-repatriation-detail", Repatriation, "steps"),
    "crossing-list": lambda s: [(s.national, reverse("crossing-list"))],
    "case-legal-proceeding-list": _case_list(
        "case-legal-proceeding-list", "legal_proceedings__hearings"
    ),
    "case-legal-proceeding-detail": _case_detail(
        "case-legal-proceeding-detail", LegalProceeding, "status_changes"
    ),
    "case-legal-hearing-list": _case_detail("case-legal-hearing-list", LegalProceeding, "hearings"),
    "case-document-list": _case_list("case-document-list", "documents"),
    "case-document-detail": _case_detail("case-document-detail", Document, "case__documents"),
    "case-document-download": _case_detail("case-document-download", Document, "case__documents"),
    "case-reintegration": _case_list("case-reintegration", "reintegrations__follow_ups"),
    "webhook-list": lambda s: _paged(s.agency_admin, reverse("webhook-list")),
    "webhook-detail": lambda s: [(s.agency_admin, reverse("webhook-detail", args=[_webhook(s)]))],
    "webhook-deliveries": lambda s: _paged(
        s.agency_admin, reverse("webhook-deliveries", args=[_webhook(s)])
    ),
    "referral-list": lambda s: [
        *_paged(s.receiver, reverse("referral-list")),
        *_paged(s.receiver, reverse("referral-list") + "?direction=incoming"),
    ],
    "referral-detail": lambda s: [
        (s.receiver, reverse("referral-detail", args=[referral.pk]))
        for referral in (
            Referral.objects.filter(to_agency_id=s.receiver.agency_id, status="completed").earliest(
                "pk"
            ),
            Referral.objects.filter(to_agency_id=s.receiver.agency_id, status="declined").earliest(
                "pk"
            ),
        )
    ],
    "service-directory": lambda s: [
        variant
        for location in Location.objects.filter(level=LocationLevel.VILLAGE).order_by("id")[:2]
        for variant in _paged(
            s.national,
            reverse("service-directory") + f"?services=psychosocial&location={location.pk}",
        )
    ],
    "referral-queue": lambda s: [
        (user, reverse("referral-queue")) for user in (s.supervisor, s.quiet_supervisor)
    ],
    "follow-up-list": lambda s: _paged(s.national, reverse("follow-up-list")),
    "follow-up-detail": lambda s: [
        (s.national, reverse("follow-up-detail", args=[visit.pk]))
        for visit in (
            FollowUp.objects.filter(status="completed").earliest("pk"),
            FollowUp.objects.filter(status="scheduled").earliest("pk"),
        )
    ],
    "notification-list": lambda s: [
        variant
        for user in _by_notifications(s)
        for variant in _paged(user, reverse("notification-list"))
    ],
    "notification-unread-count": lambda s: [
        (user, reverse("notification-unread-count")) for user in _by_notifications(s)
    ],
    "statistics": lambda s: [
        (analyst, reverse("statistics", args=[topic]) + f"?group_by={group_by}")
        for analyst in [_analyst(s)]
        for topic, group_by in [
            ("cases", "sex,age_band"),
            ("open_cases", "risk_level,stage"),
            ("referrals", "urgency,response"),
        ]
    ],
    "statistics-caseload": lambda s: [
        (user, reverse("statistics-caseload")) for user in (s.supervisor, s.quiet_supervisor)
    ],
    "report-list": lambda s: [(_analyst(s), reverse("report-list"))],
    "report": lambda s: [
        (analyst, reverse("report", args=["referral_performance"]) + f"?year=2026&quarter={q}")
        for analyst in [_analyst(s)]
        for q in (1, 2)
    ],
    "export-list": lambda s: [
        variant for _made in [_exports(s)] for variant in _paged(s.national, reverse("export-list"))
    ],
    "export-detail": lambda s: [
        (s.national, reverse("export-detail", args=[export.pk])) for export in _exports(s)
    ],
    "export-download": lambda s: [
        (s.national, reverse("export-download", args=[export.pk])) for export in _exports(s)
    ],
    "import-detail": lambda s: [
        (s.supervisor, reverse("import-detail", args=[made.pk]))
        for made in imports_of_two_sizes(s.supervisor)
    ],
    "import-template": lambda s: [
        (s.supervisor, f"{reverse('import-template')}?format={chosen}")
        for chosen in ("csv", "xlsx")
    ],
}


def _api_routes() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif prefix.startswith("api/v1/") and pattern.name:
                view = getattr(pattern.callback, "cls", None)
                actions = getattr(pattern.callback, "actions", None) or {}
                if "get" in actions or (not actions and view is not None and hasattr(view, "get")):
                    names.add(pattern.name)

    walk(get_resolver().url_patterns, "")
    return names - NOT_PROBED


def _pathway_records() -> None:
    """Repatriations, court cases and documents, which the generated dataset does not hold: on
    two cases, one with a few and one with more, so that each list and detail is asked about
    a small object and a larger one."""
    small, large = Case.objects.filter(restricted=False).order_by("id")[:2]
    for case, size in ((small, 1), (large, 4)):
        owner = case.owner
        repatriation = Repatriation.objects.create(
            case=case, direction="to_cambodia", country="TH", created_by=owner
        )
        for status in RepatriationStatus.values[:size]:
            RepatriationStep.objects.create(
                repatriation=repatriation, status=status, date=date(2026, 6, 1), moved_by=owner
            )
        proceeding = LegalProceeding.objects.create(
            case=case, court="Provincial court", child_role="victim", created_by=owner
        )
        for number in range(size):
            Hearing.objects.create(
                proceeding=proceeding,
                date=date(2026, 7, 1 + number),
                kind="trial",
                created_by=owner,
            )
            DefendantStatusChange.objects.create(
                proceeding=proceeding,
                to_status="arrested",
                date=date(2026, 6, 1),
                changed_by=owner,
            )
        for number in range(size):
            stored = vault.store(b"%PDF-1.4 " + bytes(number))
            Document.objects.create(
                case=case,
                kind="other",
                title=f"Document {number}",
                content_type="application/pdf",
                size=stored.size,
                sha256=stored.sha256,
                storage_name=stored.name,
                uploaded_by=owner,
            )


def _scene() -> Scene:
    call_command(
        "generate_dataset",
        cases=500,
        seed="guards",
        users=400,
        as_of=date(2026, 6, 30),
        stdout=io.StringIO(),
    )
    receiving = (
        Referral.objects.filter(status="completed")
        .values("to_agency_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert receiving is not None
    _pathway_records()
    supervisors = User.objects.filter(role=Role.SUPERVISOR).annotate(
        team=Count("supervisees", filter=Q(supervisees__role=Role.SOCIAL_WORKER))
    )
    return Scene(
        national=User.objects.filter(role=Role.SUPERVISOR, agency__type=AgencyType.MOSVY)[0],
        admin=User.objects.filter(role=Role.SYSTEM_ADMIN)[0],
        agency_admin=User.objects.filter(role=Role.AGENCY_ADMIN, agency__type=AgencyType.NGO)[0],
        receiver=User.objects.filter(agency_id=receiving["to_agency_id"], role=Role.SOCIAL_WORKER)[
            0
        ],
        supervisor=supervisors.order_by("-team", "id")[0],
        quiet_supervisor=supervisors.order_by("team", "id")[0],
    )


def _signed_in(user: User) -> User:
    """The user as token authentication loads them (with agency and location), so the count
    is that of a real request, not of a first access to a lazy relation."""
    return User.objects.select_related("agency", "location").get(pk=user.pk)


def test_every_list_and_detail_endpoint_runs_a_fixed_number_of_queries() -> None:
    assert _api_routes() == set(PROBES), "every GET endpoint of the API needs a probe here"
    scene = _scene()
    problems = []
    for route, probe in PROBES.items():
        counts: dict[str, dict[str, int]] = defaultdict(dict)  # per person: path -> queries
        for user, path in probe(scene):
            client = api_client(_signed_in(user))
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path)
            assert response.status_code == 200, (route, path, response.status_code)
            counts[user.username][path] = len(queries)
        varying = [paths for paths in counts.values() if len(set(paths.values())) != 1]
        most = max(n for paths in counts.values() for n in paths.values())
        if varying or most > BUDGETS[route]:
            problems.append(f"{route}: {dict(counts)} (budget {BUDGETS[route]})")
    assert not problems, "\n".join(problems)
