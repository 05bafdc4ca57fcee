"""What a person does for their own account: where they are signed in (and ending a session
they do not recognise), changing their password, and getting a new one by email when they
forgot it.

A browser session is Django's (in the database session store); a ``SignedInSession`` row names
it and says where it was opened, so the account page can list it. Ending a session deletes it
from the store, which signs that browser out at its next request. Changing or resetting the
password also ends sessions: Django would refuse them anyway at their next request (the session
holds a hash of the old password), and deleting them says so on the account page at once.

Each write opens its own durable transaction and records its audit event, as in
accounts.services."""

from __future__ import annotations

import hashlib
import ipaddress
import logging
from datetime import timedelta
from importlib import import_module

from axes.utils import reset as reset_failed_sign_ins
from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, OuterRef, QuerySet, Subquery
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import tasks
from accounts.models import ApiToken, SignedInSession, User
from audit import services as audit
from audit.middleware import client_ip
from core.versions import save_versioned

logger = logging.getLogger(__name__)

USER_AGENT_LENGTH = SignedInSession._meta.get_field("user_agent").max_length or 300
RATE_WINDOW_SECONDS = 3600


# --- Signed-in sessions ------------------------------------------------------------------------


def _address(request: HttpRequest) -> str | None:
    """The client's address as the column stores it, or None when what the proxies passed on
    is not an address."""
    address = client_ip(request)
    try:
        return str(ipaddress.ip_address(address)) if address else None
    except ValueError:
        return None


def session_opened(*, request: HttpRequest, user: User) -> None:
    """Records the session a sign-in has just opened (the user_logged_in receiver). Django gave
    it a new key as it signed the person in, so the key names this session only."""
    key = request.session.session_key
    if not key or not isinstance(user, User):
        return
    SignedInSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "created_at": timezone.now(),
            "ip_address": _address(request),
            "user_agent": request.headers.get("user-agent", "")[:USER_AGENT_LENGTH],
            "ended_at": None,
        },
    )


def session_closed(*, request: HttpRequest) -> None:
    """Marks the session ended as its person signs out (the user_logged_out receiver)."""
    key = getattr(request, "session", None) and request.session.session_key
    if key:
        SignedInSession.objects.filter(session_key=key, ended_at__isnull=True).update(
            ended_at=timezone.now()
        )


def account_of(user: User) -> User:
    """The person's own account, with the agency and place the account page names."""
    return User.objects.select_related("agency", "location").get(pk=user.pk)


def open_sessions(user: User) -> QuerySet[SignedInSession]:
    """The person's sessions still open: not signed out or ended, and still in the session
    store, unexpired. One query; ``last_activity`` is when the session was last used (each
    request renews its expiry by SESSION_COOKIE_AGE)."""
    expiry = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    ).values("expire_date")[:1]
    return (
        SignedInSession.objects.filter(user=user, ended_at__isnull=True)
        .annotate(expires_at=Subquery(expiry))
        .filter(expires_at__isnull=False)
        .annotate(
            last_activity=ExpressionWrapper(
                F("expires_at") - timedelta(seconds=settings.SESSION_COOKIE_AGE),
                output_field=DateTimeField(),
            )
        )
        .order_by("-expires_at", "-pk")
    )


def usable_tokens(user: User) -> QuerySet[ApiToken]:
    """The person's API tokens that still work (not revoked, not expired)."""
    return ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def _session_store_delete(session_key: str) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store().delete(session_key)


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Ends the person's open sessions but ``keep``, inside the caller's transaction (a service
    that takes away the password they were opened with calls it). Returns how many were
    ended."""
    rows = SignedInSession.objects.select_for_update().filter(user=user, ended_at__isnull=True)
    if keep:
        rows = rows.exclude(session_key=keep)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        _session_store_delete(key)
    return SignedInSession.objects.filter(session_key__in=keys).update(ended_at=timezone.now())


@transaction.atomic(durable=True)
def session_end(*, actor: User, session_id: int) -> None:
    """Signs out one of the person's own sessions (a browser left signed in, one they do not
    recognise). Another person's session, or one already ended, is answered as missing."""
    row = (
        SignedInSession.objects.select_for_update()
        .filter(pk=session_id, user=actor, ended_at__isnull=True)
        .first()
    )
    if row is None:
        raise SignedInSession.DoesNotExist
    _session_store_delete(row.session_key)
    row.ended_at = timezone.now()
    row.save(update_fields=["ended_at"])
    audit.record(
        actor=actor,
        action="session.end",
        obj=row,
        changes={"ip_address": row.ip_address, "created_at": row.created_at},
    )


@transaction.atomic(durable=True)
def sessions_end_others(*, actor: User, current_session_key: str | None) -> int:
    """Signs out every session of the person but the one making the request. Returns how many
    were ended."""
    ended = end_sessions(actor, keep=current_session_key)
    audit.record(actor=actor, action="session.end_others", obj=actor, changes={"ended": ended})
    return ended


# --- Passwords ---------------------------------------------------------------------------------


def _check_new_password(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def _set_password(user: User, password: str) -> dict[str, int | bool]:
    """Sets the password and takes away what the old one gave: API tokens and the flag asking
    for a new one. Returns the changes for the audit trail (never the password)."""
    was_forced = user.must_change_password
    user.set_password(password)
    user.must_change_password = False
    save_versioned(user, ["password", "must_change_password"])
    now = timezone.now()
    revoked = ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    return {"must_change_password": was_forced, "api_tokens_revoked": revoked}


@transaction.atomic(durable=True)
def password_change(
    *,
    actor: User,
    old_password: str,
    new_password: str,
    request: HttpRequest | None = None,
) -> User:
    """The person chooses a new password, giving the current one. Their API tokens are revoked
    and their other sessions ended; the session of ``request`` stays signed in (under a new
    key). Returns the account as saved."""
    user = User.objects.select_for_update().get(pk=actor.pk)
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("Your current password is not that.")]})
    if new_password == old_password:
        raise ValidationError(
            {"new_password": [_("Choose a password other than your current one.")]}
        )
    _check_new_password(new_password, user, "new_password")
    changes = _set_password(user, new_password)
    current = request.session.session_key if request is not None else None
    changes["sessions_ended"] = end_sessions(user, keep=current)
    audit.record(actor=actor, action="user.password_change", obj=user, changes=changes)
    if request is not None:
        # The session now holds the new password's hash, under a new key.
        update_session_auth_hash(request, user)
        if current:
            SignedInSession.objects.filter(session_key=current).update(
                session_key=request.session.session_key
            )
    return user


@transaction.atomic(durable=True)
def password_reset_complete(*, user: User, new_password: str) -> User:
    """Sets the password chosen through a reset link (which proved the person reads the
    account's email). Failed sign-ins stop counting towards the lockout, API tokens are revoked
    and every session of the person is ended, for whoever may have known the old password."""
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_new_password(new_password, user, "new_password")
    changes = _set_password(user, new_password)
    changes["sessions_ended"] = end_sessions(user)
    changes["failed_sign_ins_forgotten"] = reset_failed_sign_ins(username=user.get_username())
    audit.record(actor=user, action="user.password_reset", obj=user, changes=changes)
    return user


def password_reset_request(*, email: str, request: HttpRequest) -> None:
    """Queues the sending of a reset link to each active account with this email address.
    Nothing is looked up or sent while the request waits, so the answer takes as long, and
    says the same, whether an address has an account or not. A broker that cannot be reached
    is logged, not shown, for the same reason."""
    try:
        tasks.send_password_reset_links.delay(email)
    except Exception:
        logger.exception("Could not queue password reset links, asked from %s", client_ip(request))


def password_reset_allowed(*, request: HttpRequest, email: str) -> bool:
    """Counts one more request for a reset link from this address and for this email, each
    within the hour since its first; False once either passed PASSWORD_RESET_LIMIT_PER_HOUR.
    The counts live in the cache (Redis when configured, so all web processes share them);
    the email is kept only as a hash."""
    limit = settings.PASSWORD_RESET_LIMIT_PER_HOUR
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    keys = [f"password-reset:ip:{client_ip(request) or '-'}", f"password-reset:email:{digest}"]
    allowed = True
    for key in keys:
        cache.add(key, 0, timeout=RATE_WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=RATE_WINDOW_SECONDS)
            count = 1
        allowed = allowed and count <= limit
    return allowed
