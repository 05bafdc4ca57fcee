import core.versions
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_webhook_delivery_refused"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="version",
            field=core.versions.VersionField(default=1, editable=False),
        ),
    ]
