"""Each child's district, and trigram indexes led by it that return the nearest names first:
the duplicate check reads a bounded number of namesakes from the child's district however many
children the country holds (GiST on PostgreSQL; elsewhere names are matched whole)."""

from django.db import migrations, models

from core.migration_operations import sql_on_postgresql

BACKFILL = """
UPDATE cases_child
SET district_path = split_part(location_path, '/', 1) || '/' || split_part(location_path, '/', 2) || '/'
WHERE location_path <> '';
"""

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE INDEX child_district_name_knn ON cases_child
    USING gist (district_path, search_name gist_trgm_ops);
CREATE INDEX child_district_name_km_knn ON cases_child
    USING gist (district_path, search_name_km gist_trgm_ops);
"""

DROP = """
DROP INDEX IF EXISTS child_district_name_knn;
DROP INDEX IF EXISTS child_district_name_km_knn;
"""


def _backfill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKFILL)
        return
    child_model = apps.get_model("cases", "Child")
    for child in child_model.objects.exclude(location_path="").only("id", "location_path"):
        codes = child.location_path.split("/")[:2]
        child.district_path = "".join(f"{code}/" for code in codes if code)
        child.save(update_fields=["district_path"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0015_case_departures_and_sync_index")]

    operations = [
        migrations.AddField(
            model_name="child",
            name="district_path",
            field=models.CharField(default="", editable=False, max_length=32),
        ),
        migrations.RunPython(_backfill, migrations.RunPython.noop),
        sql_on_postgresql(CREATE, DROP),
    ]
