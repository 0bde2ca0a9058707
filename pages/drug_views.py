"""Reader pages built from structured drug data: the drug A–Z and drug hubs (condition pages:
pages.conditions).

Readers see only published copies (``PublishedDrug``, ``PublishedCondition``: the reviewed
text, see content.publishing); an edit waits until it is reviewed and published. Each
view makes a fixed number of queries however many brands, formulations, uses or articles
a drug has (tests/test_query_counts.py pins them). A brand name's URL (/drugs/lioresal/)
answers 301 to its drug's hub when no drug has that slug.
"""

from string import ascii_lowercase

from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify

from articles.models import PublishedArticle
from content.links import resolve_stored_links
from content.reader_urls import reader_url
from content.sql import fetch_rows, json_value
from drugs.hub import hub_of
from drugs.models import PublishedBrandName, PublishedDrug
from pages import structured_data
from pages.copies import drug_with_hub, published_article
from pages.letters import available_letters, entries_starting_with
from pages.views import (
    lower_case_slugs,
    public_page,
    redirect_from_old_slug,
    referring_pages,
)
from pages.windows import requested_page, window

# Names on one page of a letter: about 20 KB of HTML.
A_Z_PAGE_SIZE = 100


def requested_letter(request) -> str:
    letter = request.GET.get("letter", "").strip().lower()
    return letter if len(letter) == 1 and letter in ascii_lowercase else ""


@public_page
def drug_index(request):
    """One letter of the A–Z, a page of ``A_Z_PAGE_SIZE`` names at a time; /drugs/ shows
    the first letter that has any. Pages are not counted (pages.windows)."""
    letters = available_letters()
    letter = requested_letter(request)
    shown = letter or min(letters, default="")
    page = None
    if shown:
        page = window(entries_starting_with(shown), requested_page(request), A_Z_PAGE_SIZE)
    return render(
        request,
        "drugs/drug_index.html",
        {
            "page": page,
            "letter": letter,
            "shown_letter": shown,
            "letters": ascii_lowercase,
            "available_letters": letters,
            "page_meta": _drug_index_meta(request, letter, page),
        },
    )


def _drug_index_meta(request, letter: str, page):
    trail, title, starting = [structured_data.drugs_crumb()], "Drugs A–Z", ""
    if letter:
        path = f"{reader_url('drug-index')}?letter={letter}"
        if page is not None and page.number > 1:
            path += f"&page={page.number}"
        trail.append(structured_data.Crumb(letter.upper(), path))
        title, starting = f"{title}: {letter.upper()}", f" starting with {letter.upper()}"
    return structured_data.index_page(
        request,
        trail[-1].path,
        title=title,
        description=f"Medicines by name{starting}, with brand names pointing to their generic.",
        trail=trail,
    )


# A published drug hub readers may see, without its search columns, and its articles in
# series order (JSON rows): one query.
_HUB_SQL = """
    SELECT d.drug_id, d.slug, d.name, d.summary, d.drug_class, d.mechanism_html, d.document,
           d.condition_ids, d.brand_names_text, d.conditions_text, d.fingerprint,
           d.reviewer_id, d.reviewed_by, d.reviewed_on, d.published_at, d.text_since,
           (SELECT json_agg(json_build_array(a.article_id, a.slug, a.title, a.lead)
                            ORDER BY a.series_position, a.title)
              FROM articles_publishedarticle a
             WHERE a.drug_id = d.drug_id AND a.published_at <= %(now)s)
      FROM drugs_publisheddrug d
     WHERE d.slug = %(slug)s AND d.published_at <= %(now)s
"""
_HUB_COLUMNS = (
    "drug_id", "slug", "name", "summary", "drug_class", "mechanism_html", "document",
    "condition_ids", "brand_names_text", "conditions_text", "fingerprint", "reviewer_id",
    "reviewed_by", "reviewed_on", "published_at", "text_since",
)  # fmt: skip


def visible_hub(slug: str) -> tuple[PublishedDrug, list[PublishedArticle]] | None:
    """The drug hub readers may see at this slug now and its articles, or None."""
    rows = fetch_rows(PublishedDrug, _HUB_SQL, {"slug": slug, "now": timezone.now()})
    if not rows:
        return None
    *columns, articles = rows[0]
    drug = PublishedDrug(**dict(zip(_HUB_COLUMNS, columns, strict=True)))
    drug.document = json_value(drug.document)
    as_hub = drug_with_hub(drug.drug_id, drug)
    return drug, [
        published_article(article_id=pk, slug=slug, title=title, lead=lead, drug=as_hub)
        for pk, slug, title, lead in json_value(articles) or ()
    ]


@public_page
@lower_case_slugs
def drug_detail(request, slug):
    found = visible_hub(slug)
    if found is None:
        return _redirect_from_old_slug_or_brand(slug)
    drug, articles = found
    hub = hub_of(drug)
    [drug.mechanism_html] = resolve_stored_links(drug.mechanism_html)
    return render(
        request,
        "drugs/drug_detail.html",
        {
            "drug": drug,
            "hub": hub,
            "approved_uses": hub.approved_uses,
            "off_label_uses": hub.off_label_uses,
            "articles": articles,
            "referring_pages": referring_pages(drug),
            "page_meta": structured_data.drug_hub_page(request, hub),
        },
    )


def _redirect_from_old_slug_or_brand(slug: str):
    """No drug has this slug: a drug's old slug, then a brand name's, answers 301; else 404."""
    try:
        return redirect_from_old_slug("drug", slug)
    except Http404:
        drug = drug_for_brand_slug(slug)
        if drug is None:
            raise
        return redirect(drug, permanent=True)


def drug_for_brand_slug(slug: str) -> PublishedDrug | None:
    """The drug sold under the brand whose name slugifies to ``slug``, when exactly one is.

    The database narrows the brands to those whose letters and digits spell the slug's;
    ``slugify`` decides. One query.
    """
    letters_and_digits = Func(
        Lower(Func(F("name"), function="unaccent")),
        Value("[^a-z0-9]+"),
        Value(""),
        Value("g"),
        function="regexp_replace",
        output_field=CharField(),
    )
    brands = (
        PublishedBrandName.objects.filter(published_drug__in=PublishedDrug.objects.visible())
        .annotate(spelled=letters_and_digits)
        .filter(spelled=slug.replace("-", ""))
        .select_related("published_drug")
        .only("name", "published_drug__slug")
    )
    drugs = {brand.published_drug for brand in brands if slugify(brand.name) == slug}
    return drugs.pop() if len(drugs) == 1 else None
