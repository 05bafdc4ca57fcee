"""The places of the dataset: the 25 provinces with their districts, communes and villages.

Where the database already holds part of the real gazetteer (``import_gazetteer``), it is kept
and each level is topped up with synthetic places to its target count."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field

from accounts.choices import LEVEL_ORDER, LocationLevel
from accounts.models import Location
from benchmarks.dataset.names import PLACE_HEADS, PLACE_TAILS
from benchmarks.dataset.spreads import (
    COMMUNES_PER_DISTRICT,
    PROVINCES,
    VILLAGES_PER_COMMUNE,
    Weighted,
)

# Districts of a province missing from spreads.PROVINCES (a province added by an operator).
DEFAULT_DISTRICTS = 6


@dataclass
class Place:
    id: int
    code: str
    path: str
    level: str
    name_en: str
    name_km: str
    children: list[Place] = field(default_factory=list)
    # How many of its parent's cases a place has (communes and villages differ in size).
    weight: float = 1.0


@dataclass
class Province:
    place: Place
    weight: float
    districts: list[Place]
    district_choice: Weighted[Place]
    # Per district code: the communes, and per commune code: the homes (villages, or the
    # commune itself when it has none).
    commune_choice: dict[str, Weighted[Place]]
    home_choice: dict[str, Weighted[Place]]


@dataclass
class Gazetteer:
    provinces: list[Province]
    province_choice: Weighted[Province]
    # Village id -> its commune, and commune id -> itself.
    commune_of: dict[int, Place]
    district_of: dict[int, Place]
    created: int

    def communes(self) -> list[Place]:
        return [
            commune
            for province in self.provinces
            for district in province.districts
            for commune in district.children
        ]


def _free_codes(parent_code: str, taken: set[str], count: int) -> list[str]:
    codes: list[str] = []
    number = 1
    while len(codes) < count:
        code = f"{parent_code}{number:02d}"
        if code not in taken:
            codes.append(code)
        number += 1
    return codes


def _place_name(rng: random.Random) -> tuple[str, str]:
    head_en, head_km = PLACE_HEADS[rng.randrange(len(PLACE_HEADS))]
    tail_en, tail_km = PLACE_TAILS[rng.randrange(len(PLACE_TAILS))]
    return f"{head_en} {tail_en}", f"{head_km}{tail_km}"


def _synthetic_rows(rng: random.Random, known: list[Location]) -> list[dict[str, str]]:
    """Gazetteer rows that top every province, district and commune up to its target count of
    children. Parents created here get their children in the same rows."""
    children: dict[str, list[str]] = defaultdict(list)
    for location in known:
        if location.parent_id is not None:
            children[location.path.rstrip("/").rsplit("/", 2)[-2]].append(location.code)
    taken = {location.code for location in known}
    rows: list[dict[str, str]] = []

    def top_up(parent_code: str, level: str, target: int) -> list[str]:
        existing = children[parent_code]
        new_codes = _free_codes(parent_code, taken, max(0, target - len(existing)))
        for code in new_codes:
            name_en, name_km = _place_name(rng)
            rows.append(
                {
                    "code": code,
                    "parent_code": parent_code,
                    "level": level,
                    "name_en": name_en,
                    "name_km": name_km,
                }
            )
            taken.add(code)
        return [*existing, *new_codes]

    provinces = sorted(loc.code for loc in known if loc.level == LocationLevel.PROVINCE)
    for province in provinces:
        districts_wanted = PROVINCES.get(province, (DEFAULT_DISTRICTS, 1.0))[0]
        for district in top_up(province, LocationLevel.DISTRICT, districts_wanted):
            for commune in top_up(
                district, LocationLevel.COMMUNE, rng.randint(*COMMUNES_PER_DISTRICT)
            ):
                top_up(commune, LocationLevel.VILLAGE, rng.randint(*VILLAGES_PER_COMMUNE))
    return rows


def _save(rows: list[dict[str, str]]) -> None:
    """The rows as locations, parents before children (as accounts.gazetteer imports them,
    without its audit event stamped with the clock: the generator records its own)."""
    known = {location.code: location for location in Location.objects.all()}
    for level in LEVEL_ORDER:
        created = Location.objects.bulk_create(
            [
                Location(
                    code=row["code"],
                    name_en=row["name_en"],
                    name_km=row["name_km"],
                    level=level,
                    parent=known[row["parent_code"]],
                    path=Location.path_for(parent=known[row["parent_code"]], code=row["code"]),
                )
                for row in rows
                if row["level"] == level
            ],
            batch_size=2000,
        )
        known.update((location.code, location) for location in created)


def build_gazetteer(rng: random.Random) -> Gazetteer:
    rows = _synthetic_rows(rng, list(Location.objects.order_by("path")))
    _save(rows)
    places: dict[int, Place] = {}
    parent_of: dict[int, int | None] = {}
    for location in Location.objects.order_by("path"):
        places[location.pk] = Place(
            id=location.pk,
            code=location.code,
            path=location.path,
            level=location.level,
            name_en=location.name_en,
            name_km=location.name_km,
            weight=rng.uniform(0.3, 1.7),
        )
        parent_of[location.pk] = location.parent_id
    for pk, parent_id in parent_of.items():
        if parent_id is not None:
            places[parent_id].children.append(places[pk])
    commune_of: dict[int, Place] = {}
    district_of: dict[int, Place] = {}
    provinces: list[Province] = []
    for place in places.values():
        if place.level != LocationLevel.PROVINCE:
            continue
        commune_choice: dict[str, Weighted[Place]] = {}
        home_choice: dict[str, Weighted[Place]] = {}
        for district in place.children:
            for commune in district.children:
                commune_of[commune.id] = commune
                district_of[commune.id] = district
                for village in commune.children:
                    commune_of[village.id] = commune
                    district_of[village.id] = district
                homes = commune.children or [commune]
                home_choice[commune.code] = Weighted([(home, home.weight) for home in homes])
            if district.children:
                commune_choice[district.code] = Weighted(
                    [(commune, commune.weight) for commune in district.children]
                )
        districts = [district for district in place.children if district.children]
        weight = PROVINCES.get(place.code, (0, 1.0))[1]
        provinces.append(
            Province(
                place=place,
                weight=weight,
                districts=districts,
                district_choice=Weighted([(d, d.weight) for d in districts]),
                commune_choice=commune_choice,
                home_choice=home_choice,
            )
        )
    return Gazetteer(
        provinces=provinces,
        province_choice=Weighted([(p, p.weight) for p in provinces if p.districts]),
        commune_of=commune_of,
        district_of=district_of,
        created=len(rows),
    )
