"""What machines read about a reader page: schema.org JSON-LD, Open Graph tags, breadcrumbs.

A view describes its page once, as a ``PageMeta`` built here from exactly the objects it
renders: an article's readers' copy (never a draft), a drug's curated facts and approved
uses. Off-label uses stay out of the JSON-LD: schema.org has no way to say "not approved",
and a machine reading ``drug`` on a condition would take it as a treatment like any other.
base.html writes the Open Graph and Twitter tags and one JSON-LD block from the PageMeta,
and the templates show the same breadcrumbs a reader sees. Nothing here touches the
database: it reads what the view already loaded, so a page's query count does not move.
"""

import html
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils.html import format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from content.reader_urls import reader_url

SCHEMA_ORG = "https://schema.org"
PRESCRIPTION_STATUS = {  # a hub's availability as reviewed -> schema.org's DrugPrescriptionStatus
    "Prescription only": f"{SCHEMA_ORG}/PrescriptionOnly",
    "Over the counter": f"{SCHEMA_ORG}/OTC",
}
DESCRIPTION_WORDS = 40
# What json_script escapes: inside <script> no text can close the element or open a comment.
SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
STRENGTH = re.compile(r"^\s*(\d[\d,]*(?:\.\d+)?)\s*(\S.*?)\s*$")  # "1,000 mcg/mL"


@dataclass(frozen=True)
class Crumb:
    name: str
    path: str  # site-relative, as the visible breadcrumb links it


@dataclass
class PageMeta:
    """One reader page as machines see it; ``url`` is its absolute canonical URL."""

    root: str  # "https://host", from the request
    path: str
    title: str = ""  # empty: the site name
    description: str = ""  # empty: the site's tagline
    page_type: str = "WebPage"
    breadcrumbs: list[Crumb] = field(default_factory=list)
    facts: dict = field(default_factory=dict)  # more properties of the page node
    nodes: list[dict] = field(default_factory=list)  # the things the page is about
    og_type: str = "website"
    describes_site: bool = False  # the home page: a WebSite node with its SearchAction

    @property
    def url(self) -> str:
        return self.root + self.path

    def absolute(self, path: str) -> str:
        return self.root + path

    def graph(self, *, site_name: str, tagline: str = "") -> list[dict]:
        page = {
            "@type": self.page_type,
            "@id": self.url,
            "url": self.url,
            "name": self.title or site_name,
            "description": self.description or tagline,
            "inLanguage": "en",
            **self.facts,
        }
        graph = [page]
        if self.breadcrumbs:
            page["breadcrumb"] = {"@id": f"{self.url}#breadcrumb"}
            graph.append(self.breadcrumb_list())
        if self.describes_site:
            graph.insert(0, self.website(site_name, tagline))
        return [_without_empty(node) for node in graph + self.nodes]

    def breadcrumb_list(self) -> dict:
        return {
            "@type": "BreadcrumbList",
            "@id": f"{self.url}#breadcrumb",
            "itemListElement": [
                {
                    "@type": "ListItem",
                    "position": position,
                    "name": crumb.name,
                    "item": self.absolute(crumb.path),
                }
                for position, crumb in enumerate(self.breadcrumbs, start=1)
            ],
        }

    def website(self, site_name: str, tagline: str) -> dict:
        search = self.absolute(reader_url("search"))
        return {
            "@type": "WebSite",
            "@id": f"{self.absolute('/')}#website",
            "url": self.absolute("/"),
            "name": site_name,
            "description": tagline,
            "potentialAction": {
                "@type": "SearchAction",
                "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term}}"},
                "query-input": "required name=search_term",
            },
        }

    def json_ld_script(self, *, site_name: str, tagline: str = "") -> SafeString:
        data = {"@context": SCHEMA_ORG, "@graph": self.graph(site_name=site_name, tagline=tagline)}
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        return format_html(
            '<script type="application/ld+json">{}</script>',
            mark_safe(text.translate(SCRIPT_ESCAPES)),
        )


def page_meta(request, path: str, **kwargs) -> PageMeta:
    return PageMeta(root=request.build_absolute_uri("/").rstrip("/"), path=path, **kwargs)


def describe(text: str) -> str:
    """A meta description: the first words of a plain-text summary or lead."""
    return Truncator(" ".join(text.split())).words(DESCRIPTION_WORDS)


# --- Breadcrumbs: the same list for the visible trail and the BreadcrumbList -------------------

HOME = Crumb("Home", "/")


def drugs_crumb() -> Crumb:
    return Crumb("Drugs", reader_url("drug-index"))


def conditions_crumb() -> Crumb:
    return Crumb("Conditions", reader_url("condition-index"))


def article_breadcrumbs(article) -> list[Crumb]:
    trail = [HOME]
    if hub := article.hub:
        trail += [drugs_crumb(), Crumb(hub.name, hub.get_absolute_url())]
    return [*trail, Crumb(article.title, article.get_absolute_url())]


# --- Pages ---------------------------------------------------------------------------------------


def home_page(request) -> PageMeta:
    # A one-item trail: every page, the home page too, says where it sits.
    return page_meta(request, "/", describes_site=True, breadcrumbs=[HOME])


def article_page(request, article) -> PageMeta:
    """The readers' copy of an article: its reviewed title, lead and review."""
    meta = page_meta(
        request,
        article.get_absolute_url(),
        title=article.title,
        description=describe(article.lead or article.title),
        page_type="MedicalWebPage",
        breadcrumbs=article_breadcrumbs(article),
        og_type="article",
    )
    meta.facts = {
        "headline": article.title,
        "datePublished": _iso(article.published_at),
        "dateModified": _iso(article.last_updated),
        "lastReviewed": _iso(article.reviewed_on),
        "reviewedBy": {"@type": "Person", "name": article.reviewed_by},
        "about": _drug_reference(meta, article.hub) if article.hub else None,
    }
    return meta


def drug_hub_page(request, hub) -> PageMeta:
    """A published drug hub (drugs.hub.Hub): the page, and the drug as schema.org has it."""
    drug = hub.drug
    meta = page_meta(
        request,
        drug.get_absolute_url(),
        title=drug.hub_title,
        description=describe(drug.summary or drug.hub_title),
        page_type="MedicalWebPage",
        breadcrumbs=[HOME, drugs_crumb(), Crumb(drug.name, drug.get_absolute_url())],
    )
    meta.facts = {"about": {"@id": _drug_id(meta, drug)}}
    meta.nodes = [_drug(meta, hub), *_indications(meta, drug, hub.approved_uses)]
    return meta


def condition_page(request, condition, approved_uses) -> PageMeta:
    meta = page_meta(
        request,
        condition.get_absolute_url(),
        title=condition.name,
        description=describe(condition.summary or condition.name),
        page_type="MedicalWebPage",
        breadcrumbs=[HOME, conditions_crumb(), Crumb(condition.name, condition.get_absolute_url())],
    )
    condition_id = f"{meta.absolute(condition.get_absolute_url())}#condition"
    drugs = {use.drug.pk: use.drug for use in approved_uses}
    meta.facts = {"about": {"@id": condition_id}}
    meta.nodes = [
        {
            "@type": "MedicalCondition",
            "@id": condition_id,
            "name": condition.name,
            "url": meta.absolute(condition.get_absolute_url()),
            "description": condition.summary,
            "drug": [_drug_reference(meta, drug) for drug in drugs.values()],
        }
    ]
    return meta


def index_page(request, path: str, *, title: str, description: str, trail: list) -> PageMeta:
    """An A–Z list (drugs, conditions): a collection of links."""
    return page_meta(
        request,
        path,
        title=title,
        description=description,
        page_type="CollectionPage",
        breadcrumbs=[HOME, *trail],
    )


def search_page(request, query: str) -> PageMeta:
    """Search results: a page of their own kind, never the canonical home of a query."""
    path = reader_url("search")
    return page_meta(
        request,
        path,
        title=f"Search results for “{query}”" if query else "Search",
        description="Search drugs, conditions and articles.",
        page_type="SearchResultsPage",
        breadcrumbs=[HOME, Crumb("Search", path)],
    )


def site_page(request, page) -> PageMeta:
    return page_meta(
        request,
        page.get_absolute_url(),
        title=page.title,
        description=describe(_plain_text(page.body_html) or page.title),
        breadcrumbs=[HOME, Crumb(page.title, page.get_absolute_url())],
    )


# --- Drugs ---------------------------------------------------------------------------------------


def _drug_id(meta: PageMeta, drug) -> str:
    return f"{meta.absolute(drug.get_absolute_url())}#drug"


def _drug_reference(meta: PageMeta, drug) -> dict:
    url = meta.absolute(drug.get_absolute_url())  # a condition page lists a hundred drugs
    return {"@type": "Drug", "@id": f"{url}#drug", "name": drug.name, "url": url}


def _drug(meta: PageMeta, hub) -> dict:
    drug, formulations = hub.drug, hub.formulations
    return {
        **_drug_reference(meta, drug),
        "nonProprietaryName": drug.name,
        "proprietaryName": [brand.name for brand in hub.brands],
        "description": drug.summary,
        "drugClass": {"@type": "DrugClass", "name": drug.drug_class} if drug.drug_class else None,
        "prescriptionStatus": PRESCRIPTION_STATUS.get(hub.availability),
        "dosageForm": _unique(formulation.name for formulation in formulations),
        "administrationRoute": _unique(formulation.route for formulation in formulations),
        "availableStrength": [
            _strength(drug, formulation, strength)
            for formulation in formulations
            for strength in formulation.strengths
        ],
        "mechanismOfAction": _plain_text(drug.mechanism_html),
    }


def _strength(drug, formulation, strength: str) -> dict:
    """'5 mg' of a tablet -> a DrugStrength named for its formulation, value and unit apart."""
    node = {
        "@type": "DrugStrength",
        "name": f"{formulation.name}, {strength}",
        "activeIngredient": drug.name,
    }
    if match := STRENGTH.match(strength):
        value = float(match[1].replace(",", ""))
        node["strengthValue"] = int(value) if value.is_integer() else value
        node["strengthUnit"] = match[2]
    return node


def _indications(meta: PageMeta, drug, approved_uses) -> list[dict]:
    """Each condition the drug is approved for, pointing back at the drug."""
    conditions = {use.condition.pk: use.condition for use in approved_uses if use.condition.url}
    return [
        {
            "@type": "MedicalCondition",
            "@id": f"{meta.absolute(condition.get_absolute_url())}#condition",
            "name": condition.name,
            "url": meta.absolute(condition.get_absolute_url()),
            "drug": {"@id": _drug_id(meta, drug)},
        }
        for condition in conditions.values()
    ]


# --- Helpers -------------------------------------------------------------------------------------


def _plain_text(rendered_html: str) -> str:
    return " ".join(html.unescape(strip_tags(rendered_html)).split())


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value else None


def _unique(values) -> list[str]:
    return list(dict.fromkeys(value for value in values if value))


def _without_empty(node):
    """Drop empty values: schema.org wants a property left out, not null or ""."""
    if isinstance(node, dict):
        return {key: _without_empty(value) for key, value in node.items() if value not in _EMPTY}
    if isinstance(node, list):
        return [_without_empty(value) for value in node]
    return node


_EMPTY = (None, "", [], {})
