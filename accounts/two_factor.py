"""Two-factor sign-in (TOTP, through django-otp): turning it on and off, and checking a code.

A person has at most one TOTP device. It is created unconfirmed when they start turning
two-factor sign-in on, and counts only once a current code from their authenticator app has
confirmed it. Checking a code records the device's own throttling state, so a wrong code is
checked outside the transaction that would otherwise roll that record back (as token_issue does
for the lockout).

The person's own row is the lock of their two-factor state (a device to lock may not exist
yet): each change takes it in its own transaction, then looks at the devices again.

Recovery codes stand in for the app when the phone is lost: turning two-factor sign-in on makes
ten, kept by django-otp as the tokens of one static device, each accepted once on the sign-in
page and at the token endpoint. They are digits only, longer than an app's code (so the two are
told apart by their length, and a phone's number pad types both)."""

from __future__ import annotations

import secrets
from base64 import b32encode
from dataclasses import dataclass

from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken, User
from audit import services as audit

DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
# 10 digits: with ten codes and the lockout after a few wrong tries, guessing one is hopeless.
RECOVERY_CODE_DIGITS = 10


def confirmed_device(user: User) -> TOTPDevice | None:
    """The person's confirmed TOTP device, or None when two-factor sign-in is off."""
    if user.pk is None:
        return None
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def unconfirmed_device(user: User) -> TOTPDevice | None:
    """The device the person has started to set up and not yet confirmed with a code."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).first()


def secret_of(device: TOTPDevice) -> str:
    """The secret as the base32 text an authenticator app asks for."""
    return b32encode(device.bin_key).decode()


def _lock_person(user: User) -> None:
    User.objects.select_for_update().only("pk").get(pk=user.pk)


def _plain(code: str) -> str:
    """The code as typed, without the spaces and dashes that group its digits."""
    return (code or "").strip().replace(" ", "").replace("-", "")


def recovery_codes_left(user: User) -> int:
    """How many of the person's recovery codes are still unused."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def format_recovery_code(code: str) -> str:
    """A code as shown: two groups of five digits, easier to copy by hand."""
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


def code_is_right(*, device: TOTPDevice, code: str) -> bool:
    """Whether the code is the device's current one (each code is accepted once)."""
    code = _plain(code)
    if not (code.isascii() and code.isdigit()) or len(code) != device.digits:
        device.throttle_increment(commit=True)
        return False
    return bool(device.verify_token(code))


@transaction.atomic(durable=True)
def two_factor_start(*, actor: User) -> TOTPDevice:
    """The unconfirmed device whose secret the person types into their app (a new one unless
    one is already waiting). Refused while two-factor sign-in is already on."""
    _lock_person(actor)
    if confirmed_device(actor) is not None:
        raise ValidationError(_("Two-factor sign-in is already on."))
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, confirmed=False)
        audit.record(
            actor=actor, action="two_factor.start", obj=device, changes={"confirmed": False}
        )
    return device


@dataclass(frozen=True)
class Enabled:
    device: TOTPDevice
    # Shown to the person once, right after; only django-otp's tokens keep them afterwards.
    recovery_codes: list[str]


def two_factor_enable(*, actor: User, code: str) -> Enabled:
    """Confirms the waiting device with a current code from the app, and makes the person's
    recovery codes."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        raise ValidationError(_("Start again: there is no secret waiting to be confirmed."))
    if not code_is_right(device=device, code=code):
        raise ValidationError({"code": [_("The code is wrong. Enter the current code.")]})
    return _confirm(actor=actor, device=device)


@transaction.atomic(durable=True)
def _confirm(*, actor: User, device: TOTPDevice) -> Enabled:
    _lock_person(actor)
    if not TOTPDevice.objects.filter(pk=device.pk, user=actor, confirmed=False).exists():
        # Confirmed or replaced by a request of the same person that came first.
        raise ValidationError(_("Start again: there is no secret waiting to be confirmed."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    # Any other device left from earlier attempts goes: one device per person.
    TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
    # Tokens issued on the password alone would go on working for hours as if the second factor
    # were still off (perhaps in the hands of whoever made the person turn it on). A new one
    # asks for the code. The signed-in session that confirmed the device stays.
    now = timezone.now()
    revoked = ApiToken.objects.filter(
        user=actor, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    audit.record(
        actor=actor,
        action="two_factor.enable",
        obj=device,
        changes={"confirmed": True, "api_tokens_revoked": revoked},
    )
    return Enabled(device=device, recovery_codes=_make_recovery_codes(actor))


def _make_recovery_codes(user: User) -> list[str]:
    """Replaces the person's recovery codes with new ones (inside the caller's transaction)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [
        f"{secrets.randbelow(10**RECOVERY_CODE_DIGITS):0{RECOVERY_CODE_DIGITS}d}"
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    audit.record(
        actor=user,
        action="two_factor.recovery_codes_made",
        obj=device,
        changes={"count": len(codes)},
    )
    return codes


def recovery_codes_renew(*, actor: User, code: str) -> list[str]:
    """New recovery codes in place of the old ones, after a current code from the app shows
    that the person still has it (a recovery code is not enough to make more)."""
    device = confirmed_device(actor)
    if device is None:
        raise ValidationError(_("Two-factor sign-in is off."))
    if not code_is_right(device=device, code=code):
        raise ValidationError({"code": [_("The code is wrong. Enter the current code.")]})
    return _renew(actor=actor)


@transaction.atomic(durable=True)
def _renew(*, actor: User) -> list[str]:
    _lock_person(actor)
    if confirmed_device(actor) is None:
        raise ValidationError(_("Two-factor sign-in is off."))
    return _make_recovery_codes(actor)


@transaction.atomic(durable=True)
def _use_recovery_code(*, user: User, code: str) -> bool:
    """Spends one of the person's recovery codes. The row's deletion decides: of two requests
    with the same code at once, only the one whose DELETE removed the row gets in."""
    deleted, _counts = StaticToken.objects.filter(
        device__user=user, device__confirmed=True, token=code
    ).delete()
    if not deleted:
        return False
    audit.record(
        actor=user,
        action="two_factor.recovery_code_used",
        obj=user,
        changes={"recovery_codes_left": recovery_codes_left(user)},
    )
    return True


def sign_in_code_is_right(*, user: User, device: TOTPDevice, code: str) -> bool:
    """Whether the code signs the person in: the app's current code, or one of their unused
    recovery codes (spent by this use)."""
    plain = _plain(code)
    if len(plain) == RECOVERY_CODE_DIGITS and plain.isascii() and plain.isdigit():
        return _use_recovery_code(user=user, code=plain)
    return code_is_right(device=device, code=code)


def two_factor_disable(*, actor: User, code: str) -> None:
    """Turns two-factor sign-in off, after a current code shows the app is still at hand (or a
    recovery code, for whoever lost the phone and wants to set up another)."""
    device = confirmed_device(actor)
    if device is None:
        raise ValidationError(_("Two-factor sign-in is already off."))
    if not sign_in_code_is_right(user=actor, device=device, code=code):
        raise ValidationError({"code": [_("The code is wrong. Enter the current code.")]})
    _remove(actor=actor, device=device)


@transaction.atomic(durable=True)
def _remove(*, actor: User, device: TOTPDevice) -> None:
    _lock_person(actor)
    if not TOTPDevice.objects.filter(pk=device.pk, user=actor, confirmed=True).exists():
        raise ValidationError(_("Two-factor sign-in is already off."))
    audit.record(actor=actor, action="two_factor.disable", obj=device, changes={"confirmed": False})
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()


@transaction.atomic(durable=True)
def two_factor_reset(*, actor: User, user: User) -> None:
    """An admin turns a person's two-factor sign-in off (their phone and their recovery codes
    are lost): the devices go, and so do API tokens issued with them. The person then signs in
    with the password alone and can set it up again."""
    # Imported here: accounts.services asks this module for the code at the token endpoint.
    from accounts.services import check_manages_user  # noqa: PLC0415

    check_manages_user(actor=actor, user=user)
    _lock_person(user)
    devices = TOTPDevice.objects.filter(user=user).count()
    recovery = recovery_codes_left(user)
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    now = timezone.now()
    revoked = ApiToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=now
    ).update(revoked_at=now)
    audit.record(
        actor=actor,
        action="two_factor.reset",
        obj=user,
        changes={
            "devices_removed": devices,
            "recovery_codes_removed": recovery,
            "api_tokens_revoked": revoked,
        },
    )


def count_failed_code(*, request: HttpRequest, user: User) -> None:
    """A wrong or missing code counts towards the lockout as a wrong password does."""
    user_login_failed.send(
        sender=__name__, credentials={"username": user.get_username()}, request=request
    )


def require_code(*, request: HttpRequest, user: User, code: str) -> None:
    """For a person whose two-factor sign-in is on, the current code must come with the
    password (the token endpoint asks for it too, so the API is no way around it). A wrong or
    missing code counts towards the lockout."""
    device = confirmed_device(user)
    if device is None or sign_in_code_is_right(user=user, device=device, code=code):
        return
    count_failed_code(request=request, user=user)
    message = (
        _("The code is wrong. Enter the current code.")
        if code
        else _("Enter the code from your authenticator app.")
    )
    raise ValidationError({"otp_token": [message]})
