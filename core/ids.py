"""Ids read from text (a path, a query parameter, a form field)."""

from __future__ import annotations

import re

# ASCII digits only (str.isdigit() also accepts "²", which int() refuses), and no more of them
# than a bigint has: a longer number is no id, and int() refuses thousands of digits.
ID_REGEX = r"[0-9]{1,19}"
_ID = re.compile(ID_REGEX)


def as_id(value: object) -> int | None:
    """The number ``value`` spells, or None when it is not an id (empty, signed, not digits)."""
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    return int(text) if _ID.fullmatch(text) else None
