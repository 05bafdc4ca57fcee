import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from psycopg import sql

AUDIT_TABLE = "audit_auditevent"


class Command(BaseCommand):
    help = (
        "Run as the role that owns the tables (the one migrations run as), after every migrate: "
        "gives the application's role SELECT, INSERT, UPDATE and DELETE on every table except "
        "the audit trail, where it may only INSERT and SELECT, and USAGE on the sequences. "
        "Creates the role when it does not exist."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("role", help="The role the web server, workers and beat connect as.")
        parser.add_argument(
            "--password-env",
            metavar="VARIABLE",
            help="Name of an environment variable holding the password to set for the role.",
        )

    def handle(self, *args: Any, role: str, password_env: str | None, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("Database roles exist on PostgreSQL only.")
        password = None
        if password_env:
            password = os.environ.get(password_env, "")
            if not password:
                raise CommandError(f"The environment variable {password_env} is empty or unset.")
        with transaction.atomic(), connection.cursor() as cursor:

            def run(query: sql.Composable) -> None:
                cursor.execute(query.as_string(connection.connection))

            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [role])
            existing = cursor.fetchone()
            target = sql.Identifier(role)
            if existing is None:
                run(
                    sql.SQL("CREATE ROLE {} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
                        target
                    )
                )
            elif existing[0]:
                raise CommandError(f"{role} is a superuser: no grant or revoke can limit it.")
            cursor.execute(
                "SELECT tableowner, pg_has_role(%s, tableowner, 'USAGE') FROM pg_tables "
                "WHERE schemaname = current_schema() AND tablename = %s",
                [role, AUDIT_TABLE],
            )
            owner = cursor.fetchone()
            if owner is None:
                raise CommandError(f"There is no {AUDIT_TABLE} table: run migrate first.")
            if owner[1]:
                raise CommandError(
                    f"{role} is, or acts as, {owner[0]}, the owner of the tables: the application "
                    "needs a role of its own."
                )
            if password is not None:
                run(sql.SQL("ALTER ROLE {} PASSWORD {}").format(target, sql.Literal(password)))
            cursor.execute("SELECT current_database(), current_schema()")
            database, schema = (sql.Identifier(name) for name in cursor.fetchone())
            audit = sql.Identifier(AUDIT_TABLE)
            for statement in (
                "GRANT CONNECT ON DATABASE {database} TO {role}",
                "GRANT USAGE ON SCHEMA {schema} TO {role}",
                # From a clean slate, so a second run, or a role that had more, ends the same.
                "REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {role}",
                "REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {role}",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
                "GRANT USAGE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
                # The audit trail is append-only for the application.
                "REVOKE UPDATE, DELETE ON {audit} FROM {role}",
            ):
                run(
                    sql.SQL(statement).format(
                        database=database, schema=schema, role=target, audit=audit
                    )
                )
        self.stdout.write(
            f"{role} may read and write every table, and only insert into and read {AUDIT_TABLE}."
        )
