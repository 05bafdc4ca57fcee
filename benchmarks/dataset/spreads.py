"""The spreads the synthetic dataset follows (summarised in docs/performance.md).

They are plausible rather than official: province weights follow the 2019 census population,
raised where the reports place more cases (the capital, the Thai and Vietnamese border crossings,
tourism); the rest follows what the domain reports describe."""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Sequence
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice, drawn with one random number and a bisection."""

    def __init__(self, pairs: Sequence[tuple[T, float]]) -> None:
        self.values = [value for value, _weight in pairs]
        self.cumulative = list(accumulate(weight for _value, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.values[bisect(self.cumulative, rng.random() * self.total)]


# Province code -> (districts, caseload weight). Districts as in the gazetteer (about 204);
# weight: population in 100,000s, times 1.3 for the capital, 1.5 at the main border crossings
# (Banteay Meanchey, Battambang, Svay Rieng, Pailin), 1.2 for Siem Reap and Preah Sihanouk.
PROVINCES: dict[str, tuple[int, float]] = {
    "01": (9, 12.9),
    "02": (14, 15.0),
    "03": (10, 9.0),
    "04": (8, 5.3),
    "05": (8, 8.8),
    "06": (9, 6.8),
    "07": (8, 5.9),
    "08": (11, 12.0),
    "09": (7, 1.2),
    "10": (6, 3.7),
    "11": (5, 0.9),
    "12": (14, 29.6),
    "13": (8, 2.5),
    "14": (13, 10.6),
    "15": (7, 4.1),
    "16": (9, 2.0),
    "17": (12, 12.1),
    "18": (5, 3.7),
    "19": (6, 1.6),
    "20": (8, 8.0),
    "21": (10, 9.0),
    "22": (5, 2.6),
    "23": (2, 0.4),
    "24": (2, 1.1),
    "25": (7, 7.8),
}
COMMUNES_PER_DISTRICT = (5, 12)
VILLAGES_PER_COMMUNE = (5, 12)

# The years of history a dataset holds, and how much busier the last year is than the first
# (the system's use grows as it is rolled out).
HISTORY_YEARS = 8
GROWTH = 4.0

SOURCES = Weighted(
    [
        ("community", 18),
        ("helpline", 15),
        ("police", 12),
        ("ccwc", 12),
        ("ngo", 12),
        ("school", 8),
        ("family", 8),
        ("labour_inspection", 5),
        ("health", 5),
        ("self", 3),
        ("other", 2),
    ]
)

# Concerns a case starts from, by how often they are recorded.
CONCERNS = Weighted(
    [
        ("neglect", 16),
        ("physical_abuse", 12),
        ("sexual_abuse", 9),
        ("child_labour", 9),
        ("domestic_violence", 7),
        ("left_behind", 7),
        ("out_of_school", 6),
        ("street_connected", 5),
        ("labour_trafficking", 4),
        ("sex_trafficking", 3),
        ("emotional_abuse", 4),
        ("unaccompanied_separated", 3),
        ("migrating_child", 3),
        ("no_birth_registration", 3),
        ("online_sexual_exploitation", 2),
        ("commercial_sexual_exploitation", 2),
        ("conflict_with_law", 2),
        ("victim_witness", 1),
        ("child_marriage", 1),
        ("forced_marriage", 1),
        ("residential_care", 1),
        ("sexual_exploitation_travel_tourism", 0.5),
        ("other", 1),
    ]
)
CONCERN_COUNT = Weighted([(1, 55), (2, 32), (3, 13)])
LABOUR_SECTORS = Weighted(
    [
        ("brick_kiln", 18),
        ("agriculture", 20),
        ("begging_street_vending", 15),
        ("fishing", 10),
        ("domestic_work", 10),
        ("construction", 9),
        ("entertainment", 7),
        ("scavenging", 6),
        ("manufacturing", 4),
        ("other", 1),
    ]
)
# Concerns that often take a child out of the home for a while (shelter, residential care).
REMOVAL_CONCERNS = frozenset(
    {
        "sex_trafficking",
        "labour_trafficking",
        "commercial_sexual_exploitation",
        "sexual_abuse",
        "unaccompanied_separated",
        "street_connected",
        "residential_care",
        "forced_marriage",
        "online_sexual_exploitation",
        "sexual_exploitation_travel_tourism",
    }
)

SEXES = Weighted([("female", 55), ("male", 44), ("unknown", 1)])
# Age when first met: teenagers are most of the caseload.
AGES = Weighted(list(enumerate([1, 1, 1, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 10, 10, 9, 6])))

# Share of cases closed, by age of the case in days (the last: ever).
CLOSED_SHARE_BY_AGE = ((30, 0.02), (180, 0.15), (365, 0.35), (730, 0.65), (10**9, 0.92))
CLOSURE_REASONS = Weighted(
    [
        ("reintegrated", 30),
        ("other", 22),
        ("transferred", 12),
        ("reached_18", 14),
        ("family_relocated", 12),
        ("duplicate", 3),
        ("child_died", 0.3),
    ]
)
NOTE_KINDS = Weighted(
    [
        ("home_visit", 35),
        ("phone", 25),
        ("office_visit", 15),
        ("meeting", 15),
        ("court", 3),
        ("other", 7),
    ]
)
PLACEMENT_AWAY = Weighted(
    [("shelter", 60), ("residential_care", 30), ("foster", 5), ("detention", 5)]
)
PLACEMENT_HOME = Weighted([("parents", 70), ("kinship", 25), ("foster", 5)])
URGENCIES = Weighted([("routine", 65), ("urgent", 28), ("emergency", 7)])
# What becomes of a referral once its answer is due.
REFERRAL_ENDINGS = Weighted(
    [("completed", 70), ("declined", 14), ("cancelled", 8), ("expired", 3), ("accepted", 5)]
)
FOLLOW_UP_OUTCOMES = Weighted([("stable", 78), ("at_risk", 17), ("breakdown", 5)])
EMAIL_DELIVERY = Weighted([("immediate", 60), ("digest", 30), ("none", 10)])
LANGUAGES = Weighted([("km", 70), ("en", 30)])
