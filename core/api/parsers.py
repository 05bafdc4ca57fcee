"""The API's request parsers: DRF's, refusing with a 400 what would otherwise fail deep inside a
view. JSON nested deeper than any request of this API needs would exhaust the interpreter's
stack (in parsing, validating or answering it), and PostgreSQL refuses the NUL character in
text: a NUL in any string reaches a query as soon as a field lets it through (a list of codes, a
choice looked up in a table), so it is refused here once for every field."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Mapping
from itertools import accumulate
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

# The deepest request body of this API is an object holding lists of objects (a plan's goals
# and their actions): a few levels. Far more than that is an attack, not a request.
MAX_JSON_DEPTH = 64

NUL = "\x00"
# A JSON string, escapes included, up to its closing quote or the end of a broken body (so a
# match never fails, and the text is read once); removed before counting brackets, which may
# stand in text.
_JSON_STRING = re.compile(r'"(?:[^"\\]++|\\(?:.|\Z))*+(?:"|\Z)', re.DOTALL)
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def json_depth_exceeds(text: str, limit: int) -> bool:
    """Whether the arrays and objects of the JSON ``text`` nest deeper than ``limit``."""
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_A_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_DEPTH_STEP.__getitem__, brackets)), default=0) > limit


def contains_nul(data: Any) -> bool:
    """Whether a NUL stands in any string (key or value) of parsed data, at any depth."""
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, QueryDict):
            pending += [(key, *item.getlist(key)) for key in item]
        elif isinstance(item, Mapping):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, Iterable) and not isinstance(item, bytes):
            pending += list(item)
    return False


def refuse_nul(data: Any) -> Any:
    if contains_nul(data):
        raise ParseError(_("The request contains a NUL character, which no field accepts."))
    return data


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing nesting deeper than ``MAX_JSON_DEPTH`` and NUL in strings."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        # DRF's check of the charset (refusing codecs that decompress); not in its type stubs.
        encoding = parsers.get_encoding(parser_context or {})  # type: ignore[attr-defined]
        try:
            text = codecs.getreader(encoding)(stream).read()
        except UnicodeDecodeError as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        if json_depth_exceeds(text, MAX_JSON_DEPTH):
            raise ParseError(
                _("JSON nested deeper than %(limit)d levels is refused.")
                % {"limit": MAX_JSON_DEPTH}
            )
        parse_constant = json.strict_constant if self.strict else None
        try:
            data = json.loads(text, parse_constant=parse_constant)
        except ValueError as error:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": error}) from None
        # A NUL can only be written as the escape \u0000 (json refuses it raw in a string).
        return refuse_nul(data) if "u0000" in text else data
