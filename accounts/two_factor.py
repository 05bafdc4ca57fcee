"""Two-factor sign-in (TOTP, through django-otp): turning it on and off, and checking a code.

A person has at most one TOTP device. It is created unconfirmed when they start turning
two-factor sign-in on, and counts only once a current code from their authenticator app has
confirmed it. Checking a code records the device's own throttling state, so a wrong code is
checked outside the transaction that would otherwise roll that record back (as token_issue does
for the lockout).

The person's own row is the lock of their two-factor state (a device to lock may not exist
yet): each change takes it in its own transaction, then looks at the devices again."""

from __future__ import annotations

from base64 import b32encode

from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import ApiToken, User
from audit import services as audit

DEVICE_NAME = "Authenticator app"


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


def code_is_right(*, device: TOTPDevice, code: str) -> bool:
    """Whether the code is the device's current one (each code is accepted once)."""
    code = (code or "").strip().replace(" ", "")
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


def two_factor_enable(*, actor: User, code: str) -> TOTPDevice:
    """Confirms the waiting device with a current code from the app."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).first()
    if device is None:
        raise ValidationError(_("Start again: there is no secret waiting to be confirmed."))
    if not code_is_right(device=device, code=code):
        raise ValidationError({"code": [_("The code is wrong. Enter the current code.")]})
    return _confirm(actor=actor, device=device)


@transaction.atomic(durable=True)
def _confirm(*, actor: User, device: TOTPDevice) -> TOTPDevice:
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
    return device


def two_factor_disable(*, actor: User, code: str) -> None:
    """Turns two-factor sign-in off, after a current code shows the app is still at hand."""
    device = confirmed_device(actor)
    if device is None:
        raise ValidationError(_("Two-factor sign-in is already off."))
    if not code_is_right(device=device, code=code):
        raise ValidationError({"code": [_("The code is wrong. Enter the current code.")]})
    _remove(actor=actor, device=device)


@transaction.atomic(durable=True)
def _remove(*, actor: User, device: TOTPDevice) -> None:
    _lock_person(actor)
    if not TOTPDevice.objects.filter(pk=device.pk, user=actor, confirmed=True).exists():
        raise ValidationError(_("Two-factor sign-in is already off."))
    audit.record(actor=actor, action="two_factor.disable", obj=device, changes={"confirmed": False})
    TOTPDevice.objects.filter(user=actor).delete()


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
    if device is None or code_is_right(device=device, code=code):
        return
    count_failed_code(request=request, user=user)
    message = (
        _("The code is wrong. Enter the current code.")
        if code
        else _("Enter the code from your authenticator app.")
    )
    raise ValidationError({"otp_token": [message]})
