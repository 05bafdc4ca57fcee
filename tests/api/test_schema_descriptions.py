"""Every operation of the published schema says what it does (core.api.schema takes it from the
handler's docstring, or from an ``extend_schema`` description), and says it of itself alone: a
new endpoint without its own description fails here."""

from __future__ import annotations

from collections import defaultdict

from tests.api.schema_check import openapi_document


def _descriptions() -> dict[str, str]:
    """Each operation's description, by ``METHOD path``."""
    return {
        f"{method.upper()} {path}": str(operation.get("description", "")).strip()
        for path, methods in openapi_document()["paths"].items()
        for method, operation in methods.items()
    }


def test_every_operation_has_a_description() -> None:
    missing = sorted(operation for operation, text in _descriptions().items() if not text)
    assert not missing


def test_no_two_operations_share_a_description() -> None:
    by_text: dict[str, list[str]] = defaultdict(list)
    for operation, text in _descriptions().items():
        by_text[" ".join(text.split())].append(operation)
    shared = {text: operations for text, operations in by_text.items() if len(operations) > 1}
    assert not shared
