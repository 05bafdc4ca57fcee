"""Test setup: the suite runs on PostgreSQL and Redis, and says plainly when either is missing.

The persona set (as in ARCHITECTURE.md) is built by ``world``: one small, readable cast reused
by the access tests of every app.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections
from django.utils import translation
from rest_framework.test import APIClient

from accounts.choices import AgencyType, Role
from accounts.models import Agency, Location, User
from cases.models import Case, CaseNamedUser
from cases.policy import forget_scope_sizes
from cpims.celery import app as cpims_celery_app
from tests.factories import AgencyFactory, CaseFactory, LocationFactory, UserFactory, province


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def pytest_sessionstart(session: pytest.Session) -> None:
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.exit("The test suite runs on PostgreSQL: set DATABASE_URL (scripts/test does).", 2)
    host, port = database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432)
    if not host.startswith("/") and not _reachable(host, port):
        pytest.exit(f"PostgreSQL is not reachable at {host}:{port} (set DATABASE_URL).", 2)
    broker = urlparse(settings.CELERY_BROKER_URL)
    if broker.scheme not in {"redis", "rediss"}:
        pytest.exit("The test suite runs on Redis: set REDIS_URL (scripts/test does).", 2)
    if not _reachable(broker.hostname or "127.0.0.1", broker.port or 6379):
        pytest.exit(
            f"Redis is not reachable at {broker.hostname}:{broker.port} (set REDIS_URL).", 2
        )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language. A request in Khmer leaves Khmer active
    in its thread, as Django leaves it between requests (each of which chooses its own), so a
    test reading a message or a file outside a request would otherwise speak the language of
    whichever test ran before it in the same process."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _scope_sizes_forgotten() -> Iterator[None]:
    """Which users' scopes were large is kept per process (cases.policy); a test's users are
    not the next test's, whose ids the database may give again."""
    yield
    forget_scope_sizes()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: pytest.FixtureRequest) -> None:
    """Argon2 is the production hasher (tested on its own); most tests need no slow hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def _close_worker_connections(**_: Any) -> None:
    # The worker thread's database connections would outlive the test and keep the test
    # database from being flushed and dropped.
    connections.close_all()


@pytest.fixture
def celery_worker_thread(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Celery worker in a thread, consuming a queue of its own on the configured Redis broker,
    so parallel test processes never take each other's tasks. Retries wait no time."""
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    monkeypatch.setenv("CELERY_SKIP_CHECKS", "1")
    conf = cpims_celery_app.conf
    queue = f"cpims-test-{uuid.uuid4().hex}"
    previous = (conf.task_default_queue, conf.worker_hijack_root_logger)
    conf.task_default_queue = queue  # the router reads it each time a task is sent
    conf.worker_hijack_root_logger = False
    task_postrun.connect(_close_worker_connections)
    try:
        with start_worker(
            cpims_celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=[queue],
            shutdown_timeout=10,
        ):
            yield
    finally:
        task_postrun.disconnect(_close_worker_connections)
        conf.task_default_queue, conf.worker_hijack_root_logger = previous
        # The queue, whatever a failed test left in it, and its bindings go: a connection only
        # unbinds what it has declared itself.
        with cpims_celery_app.connection_for_write() as connection:
            declared = cpims_celery_app.amqp.queues[queue].bind(connection.default_channel)
            declared.declare()
            declared.delete()


def api_client(user: User | None = None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@dataclass
class World:
    """Two provinces, their agencies, a person per role, and a case per relation."""

    phnom_penh: Location
    banteay_meanchey: Location
    pp_village: Location
    pp_commune: Location
    bmc_village: Location
    ngo: Agency
    other_ngo: Agency
    dosvy_pp: Agency
    dosvy_bmc: Agency
    police_agency: Agency
    mosvy: Agency
    ccwc: Agency
    worker: User
    teammate: User
    supervisor: User
    other_worker: User
    dosvy_officer: User
    bmc_worker: User
    agency_admin: User
    commune_member: User
    police: User
    analyst: User
    system_admin: User
    own_case: Case
    teammates_case: Case
    other_agency_case: Case
    other_province_case: Case
    restricted_case: Case


@pytest.fixture
def world(db: None) -> World:
    phnom_penh, banteay_meanchey = province("12"), province("01")
    pp_village = LocationFactory.village_in(phnom_penh)
    pp_commune = pp_village.parent
    assert pp_commune is not None
    bmc_village = LocationFactory.village_in(banteay_meanchey)

    ngo = AgencyFactory.create(name="Hope Shelter", type=AgencyType.NGO, location=phnom_penh)
    other_ngo = AgencyFactory.create(name="Family First", type=AgencyType.NGO, location=phnom_penh)
    dosvy_pp = AgencyFactory.create(
        name="DoSVY Phnom Penh", type=AgencyType.DOSVY, location=phnom_penh
    )
    dosvy_bmc = AgencyFactory.create(
        name="DoSVY Banteay Meanchey", type=AgencyType.DOSVY, location=banteay_meanchey
    )
    police_agency = AgencyFactory.create(
        name="AHTJP Phnom Penh", type=AgencyType.POLICE, location=phnom_penh
    )
    mosvy = AgencyFactory.create(name="MoSVY", type=AgencyType.MOSVY, location=None)
    ccwc = AgencyFactory.create(
        name="CCWC Commune", type=AgencyType.COMMUNE_COMMITTEE, location=pp_commune
    )

    supervisor = UserFactory.create(username="supervisor", role=Role.SUPERVISOR, agency=ngo)
    worker = UserFactory.create(username="worker", agency=ngo, supervisor=supervisor)
    teammate = UserFactory.create(username="teammate", agency=ngo, supervisor=supervisor)
    other_worker = UserFactory.create(username="other_worker", agency=other_ngo)
    dosvy_officer = UserFactory.create(
        username="dosvy_officer", role=Role.SUPERVISOR, agency=dosvy_pp, location=phnom_penh
    )
    bmc_worker = UserFactory.create(username="bmc_worker", agency=dosvy_bmc)
    world = World(
        phnom_penh=phnom_penh,
        banteay_meanchey=banteay_meanchey,
        pp_village=pp_village,
        pp_commune=pp_commune,
        bmc_village=bmc_village,
        ngo=ngo,
        other_ngo=other_ngo,
        dosvy_pp=dosvy_pp,
        dosvy_bmc=dosvy_bmc,
        police_agency=police_agency,
        mosvy=mosvy,
        ccwc=ccwc,
        worker=worker,
        teammate=teammate,
        supervisor=supervisor,
        other_worker=other_worker,
        dosvy_officer=dosvy_officer,
        bmc_worker=bmc_worker,
        agency_admin=UserFactory.create(
            username="agency_admin", role=Role.AGENCY_ADMIN, agency=ngo
        ),
        commune_member=UserFactory.create(
            username="commune_member", role=Role.COMMUNE_COMMITTEE, agency=ccwc, location=pp_commune
        ),
        police=UserFactory.create(username="police", role=Role.POLICE, agency=police_agency),
        analyst=UserFactory.create(username="analyst", role=Role.DATA_ANALYST, agency=mosvy),
        system_admin=UserFactory.create(
            username="system_admin", role=Role.SYSTEM_ADMIN, agency=None, is_staff=True
        ),
        own_case=CaseFactory.create(owner=worker, location=pp_village),
        teammates_case=CaseFactory.create(owner=teammate, location=pp_village),
        other_agency_case=CaseFactory.create(owner=other_worker, location=pp_village),
        other_province_case=CaseFactory.create(owner=bmc_worker, location=bmc_village),
        restricted_case=CaseFactory.create(owner=worker, location=pp_village, restricted=True),
    )
    CaseNamedUser.objects.create(case=world.restricted_case, user=worker)
    return world


@pytest.fixture
def national(world: World) -> User:
    """A supervisor of the ministry: the whole country is her territory."""
    return UserFactory.create(username="national", role=Role.SUPERVISOR, agency=world.mosvy)
