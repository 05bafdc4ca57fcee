"""Object grants: how higher apps (referrals, reintegration) open a case to people outside its
scope, or a section of it to a commune's committee. They call this, never write grant rows
themselves."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from accounts.models import Location, User
from audit import services as audit
from cases.models import (
    CONTRIBUTE_PERMISSION,
    SECTION_PERMISSIONS,
    Case,
    CaseAreaGrant,
    CaseGrantBasis,
    CaseUserObjectPermission,
    DepartureReason,
)
from cases.services.sync import departures_record, who_sees


# Not durable: it runs inside the referral's or the reintegration's transaction that grants.
@transaction.atomic
def case_set_grants(
    *,
    actor: User,
    case: Case,
    grantee: User,
    sections: Collection[str],
    contribute: bool,
    reason: str,
) -> None:
    """Makes what ``reason`` (a referral, a reintegration) grants ``grantee`` on ``case``
    exactly ``sections`` (plus the right to add notes and services when ``contribute``); an
    empty set with no contribution withdraws it. Callers recompute the set from what still
    justifies it (every accepted referral the person works on). The person holds the union of
    what every reason grants, so ending a referral never strips what a reintegration gives."""
    unknown = set(sections) - set(SECTION_PERMISSIONS)
    if unknown:
        raise ValueError(f"Unknown sections: {sorted(unknown)}")
    if sections or contribute:
        # One statement: the reason's row is written, or rewritten when it was there.
        CaseGrantBasis.objects.bulk_create(
            [
                CaseGrantBasis(
                    case=case,
                    user=grantee,
                    reason=reason,
                    sections=sorted(sections),
                    contribute=contribute,
                )
            ],
            update_conflicts=True,
            unique_fields=["case", "user", "reason"],
            update_fields=["sections", "contribute"],
        )
    else:
        CaseGrantBasis.objects.filter(case=case, user=grantee, reason=reason).delete()
    wanted: set[str] = set()
    for basis in CaseGrantBasis.objects.filter(case=case, user=grantee):
        wanted.update(SECTION_PERMISSIONS[section] for section in basis.sections)
        if basis.contribute:
            wanted.add(CONTRIBUTE_PERMISSION)
    held = set(
        CaseUserObjectPermission.objects.filter(content_object=case, user=grantee).values_list(
            "permission__codename", flat=True
        )
    )
    if held == wanted:
        return
    # Taking a grant away may take the case out of the person's sight (the gone feed).
    saw = who_sees(case, [grantee]) if held - wanted else set()
    if held - wanted:
        CaseUserObjectPermission.objects.filter(content_object=case, user=grantee).exclude(
            permission__codename__in=wanted
        ).delete()
    if wanted - held:
        # guardian's assign_perm takes five statements a permission; these rows are the same,
        # and one granted meanwhile by another transaction is left as it is.
        permissions = Permission.objects.filter(
            content_type=ContentType.objects.get_for_model(Case), codename__in=wanted - held
        )
        CaseUserObjectPermission.objects.bulk_create(
            (
                CaseUserObjectPermission(content_object=case, user=grantee, permission=permission)
                for permission in permissions
            ),
            ignore_conflicts=True,
        )
    departures_record(case=case, people=[grantee], saw=saw, reason=DepartureReason.GRANT_ENDED)
    audit.record(
        actor=actor,
        action="case.grants",
        obj=case,
        case_id=case.pk,
        changes={"grantee": grantee.pk, "granted": sorted(wanted), "reason": reason},
    )


# Not durable: it runs inside the reintegration's transaction that grants.
@transaction.atomic
def case_set_area_grants(
    *, actor: User, case: Case, location: Location, sections: Collection[str], reason: str
) -> None:
    """Makes the sections of ``case`` open to the community structure of ``location`` (its
    commune committee) exactly ``sections``; an empty set closes them. Like
    :func:`case_set_grants`, callers recompute the whole set from what still justifies it."""
    unknown = set(sections) - set(SECTION_PERMISSIONS)
    if unknown:
        raise ValueError(f"Unknown sections: {sorted(unknown)}")
    held = set(
        CaseAreaGrant.objects.filter(case=case, location=location).values_list("section", flat=True)
    )
    if held == set(sections):
        return
    CaseAreaGrant.objects.filter(case=case, location=location).exclude(
        section__in=sections
    ).delete()
    for section in sorted(set(sections) - held):
        CaseAreaGrant.objects.create(case=case, location=location, section=section, reason=reason)
    audit.record(
        actor=actor,
        action="case.area_grants",
        obj=case,
        case_id=case.pk,
        changes={"location": location.pk, "sections": sorted(sections), "reason": reason},
    )
