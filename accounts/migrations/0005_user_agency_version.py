import core.versions
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_email_delivery"),
    ]

    operations = [
        migrations.AddField(
            model_name="agency",
            name="version",
            field=core.versions.VersionField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name="user",
            name="version",
            field=core.versions.VersionField(default=1, editable=False),
        ),
    ]
