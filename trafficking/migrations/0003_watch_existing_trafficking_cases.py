"""Trafficking cases are now watched when their concern is written, no longer found by each
reminder sweep: the open ones not watched yet, with no identification, are watched here once."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import migrations
from django.db.models import Exists, OuterRef

# As trafficking.choices.TRAFFICKING_CONCERNS when this migration was written.
TRAFFICKING_CONCERNS = ("sex_trafficking", "labour_trafficking")
BATCH = 5000


def watch_existing(apps: Any, schema_editor: Any) -> None:
    case_model = apps.get_model("cases", "Case")
    concern_model = apps.get_model("cases", "CaseConcern")
    watch_model = apps.get_model("trafficking", "IdentificationWatch")
    identification_model = apps.get_model("trafficking", "VictimIdentification")
    wait = timedelta(days=settings.IDENTIFICATION_DAYS)
    unwatched = (
        case_model.objects.filter(status="open")
        .filter(
            Exists(
                concern_model.objects.filter(
                    case_id=OuterRef("pk"), concern_id__in=TRAFFICKING_CONCERNS
                )
            )
        )
        .exclude(Exists(watch_model.objects.filter(case_id=OuterRef("pk"))))
        .exclude(Exists(identification_model.objects.filter(case_id=OuterRef("pk"))))
        .values_list("pk", "created_at")
    )
    watch_model.objects.bulk_create(
        (watch_model(case_id=pk, remind_at=created_at + wait) for pk, created_at in unwatched),
        batch_size=BATCH,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_child_name_word_indexes"),
        ("trafficking", "0002_crossings"),
    ]

    operations = [migrations.RunPython(watch_existing, migrations.RunPython.noop)]
