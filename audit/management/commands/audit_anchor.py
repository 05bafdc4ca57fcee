from typing import Any

from django.core.management.base import BaseCommand

from audit import anchors


class Command(BaseCommand):
    help = (
        "Appends a signed anchor of the audit chain's head to AUDIT_ANCHOR_PATH (beat does this "
        "every few minutes)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = anchors.anchor_write()
        if anchor is None:
            self.stdout.write("Nothing to anchor: the trail is empty or has not grown.")
            return
        self.stdout.write(
            f"Anchored event {anchor.last_id} ({anchor.count} events) in {anchors.anchor_path()}."
        )
