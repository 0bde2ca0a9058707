"""Reader pages built from structured drug data: the A–Z lists, drug hubs and condition pages.

Readers see only published copies (``PublishedDrug``, ``PublishedCondition``: the reviewed
text, see content.publishing); an edit waits until it is reviewed and published. Each
view makes a fixed number of queries however many brands, formulations, uses or articles
a drug has (tests/test_query_counts.py pins them). A brand name's URL (/drugs/lioresal/)
answers 301 to its drug's hub when no drug has that slug.
"""

import re
from string import ascii_lowercase

from django.db.models import CharField, F, Func, Q, Value
from django.db.models.functions import Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify

from articles.links import links_to
from content.links import resolve_stored_links
from content.models import InternalLink
from drugs.hub import Use, condition_links, hub_of, uses_of
from drugs.models import PublishedBrandName, PublishedCondition, PublishedDrug
from pages import structured_data
from pages.letters import available_letters
from pages.views import (
    article_list,
    lower_case_slugs,
    public_page,
    redirect_from_old_slug,
    referring_pages,
)


def requested_letter(request) -> str:
    letter = request.GET.get("letter", "").strip().lower()
    return letter if len(letter) == 1 and letter in ascii_lowercase else ""


@public_page
def drug_index(request):
    letter = requested_letter(request)
    drugs = PublishedDrug.objects.visible().only("name", "slug", "summary")
    brands = (
        PublishedBrandName.objects.filter(published_drug__in=PublishedDrug.objects.visible())
        .select_related("published_drug")
        .only("name", "mark", "published_drug__name", "published_drug__slug")
    )
    if letter:
        drugs = drugs.filter(name__istartswith=letter)
        brands = brands.filter(name__istartswith=letter)
    entries = [(d.name, d, None) for d in drugs]
    entries += [(b.name, b.published_drug, b) for b in brands]
    entries.sort(key=lambda entry: entry[0].lower())
    groups: dict[str, list] = {}
    for name, drug, brand in entries:
        groups.setdefault(name[:1].upper(), []).append({"drug": drug, "brand": brand})
    return render(
        request,
        "drugs/drug_index.html",
        {
            "groups": groups,
            "letter": letter,
            "letters": ascii_lowercase,
            "available_letters": available_letters(),
            "page_meta": _drug_index_meta(request, letter),
        },
    )


def _drug_index_meta(request, letter: str):
    trail, title, starting = [structured_data.drugs_crumb()], "Drugs A–Z", ""
    if letter:
        path = f"{reverse('drug-index')}?letter={letter}"
        trail.append(structured_data.Crumb(letter.upper(), path))
        title, starting = f"{title}: {letter.upper()}", f" starting with {letter.upper()}"
    return structured_data.index_page(
        request,
        trail[-1].path,
        title=title,
        description=f"Medicines by name{starting}, with brand names pointing to their generic.",
        trail=trail,
    )


@public_page
def condition_index(request):
    conditions = sorted(
        PublishedCondition.objects.visible().only("name", "slug", "summary"),
        key=lambda c: c.name.lower(),
    )
    groups: dict[str, list] = {}
    for condition in conditions:
        groups.setdefault(condition.name[:1].upper(), []).append(condition)
    meta = structured_data.index_page(
        request,
        reverse("condition-index"),
        title="Conditions A–Z",
        description="Medical conditions by name, with the drugs approved or used for each.",
        trail=[structured_data.conditions_crumb()],
    )
    return render(request, "drugs/condition_index.html", {"groups": groups, "page_meta": meta})


@public_page
@lower_case_slugs
def drug_detail(request, slug):
    try:
        drug = get_object_or_404(
            PublishedDrug.objects.visible().defer("search_vector", "uses_text"), slug=slug
        )
    except Http404:
        return _redirect_from_old_slug_or_brand(slug)
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
            "articles": article_list().for_drug(drug.drug_id).in_series_order(),
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


@public_page
@lower_case_slugs
def condition_detail(request, slug):
    try:
        condition = get_object_or_404(
            PublishedCondition.objects.visible().only(
                "name", "slug", "summary", "reviewed_by", "reviewed_on", "text_since"
            ),
            slug=slug,
        )
    except Http404:
        return redirect_from_old_slug("condition", slug)
    uses = uses_for(condition)
    approved = [use for use in uses if not use.off_label]
    return render(
        request,
        "drugs/condition_detail.html",
        {
            "condition": condition,
            "approved": approved,
            "off_label": [use for use in uses if use.off_label],
            "articles": _articles_about(condition, {use.drug.pk for use in uses}),
            "page_meta": structured_data.condition_page(request, condition, approved),
        },
    )


def _name_pattern(name: str) -> str:
    """A PostgreSQL regex matching the name as whole words, in any case."""
    return r"\m" + re.sub(r"(\W)", r"\\\1", name) + r"\M"


def uses_for(condition: PublishedCondition) -> list[Use]:
    """The published uses recorded for the condition, and those whose details name it.

    An approval is recorded once, under the condition it treats, with the patients or
    causes in its details: intrathecal baclofen is approved for *spasticity*, "severe,
    from various causes including multiple sclerosis, spinal cord injury or disease, and
    cerebral palsy". The cerebral palsy page lists it too, saying what it is for. The name
    must appear as whole words, in any case. Two queries: the drugs, their conditions.
    """
    drugs = list(
        PublishedDrug.objects.visible()
        .filter(
            Q(condition_ids__contains=[condition.pk])
            | Q(uses_text__iregex=_name_pattern(condition.name))
        )
        .only("name", "slug", "document", "condition_ids")
        .order_by("name")
    )
    named = re.compile(rf"\b{re.escape(condition.name)}\b", re.IGNORECASE)
    conditions = condition_links({pk for drug in drugs for pk in drug.condition_ids})
    return [
        use
        for drug in drugs
        for use in uses_of(drug, conditions)
        if use.condition_id == condition.pk or named.search(use.details)
    ]


def _articles_about(condition: PublishedCondition, drug_ids: set[int]):
    """Articles on drugs used for the condition, and articles that link to it: one query."""
    linking_articles = (
        InternalLink.objects.filter(links_to(condition))
        .filter(source_article__isnull=False, in_live_copy=True)
        .values("source_article")
    )
    return (
        article_list()
        .filter(Q(drug__in=drug_ids) | Q(pk__in=linking_articles))
        .order_by("drug__published__name", "series_position", "title")
    )
