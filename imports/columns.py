"""The columns of an import file (fixed by the API contract), their Khmer labels for the
template's header, and the translation of a Primero case export's columns and codes into them."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

# The contract's columns, in the template's order; more may follow, none may be renamed.
COLUMNS: tuple[str, ...] = (
    "external_system",
    "external_id",
    "given_name",
    "family_name",
    "given_name_km",
    "family_name_km",
    "sex",
    "date_of_birth",
    "estimated_age",
    "location_code",
    "concerns",
    "source",
    "summary",
    "owner",
)

# The template's header reads "given_name (នាមខ្លួន)": the machine name first, so a filled-in
# template reads back by it, and the Khmer label for the person filling it in. Khmer stays
# here, not in the translation catalogue: the header shows both whatever the page's language.
KHMER_LABELS: dict[str, str] = {
    "external_system": "ប្រព័ន្ធខាងក្រៅ",
    "external_id": "លេខសម្គាល់ក្នុងប្រព័ន្ធខាងក្រៅ",
    "given_name": "នាមខ្លួន (អក្សរឡាតាំង)",
    "family_name": "នាមត្រកូល (អក្សរឡាតាំង)",
    "given_name_km": "នាមខ្លួន (អក្សរខ្មែរ)",
    "family_name_km": "នាមត្រកូល (អក្សរខ្មែរ)",
    "sex": "ភេទ",
    "date_of_birth": "ថ្ងៃខែឆ្នាំកំណើត",
    "estimated_age": "អាយុប៉ាន់ស្មាន",
    "location_code": "លេខកូដឃុំ ឬភូមិ",
    "concerns": "បញ្ហាការពារកុមារ",
    "source": "ប្រភព",
    "summary": "សេចក្តីសង្ខេប",
    "owner": "អ្នកទទួលបន្ទុកករណី",
}

_LABELLED = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(.*\))?\s*$", re.DOTALL)


def header_name(cell: str) -> str:
    """The machine name of a header cell: "given_name (នាមខ្លួន)" and "given_name" alike."""
    text = cell.lstrip("\ufeff").strip()
    match = _LABELLED.match(text)
    return match.group(1).lower() if match else text.lower()


def template_header() -> list[str]:
    return [f"{name} ({KHMER_LABELS[name]})" for name in COLUMNS]


# --- Primero (CPIMS+) --------------------------------------------------------------------
# Primero's CSV export writes an ``id`` column then each field's name as its header, and each
# value as the record holds it (docs/interop.md). A header with these names is Primero's.
PRIMERO_SIGNATURE = frozenset({"case_id_display", "name_first"})
PRIMERO_SYSTEM = "primero"

# Primero's protection concern codes (lookup-protection-concerns) to ours; a code not here, or
# mapped to "other", is named in the case's summary so nothing is lost silently.
PRIMERO_CONCERNS: dict[str, tuple[str, ...]] = {
    "sexually_exploited": ("commercial_sexual_exploitation",),
    "gbv_survivor": ("sexual_abuse",),
    "statelessness": ("no_birth_registration",),
    "arrested_detained": ("conflict_with_law",),
    "migrant": ("migrating_child",),
    "street_child": ("street_connected",),
    "physically_or_mentally_abused": ("physical_abuse", "emotional_abuse"),
    "worst_forms_of_child_labor": ("child_labour",),
    "unaccompanied": ("unaccompanied_separated",),
    "separated": ("unaccompanied_separated",),
    "child_marriage": ("child_marriage",),
    "other": ("other",),
}


def is_primero(header: list[str]) -> bool:
    return set(header) >= PRIMERO_SIGNATURE


def _primero_list(text: str) -> list[str]:
    """A multi-select as Primero's CSV writes it, ``["a", "b"]``, or ``a;b`` / ``a,b``."""
    text = text.strip()
    if text.startswith("["):
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            parsed = None
        if isinstance(parsed, list):
            return [str(item).strip() for item in parsed if str(item).strip()]
        text = text.strip("[]")
    return [part.strip().strip("\"'") for part in re.split(r"[;,]", text) if part.strip()]


def _formula_text(value: str) -> str:
    """Primero writes a value that would start a formula with a leading quote: drop it."""
    return value[1:] if value.startswith("'") and value[1:2] in {"=", "+", "-", "@"} else value


def from_primero(values: Mapping[str, str], known_users: frozenset[str]) -> dict[str, str]:
    """One row of a Primero case export as a row of our columns. ``known_users``: the
    usernames of the agency's case holders (Primero's ``owned_by`` is kept only when it is
    one of them; otherwise the importer holds the case)."""
    row = {name: _formula_text(value.strip()) for name, value in values.items()}
    given, family = row.get("name_first", ""), row.get("name_last", "")
    middle = row.get("name_middle", "")
    if middle:
        given = f"{given} {middle}".strip()
    if not (given or family) and row.get("name"):
        *firsts, last = row["name"].split()
        given, family = " ".join(firsts) or last, last if firsts else ""
    concerns: list[str] = []
    unmapped: list[str] = []
    for code in _primero_list(row.get("protection_concerns", "")):
        ours = PRIMERO_CONCERNS.get(code.lower())
        if ours is None or ours == ("other",):
            unmapped.append(code)
            ours = ("other",)
        concerns.extend(ours)
    notes = [f"Primero {row['case_id_display']}"] if row.get("case_id_display") else []
    if unmapped:
        notes.append(f"Primero protection concerns: {', '.join(unmapped)}")
    if row.get("risk_level"):
        notes.append(f"Primero risk level: {row['risk_level']}")
    age = "" if row.get("date_of_birth") else row.get("age", "")
    owner = row.get("owned_by", "")
    return {
        "external_system": PRIMERO_SYSTEM,
        "external_id": row.get("case_id") or row.get("id", ""),
        "given_name": given,
        "family_name": family,
        "given_name_km": row.get("name_local", ""),
        "family_name_km": "",
        "sex": row.get("sex", ""),
        "date_of_birth": row.get("date_of_birth", ""),
        "estimated_age": age,
        "location_code": row.get("location_current", ""),
        "concerns": ";".join(dict.fromkeys(concerns)),
        "source": "other",
        "summary": ". ".join(notes),
        "owner": owner if owner in known_users else "",
    }
