"""The case from intake to closure: registration, edits, assignment, closure and reopening, and
the record of who read a case file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Agency, User
from audit import services as audit
from cases.choices import CHILD_LABOUR, Stage, Status
from cases.events import concerns_written
from cases.models import (
    Case,
    CaseAreaGrant,
    CaseConcern,
    CaseNamedUser,
    CaseNumberSequence,
    Child,
    ConcernType,
    DepartureReason,
    FamilyMember,
)
from cases.policy import case_get
from cases.reminders import (
    approval_requested,
    approval_settled,
    assignment_told,
    case_reschedule_reminders,
    deactivated_cases_settled,
)
from cases.services.common import case_changed, check_stage_move
from cases.services.sync import (
    case_announce_update,
    case_set_external_ids,
    departures_record,
    who_sees,
)

# Who registers children and may hold a case: case workers, and the referrers (police, labour
# inspectors, the helpline) who meet children first and hold the case until they refer it.
CASE_HOLDER_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.SUPERVISOR,
        Role.POLICE,
        Role.LABOUR_INSPECTOR,
        Role.HELPLINE_OPERATOR,
    }
)


def next_case_number(*, province_code: str, year: int) -> str:
    """``12-2026-00042``: province, year, then a number taken by one atomic UPSERT, so two
    registrations at the same moment never get the same one (and nothing counts rows)."""
    prefix = f"{province_code}-{year}"
    table = connection.ops.quote_name(CaseNumberSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (prefix, last) VALUES (%s, 1) "  # noqa: S608 - table name from the model, values bound
            f"ON CONFLICT (prefix) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [prefix],
        )
        (number,) = cursor.fetchone()
    return f"{prefix}-{number:05d}"


def _check_concerns(concerns: Sequence[str], labour_sector: str) -> list[ConcernType]:
    known = {concern.code: concern for concern in ConcernType.objects.filter(is_active=True)}
    unknown = [code for code in concerns if code not in known]
    if unknown:
        raise ValidationError({"concerns": [_("Unknown concern: %s.") % ", ".join(unknown)]})
    if labour_sector and CHILD_LABOUR not in concerns:
        raise ValidationError(
            {"labour_sector": [_("A labour sector goes with the child_labour concern.")]}
        )
    return [known[code] for code in dict.fromkeys(concerns)]


def _clean_child(child: Child) -> None:
    """The child's invariants, reported under ``child.<field>``. The API's input serializer
    runs the same checks first and nests its errors; this keeps every other caller honest."""
    # clean() holds both check constraints, with clearer messages, and a location given as a
    # row was read already: neither needs another round trip to the database.
    loaded = ["location"] if Child.location.is_cached(child) else []
    try:
        child.full_clean(exclude=loaded, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(
            {f"child.{field}": messages for field, messages in error.message_dict.items()}
        ) from error


def _child_values(child: Child) -> dict[str, Any]:
    values = {field: getattr(child, field) for field in Child.INPUT_FIELDS if field != "location"}
    values["location"] = child.location_id
    return values


def _masked(values: dict[str, Any]) -> dict[str, Any]:
    """The trail masks top-level keys only; the child's identifiers sit one level down."""
    return {
        field: audit.MASK if field in Child.MASKED_FIELDS else value
        for field, value in values.items()
    }


# The fields of a new case that come from the system's own rows, not from the caller.
SET_BY_THE_SYSTEM = [
    "case_number",
    "child",
    "agency",
    "owner",
    "location",
    "location_path",
    "created_by",
]


@transaction.atomic(durable=True)
def case_open(
    *,
    actor: User,
    child: Mapping[str, Any],
    family: Sequence[Mapping[str, Any]] = (),
    concerns: Sequence[str],
    source: str,
    summary: str = "",
    labour_sector: str = "",
    restricted: bool = False,
    external_ids: Sequence[Mapping[str, str]] = (),
) -> Case:
    """Registers a child and opens a case owned by ``actor`` in ``actor``'s agency."""
    return case_register(
        actor=actor,
        child=child,
        family=family,
        concerns=concerns,
        source=source,
        summary=summary,
        labour_sector=labour_sector,
        restricted=restricted,
        external_ids=external_ids,
    )


@transaction.atomic
def case_register(
    *,
    actor: User,
    child: Mapping[str, Any],
    family: Sequence[Mapping[str, Any]] = (),
    concerns: Sequence[str],
    source: str,
    summary: str = "",
    labour_sector: str = "",
    restricted: bool = False,
    external_ids: Sequence[Mapping[str, str]] = (),
) -> Case:
    """case_open's work, inside the caller's transaction: for a service that opens a case as
    part of its own change (a report of a child at risk answered with a case)."""
    if actor.role not in CASE_HOLDER_ROLES or actor.agency is None:
        raise PermissionDenied(_("Your role does not register children."))
    concern_types = _check_concerns(concerns, labour_sector)
    new_child = Child.from_input(child)
    _clean_child(new_child)
    new_child.save()
    FamilyMember.objects.bulk_create(FamilyMember(child=new_child, **member) for member in family)
    province_code = new_child.location.path.split("/", 1)[0]
    case = Case(
        # The year in Cambodia: the UTC year lags by seven hours on New Year's Eve.
        case_number=next_case_number(province_code=province_code, year=timezone.localdate().year),
        child=new_child,
        source=source,
        summary=summary,
        labour_sector=labour_sector,
        agency=actor.agency,
        owner=actor,
        location=new_child.location,
        restricted=restricted,
        created_by=actor,
    )
    # Only what the caller gave is checked here: the child, place, agency and people are rows
    # read already, the number comes from its sequence and a new case is open (PostgreSQL's
    # keys and constraints hold them all the same).
    case.full_clean(exclude=SET_BY_THE_SYSTEM, validate_unique=False, validate_constraints=False)
    case.save()
    CaseConcern.objects.bulk_create(CaseConcern(case=case, concern=c) for c in concern_types)
    concerns_written.send(sender=Case, case_ids=[case.pk])
    if restricted:
        CaseNamedUser.objects.create(case=case, user=actor)
    # How other systems name the case (Primero, OSCaR, a partner's database); [before, after].
    named_elsewhere = case_set_external_ids(actor=actor, case=case, wanted=external_ids)
    audit.record(
        actor=actor,
        action="case.create",
        obj=case,
        case_id=case.pk,
        changes={
            "case_number": case.case_number,
            "source": source,
            "concerns": list(concerns),
            "restricted": restricted,
            "child": _masked(_child_values(new_child)),
            **({"external_ids": named_elsewhere[1]} if named_elsewhere else {}),
        },
        masked=Child.MASKED_FIELDS,
    )
    case_reschedule_reminders(case)
    case_announce_update(case)
    return case


CASE_EDITABLE = frozenset(
    {"stage", "source", "summary", "labour_sector", "concerns", "child", "external_ids"}
)


@transaction.atomic(durable=True)
def case_update(
    *, actor: User, case: Case, changes: Mapping[str, Any], expected_version: int | None = None
) -> Case:
    """Edits a case and its child, refused (412) when ``expected_version`` is given and the
    case changed since the caller read it."""
    return case_edit(actor=actor, case=case, changes=changes, expected_version=expected_version)


@transaction.atomic
def case_edit(
    *, actor: User, case: Case, changes: Mapping[str, Any], expected_version: int | None = None
) -> Case:
    """case_update's work, inside the caller's transaction: for a service that edits cases as
    part of its own change (an import, saved all together or not at all)."""
    case, _access = case_get(
        actor, case.pk, action="edit", lock=True, expected_version=expected_version
    )
    unknown = set(changes) - CASE_EDITABLE
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    recorded: dict[str, Any] = {}
    if "stage" in changes:
        check_stage_move(case, changes["stage"])
    for field in ("stage", "source", "summary", "labour_sector"):
        if field in changes and getattr(case, field) != changes[field]:
            recorded[field] = [getattr(case, field), changes[field]]
            setattr(case, field, changes[field])
    concerns = changes.get("concerns")
    current = sorted(case.concern_rows.values_list("concern_id", flat=True))
    concern_codes = list(concerns) if concerns is not None else current
    concern_types = _check_concerns(concern_codes, case.labour_sector)
    if concerns is not None and sorted(set(concern_codes)) != current:
        case.concern_rows.all().delete()
        CaseConcern.objects.bulk_create(CaseConcern(case=case, concern=c) for c in concern_types)
        concerns_written.send(sender=Case, case_ids=[case.pk])
        recorded["concerns"] = [current, sorted(set(concern_codes))]
    if "child" in changes:
        child = case.child
        before = _child_values(child)
        child.enter(changes["child"])
        _clean_child(child)
        child_diff = audit.diff(before, _child_values(child))
        if child_diff:
            child.save()
            recorded["child"] = _masked(child_diff)
        if child.location_id != case.location_id:
            case.location = child.location
    if "external_ids" in changes:
        named_elsewhere = case_set_external_ids(
            actor=actor, case=case, wanted=changes["external_ids"]
        )
        if named_elsewhere:
            recorded["external_ids"] = named_elsewhere
    if not recorded:
        # Nothing changed: the version stays, so other clients' ETags stay good.
        return case
    case_changed(case, "stage", "source", "summary", "labour_sector", "location", "location_path")
    audit.record(
        actor=actor,
        action="case.update",
        obj=case,
        case_id=case.pk,
        changes=recorded,
        masked=Child.MASKED_FIELDS,
    )
    return case


@transaction.atomic(durable=True)
def case_assign(
    *, actor: User, case: Case, owner: User, expected_version: int | None = None
) -> Case:
    """Gives the case to another worker of its agency (the owner's supervisor or an agency
    admin decides)."""
    case, _access = case_get(
        actor, case.pk, action="assign", lock=True, expected_version=expected_version
    )
    previous_owner = case.owner_id
    case = case_give(actor=actor, case=case, owner=owner)
    deactivated_cases_settled(previous_owner)
    return case


def _owner_and_supervisor(owner_id: int) -> list[User]:
    """The people whose own or team scope holds a case of ``owner_id``: one query."""
    owner = (
        User.objects.select_related("supervisor__agency", "supervisor__location", "agency")
        .filter(pk=owner_id)
        .first()
    )
    if owner is None:
        return []
    return [owner, owner.supervisor] if owner.supervisor is not None else [owner]


# Not durable: it runs inside case_assign's transaction and cases_reassign's (a batch).
@transaction.atomic
def case_give(*, actor: User, case: Case, owner: User) -> Case:
    """The assignment itself, on a case the caller opened through the door with the
    ``assign`` action and locked: the new owner's check, the change, its audit event and the
    new owner's notification (sent once the transaction commits)."""
    if (
        not owner.is_active
        or owner.agency_id != case.agency_id
        or owner.role not in CASE_HOLDER_ROLES
    ):
        raise ValidationError(
            {
                "owner": [
                    _(
                        "The new owner must be an active colleague, in the case's agency, who "
                        "handles cases."
                    )
                ]
            }
        )
    previous = case.owner_id
    # Who may lose sight of it: the previous owner and her supervisor (own and team scopes).
    watched = _owner_and_supervisor(previous)
    saw = who_sees(case, watched)
    case.owner = owner
    if case.restricted:
        CaseNamedUser.objects.get_or_create(case=case, user=owner)
    case_changed(case, "owner")
    departures_record(case=case, people=watched, saw=saw, reason=DepartureReason.ASSIGNMENT)
    audit.record(
        actor=actor,
        action="case.assign",
        obj=case,
        case_id=case.pk,
        changes={"owner": [previous, owner.pk]},
    )
    assignment_told(case)
    return case


# Not durable: it runs inside the transaction of the referral accepted (referral_accept).
@transaction.atomic
def case_transfer(*, actor: User, case: Case, owner: User, agency: Agency, reason: str) -> Case:
    """Gives the case, with its child, to ``owner`` of ``agency``: another agency takes over
    (an accepted transfer referral, the workflow that checked who accepts). The new owner is
    named on a restricted case in place of the previous one."""
    case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
    previous_owner, previous_agency = case.owner_id, case.agency_id
    # Who may lose sight of it: the previous owner, her supervisor, the old agency's admins.
    watched = _owner_and_supervisor(previous_owner) + list(
        User.objects.filter(
            agency_id=previous_agency, role=Role.AGENCY_ADMIN, is_active=True
        ).select_related("agency", "location")
    )
    saw = who_sees(case, watched)
    case.owner, case.agency = owner, agency
    if case.restricted:
        CaseNamedUser.objects.get_or_create(case=case, user=owner, defaults={"named_by": actor})
        CaseNamedUser.objects.filter(case=case, user_id=previous_owner).delete()
    case_changed(case, "owner", "agency")
    departures_record(case=case, people=watched, saw=saw, reason=DepartureReason.TRANSFER)
    audit.record(
        actor=actor,
        action="case.transfer",
        obj=case,
        case_id=case.pk,
        changes={
            "owner": [previous_owner, owner.pk],
            "agency": [previous_agency, agency.pk],
            "reason": reason,
        },
    )
    return case


@transaction.atomic(durable=True)
def case_request_closure(
    *,
    actor: User,
    case: Case,
    reason: str,
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    """The owner asks for closure, which their supervisor decides. While a follow-up schedule
    is running (``follow_up_pending``) the owner cannot ask: the supervisor closes the case
    at once instead, and that decision is recorded as theirs."""
    case, _access = case_get(
        actor, case.pk, action="request_closure", lock=True, expected_version=expected_version
    )
    if case.follow_up_pending:
        case.closure_reason, case.closure_note = reason, note
        case.status, case.stage, case.closed_at = Status.CLOSED, Stage.CLOSURE, timezone.now()
        case_changed(case, "closure_reason", "closure_note", "status", "stage", "closed_at")
        audit.record(
            actor=actor,
            action="case.close",
            obj=case,
            case_id=case.pk,
            changes={
                "reason": reason,
                "before_follow_up_ended": True,
                "area_grants_ended": _end_community_sight(case),
            },
        )
        case_reschedule_reminders(case)
        return case
    case.closure_reason, case.closure_note = reason, note
    case.closure_requested_by, case.closure_requested_at = actor, timezone.now()
    case_changed(
        case, "closure_reason", "closure_note", "closure_requested_by", "closure_requested_at"
    )
    audit.record(
        actor=actor,
        action="case.closure_request",
        obj=case,
        case_id=case.pk,
        changes={"reason": reason},
    )
    approval_requested(
        case, subject=f"closure:{case.pk}", period=case.closure_requested_at.isoformat()
    )
    case_reschedule_reminders(case)
    return case


def _end_community_sight(case: Case) -> int:
    """A closed case is no longer followed in the community: the commune committees that saw
    its follow-ups stop seeing the child. Returns how many area grants ended."""
    ended, _by_model = CaseAreaGrant.objects.filter(case=case).delete()
    return ended


@transaction.atomic(durable=True)
def case_approve_closure(
    *, actor: User, case: Case, comment: str = "", expected_version: int | None = None
) -> Case:
    case, _access = case_get(
        actor, case.pk, action="approve_closure", lock=True, expected_version=expected_version
    )
    case.status, case.stage, case.closed_at = Status.CLOSED, Stage.CLOSURE, timezone.now()
    case_changed(case, "status", "stage", "closed_at")
    approval_settled(case, subject=f"closure:{case.pk}")
    audit.record(
        actor=actor,
        action="case.close",
        obj=case,
        case_id=case.pk,
        changes={
            "reason": case.closure_reason,
            "comment": comment,
            "area_grants_ended": _end_community_sight(case),
        },
    )
    case_reschedule_reminders(case)
    return case


@transaction.atomic(durable=True)
def case_reject_closure(
    *, actor: User, case: Case, comment: str, expected_version: int | None = None
) -> Case:
    case, _access = case_get(
        actor, case.pk, action="approve_closure", lock=True, expected_version=expected_version
    )
    if not comment.strip():
        raise ValidationError({"comment": [_("Say why the closure is refused.")]})
    approval_settled(case, subject=f"closure:{case.pk}")
    case.closure_reason, case.closure_note = "", ""
    case.closure_requested_by, case.closure_requested_at = None, None
    case_changed(
        case, "closure_reason", "closure_note", "closure_requested_by", "closure_requested_at"
    )
    audit.record(
        actor=actor,
        action="case.closure_reject",
        obj=case,
        case_id=case.pk,
        changes={"comment": comment},
    )
    case_reschedule_reminders(case)
    return case


@transaction.atomic(durable=True)
def case_reopen(
    *, actor: User, case: Case, reason: str, expected_version: int | None = None
) -> Case:
    """A closed case comes back for a new assessment (a new concern, a failed reintegration)."""
    case, _access = case_get(
        actor, case.pk, action="reopen", lock=True, expected_version=expected_version
    )
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why the case is reopened.")]})
    case.status, case.stage, case.closed_at = Status.OPEN, Stage.ASSESSMENT, None
    case.closure_requested_by, case.closure_requested_at = None, None
    case_changed(
        case, "status", "stage", "closed_at", "closure_requested_by", "closure_requested_at"
    )
    audit.record(
        actor=actor, action="case.reopen", obj=case, case_id=case.pk, changes={"reason": reason}
    )
    case_reschedule_reminders(case)
    return case


@transaction.atomic(durable=True)
def case_record_view(*, actor: User, case: Case, what: str = "file") -> None:
    """Every reading of a case file is traceable: who read which case, when, from where."""
    audit.record(actor=actor, action=f"case.view_{what}", obj=case, case_id=case.pk, reading=True)


@transaction.atomic(durable=True)
def case_record_list_read(
    *, actor: User, what: str, query: Mapping[str, Any], case_ids: Sequence[int]
) -> None:
    """A page of a list that shows children's details is a reading of every case on it: one
    event names the list, the query (a search for a name says whom the reader looked for)
    and the cases shown, so browsing page after page is as traceable as opening each file."""
    audit.record(
        actor=actor,
        action=f"{what}.list_read",
        changes={"query": dict(query), "case_ids": list(case_ids)},
        reading=True,
    )
