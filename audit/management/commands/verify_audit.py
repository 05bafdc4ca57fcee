from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.models import AuditEvent
from audit.services import verify_chain


class Command(BaseCommand):
    help = "Checks the audit trail's hash chain; fails naming the first altered or missing row."

    def handle(self, *args: Any, **options: Any) -> None:
        broken_at = verify_chain()
        if broken_at is not None:
            raise CommandError(
                f"Audit trail broken at event {broken_at}: it, or the row before it, was altered "
                "or removed."
            )
        self.stdout.write(f"Audit trail intact: {AuditEvent.objects.count()} events verified.")
