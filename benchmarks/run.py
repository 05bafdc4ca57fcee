"""The benchmark: every measure the performance targets name, against the dataset in the
database, through Django's full request stack (the test client: middleware, URL routing,
authentication, DRF, serializers and JSON rendering, in this process)."""

from __future__ import annotations

import gc
import os
import platform
import resource
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from itertools import cycle, product
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import django
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from accounts.choices import LocationLevel
from accounts.models import Location
from audit.models import AuditEvent
from benchmarks.dataset.generate import GENERATED, dataset_reference
from benchmarks.measure import Measurement, SqlCounter, python_speed_ms, run, timed
from benchmarks.naive import grant_generic_permissions
from benchmarks.personas import Persona, pick_personas, sample_cases, sign_in
from benchmarks.plans import MOST_ROWS_READ, WATCHED_TABLES, plan_of
from benchmarks.urls import NAIVE_PREFIX
from cases.models import Case, Child
from cpims.runtime import freeze_loaded_application
from exports.build import export_build
from exports.services import export_request
from notifications.reminders import run_sweep
from referrals.choices import LIVE_STATUSES
from referrals.models import Referral
from referrals.services import referral_create
from reintegration.choices import FollowUpStatus, WellbeingDomain
from reintegration.models import FollowUp
from reintegration.selectors import follow_ups_visible
from reporting.facts import facts_refresh
from reporting.models import CaseFact

# The targets at 1,000,000 cases (docs/performance.md): p95 in milliseconds by measure.
P95_TARGETS_MS = {
    "case_list": 50,
    "incoming_referrals": 50,
    "incoming_referrals_all": 50,
    "referrals_both": 50,
    "follow_ups_due": 50,
    "search_latin": 100,
    "search_khmer": 100,
    "search_begun": 100,
    "case_detail": 30,
    "create_case": 100,
    "accept_referral": 100,
    "complete_follow_up": 100,
    "statistics": 300,
}
SWEEP_TARGET_MS = 2000
FLOOR_RATIO_TARGET = 2.0
NAIVE_RATIO_TARGET = 20.0
# The application's CPU per request (p50, ms) that each measure may spend: on two cores, 100
# requests a second of the mixed workload leave about 20 ms of CPU per request for the
# application and PostgreSQL together (docs/performance.md, "CPU budget per request").
CPU_BUDGETS_MS = {
    "case_list": 15,
    "search_latin": 15,
    "search_khmer": 15,
    "search_begun": 15,
    "case_detail": 12,
    "incoming_referrals": 12,
    "incoming_referrals_all": 12,
    "referrals_both": 12,
    "follow_ups_due": 12,
    "create_case": 40,
    "accept_referral": 30,
    "complete_follow_up": 30,
}
MEMORY_GROWTH_LIMIT_MB = 20
LIST_PATHS = (
    "/api/v1/cases/?status=open",
    "/api/v1/referrals/?direction=incoming",
    "/api/v1/follow-ups/?status=scheduled",
)
LIST_PAGE_SIZES = (10, 100)
# The lists whose plans are checked (benchmarks.plans): those people open most, by their name
# in the measures.
PLANNED_LISTS = (
    ("case_list", "/api/v1/cases/?status=open"),
    ("incoming_referrals", "/api/v1/referrals/?direction=incoming&status=sent"),
    ("incoming_referrals_all", "/api/v1/referrals/?direction=incoming"),
    ("referrals_outgoing", "/api/v1/referrals/?direction=outgoing"),
    ("referrals_both", "/api/v1/referrals/"),
    ("follow_ups_due", "/api/v1/follow-ups/?status=scheduled&due_before={due}"),
)
FOLLOW_UP_HORIZON = timedelta(days=30)
# The statistics people ask for most: the dashboards' panels and the reports' tables.
STATISTICS_QUESTIONS = (
    "cases/?group_by=month,concern",
    "cases/?group_by=province,sex",
    "cases/?group_by=district,age_band",
    "open_cases/?group_by=risk_level",
    "closures/?group_by=closure_reason",
    "referrals/?group_by=urgency,response",
    "reintegration/?group_by=months_since_reintegration,outcome",
    "cases/?group_by=sex,age_band&concern=sex_trafficking",
)
# What a run measures, in order; ``--only`` picks some.
PARTS = ("reads", "statistics", "writes", "sweep", "baselines", "memory", "export")
# The case export measured: at least this many rows, of the fields the export form ticks first.
EXPORT_ROWS = 100_000
EXPORT_FIELDS = (
    "case_number",
    "stage",
    "risk_level",
    "child.given_name",
    "child.given_name_km",
    "child.sex",
    "summary",
)
# Fewer objects to act on than this and a write is not measured (five timed, one warm-up).
MINIMUM_POOL = 6
Request = Callable[[int], HttpResponseBase]


@dataclass
class Options:
    repeat: int = 100
    warmup: int = 3
    budget_seconds: float = 60.0
    memory_requests: int = 10_000
    seed: str = "1"
    parts: frozenset[str] = frozenset(PARTS)


@dataclass
class Report:
    dataset: dict[str, Any]
    machine: dict[str, Any]
    measurements: list[Measurement] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    queries_by_page_size: list[dict[str, Any]] = field(default_factory=list)
    memory: dict[str, Any] = field(default_factory=dict)
    export: dict[str, Any] = field(default_factory=dict)

    def find(self, metric: str, persona: str) -> Measurement | None:
        return next(
            (m for m in self.measurements if m.metric == metric and m.persona == persona), None
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "machine": self.machine,
            "transport": "django.test.Client (in-process WSGI handler, full middleware stack; "
            "the loaded application frozen out of garbage collection, as in cpims.wsgi)",
            "measurements": [m.as_dict() for m in self.measurements],
            "checks": self.checks,
            "queries_by_page_size": self.queries_by_page_size,
            "memory": self.memory,
            "export": self.export,
        }


def rss_mb() -> float:
    """This process's resident memory now (Linux), or its peak elsewhere."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _machine() -> dict[str, Any]:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
        model = next(
            (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), ""
        )
    except OSError:
        model = platform.processor()
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (postgres,) = cursor.fetchone() or ("",)
        cursor.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name IN "
            "('shared_buffers', 'work_mem', 'effective_cache_size', 'random_page_cost', "
            "'max_parallel_workers_per_gather')"
        )
        postgres_settings = dict(cursor.fetchall())
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "load_average": [round(load, 2) for load in os.getloadavg()],
        "python_speed_ms": min(python_speed_ms() for _ in range(3)),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "postgresql": postgres.split(" on ")[0],
        "postgresql_settings": postgres_settings,
    }


def _dataset(reference: datetime) -> dict[str, Any]:
    generation = AuditEvent.objects.filter(action=GENERATED).order_by("-id").first()
    counts = {}
    with connection.cursor() as cursor:
        for model in (Case, Child, Referral, FollowUp, AuditEvent):
            # The planner's estimate: counting millions of rows exactly would take seconds.
            cursor.execute(
                "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
                [model._meta.db_table],
            )
            counts[model._meta.db_table] = (cursor.fetchone() or (0,))[0]
    return {
        "reference": reference.isoformat(),
        "generation": generation.changes if generation else {},
        "approximate_rows": counts,
    }


def _growth_after_first_quarter(samples: list[float]) -> float:
    """How much higher memory went in the last three quarters of a build than in its first."""
    if len(samples) < 4:
        return 0.0
    quarter = len(samples) // 4
    return max(0.0, max(samples[quarter:]) - max(samples[:quarter]))


def _begun(name: str) -> str:
    """``name`` with the last letter of each word of four letters or more left off ("Virak
    Hem" is "Vira Hem"), as someone types a name she has only heard."""
    return " ".join(word[:-1] if len(word) >= 4 else word for word in name.split())


def _province_of_at_least(rows: int) -> tuple[int, int]:
    """The smallest province (its id) holding at least ``rows`` cases, or the largest when none
    does, and its number of cases."""
    counts = CaseFact.objects.values("province").annotate(n=Count("pk")).order_by()
    by_size = sorted((entry["n"], entry["province"]) for entry in counts)
    count, code = next(((n, code) for n, code in by_size if n >= rows), by_size[-1])
    return Location.objects.get(code=code, level=LocationLevel.PROVINCE).pk, count


class Benchmark:
    def __init__(self, options: Options, say: Callable[[str], None]) -> None:
        self.options = options
        self.say = say
        # HTTPS, and a host the settings allow, so production settings answer as they would.
        host = next((h.lstrip(".") for h in settings.ALLOWED_HOSTS if h != "*"), "localhost")
        self.client = Client(HTTP_HOST=host, SERVER_NAME=host)
        reference = dataset_reference()
        if reference is None:
            raise LookupError("No generated dataset in this database (manage.py generate_dataset).")
        self.reference = reference
        self.report = Report(dataset=_dataset(reference), machine=_machine())

    # --- requests -----------------------------------------------------------------------------

    def get(
        self, persona: Persona, path: str, params: dict[str, str] | None = None
    ) -> HttpResponseBase:
        return self.client.get(path, params, headers=persona.headers, secure=True)

    def post(self, persona: Persona, path: str, body: dict[str, Any]) -> HttpResponseBase:
        return self.client.post(
            path, body, content_type="application/json", headers=persona.headers, secure=True
        )

    def measure(
        self,
        metric: str,
        persona: Persona,
        request: Request,
        note: str = "",
        *,
        available: int | None = None,
    ) -> Measurement:
        """Measures ``request``; ``available`` caps the calls when each one uses up an object
        (a referral accepted, a visit recorded)."""
        self.say(f"  {metric} as {persona.label}")
        warmup, repeat = self.options.warmup, self.options.repeat
        if available is not None:
            warmup = min(warmup, available // 4)
            repeat = min(repeat, available - warmup)
        measurement = run(
            Measurement(metric, persona.key, note=note),
            request,
            repeat=repeat,
            warmup=warmup,
            budget_seconds=self.options.budget_seconds,
        )
        self.report.measurements.append(measurement)
        return measurement

    # --- the run ------------------------------------------------------------------------------

    def run(self) -> Report:
        self.say("Signing in the personas")
        personas = pick_personas()
        for persona in personas:
            sign_in(self.client, persona)
            sample_cases(persona, self.options.seed)
        named = next((p for p in personas if p.latin_names and p.khmer_names), personas[0])
        freeze_loaded_application()  # as a web worker does (cpims.wsgi)
        by_key = {persona.key: persona for persona in personas}
        worker = by_key["provincial_worker"]
        parts: dict[str, tuple[str, Callable[[], None]]] = {
            "reads": ("Reads", lambda: self.all_reads(personas, named)),
            "statistics": ("Statistics", lambda: self.statistics(personas)),
            "writes": ("Writes", lambda: self.writes(by_key)),
            "sweep": ("Reminder sweep", self.sweep),
            "baselines": (
                "Raw SQL floor and naive baseline of the case list",
                lambda: self.baselines(by_key),
            ),
            "memory": ("Memory of a worker over many requests", lambda: self.memory(worker)),
            "export": (
                f"A case export of at least {EXPORT_ROWS:,} rows",
                lambda: self.export(by_key["national"]),
            ),
        }
        for part in PARTS:
            if part in self.options.parts:
                title, measure = parts[part]
                self.say(title)
                measure()
        self.check_targets(personas)
        return self.report

    def all_reads(self, personas: list[Persona], named: Persona) -> None:
        sizes = {
            Case._meta.db_table: Case.objects.count(),
            Referral._meta.db_table: Referral.objects.count(),
        }
        for persona in personas:
            self.reads(persona, named)
            self.page_sizes(persona)
            self.plans(persona, sizes)

    def plans(self, persona: Persona, sizes: dict[str, int]) -> None:
        """Each main list's plan, as PostgreSQL makes it for the persona's parameters and as it
        runs the list prepared, after its first runs: no sequential scan of the cases or the
        referrals, and no more than a small share of either read to fill a page."""
        if connection.vendor != "postgresql":
            return
        due = (self.reference + FOLLOW_UP_HORIZON).date().isoformat()
        for (metric, path), prepared in product(PLANNED_LISTS, (False, True)):
            reads = plan_of(partial(self.get, persona, path.format(due=due)), prepared=prepared)
            self.report.checks.append(
                {
                    "check": f"{metric} {'prepared ' if prepared else ''}plan reads <= "
                    f"{MOST_ROWS_READ:.0%} of the cases and of the referrals, no sequential scan",
                    "persona": persona.key,
                    "value": "; ".join(
                        f"{reads[table].rows:,} of {sizes[table]:,} {table}"
                        + (", sequential" if reads[table].sequential else "")
                        for table in WATCHED_TABLES
                    ),
                    "met": all(
                        not read.sequential and read.rows <= sizes[table] * MOST_ROWS_READ
                        for table, read in reads.items()
                    ),
                }
            )

    def writes(self, by_key: dict[str, Persona]) -> None:
        worker = by_key["provincial_worker"]
        self.create_cases(worker)
        self.accept_referrals(worker)
        for key in ("commune", "provincial_worker"):
            if key in by_key:
                self.complete_follow_ups(by_key[key])

    def baselines(self, by_key: dict[str, Persona]) -> None:
        for key in ("provincial_worker", "provincial_supervisor", "national"):
            if key in by_key:
                self.floor(by_key[key])
                self.naive(by_key[key])

    def reads(self, persona: Persona, named: Persona) -> None:
        """The lists, searches and details people use most. Who sees no case file searches
        with the names someone else may see (and finds nothing)."""
        latin = cycle(persona.latin_names or named.latin_names or ["Sok Dara"])
        khmer = cycle(persona.khmer_names or named.khmer_names or ["សុខតារា"])
        due = (self.reference + FOLLOW_UP_HORIZON).date().isoformat()
        get = self.get
        self.measure("case_list", persona, lambda _i: get(persona, "/api/v1/cases/?status=open"))
        self.measure(
            "search_latin", persona, lambda _i: get(persona, "/api/v1/cases/", {"q": next(latin)})
        )
        self.measure(
            "search_khmer", persona, lambda _i: get(persona, "/api/v1/cases/", {"q": next(khmer)})
        )
        # A name only begun: no word is written whole, so the trigram indexes answer.
        if names := persona.latin_names or named.latin_names:
            begun = cycle([_begun(name) for name in names])
            self.measure(
                "search_begun",
                persona,
                lambda _i: get(persona, "/api/v1/cases/", {"q": next(begun)}),
            )
        if persona.case_ids:
            ids = cycle(persona.case_ids)
            self.measure(
                "case_detail",
                persona,
                lambda _i: get(persona, f"/api/v1/cases/{next(ids)}/"),
                "each read is written to the audit trail",
            )
        self.measure(
            "incoming_referrals",
            persona,
            lambda _i: get(persona, "/api/v1/referrals/?direction=incoming&status=sent"),
            "waiting for an answer",
        )
        self.measure(
            "incoming_referrals_all",
            persona,
            lambda _i: get(persona, "/api/v1/referrals/?direction=incoming"),
            "every status",
        )
        self.measure(
            "referrals_both",
            persona,
            lambda _i: get(persona, "/api/v1/referrals/"),
            "sent and received, no direction asked",
        )
        due_soon = f"/api/v1/follow-ups/?status=scheduled&due_before={due}"
        self.measure("follow_ups_due", persona, lambda _i: get(persona, due_soon))

    def statistics(self, personas: list[Persona]) -> None:
        """The store brought up to date (built whole when it is empty, as the nightly rebuild
        does; else the incremental refresh beat runs every few minutes), then the questions of
        the dashboards and reports asked by each persona statistics are for, and the
        supervisor's caseload."""
        elapsed, statements, result, cpu = timed(facts_refresh)
        kind = "statistics_rebuild" if result is not None and result.full else "statistics_refresh"
        refresh = Measurement(kind, "system", note=f"{result.cases if result else 0:,} cases")
        refresh.add(elapsed, statements, 200, cpu)
        self.report.measurements.append(refresh)
        for persona in personas:
            if persona.key in ("analyst", "provincial_supervisor", "national"):
                self._ask_statistics(persona)
        supervisor = next((p for p in personas if p.key == "provincial_supervisor"), None)
        if supervisor is not None:
            self.measure(
                "caseload",
                supervisor,
                lambda _i: self.get(supervisor, "/api/v1/statistics/caseload/"),
                "her team",
            )

    def _ask_statistics(self, persona: Persona) -> None:
        questions = cycle(STATISTICS_QUESTIONS)
        self.measure(
            "statistics",
            persona,
            lambda _i: self.get(persona, f"/api/v1/statistics/{next(questions)}"),
            f"{len(STATISTICS_QUESTIONS)} questions in turn, the last twelve months",
        )

    def page_sizes(self, persona: Persona) -> None:
        """The SQL statements of each list at two page sizes: they must not differ."""
        for path in LIST_PATHS:
            counts = {
                size: self._statements(persona, f"{path}&page_size={size}")
                for size in LIST_PAGE_SIZES
            }
            self.report.queries_by_page_size.append(
                {"persona": persona.key, "path": path, "queries": counts}
            )

    def _statements(self, persona: Persona, path: str) -> int:
        """The statements of a request, the fewer of two: authentication writes a token's
        last use once a minute, which would otherwise land in one page size or the other."""
        return min(timed(lambda: self.get(persona, path))[1] for _ in range(2))

    # --- writes -------------------------------------------------------------------------------

    def create_cases(self, persona: Persona) -> None:
        agency = persona.user.agency
        territory = agency.location.path if agency and agency.location else ""
        villages = cycle(
            Location.objects.filter(level=LocationLevel.VILLAGE, path__startswith=territory)
            .order_by("path")
            .values_list("id", flat=True)[:50]
        )

        def register(number: int) -> HttpResponseBase:
            return self.post(
                persona,
                "/api/v1/cases/",
                {
                    "child": {
                        "given_name": "Sreypov",
                        "family_name": f"Chea{number}",
                        "given_name_km": "ស្រីពៅ",
                        "family_name_km": "ជា",
                        "sex": "female",
                        "estimated_age": 11,
                        "location": next(villages),
                    },
                    "family": [{"name": "Chea Bopha", "relation": "mother", "is_caregiver": True}],
                    "concerns": ["neglect", "out_of_school"],
                    "source": "community",
                    "summary": "Left alone for days; not attending school.",
                },
            )

        self.measure("create_case", persona, register, "with the duplicate check")

    def accept_referrals(self, persona: Persona) -> None:
        """Referrals to the persona's agency are created first (untimed, through the service,
        by the sending workers' supervisors), then accepted through the API."""
        agency = persona.user.agency
        if agency is None or agency.location is None:
            return
        live = Referral.objects.filter(
            case=OuterRef("pk"), to_agency=agency, status__in=LIVE_STATUSES
        )
        cases = (
            Case.objects.filter(
                status="open",
                restricted=False,
                location_path__startswith=agency.location.path,
                owner__supervisor__is_active=True,
            )
            .exclude(agency=agency)
            .filter(~Exists(live))
            .select_related("owner__supervisor")
            .order_by("-created_at")[: self.options.repeat + self.options.warmup]
        )
        service = agency.service_rows.values_list("service_id", flat=True).first() or "follow_up"
        pool = []
        for case in cases:
            supervisor = case.owner.supervisor
            if supervisor is not None:
                pool.append(
                    referral_create(
                        actor=supervisor,
                        case=case,
                        to_agency=agency,
                        type="service",
                        urgency="routine",
                        services=[service],
                        reason="Family support in the district.",
                        shared_sections=["profile"],
                        consent_override_reason="The caregiver agreed by phone; form to follow.",
                    ).pk
                )
        if len(pool) < MINIMUM_POOL:
            self.say(f"  accept_referral as {persona.label}: too few referrals to accept")
            return
        ids = iter(pool)
        self.measure(
            "accept_referral",
            persona,
            lambda _i: self.post(
                persona, f"/api/v1/referrals/{next(ids)}/accept/", {"assigned_to": persona.user.pk}
            ),
            available=len(pool),
        )

    def complete_follow_ups(self, persona: Persona) -> None:
        today = timezone.localdate()
        pool = list(
            follow_ups_visible(user=persona.user)
            .filter(
                status=FollowUpStatus.SCHEDULED,
                case__status="open",
                case__restricted=False,
                reintegration__date__lte=today,
            )
            .order_by("scheduled_date", "id")
            .values_list("id", flat=True)[: self.options.repeat + self.options.warmup]
        )
        if len(pool) < MINIMUM_POOL:
            self.say(f"  complete_follow_up as {persona.label}: too few visits to record")
            return
        ids = iter(pool)
        visit = {
            "visit_date": today.isoformat(),
            "outcome": "stable",
            "scores": dict.fromkeys(WellbeingDomain.values, 4),
            "notes": "Child at home and at school.",
        }
        self.measure(
            "complete_follow_up",
            persona,
            lambda _i: self.post(persona, f"/api/v1/follow-ups/{next(ids)}/complete/", visit),
            available=len(pool),
        )

    # --- the sweep, the floor, the baseline, memory -------------------------------------------

    def sweep(self) -> None:
        """The sweep at the dataset's reference moment, when nothing is due; then, inside a
        transaction rolled back afterwards, a day later, with a day's reminders due."""
        quiet = Measurement("reminder_sweep", "system", note="nothing due")
        for _ in range(5):
            elapsed, statements, _created, cpu = timed(lambda: run_sweep(now=self.reference))
            quiet.add(elapsed, statements, 200, cpu)
        self.report.measurements.append(quiet)
        with transaction.atomic():
            elapsed, statements, created, cpu = timed(
                lambda: run_sweep(now=self.reference + timedelta(days=1))
            )
            transaction.set_rollback(True)
        busy = Measurement(
            "reminder_sweep_day",
            "system",
            note=f"one day due: {created} notifications (rolled back)",
        )
        busy.add(elapsed, statements, 200, cpu)
        self.report.measurements.append(busy)

    def floor(self, persona: Persona) -> None:
        """The SELECTs of the case list request replayed through a bare cursor: what the page
        costs the database, without Python."""
        keeper = SqlCounter(keep=True)
        with connection.execute_wrapper(keeper):
            self.get(persona, "/api/v1/cases/?status=open")
        selects = [
            (sql, params)
            for sql, params in keeper.statements
            if sql.lstrip().upper().startswith("SELECT")
        ]

        def replay(_number: int) -> HttpResponseBase:
            with connection.cursor() as cursor:
                for sql, params in selects:
                    cursor.execute(sql, params)
                    cursor.fetchall()
            return HttpResponseBase()

        self.measure("case_list_sql_floor", persona, replay, f"{len(selects)} SELECTs replayed")

    def naive(self, persona: Persona) -> None:
        with transaction.atomic(), override_settings(ROOT_URLCONF="benchmarks.urls"):
            granted = grant_generic_permissions(persona.user)
            self.measure(
                "case_list_naive",
                persona,
                lambda _i: self.get(persona, f"/{NAIVE_PREFIX}cases/?status=open"),
                f"{granted:,} generic grants",
            )
            transaction.set_rollback(True)

    def memory(self, persona: Persona) -> None:
        """The process's memory over many requests of every kind a worker makes: after the
        first tenth (warm), it must stay flat."""
        paths = cycle(
            [
                "/api/v1/cases/?status=open",
                "/api/v1/follow-ups/?status=scheduled",
                "/api/v1/referrals/?direction=incoming",
                *(f"/api/v1/cases/{case_id}/" for case_id in persona.case_ids[:10]),
                *(f"/api/v1/cases/?{urlencode({'q': name})}" for name in persona.latin_names[:5]),
            ]
        )
        requests = self.options.memory_requests
        every = max(1, requests // 10)
        samples: list[tuple[int, float]] = []
        for number in range(1, requests + 1):
            self.get(persona, next(paths))
            if number % every == 0:
                gc.collect()
                samples.append((number, round(rss_mb(), 1)))
        growth = samples[-1][1] - samples[0][1] if samples else 0.0
        self.report.memory = {
            "persona": persona.key,
            "requests": requests,
            "rss_mb": samples,
            "growth_after_warmup_mb": round(growth, 1),
        }

    def export(self, persona: Persona) -> None:
        """A case export of at least EXPORT_ROWS cases (the smallest province that has them),
        built in this process as a worker builds it, with the process's memory sampled every
        tenth of a second: the build streams, so its memory must stay flat."""
        province, count = _province_of_at_least(EXPORT_ROWS)
        with override_settings(EXPORT_MAX_ROWS=max(count, EXPORT_ROWS)):
            requested, _statements, export, _cpu = timed(
                lambda: export_request(
                    actor=persona.user,
                    filters={"location": str(province)},
                    fields=list(EXPORT_FIELDS),
                    reason="Benchmark of the export",
                    format="xlsx",
                )
            )
            samples: list[float] = []
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.1):
                    samples.append(rss_mb())

            sampler = threading.Thread(target=sample, daemon=True)
            before = rss_mb()
            sampler.start()
            started = time.perf_counter()
            export_build(export_id=export.pk)
            elapsed = time.perf_counter() - started
            done.set()
            sampler.join()
        export.refresh_from_db()
        path = Path(settings.EXPORTS_DIR) / export.file_name
        self.report.export = {
            "persona": persona.key,
            "format": export.format,
            "status": export.status,
            "rows": export.rows,
            "request_ms": round(requested, 1),
            "build_s": round(elapsed, 1),
            "file_mb": round(path.stat().st_size / 2**20, 1) if export.file_name else 0,
            "rss_before_mb": round(before, 1),
            "rss_peak_mb": round(max(samples, default=before), 1),
            # Once the first chunks are in memory, writing more rows must not add to it.
            "rss_growth_after_first_quarter_mb": round(_growth_after_first_quarter(samples), 1),
            "rss_mb_each_second": [round(mb, 1) for mb in samples[::10]],
        }
        path.unlink(missing_ok=True)

    # --- the verdict --------------------------------------------------------------------------

    def check_targets(self, personas: list[Persona]) -> None:
        checks, report = self.report.checks, self.report

        def check(what: str, persona: str, value: Any, met: bool) -> None:
            checks.append({"check": what, "persona": persona, "value": value, "met": met})

        for m in report.measurements:
            target = P95_TARGETS_MS.get(m.metric)
            if target is not None and m.durations_ms:
                check(f"{m.metric} p95 <= {target} ms", m.persona, round(m.p95, 1), m.p95 <= target)
            budget = CPU_BUDGETS_MS.get(m.metric)
            if budget is not None and m.cpu_ms:
                check(
                    f"{m.metric} application CPU p50 <= {budget} ms",
                    m.persona,
                    round(m.cpu_p50, 1),
                    m.cpu_p50 <= budget,
                )
        quiet = report.find("reminder_sweep", "system")
        if quiet is not None:
            slowest = max(quiet.durations_ms)
            check(
                f"reminder sweep, nothing due <= {SWEEP_TARGET_MS} ms",
                "system",
                round(slowest, 1),
                slowest <= SWEEP_TARGET_MS,
            )
        for persona in personas:
            listed = report.find("case_list", persona.key)
            floor = report.find("case_list_sql_floor", persona.key)
            naive = report.find("case_list_naive", persona.key)
            if listed is not None and floor is not None:
                ratio = listed.p50 / floor.p50
                check(
                    f"case list p50 within {FLOOR_RATIO_TARGET:g}x its SQL floor",
                    persona.key,
                    round(ratio, 2),
                    ratio <= FLOOR_RATIO_TARGET,
                )
            if listed is not None and naive is not None:
                ratio = naive.p50 / listed.p50
                check(
                    f"case list >= {NAIVE_RATIO_TARGET:g}x faster than naive (p50)",
                    persona.key,
                    round(ratio, 1),
                    ratio >= NAIVE_RATIO_TARGET,
                )
        for row in report.queries_by_page_size:
            counts = list(row["queries"].values())
            check(
                f"queries constant in page size: {row['path']}",
                row["persona"],
                counts,
                len(set(counts)) == 1,
            )
        if report.export:
            growth = report.export["rss_growth_after_first_quarter_mb"]
            check(
                f"export memory flat (growth after a quarter < {MEMORY_GROWTH_LIMIT_MB} MB)",
                report.export["persona"],
                growth,
                report.export["status"] == "done" and growth < MEMORY_GROWTH_LIMIT_MB,
            )
        if report.memory:
            growth = report.memory["growth_after_warmup_mb"]
            check(
                f"worker memory flat (growth after warm-up < {MEMORY_GROWTH_LIMIT_MB} MB)",
                report.memory["persona"],
                growth,
                growth < MEMORY_GROWTH_LIMIT_MB,
            )
