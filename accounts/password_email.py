"""The email that carries a link, usable once, to choose a new password: asked for from the
sign-in page (sent by a Celery task, accounts.tasks) or by an admin for a person."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.models import User

logger = logging.getLogger(__name__)


def _language_of(user: User) -> str:
    languages = {code for code, _name in settings.LANGUAGES}
    return (
        user.preferred_language if user.preferred_language in languages else settings.LANGUAGE_CODE
    )


def send_password_reset_link(*, user: User) -> None:
    """Emails the person a link, usable once, to choose a new password, in their own language.
    The link points to SITE_URL (never to the host a request named, which a caller chooses).
    Refused for an account that has no email address or is deactivated."""
    if not user.email or not user.is_active:
        raise ValidationError(_("This account has no email address a link can be sent to."))
    path = reverse(
        "password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "link": settings.SITE_URL.rstrip("/") + path,
        "hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
    }
    with translation.override(_language_of(user)):
        subject = render_to_string("accounts/account/password_reset_subject.txt", context)
        body = render_to_string("accounts/account/password_reset_email.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[user.email]).send()
    logger.info("Password reset link sent to user %s", user.pk)


def password_reset_links_send(email: str) -> int:
    """Sends a reset link to each active account with this email address (none when there is
    none). A failure to send is logged. Returns how many were sent."""
    sent = 0
    for person in User.objects.filter(email__iexact=email, is_active=True):
        if not person.has_usable_password():
            continue
        try:
            send_password_reset_link(user=person)
        except Exception:
            logger.exception("Could not send a password reset link to user %s", person.pk)
        else:
            sent += 1
    return sent
