"""Celery tasks of accounts: thin wrappers around its services."""

from __future__ import annotations

from celery import shared_task

from accounts import password_email


@shared_task(ignore_result=True)
def send_password_reset_links(email: str) -> int:
    """The forgotten-password emails, sent away from the request that asked for them."""
    return password_email.password_reset_links_send(email)
