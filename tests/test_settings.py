"""Settings behave as documented: safe with no environment, strict in production. Each case runs
manage.py in a fresh process, since settings are read once at start-up."""

from __future__ import annotations

import base64
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SERVICE_VARIABLES = {
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CPIMS_ENV",
    "DEBUG",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "AUDIT_ANCHOR_KEY",
    "AUDIT_ANCHOR_PATH",
    "DOCUMENT_KEYS",
    "DOCUMENT_STORAGE",
}


def _manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    clean["CPIMS_VAR_DIR"] = str(tmp_path)
    clean.update(env)
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "CPIMS_ENV": "production",
    "ALLOWED_HOSTS": "cpims.example.org, www.cpims.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "AUDIT_ANCHOR_KEY": secrets.token_urlsafe(40),
    "DOCUMENT_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
}


@pytest.mark.slow
def test_production_settings_pass_the_deployment_checks_without_a_warning(
    tmp_path: Path,
) -> None:
    result = _manage(
        tmp_path,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY=secrets.token_urlsafe(60),
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    result = _manage(tmp_path, "check", **PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.slow
def test_production_refuses_a_short_secret_key(tmp_path: Path) -> None:
    result = _manage(tmp_path, "check", SECRET_KEY="too-short", **PRODUCTION)
    assert result.returncode != 0
    assert "at least 50" in result.stderr


@pytest.mark.slow
def test_with_no_environment_the_system_uses_sqlite_and_the_embedded_broker(
    tmp_path: Path,
) -> None:
    result = _manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_BROKER_URL, s.DEBUG)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "filesystem://", "True"]
    # A development secret key is made once, kept private, and never committed.
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    assert len(key_file.read_text()) >= 50


@pytest.mark.slow
@pytest.mark.parametrize(
    "missing", ["DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "AUDIT_ANCHOR_KEY"]
)
def test_production_never_falls_back_to_single_machine_defaults(
    tmp_path: Path, missing: str
) -> None:
    production = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = _manage(tmp_path, "check", SECRET_KEY=secrets.token_urlsafe(60), **production)
    assert result.returncode != 0
    assert missing in result.stderr


@pytest.mark.slow
def test_production_reads_host_lists_with_spaces_and_exempts_health_from_https_redirect(
    tmp_path: Path,
) -> None:
    result = _manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings as s; from django.test import Client; "
        "print(s.ALLOWED_HOSTS); "
        "print(Client().get('/healthz', HTTP_HOST='www.cpims.example.org').status_code)",
        SECRET_KEY=secrets.token_urlsafe(60),
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    hosts, status = result.stdout.strip().splitlines()
    assert hosts == "['cpims.example.org', 'www.cpims.example.org']"
    assert status == "200"  # not a 301 to https: probes speak plain HTTP


@pytest.mark.slow
def test_webhook_timeout_attempts_and_retry_delays_are_read_from_the_environment(
    tmp_path: Path,
) -> None:
    result = _manage(
        tmp_path,
        "shell",
        "--no-imports",
        "-c",
        "from notifications import delivery; "
        "print(delivery._timeout(), delivery.max_attempts(), delivery.retry_delay(10))",
        WEBHOOK_TIMEOUT_SECONDS="2.5",
        WEBHOOK_MAX_ATTEMPTS="4",
        WEBHOOK_RETRY_BASE_SECONDS="1",
        WEBHOOK_RETRY_CAP_SECONDS="7",
    )
    assert result.returncode == 0, result.stderr
    timeout, attempts, longest_delay = result.stdout.split()
    assert (timeout, attempts) == ("2.5", "4")
    assert float(longest_delay) <= 7  # the cap, whatever the jitter


# Every variable settings.py reads: env("NAME"), env.<type>("NAME"), env_list("NAME").
_ENVIRONMENT_READ = re.compile(r"""\benv(?:\.\w+|_list)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def test_every_variable_the_settings_read_is_documented_in_the_operations_guide() -> None:
    read = set(_ENVIRONMENT_READ.findall((ROOT / "cpims" / "settings.py").read_text()))
    guide = (ROOT / "docs" / "operations.md").read_text()
    assert "WEBHOOK_MAX_ATTEMPTS" in read  # the pattern finds what it is meant to
    undocumented = sorted(name for name in read if f"| `{name}` |" not in guide)
    assert undocumented == [], "add them to docs/operations.md, Settings"


def test_application_code_reads_settings_by_name_never_with_a_fallback_default() -> None:
    """A fallback default hides a setting from settings.py and its documentation."""
    skipped = {".venv", ".git", "tests", "migrations", "var", "node_modules"}
    offenders = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in skipped]
        for name in files:
            path = Path(folder) / name
            if name.endswith(".py") and re.search(r"getattr\(\s*settings\b", path.read_text()):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
