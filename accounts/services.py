"""Every write to people and organisations: checked, validated, audited, one transaction each.

Each service opens its own transaction (durable: none is ever run inside another one), locks
the row it changes and, for an edit, compares the version the caller read."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from axes.utils import reset as reset_failed_sign_ins
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import two_factor
from accounts.choices import EmailDelivery, Role
from accounts.events import user_deactivated
from accounts.models import Agency, AgencyService, ApiToken, Location, User
from accounts.password_email import send_password_reset_link
from accounts.selectors import can_manage_users
from accounts.self_service import end_sessions
from audit import services as audit
from core.compiled import CompiledQuery
from core.versions import check_version, save_versioned

TOKEN_PREFIX = "cpims_"  # noqa: S105 - a marker that makes leaked tokens easy to scan for


def _require_system_admin(actor: User) -> None:
    if actor.role != Role.SYSTEM_ADMIN:
        raise PermissionDenied(_("Only a system admin can do this."))


def _snapshot(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "role": user.role,
        "agency": user.agency_id,
        "location": user.location_id,
        "supervisor": user.supervisor_id,
        "is_active": user.is_active,
        "preferred_language": user.preferred_language,
    }


def _check_user_management(*, actor: User, agency: Agency | None, role: str) -> None:
    """Agency admins manage their own agency's people, and cannot make system admins."""
    if not can_manage_users(actor):
        raise PermissionDenied(_("Only system and agency admins manage users."))
    if actor.role == Role.AGENCY_ADMIN:
        if agency is None or agency.pk != actor.agency_id:
            raise PermissionDenied(_("Agency admins manage the users of their own agency only."))
        if role == Role.SYSTEM_ADMIN:
            raise PermissionDenied(_("Only a system admin can make another system admin."))


def check_manages_user(*, actor: User, user: User) -> None:
    """Raises PermissionDenied unless the actor may manage this person's account (a system
    admin anyone's, an agency admin her own agency's people other than system admins)."""
    _check_user_management(actor=actor, agency=user.agency, role=user.role)


@transaction.atomic(durable=True)
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    full_name: str,
    email: str = "",
    agency: Agency | None,
    role: str,
    location: Location | None = None,
    supervisor: User | None = None,
    preferred_language: str = "",
    must_change_password: bool = False,
) -> User:
    """Creates an account. ``must_change_password`` when the password is a temporary one the
    admin passes on: the person's first sign-in asks for their own."""
    _check_user_management(actor=actor, agency=agency, role=role)
    _check_language(preferred_language)
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        agency=agency,
        role=role,
        location=location,
        supervisor=supervisor,
        preferred_language=preferred_language,
        must_change_password=must_change_password,
        is_staff=role == Role.SYSTEM_ADMIN,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    user.set_password(password)
    user.full_clean()
    user.save()
    audit.record(actor=actor, action="user.create", obj=user, changes=_snapshot(user))
    return user


USER_EDITABLE_FIELDS = frozenset(
    {
        "full_name",
        "email",
        "role",
        "agency",
        "location",
        "supervisor",
        "is_active",
        "password",
        "preferred_language",
    }
)


def _check_language(language: str) -> None:
    languages = {code for code, _name in settings.LANGUAGES}
    if language not in {"", *languages}:
        raise ValidationError(
            {"preferred_language": [_("Choose one of: %s.") % ", ".join(sorted(languages))]}
        )


def _locked_user(pk: int) -> User:
    return (
        User.objects.select_related("agency", "location", "supervisor")
        .select_for_update(of=("self",))
        .get(pk=pk)
    )


@transaction.atomic(durable=True)
def user_update(
    *, actor: User, user: User, expected_version: int | None = None, **changes: Any
) -> User:
    """Edits a person's account, refused (412) when ``expected_version`` is given and the
    account changed since the caller read it."""
    unknown = set(changes) - USER_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    user = _locked_user(user.pk)
    target_agency = changes.get("agency", user.agency)
    _check_user_management(actor=actor, agency=user.agency, role=user.role)
    _check_user_management(actor=actor, agency=target_agency, role=changes.get("role", user.role))
    if user.pk == actor.pk and ("role" in changes or changes.get("is_active") is False):
        raise PermissionDenied(_("Nobody changes their own role or deactivates themselves."))
    check_version(user, expected_version)
    if "preferred_language" in changes:
        _check_language(changes["preferred_language"])
    before = _snapshot(user)
    password = changes.pop("password", None)
    for field, value in changes.items():
        setattr(user, field, value)
    user.is_staff = user.role == Role.SYSTEM_ADMIN
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from error
        user.set_password(password)
    user.full_clean()
    recorded = audit.diff(before, _snapshot(user))
    if password is not None:
        recorded["password"] = ["", ""]
    if recorded:
        # Only a change bumps the version: an edit that changes nothing leaves ETags good.
        save_versioned(user, [*changes, "is_staff", *(["password"] if password else [])])
    audit.record(actor=actor, action="user.update", obj=user, changes=recorded)
    if changes.get("is_active") is False or password is not None:
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
    if before["is_active"] and not user.is_active:
        end_sessions(user)
        user_deactivated.send(sender=User, user=user)
    return user


TEMPORARY_PASSWORD_GROUPS = 4
# Letters and digits without look-alikes (0/O, 1/l/I): read aloud or typed from paper without
# mistakes.
UNAMBIGUOUS_CHARACTERS = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    """A password for an admin to pass on by hand: four groups of four, about 79 bits."""
    return "-".join(
        "".join(secrets.choice(UNAMBIGUOUS_CHARACTERS) for _letter in range(4))
        for _group in range(TEMPORARY_PASSWORD_GROUPS)
    )


@transaction.atomic(durable=True)
def user_password_link(*, actor: User, user: User) -> None:
    """Emails a person a one-time link to choose a new password (the forgotten-password email),
    sent by an admin for them. Their current password keeps working until they use it."""
    check_manages_user(actor=actor, user=user)
    if not user.is_active:
        raise ValidationError(_("Reactivate the account first."))
    if not user.email:
        raise ValidationError(
            _("This account has no email address: give it one, or a temporary password.")
        )
    send_password_reset_link(user=user)
    audit.record(actor=actor, action="user.password_link", obj=user, changes={"email": user.email})


@transaction.atomic(durable=True)
def user_password_temporary(*, actor: User, user: User) -> str:
    """Gives a person a temporary password, returned once for the admin to pass on by hand (it
    is stored only hashed). Their next sign-in asks for a new one; their API tokens stop and
    their open sessions end, since the password they were opened with is gone."""
    user = _locked_user(user.pk)
    check_manages_user(actor=actor, user=user)
    if user.pk == actor.pk:
        raise PermissionDenied(_("Change your own password on your account page."))
    if not user.is_active:
        raise ValidationError(_("Reactivate the account first."))
    temporary = temporary_password()
    user.set_password(temporary)
    user.must_change_password = True
    save_versioned(user, ["password", "must_change_password"])
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    reset_failed_sign_ins(username=user.get_username())
    end_sessions(user)
    audit.record(
        actor=actor,
        action="user.password_temporary",
        obj=user,
        changes={"must_change_password": True, "api_tokens_revoked": revoked},
    )
    return temporary


@transaction.atomic(durable=True)
def user_set_preferences(
    *, actor: User, preferred_language: str | None = None, email_delivery: str | None = None
) -> User:
    """A person's own choices: the interface language and how notifications reach them by
    email. Only for oneself; nobody chooses for another. Returns the account as saved."""
    errors: dict[str, list[str]] = {}
    languages = {code for code, _name in settings.LANGUAGES}
    if preferred_language is not None and preferred_language not in {"", *languages}:
        errors["preferred_language"] = [_("Choose one of: %s.") % ", ".join(sorted(languages))]
    if email_delivery is not None and email_delivery not in EmailDelivery.values:
        errors["email_delivery"] = [_("Choose one of: %s.") % ", ".join(EmailDelivery.values)]
    if errors:
        raise ValidationError(errors)
    me = _locked_user(actor.pk)
    before = {"preferred_language": me.preferred_language, "email_delivery": me.email_delivery}
    if preferred_language is not None:
        me.preferred_language = preferred_language
    if email_delivery is not None:
        me.email_delivery = email_delivery
    after = {"preferred_language": me.preferred_language, "email_delivery": me.email_delivery}
    if after != before:
        save_versioned(me, list(after))
        audit.record(
            actor=actor, action="user.preferences", obj=me, changes=audit.diff(before, after)
        )
    return me


def _agency_snapshot(agency: Agency) -> dict[str, Any]:
    return {
        "name": agency.name,
        "type": agency.type,
        "location": agency.location_id,
        "services": sorted(agency.service_rows.values_list("service", flat=True)),
        "coverage": sorted(agency.coverage.values_list("id", flat=True)),
        "requires_referral_approval": agency.requires_referral_approval,
        "is_active": agency.is_active,
    }


def _set_agency_offer(
    agency: Agency, services: Sequence[str] | None, coverage: Iterable[Location] | None
) -> None:
    if services is not None:
        agency.service_rows.exclude(service__in=services).delete()
        AgencyService.objects.bulk_create(
            [AgencyService(agency=agency, service_id=code) for code in sorted(set(services))],
            ignore_conflicts=True,
        )
    if coverage is not None:
        agency.coverage.set(coverage)


@transaction.atomic(durable=True)
def agency_create(
    *,
    actor: User,
    name: str,
    type: str,
    location: Location | None = None,
    services: Sequence[str] = (),
    coverage: Iterable[Location] = (),
    requires_referral_approval: bool = False,
    is_active: bool = True,
) -> Agency:
    _require_system_admin(actor)
    agency = Agency(
        name=name,
        type=type,
        location=location,
        requires_referral_approval=requires_referral_approval,
        is_active=is_active,
    )
    agency.full_clean()
    agency.save()
    _set_agency_offer(agency, services, coverage)
    audit.record(actor=actor, action="agency.create", obj=agency, changes=_agency_snapshot(agency))
    return agency


AGENCY_EDITABLE_FIELDS = frozenset(
    {"name", "type", "location", "services", "coverage", "requires_referral_approval", "is_active"}
)
# What an agency admin keeps up to date in her agency's directory entry: what it offers, where,
# and how its referrals leave. Its name, kind, seat and whether it is active are the system
# admin's, as the rest of the directory is built on them.
AGENCY_ADMIN_EDITABLE_FIELDS = frozenset({"services", "coverage", "requires_referral_approval"})


def may_edit_agency(actor: User, agency: Agency) -> bool:
    """Whether the actor edits this agency's directory entry at all (fully or in part)."""
    return actor.role == Role.SYSTEM_ADMIN or (
        actor.role == Role.AGENCY_ADMIN and actor.agency_id == agency.pk
    )


def _check_agency_edit(*, actor: User, agency: Agency, fields: set[str]) -> None:
    if actor.role == Role.SYSTEM_ADMIN:
        return
    if not may_edit_agency(actor, agency):
        raise PermissionDenied(_("Agency admins edit their own agency's entry only."))
    if fields - AGENCY_ADMIN_EDITABLE_FIELDS:
        raise PermissionDenied(
            _("Only a system admin changes an agency's name, kind, place or whether it is active.")
        )


@transaction.atomic(durable=True)
def agency_update(
    *, actor: User, agency: Agency, expected_version: int | None = None, **changes: Any
) -> Agency:
    """Edits an agency and its offer, refused (412) when ``expected_version`` is given and the
    agency changed since the caller read it."""
    unknown = set(changes) - AGENCY_EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    _check_agency_edit(actor=actor, agency=agency, fields=set(changes))
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    check_version(agency, expected_version)
    before = _agency_snapshot(agency)
    services = changes.pop("services", None)
    coverage = changes.pop("coverage", None)
    for field, value in changes.items():
        setattr(agency, field, value)
    agency.full_clean()
    _set_agency_offer(agency, services, coverage)
    recorded = audit.diff(before, _agency_snapshot(agency))
    if recorded:
        # Only a change bumps the version: an edit that changes nothing leaves ETags good.
        save_versioned(agency, list(changes))
    audit.record(actor=actor, action="agency.update", obj=agency, changes=recorded)
    return agency


@transaction.atomic(durable=True)
def location_create(
    *,
    actor: User | None,
    code: str,
    name_en: str,
    name_km: str,
    level: str,
    parent: Location | None = None,
) -> Location:
    """Adds a place to the gazetteer. ``actor`` is None only for the import command run by the
    operator, which records itself as such in the trail."""
    if actor is not None:
        _require_system_admin(actor)
    location = Location(code=code, name_en=name_en, name_km=name_km, level=level, parent=parent)
    location.path = Location.path_for(parent=parent, code=code)
    location.full_clean()
    location.save()
    audit.record(
        actor=actor,
        action="location.create",
        obj=location,
        changes={
            "code": code,
            "name_en": name_en,
            "name_km": name_km,
            "level": level,
            "parent": parent.pk if parent else None,
        },
    )
    return location


# --- API tokens --------------------------------------------------------------------------------


def _hash_token(raw: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 is as strong as a slow hash here and keeps
    # the lookup a single indexed equality.
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: datetime
    record: ApiToken


def token_issue(
    *, request: HttpRequest, username: str, password: str, otp_token: str = ""
) -> IssuedToken:
    """Checks the credentials through the same authentication stack as the login page, so failed
    attempts count towards the same lockout (a locked account is answered by the lockout
    response, see cpims.lockout).

    The check runs outside any transaction: the lockout records each failure in the database,
    and the error raised for it must not roll that record back."""
    user = authenticate(request=request, username=username, password=password)
    if not isinstance(user, User):
        raise ValidationError({"non_field_errors": [_("Wrong username or password.")]})
    two_factor.require_code(request=request, user=user, code=otp_token)
    if user.must_change_password:
        # A temporary password, given by an admin, is for choosing one's own on the web only.
        raise ValidationError(
            {
                "non_field_errors": [
                    _(
                        "Your password is a temporary one. Sign in on the website and choose "
                        "your own password first, then ask for a token again."
                    )
                ]
            }
        )
    return _token_create(user=user)


@transaction.atomic(durable=True)
def _token_create(*, user: User) -> IssuedToken:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user,
        key_hash=_hash_token(raw),
        prefix=raw[: len(TOKEN_PREFIX) + 4],
        expires_at=timezone.now() + settings.API_TOKEN_LIFETIME,
    )
    audit.record(
        actor=user, action="token.issue", obj=record, changes={"expires_at": record.expires_at}
    )
    # Getting a token is signing in: as after the login page, earlier failures stop counting
    # towards the lockout and last_login is updated. (Not through the user_logged_in signal: the
    # lockout's receiver for it opens a session, and a token client must not get one.)
    if settings.AXES_RESET_ON_SUCCESS:
        reset_failed_sign_ins(username=user.get_username())
    update_last_login(type(user), user)
    return IssuedToken(token=raw, expires_at=record.expires_at, record=record)


# Every API request looks its token up, one shape for all: compiled once (core.compiled).
_TOKEN_BY_HASH = CompiledQuery(
    lambda key_hash: ApiToken.objects.select_related(
        "user", "user__agency", "user__location"
    ).filter(key_hash=key_hash),  # unique
    key_hash=str,
)


def token_lookup(raw: str) -> ApiToken | None:
    """The usable token with this value, with its user, or None."""
    found = _TOKEN_BY_HASH.instances(key_hash=_hash_token(raw))
    record = cast(ApiToken, found[0]) if found else None
    if record is None or not record.is_usable() or not record.user.is_active:
        return None
    # Record use at most once a minute, so reads do not each cost a write.
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
        record.last_used_at = now
    return record


@transaction.atomic(durable=True)
def token_revoke(*, actor: User, token: ApiToken) -> None:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.user_id != actor.pk:
        raise PermissionDenied(_("Only the token's owner can revoke it."))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="token.revoke", obj=token)


@transaction.atomic(durable=True)
def account_unlock(*, actor: User, username: str) -> int:
    """Lifts a sign-in lockout before its time is up: the failed attempts recorded for the
    username stop counting. Returns how many records were removed."""
    if not username:
        # An empty username would match every lockout, not none.
        raise ValidationError({"username": [_("Name the account to unlock.")]})
    user = User.objects.filter(username=username).first()
    if user is None:
        _require_system_admin(actor)
    else:
        _check_user_management(actor=actor, agency=user.agency, role=user.role)
    removed = reset_failed_sign_ins(username=username)
    audit.record(
        actor=actor,
        action="user.unlock",
        obj=user,
        changes={"username": username, "failed_attempts_removed": removed},
    )
    return removed
