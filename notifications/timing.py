"""Turning deadlines (dates) into the moments their reminders come, in the system's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def start_of(day: date) -> datetime:
    """The first moment of ``day`` where the system runs (settings.TIME_ZONE)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def lead_time() -> timedelta:
    """How long before a deadline its reminder comes (REMINDER_LEAD_DAYS)."""
    return timedelta(days=settings.REMINDER_LEAD_DAYS)
