from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import anchors
from audit.models import AuditEvent
from audit.services import verify_chain

# A rewritten trail fails against every anchor after the change: the first ones tell the story.
_MAX_PROBLEMS_SHOWN = 20


class Command(BaseCommand):
    help = (
        "Checks the audit trail's hash chain, and the trail against every signed anchor; fails "
        "naming what was altered or removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--restored-backup",
            action="store_true",
            help="The database is a restored backup: skip the anchors written after it was "
            "taken (those beyond its last event); every other anchor must still match.",
        )

    def handle(self, *args: Any, restored_backup: bool, **options: Any) -> None:
        problems: list[str] = []
        broken_at = verify_chain()
        if broken_at is not None:
            problems.append(
                f"Audit trail broken at event {broken_at}: it, or the row before it, was altered "
                "or removed."
            )
        report = anchors.verify_anchors(restored_backup=restored_backup)
        problems.extend(report.problems)
        if problems:
            shown = problems[:_MAX_PROBLEMS_SHOWN]
            if len(problems) > len(shown):
                shown.append(f"... and {len(problems) - len(shown)} more.")
            raise CommandError("\n".join(shown))
        self.stdout.write(f"Audit trail intact: {AuditEvent.objects.count()} events verified.")
        if report.newest is None:
            self.stdout.write(
                self.style.WARNING(
                    f"No anchors in {anchors.anchor_path()}: only the chain's own links were "
                    "checked."
                )
            )
        else:
            self.stdout.write(
                f"{report.anchors} anchors verified; the newest, at {report.newest.anchored_at}, "
                f"covers events up to {report.newest.last_id}."
            )
