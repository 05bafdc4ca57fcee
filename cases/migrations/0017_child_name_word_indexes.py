"""Indexes of whole names for the search across a territory (cases.search): the words of the
Latin name (GIN on PostgreSQL) and the Khmer key. A name written exactly is found from them in
a few milliseconds however many children the country holds, where the trigram indexes read
every name sharing a few letters with it."""

from django.db import migrations, models

from core.migration_operations import sql_on_postgresql

CREATE = """
CREATE INDEX child_name_words ON cases_child USING gin (string_to_array(search_name, ' '));
"""

DROP = "DROP INDEX IF EXISTS child_name_words;"


class Migration(migrations.Migration):
    dependencies = [("cases", "0016_child_district_path")]

    operations = [
        migrations.AddIndex(
            model_name="child",
            index=models.Index(fields=["search_name_km"], name="child_search_name_km_idx"),
        ),
        sql_on_postgresql(CREATE, DROP),
    ]
