"""Codes of community and helpline intake (docs/api.md, "Community and helpline intake")."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role


class ReportStatus(models.TextChoices):
    NEW = "new", _("Waiting for the social services")
    CASE_OPENED = "case_opened", _("Case opened")
    CLOSED = "closed", _("Closed")


class ReportUrgency(models.TextChoices):
    """How soon the office must look at a report; ``settings.TRIAGE_HOURS`` says by when."""

    EMERGENCY = "emergency", _("Emergency: the child is in danger now")
    URGENT = "urgent", _("Urgent: within days")
    ROUTINE = "routine", _("Not urgent")


class CallerType(models.TextChoices):
    CHILD = "child", _("The child")
    PARENT = "parent", _("A parent")
    RELATIVE = "relative", _("A relative")
    NEIGHBOUR = "neighbour", _("A neighbour")
    TEACHER = "teacher", _("A teacher")
    PROFESSIONAL = "professional", _("A professional")
    ANONYMOUS = "anonymous", _("Anonymous")
    OTHER = "other", _("Other")


class CallReason(models.TextChoices):
    """Why the helpline was called: few enough to pick during a call, precise enough to count."""

    ABUSE = "abuse", _("Abuse or violence")
    NEGLECT = "neglect", _("Neglect or abandonment")
    TRAFFICKING = "trafficking", _("Trafficking or exploitation")
    CHILD_LABOUR = "child_labour", _("Child labour")
    FAMILY = "family", _("Family problems")
    SCHOOL = "school", _("School")
    HEALTH = "health", _("Health or mental health")
    LEGAL = "legal", _("Legal question")
    INFORMATION = "information", _("Asking for information")
    SILENT = "silent", _("Silent or hung up")
    OTHER = "other", _("Other")


class CallAction(models.TextChoices):
    ADVICE = "advice", _("Advice given")
    CONCERN_REPORT = "concern_report", _("Report made to the social services")
    REFERRAL = "referral", _("Referred")
    CASE_OPENED = "case_opened", _("Case opened")
    NO_ACTION = "no_action", _("No action")


# Who reports a child at risk: the community's eyes, the helpline, and everyone who holds cases.
REPORTER_ROLES = frozenset(
    {
        Role.COMMUNE_COMMITTEE,
        Role.VILLAGE_CHIEF,
        Role.HELPLINE_OPERATOR,
        Role.SOCIAL_WORKER,
        Role.SUPERVISOR,
        Role.POLICE,
        Role.LABOUR_INSPECTOR,
    }
)
# Who triages the reports sent to their office: those who open cases there.
TRIAGE_ROLES = frozenset({Role.SOCIAL_WORKER, Role.SUPERVISOR})
