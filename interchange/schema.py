"""Format versions 1 and 2 of the content interchange document: what each record may hold.

Version 2 (written by the exporter) adds to each record its published copy with its
review (``interchange.published_schema``); its top level is the working copy only, which
an import never publishes. Version 1 files still import as they always did.

``validate_document`` reads parsed JSON into canonical records (the exporter's shape)
and returns every error at once, each naming its record and field. It looks at the
document alone; references to rows already in the database are checked by
``interchange.references``. docs/interchange-format.md describes the same rules.
"""

from dataclasses import dataclass, field

from articles.models import (
    RESERVED_PAGE_SLUGS,
    Article,
    ArticleKind,
    SitePage,
    SiteSettings,
    Status,
)
from drugs.models import Availability, BrandName, Condition, Drug, Formulation, Indication
from interchange.fields import MISSING, Fields, json_type, mixed_script_word
from interchange.published_schema import read_published

FORMAT = "medinfo-content"
VERSION = 2  # what the exporter writes
VERSIONS = (1, 2)  # what the importer reads
KINDS = ("conditions", "drugs", "articles", "pages")  # in the order they are written
TOP_LEVEL_KEYS = ("format", "version", "site", *KINDS)


@dataclass(frozen=True)
class RecordError:
    record: str  # 'drugs[3] (slug "baclofen")', 'site' or 'document'
    field: str  # 'formulations[1].strengths', or "" for the record as a whole
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.record}: {self.field}: {self.message}"
        return f"{self.record}: {self.message}"


@dataclass
class Document:
    site: dict | None = None
    conditions: list[dict] = field(default_factory=list)
    drugs: list[dict] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)
    pages: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(getattr(self, kind)) for kind in KINDS) + (self.site is not None)


def max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def record_label(kind: str, index: int, slug: object) -> str:
    if isinstance(slug, str) and slug:
        return f'{kind}[{index}] (slug "{slug[:80]}")'
    return f"{kind}[{index}]"


def validate_document(data: object) -> tuple[Document, list[RecordError]]:
    """Canonical records and every error in the document, all at once."""
    errors: list[RecordError] = []
    document = Document()
    top = Fields(data, lambda f, m: errors.append(RecordError("document", f, m)))
    if not top.valid:
        return document, errors
    file_format = top.get("format", required=True)
    version = top.get("version", required=True)
    if "format" in top.raw and file_format != FORMAT:
        top.error("format", f'expected "{FORMAT}", got {_short(file_format)}')
    if "version" in top.raw and (type(version) is not int or version not in VERSIONS):
        top.error(
            "version", f"expected 1 or 2, got {_short(version)} (this importer reads 1 and 2)"
        )
    if errors:
        return document, errors  # another format or version: its records mean other things

    if "site" in top.raw:
        top.known.add("site")
        site_errors = []
        site = Fields(top.raw["site"], lambda f, m: site_errors.append((f, m)))
        document.site = read_site(site)
        site.finish()
        errors.extend(RecordError("site", f, m) for f, m in site_errors)
    for kind in KINDS:
        raw_records = top.get(kind, required=False)
        if raw_records is MISSING or raw_records is None or raw_records == []:
            continue
        if not isinstance(raw_records, list):
            top.error(kind, f"expected a list of objects, got {json_type(raw_records)}")
            continue
        document_list = getattr(document, kind)
        for index, raw in enumerate(raw_records):
            record, record_errors = read_record(kind, raw, version)
            label = record_label(kind, index, record.get("slug") or _raw_slug(raw))
            errors.extend(RecordError(label, f, m) for f, m in record_errors)
            document_list.append(record)
    top.finish()
    errors.extend(duplicate_errors(document))
    return document, errors


def read_record(kind: str, raw: object, version: int) -> tuple[dict, list[tuple[str, str]]]:
    record_errors: list[tuple[str, str]] = []
    fields = Fields(raw, lambda f, m: record_errors.append((f, m)))
    record = READERS[version][kind](fields) if fields.valid else {}
    fields.finish()
    return record, record_errors


def read_site(f: Fields) -> dict:
    return {
        "name": f.string("name", max_length=max_length(SiteSettings, "site_name"), required=True),
        "owner": f.string("owner", max_length=max_length(SiteSettings, "owner"), required=True),
        "copyright_start_year": f.integer(
            "copyright_start_year", minimum=1900, maximum=2100, default=None
        ),
        "disclaimer": f.string("disclaimer", required=True),
        "tagline": f.string("tagline", max_length=max_length(SiteSettings, "tagline")),
    }


def read_name(f: Fields, model) -> str:
    """A drug's or condition's name; look-alike letters from another script are refused."""
    name = f.string("name", max_length=max_length(model, "name"), required=True)
    if word := mixed_script_word(name):
        f.error("name", f"{word!r} mixes letters of different scripts (a look-alike character?)")
    return name


def read_condition_fields(f: Fields) -> dict:
    name = read_name(f, Condition)
    return {
        "slug": f.slug("slug", max_length=max_length(Condition, "slug"), derive_from=name),
        "name": name,
        "summary": f.string("summary"),
    }


def read_condition(f: Fields) -> dict:
    return read_condition_fields(f) | read_publication(f, Condition)


def read_working_review(f: Fields, model) -> dict:
    """Version 2: a review of the working text (recorded, never published by an import)."""
    record = {
        "reviewed_by": f.string("reviewed_by", max_length=max_length(model, "reviewed_by")),
        "reviewed_on": f.date("reviewed_on"),
    }
    if bool(record["reviewed_by"]) != bool(record["reviewed_on"]):
        f.error("reviewed_on", "reviewed_by and reviewed_on go together")
    return record


def read_condition_v2(f: Fields) -> dict:
    record = read_condition_fields(f) | read_working_review(f, Condition)
    return record | {"published": read_published(f, "conditions")}


PUBLICATION_STATUSES = [Status.DRAFT, Status.PUBLISHED]


def read_publication(f: Fields, model) -> dict:
    """A drug hub's or condition page's publication: published only with its review.

    Without these keys (files written before hubs had a review gate) the record is a
    working copy only: an import never publishes what nobody reviewed.
    """
    record = {
        "status": f.choice("status", PUBLICATION_STATUSES, Status.DRAFT),
        "published_at": f.datetime("published_at"),
        "reviewed_by": f.string("reviewed_by", max_length=max_length(model, "reviewed_by")),
        "reviewed_on": f.date("reviewed_on"),
    }
    if record["status"] == Status.PUBLISHED:
        for key in ("published_at", "reviewed_by", "reviewed_on"):
            if f.raw.get(key) in (None, ""):
                f.error(key, "is required when status is published")
    return record


def read_drug(f: Fields) -> dict:
    return read_drug_fields(f) | read_publication(f, Drug)


def read_drug_v2(f: Fields) -> dict:
    record = read_drug_fields(f) | read_working_review(f, Drug)
    return record | {"published": read_published(f, "drugs")}


def read_drug_fields(f: Fields) -> dict:
    name = read_name(f, Drug)
    brand_length = max_length(BrandName, "name")
    brands: dict[str, str] = {}  # name without mark -> canonical "Name®"
    for index, text in enumerate(f.strings("brand_names", max_length=brand_length + 4)):
        brand, message = canonical_brand(text, brand_length)
        if message:
            f.error(f"brand_names[{index}]", message)
        elif brand[0] in brands:
            f.error(f"brand_names[{index}]", f'"{brand[0]}" is listed twice')
        else:
            brands[brand[0]] = "".join(brand)
    formulations = [read_formulation(sub, brands) for sub in f.objects("formulations")]
    formulation_names = _unique(f, "formulations", [x["name"] for x in formulations], "name")
    indications = [read_indication(sub, formulation_names) for sub in f.objects("indications")]
    off_label = [read_off_label_use(sub) for sub in f.objects("off_label_uses")]
    for key, uses in (("indications", indications), ("off_label_uses", off_label)):
        _unique(f, key, [(u["condition"], u["details"]) for u in uses], "condition")
    return {
        "slug": f.slug("slug", max_length=max_length(Drug, "slug"), derive_from=name),
        "name": name,
        "brand_names": sorted(brands.values()),
        "drug_class": f.string("drug_class", max_length=max_length(Drug, "drug_class")),
        "availability": f.choice("availability", Availability.values, Availability.PRESCRIPTION),
        "summary": f.string("summary"),
        "mechanism": f.string("mechanism"),
        "formulations": formulations,
        "indications": indications,
        "off_label_uses": off_label,
    }


def canonical_brand(text: str, limit: int) -> tuple[tuple[str, str], str | None]:
    """'Lioresal ®' -> (('Lioresal', '®'), None); a mark inside the name is an error."""
    name, mark = BrandName.split_mark(text)
    if "®" in name or "™" in name:
        return ("", ""), f"{text!r}: a mark (® or ™) may only come at the end"
    if not name:
        return ("", ""), f"{text!r} has no name before its mark"
    if word := mixed_script_word(name):
        return ("", ""), f"{word!r} mixes letters of different scripts (a look-alike character?)"
    if len(name) > limit:
        return ("", ""), f"is {len(name)} characters long; at most {limit} allowed"
    return (name, mark), None


def read_formulation(f: Fields, brands: dict[str, str]) -> dict:
    brand_names = []
    for index, text in enumerate(
        f.strings("brand_names", max_length=max_length(BrandName, "name") + 4)
    ):
        (name, mark), message = canonical_brand(text, max_length(BrandName, "name"))
        if message:
            f.error(f"brand_names[{index}]", message)
        elif name not in brands:
            f.error(f"brand_names[{index}]", f'"{text}" is not one of the drug\'s brand_names')
        elif brands[name] != name + mark:
            f.error(f"brand_names[{index}]", f'"{text}" has another mark than "{brands[name]}"')
        elif brands[name] in brand_names:
            f.error(f"brand_names[{index}]", f'"{text}" is listed twice')
        else:
            brand_names.append(brands[name])
    return {
        "name": f.string("name", max_length=max_length(Formulation, "name"), required=True),
        "route": f.string("route", max_length=max_length(Formulation, "route")),
        "strengths": f.strings("strengths", max_length=60),
        "brand_names": sorted(brand_names),
    }


def read_indication(f: Fields, formulation_names: list[str]) -> dict:
    wanted = f.strings("formulations", max_length=max_length(Formulation, "name"))
    for index, name in enumerate(wanted):
        if name not in formulation_names:
            known = ", ".join(f'"{n}"' for n in formulation_names) or "none"
            f.error(
                f"formulations[{index}]",
                f'"{name}" is not one of this drug\'s formulations (it has {known})',
            )
        elif wanted.index(name) != index:
            f.error(f"formulations[{index}]", f'"{name}" is listed twice')
    return {
        "condition": f.reference(
            "condition", max_length=max_length(Condition, "slug"), required=True
        ),
        "details": f.string("details", max_length=max_length(Indication, "details")),
        "formulations": [name for name in formulation_names if name in wanted],
    }


def read_off_label_use(f: Fields) -> dict:
    return {
        "condition": f.reference(
            "condition", max_length=max_length(Condition, "slug"), required=True
        ),
        "details": f.string("details", max_length=max_length(Indication, "details")),
    }


def read_article_v2(f: Fields) -> dict:
    """The working copy: its status is draft or in review (published is what readers have,
    and follows from ``published``); Article.published_at comes with the published copy."""
    record = read_article(f, version=2)
    del record["published_at"]
    return record | {"published": read_published(f, "articles")}


def read_article(f: Fields, version: int = 1) -> dict:
    title = f.string("title", max_length=max_length(Article, "title"), required=True)
    slug = f.slug("slug", max_length=max_length(Article, "slug"), derive_from=title)
    record = {
        "slug": slug,
        "title": title,
        "drug": f.reference("drug", max_length=max_length(Drug, "slug")),
        "summary": f.string("summary"),
        "body": f.string("body"),
        "status": f.choice("status", Status.values, Status.DRAFT),
        "published_at": f.datetime("published_at") if version == 1 else None,
        "reviewed_by": f.string("reviewed_by", max_length=max_length(Article, "reviewed_by")),
        "reviewed_on": f.date("reviewed_on"),
        "series_position": f.integer("series_position", minimum=0, maximum=32767),
        "kind": f.choice("kind", ArticleKind.values, ArticleKind.OTHER),
        "featured": f.boolean("featured"),
        "promoted_article": f.reference("promoted_article", max_length=max_length(Article, "slug")),
    }
    if record["status"] == Status.PUBLISHED and version == 1:
        # A malformed value is reported already; the review is the gate to readers.
        for key in ("published_at", "reviewed_by", "reviewed_on"):
            if f.raw.get(key) in (None, ""):
                f.error(key, "is required when status is published")
    if slug and record["promoted_article"] == slug:
        f.error("promoted_article", "an article cannot promote itself")
    return record


def read_page(f: Fields) -> dict:
    title = f.string("title", max_length=max_length(SitePage, "title"), required=True)
    slug = f.slug("slug", max_length=max_length(SitePage, "slug"), derive_from=title)
    if slug in RESERVED_PAGE_SLUGS:
        f.error("slug", f'"{slug}" is used by the site itself')
    return {
        "slug": slug,
        "title": title,
        "body": f.string("body"),
        "footer_position": f.integer("footer_position", minimum=0, maximum=32767),
    }


def read_page_v2(f: Fields) -> dict:
    return read_page(f) | {"published": read_published(f, "pages")}


READERS = {
    1: {
        "conditions": read_condition,
        "drugs": read_drug,
        "articles": read_article,
        "pages": read_page,
    },
    2: {
        "conditions": read_condition_v2,
        "drugs": read_drug_v2,
        "articles": read_article_v2,
        "pages": read_page_v2,
    },
}


def duplicate_errors(document: Document) -> list[RecordError]:
    """Slugs (and names, which are unique too) given twice in one file."""
    errors = []
    for kind in KINDS:
        unique_keys = ["slug", "name"] if kind in ("conditions", "drugs") else ["slug"]
        for key in unique_keys:
            first_index: dict[str, int] = {}
            for index, record in enumerate(getattr(document, kind)):
                value = record.get(key)
                if not value:
                    continue
                if value in first_index:
                    errors.append(
                        RecordError(
                            record_label(kind, index, record.get("slug")),
                            key,
                            f'"{value}" is also used by {kind}[{first_index[value]}]',
                        )
                    )
                else:
                    first_index[value] = index
    return errors


def _unique(f: Fields, key: str, values: list, sub_key: str) -> list:
    seen = []
    for index, value in enumerate(values):
        if value in seen:
            shown = value[0] if isinstance(value, tuple) else value
            f.error(f"{key}[{index}].{sub_key}", f'"{shown}" is listed twice')
        seen.append(value)
    return seen


def _raw_slug(raw: object) -> object:
    return raw.get("slug") if isinstance(raw, dict) else None


def _short(value: object) -> str:
    if isinstance(value, str):
        return repr(value[:40])
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return json_type(value)
