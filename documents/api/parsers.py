"""The one API body that is not JSON: a document's upload, as ``multipart/form-data``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import parsers

from core.api.parsers import refuse_nul


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, refusing a NUL in any field (as the JSON parser does)."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        result = super().parse(stream, media_type, parser_context)
        refuse_nul(result.data)
        return result
