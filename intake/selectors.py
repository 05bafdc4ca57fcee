"""Reads of community and helpline intake. A report is seen by the person who made it (its
status, never the case it led to) and by the social workers and supervisors of the office it
went to; anyone else gets 404, as for a case out of reach."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.choices import AgencyType, Role
from accounts.models import User
from intake.choices import TRIAGE_ROLES
from intake.models import ConcernReport, HelplineCall


def reports_visible(user: User) -> QuerySet[ConcernReport]:
    """Those of my reports and, in an office's social services, the reports sent to my office.
    Both conditions are indexed (reporter, office): no scan of others' reports."""
    if not user.is_active:
        return ConcernReport.objects.none()
    seen = Q(reporter_id=user.pk)
    if user.role in TRIAGE_ROLES and user.agency_id is not None:
        seen |= Q(office_id=user.agency_id)
    return ConcernReport.objects.filter(seen).select_related(
        "location__parent__parent__parent", "concern", "office", "reporter", "triaged_by"
    )


def office_queue(user: User) -> QuerySet[ConcernReport]:
    """The reports waiting for my office, the most pressing first."""
    if user.role not in TRIAGE_ROLES or user.agency_id is None or not user.is_active:
        return ConcernReport.objects.none()
    return reports_visible(user).filter(office_id=user.agency_id, status="new")


def report_detail(*, user: User, report_id: int | str) -> ConcernReport:
    try:
        return reports_visible(user).get(pk=report_id)
    except (ConcernReport.DoesNotExist, ValueError) as missing:
        raise Http404(_("No such report.")) from missing


def calls_visible(user: User) -> QuerySet[HelplineCall]:
    """The helpline's log: the calls its operators took, to the helpline's operators and
    supervisors; nobody else."""
    if (
        user.role not in (Role.HELPLINE_OPERATOR, Role.SUPERVISOR)
        or user.agency is None
        or user.agency.type != AgencyType.HELPLINE
        or not user.is_active
    ):
        return HelplineCall.objects.none()
    return HelplineCall.objects.filter(agency_id=user.agency.pk).select_related(
        "operator", "case", "concern_report"
    )
