"""On PostgreSQL the database also refuses to empty the audit table: a row trigger does not
fire for TRUNCATE, so a statement-level one does."""

from django.db import migrations

from core.migration_operations import sql_on_postgresql

GUARD = """
CREATE TRIGGER audit_event_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
"""


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_guard")]

    operations = [sql_on_postgresql(GUARD, UNGUARD)]
