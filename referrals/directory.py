"""The service directory: which agencies can take a child for these services near this place.

An agency is listed when it is active, offers every service asked and covers the place: one of
its coverage entries is the place or one of its ancestors (covering province 12 covers every
village in it), or it has no coverage at all (a national body). The nearest coverage comes
first. The ancestors' paths are computed from the place's materialised path, so the answer
takes two queries (the ancestors, then the agencies with their services) whatever the number of
agencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from accounts.choices import LEVEL_ORDER, LocationLevel
from accounts.models import PATH_SEPARATOR, Agency, AgencyService, Location

NATIONAL = "national"


@dataclass(frozen=True)
class DirectoryEntry:
    """An agency of the directory. ``covers`` is its coverage entry nearest the place asked
    about; ``level`` is that entry's level, ``"national"`` for an agency without coverage, and
    None when no place was asked and the agency covers only some places."""

    agency: Agency
    services: list[str]
    covers: Location | None
    level: str | None


def ancestor_paths(path: str) -> list[str]:
    """``"12/1201/120101/"`` -> ``["12/", "12/1201/", "12/1201/120101/"]``."""
    codes = path.split(PATH_SEPARATOR)[:-1]
    return [PATH_SEPARATOR.join(codes[: depth + 1]) + PATH_SEPARATOR for depth in range(len(codes))]


def _nearness(entry: DirectoryEntry) -> int:
    """Village 4, commune 3, district 2, province 1; national (or no place asked) 0."""
    if entry.covers is None:
        return 0
    return LEVEL_ORDER.index(LocationLevel(entry.covers.level)) + 1


def agencies_for(*, services: Sequence[str], location: Location | None) -> list[DirectoryEntry]:
    """Active agencies offering all of ``services`` and covering ``location`` (any place when
    it is None), nearest coverage first, then by name."""
    agencies = Agency.objects.filter(is_active=True)
    codes = set(services)
    if codes:
        offering_all = (
            AgencyService.objects.filter(service_id__in=codes)
            .values("agency_id")
            .annotate(offered=Count("service_id", distinct=True))
            .filter(offered=len(codes))
            .values("agency_id")
        )
        agencies = agencies.filter(pk__in=offering_all)
    agencies = agencies.annotate(
        national=~Exists(Agency.coverage.through.objects.filter(agency_id=OuterRef("pk")))
    )
    ancestors: dict[int, Location] = {}
    if location is not None:
        paths = ancestor_paths(location.path)
        ancestors = {place.pk: place for place in Location.objects.filter(path__in=paths)}
        # Ancestors' paths are prefixes of one another, so the longest is the greatest.
        nearest = Location.objects.filter(covering_agencies=OuterRef("pk"), path__in=paths)
        agencies = agencies.annotate(
            covers_id=Subquery(nearest.order_by("-path").values("pk")[:1])
        ).filter(Q(covers_id__isnull=False) | Q(national=True))
    # One row per service offered (a LEFT JOIN), gathered per agency below.
    rows = (
        agencies.annotate(offered_code=F("service_rows__service"))
        .select_related("location")
        .order_by("pk", "offered_code")
    )
    entries: dict[int, DirectoryEntry] = {}
    for row in rows:
        if row.pk not in entries:
            covers = ancestors.get(getattr(row, "covers_id", None) or 0)
            if covers is not None:
                level: str | None = covers.level
            else:
                level = NATIONAL if row.national else None
            entries[row.pk] = DirectoryEntry(agency=row, services=[], covers=covers, level=level)
        if row.offered_code is not None:
            entries[row.pk].services.append(row.offered_code)
    return sorted(entries.values(), key=lambda entry: (-_nearness(entry), entry.agency.name))
