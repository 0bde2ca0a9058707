"""openFDA drug label records: the file's shapes, and each record read into a ``Label``.

openFDA serves labels as ``{"meta": ..., "results": [...]}``; people also save a bare
record, a list of records, or JSON Lines (one record a line, as bulk tools write them).
Each record is checked before anything is written, and every problem is reported with
the record (its position and set_id) and the field, as import_content does.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.utils.text import slugify

from articles.models import Article
from drugs.models import Drug
from interchange.fields import clean_string, json_type
from interchange.label_text import brand_name, clean_section, readable_name
from interchange.reader import DocumentError, parse_json
from interchange.schema import RecordError

PRESCRIPTION, OTC = "HUMAN PRESCRIPTION DRUG", "HUMAN OTC DRUG"


@dataclass(frozen=True)
class SectionKind:
    field: str
    loinc: str
    title: str  # "{drug}" is the drug's name
    headings: tuple[str, ...]  # the label's own headings for it, stripped from the text


# DESIGN.md §6's codes; "warnings" (old-format and OTC labels) and "purpose" are SPL's.
ARTICLE_SECTIONS = (
    SectionKind("boxed_warning", "34066-1", "{drug} Boxed Warning", ("Boxed warning", "Warning")),
    SectionKind(
        "indications_and_usage", "34067-9", "What Is {drug} Used For?",
        ("Indications and usage", "Indications & usage", "Indications", "Uses"),
    ),
    SectionKind(
        "dosage_and_administration", "34068-7", "{drug} Dosage",
        ("Dosage and administration", "Dosage & administration", "Directions"),
    ),
    SectionKind(
        "contraindications", "34070-3", "Who Should Not Take {drug}?", ("Contraindications",)
    ),
    SectionKind(
        "warnings_and_cautions", "43685-7", "{drug} Warnings and Precautions",
        ("Warnings and precautions", "Warnings & precautions"),
    ),
    SectionKind("warnings", "34071-1", "{drug} Warnings", ("Warnings",)),
    SectionKind("adverse_reactions", "34084-4", "{drug} Side Effects", ("Adverse reactions",)),
    SectionKind(
        "drug_interactions", "34073-7", "{drug} Drug Interactions", ("Drug interactions",)
    ),
)  # fmt: skip
MECHANISM = SectionKind(
    "mechanism_of_action", "43679-0", "How Does {drug} Work?", ("Mechanism of action",)
)
FORMS = SectionKind("dosage_forms_and_strengths", "43678-2", "", ("Dosage forms and strengths",))
PURPOSE = SectionKind("purpose", "55106-9", "", ("Purpose",))
TEXT_FIELDS = [s.field for s in (*ARTICLE_SECTIONS, MECHANISM, FORMS, PURPOSE)]


@dataclass
class Section:
    kind: SectionKind
    text: str  # cleaned Markdown
    source_hash: str


@dataclass
class Label:
    label: str  # how errors and reports name the record
    set_id: str
    effective_time: datetime.date
    version: str
    spl_id: str
    product_type: str
    drug_name: str
    drug_slug: str
    drug_class: str
    brand_names: list[str]
    routes: list[str]
    sections: dict[str, Section] = field(default_factory=dict)  # by openFDA field
    raw_forms: str = ""
    forms_from_panel: bool = False  # no forms section: raw_forms is the display panel


def read_labels(data: bytes) -> tuple[list[Label], list[RecordError]]:
    """Every label in the file and every error; raises DocumentError when it is not JSON."""
    labels, errors = [], []
    for name, raw in records_of(data):
        label, record_errors = read_label(name, raw)
        errors += record_errors
        if label is not None:
            labels.append(label)
    return labels, errors


def records_of(data: bytes) -> list[tuple[str, object]]:
    """(name, raw record) for each record of the accepted shapes."""
    try:
        parsed = parse_json(data)
    except DocumentError as whole_error:
        lines = [line for line in data.splitlines() if line.strip()]
        if len(lines) < 2:
            raise
        try:
            return [(f"line {n}", parse_json(line)) for n, line in enumerate(lines, 1)]
        except DocumentError:
            raise whole_error from None
    if isinstance(parsed, dict) and "results" in parsed:
        results = parsed["results"]
        if not isinstance(results, list):
            raise DocumentError(f"results: expected a list of records, got {json_type(results)}")
        return [(f"results[{n}]", raw) for n, raw in enumerate(results)]
    if isinstance(parsed, list):
        return [(f"[{n}]", raw) for n, raw in enumerate(parsed)]
    return [("record", parsed)]


def read_label(name: str, raw: object) -> tuple[Label | None, list[RecordError]]:
    errors: list[RecordError] = []
    if not isinstance(raw, dict):
        return None, [RecordError(name, "", f"expected a label object, got {json_type(raw)}")]
    set_id = raw.get("set_id")
    label_name = f'{name} (set_id "{set_id[:64]}")' if isinstance(set_id, str) else name

    def error(key: str, message: str) -> None:
        errors.append(RecordError(label_name, key, message))

    set_id = _string(raw, "set_id", error, max_length=64, required=True)
    effective = _date(raw, error)
    openfda = raw.get("openfda", {})
    if not isinstance(openfda, dict):
        error("openfda", f"expected an object, got {json_type(openfda)}")
        openfda = {}
    generic = _strings(openfda, "generic_name", error, "openfda.")
    if not generic:
        error("openfda.generic_name", "is required: it names the drug")
    product_types = _strings(openfda, "product_type", error, "openfda.")
    product_type = product_types[0] if product_types else ""
    if product_type not in ("", PRESCRIPTION, OTC):
        error("openfda.product_type", f"{product_type!r} is not a human drug label")
    brands = []
    for index, text in enumerate(_strings(openfda, "brand_name", error, "openfda.")):
        brand = brand_name(text)
        if len(brand.rstrip("®™")) > 120:
            error(f"openfda.brand_name[{index}]", "is longer than 120 characters")
        elif brand.lower() not in {b.lower() for b in brands}:
            brands.append(brand)
    routes = [r.lower() for r in _strings(openfda, "route", error, "openfda.")]
    classes = _strings(openfda, "pharm_class_epc", error, "openfda.")
    texts = {key: _section_text(raw, key, error) for key in TEXT_FIELDS}
    drug_name = readable_name(generic[0]) if generic else ""
    if len(drug_name) > Drug._meta.get_field("name").max_length:
        error("openfda.generic_name", "is longer than a drug name may be")
    drug_class = classes[0].removesuffix("[EPC]").strip() if classes else ""
    if not drug_class and product_type == OTC and texts["purpose"]:
        drug_class = clean_section(texts["purpose"], PURPOSE.headings).strip()
    if errors:
        return None, errors
    label = Label(
        label=label_name,
        set_id=set_id,
        effective_time=effective,
        version=str(raw.get("version", ""))[:20],
        spl_id=str(raw.get("id", ""))[:64],
        product_type=product_type,
        drug_name=drug_name,
        drug_slug=slugify(drug_name)[:120],
        drug_class=drug_class[:160],
        brand_names=brands,
        routes=routes,
        forms_from_panel=not texts[FORMS.field],
        raw_forms=texts[FORMS.field]
        or _section_text(raw, "package_label_principal_display_panel", error),
    )
    for kind in (*ARTICLE_SECTIONS, MECHANISM, FORMS):
        text = texts[kind.field]
        if not text:
            continue
        tables = raw.get(f"{kind.field}_table", [])
        tables = [t for t in tables if isinstance(t, str)] if isinstance(tables, list) else []
        body = clean_section(text, kind.headings, tables)
        if kind.field == "indications_and_usage" and texts["purpose"]:
            purpose = clean_section(texts["purpose"], PURPOSE.headings)
            body = f"**Purpose:** {purpose.strip()}\n\n{body}"
        source = "\x1f".join([text, *tables])
        label.sections[kind.field] = Section(kind, body, _sha256(source))
        if kind.title and len(kind.title.format(drug=drug_name)) > _title_length():
            error("openfda.generic_name", "is too long to title the drug's articles")
    return (None, errors) if errors else (label, [])


def _title_length() -> int:
    return Article._meta.get_field("title").max_length


def _string(raw: dict, key: str, error, *, max_length: int, required: bool) -> str:
    value = raw.get(key)
    if value is None:
        if required:
            error(key, "is required")
        return ""
    text, message = clean_string(value, max_length)
    if message:
        error(key, message)
        return ""
    if required and not text:
        error(key, "must not be empty")
    return text


def _date(raw: dict, error) -> datetime.date | None:
    value = raw.get("effective_time")
    if value is None:
        error("effective_time", "is required (YYYYMMDD)")
        return None
    try:
        if not isinstance(value, str) or len(value) != 8:
            raise ValueError
        return datetime.datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 - a date
    except ValueError:
        shown = repr(value[:20]) if isinstance(value, str) else json_type(value)
        error("effective_time", f"expected a date YYYYMMDD, got {shown}")
        return None


def _strings(obj: dict, key: str, error, prefix: str = "") -> list[str]:
    value = obj.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        error(prefix + key, f"expected a list of strings, got {json_type(value)}")
        return []
    result = []
    for index, item in enumerate(value):
        text, message = clean_string(item, 500)
        if message:
            error(f"{prefix}{key}[{index}]", message)
        elif text:
            result.append(text)
    return result


def _section_text(raw: dict, key: str, error) -> str:
    """A section is a list of strings in openFDA; its parts are joined."""
    value = raw.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        error(key, f"expected a list of strings, got {json_type(value)}")
        return ""
    parts = []
    for index, item in enumerate(value):
        text, message = clean_string(item, None)
        if message:
            error(f"{key}[{index}]", message)
        else:
            parts.append(text)
    return "\n".join(parts).strip()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
