"""manage.py run_reminders [--at ISO-TIME]: the reminder sweep that Celery beat runs, now,
including its second half: queueing again the emails whose task message was lost."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from kombu.exceptions import OperationalError

from notifications.reminders import requeue_stale_emails, run_sweep


class Command(BaseCommand):
    help = (
        "Creates the reminders due now, or as of --at (an ISO 8601 time), and prints how many "
        "notifications it created. Running it twice for the same time creates nothing new. "
        "Then queues again the emails left waiting or stuck in sending (a worker died), for "
        "the workers to send."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="ISO 8601 time, e.g. 2026-12-01T08:00:00+07:00")

    def handle(self, *args: Any, **options: Any) -> None:
        at = timezone.now()
        if options["at"]:
            parsed = parse_datetime(options["at"])
            if parsed is None:
                raise CommandError(f"Not an ISO 8601 time: {options['at']}")
            at = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        created = run_sweep(now=at)
        self.stdout.write(f"{created} notifications created (as of {at.isoformat()}).")
        try:
            requeued = requeue_stale_emails()
        except OperationalError as error:
            raise CommandError(
                f"The broker is out of reach ({error}): the emails still to send stay waiting "
                "for the next sweep."
            ) from error
        self.stdout.write(f"{requeued} emails queued again.")
