"""The layout that shows the design (docs/architecture.md, "Apps and layers"): pages and API
views are thin over services and selectors. These checks read the source, so a shortcut fails
here when it is written, not when it leaks."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "audit",
    "cases",
    "core",
    "cpims",
    "exports",
    "notifications",
    "referrals",
    "reintegration",
    "reporting",
)

# The one module of an app's pages that other apps import: the case file, whose tab registry
# the referrals and reintegration apps plug into. (core.web holds what every app's pages share.)
WEB_REGISTRIES = {"cases.web.case_file", "core.web"}
# The project's URL configuration wires every app's pages.
URL_WIRING = "cpims/urls.py"


def _sources(*patterns: str) -> list[Path]:
    found: set[Path] = set()
    for app in APPS:
        for pattern in patterns:
            found.update(
                path
                for path in (ROOT / app).glob(pattern)
                if "migrations" not in path.parts and path.suffix == ".py"
            )
    return sorted(found)


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_no_app_imports_another_apps_pages_except_the_case_file_registry() -> None:
    offences: dict[str, list[str]] = {}
    for path in _sources("**/*.py"):
        if _relative(path) == URL_WIRING:
            continue
        app = _relative(path).split("/")[0]
        foreign_pages = sorted(
            module
            for module in _imported_modules(path)
            if ".web" in module
            and module.split(".")[0] != app
            and module.split(".")[1] == "web"
            and not any(
                module == registry or module.startswith(f"{registry}.")
                for registry in WEB_REGISTRIES
            )
            and module.count(".") >= 2
        )
        if foreign_pages:
            offences[_relative(path)] = foreign_pages
    assert not offences, f"import another app's pages only through its registry: {offences}"


# A model queried, other than as the choices a form or serializer field declares.
MODEL_QUERY = re.compile(r"(?<!queryset=)\b[A-Z]\w*\.objects\.(?!none\(\))")
API_VIEW = re.compile(r"^class \w+\([^)]*(View|ViewSet)\b", re.MULTILINE)


def _pages_and_api_views() -> list[Path]:
    api = [path for path in _sources("api/*.py") if API_VIEW.search(path.read_text())]
    return sorted({*_sources("web/*.py", "views.py"), *api})


def test_pages_and_api_views_read_through_selectors() -> None:
    """A page or an API view that queries a model itself skips the selectors, where the
    access policy and the prefetching live."""
    offences = {
        _relative(path): hits
        for path in _pages_and_api_views()
        if (hits := MODEL_QUERY.findall(path.read_text()))
    }
    assert not offences, f"read through a selector: {offences}"


TRANSACTION = re.compile(r"transaction\.atomic|select_for_update")


def test_no_page_or_api_view_opens_a_transaction_or_locks_a_row() -> None:
    """Services own their transaction: they lock what they change and check the version the
    caller read, so a page or a view only translates."""
    offences = {
        _relative(path): len(hits)
        for path in _sources("web/*.py", "api/*.py", "api/*/*.py", "views.py")
        if (hits := TRANSACTION.findall(path.read_text()))
    }
    assert not offences, f"let the service open the transaction and lock: {offences}"


def test_the_checks_find_what_they_look_for() -> None:
    assert MODEL_QUERY.search("User.objects.filter(pk=1)")
    assert not MODEL_QUERY.search("User.objects.none()")
    assert not MODEL_QUERY.search("field = ModelChoiceField(queryset=User.objects.all())")
    assert API_VIEW.search(
        "class CaseViewSet(\n    RecordsListReads,\n    viewsets.GenericViewSet[Case],\n):"
    )
    assert API_VIEW.search("class ReferralQueueView(APIView):")
    assert TRANSACTION.search("with transaction.atomic():")
    assert TRANSACTION.search("plans.select_for_update(of=('self',))")
