"""Trigram indexes for fuzzy name search, in Latin letters and in Khmer script (PostgreSQL
only; elsewhere the search falls back to substring matching)."""

from django.db import migrations

from core.migration_operations import sql_on_postgresql

CREATE = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX child_search_name_trgm ON cases_child USING gin (search_name gin_trgm_ops);
CREATE INDEX child_search_name_km_trgm ON cases_child USING gin (search_name_km gin_trgm_ops);
"""

DROP = """
DROP INDEX IF EXISTS child_search_name_trgm;
DROP INDEX IF EXISTS child_search_name_km_trgm;
"""


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [sql_on_postgresql(CREATE, DROP)]
