"""Reader pages built from structured drug data: the A–Z lists, drug hubs and condition pages.

Each view makes a fixed number of queries however many brands, formulations, uses or
articles a drug has (tests/test_query_counts.py pins them). A brand name's URL
(/drugs/lioresal/) answers 301 to its drug's hub when no drug has that slug.
"""

import re
from string import ascii_lowercase

from django.db.models import CharField, F, Func, Prefetch, Q, Value
from django.db.models.functions import Left, Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify

from articles.links import links_to
from articles.views import (
    article_list,
    lower_case_slugs,
    public_page,
    redirect_from_old_slug,
    referring_pages,
)
from content.links import resolve_stored_links
from content.models import InternalLink
from drugs.models import BrandName, Condition, Drug, Formulation, Indication
from medinfo import structured_data


def available_letters() -> set[str]:
    """First letters that have at least one drug or brand name: one query."""
    initial = Lower(Left("name", 1))
    drug_initials = Drug.objects.annotate(initial=initial).order_by().values_list("initial")
    brand_initials = BrandName.objects.annotate(initial=initial).order_by().values_list("initial")
    return {letter for (letter,) in drug_initials.union(brand_initials).order_by()}


def requested_letter(request) -> str:
    letter = request.GET.get("letter", "").strip().lower()
    return letter if len(letter) == 1 and letter in ascii_lowercase else ""


@public_page
def drug_index(request):
    letter = requested_letter(request)
    drugs = Drug.objects.only("name", "slug", "summary")
    brands = BrandName.objects.select_related("drug").only(
        "name", "mark", "drug__name", "drug__slug"
    )
    if letter:
        drugs = drugs.filter(name__istartswith=letter)
        brands = brands.filter(name__istartswith=letter)
    entries = [(d.name, d, None) for d in drugs] + [(b.name, b.drug, b) for b in brands]
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
        Condition.objects.only("name", "slug", "summary"), key=lambda c: c.name.lower()
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
    indications = (
        Indication.objects.select_related("condition")
        .only("drug", "details", "off_label", "condition__name", "condition__slug")
        .prefetch_related(Prefetch("formulations", queryset=Formulation.objects.only("name")))
    )
    try:
        drug = get_object_or_404(
            Drug.objects.only(
                "name", "slug", "drug_class", "availability", "summary", "mechanism_html"
            ).prefetch_related(
                "brand_names",
                Prefetch(
                    "formulations",
                    queryset=Formulation.objects.prefetch_related("brand_names"),
                ),
                Prefetch("indications", queryset=indications),
            ),
            slug=slug,
        )
    except Http404:
        return _redirect_from_old_slug_or_brand(slug)
    [drug.mechanism_html] = resolve_stored_links(drug.mechanism_html)
    all_indications = list(drug.indications.all())
    approved_uses = [i for i in all_indications if not i.off_label]
    articles = article_list().for_drug(drug).in_series_order()
    return render(
        request,
        "drugs/drug_detail.html",
        {
            "drug": drug,
            "approved_uses": approved_uses,
            "off_label_uses": [i for i in all_indications if i.off_label],
            "articles": articles,
            "referring_pages": referring_pages(drug),
            "page_meta": structured_data.drug_hub_page(request, drug, approved_uses),
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


def drug_for_brand_slug(slug: str) -> Drug | None:
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
        BrandName.objects.annotate(spelled=letters_and_digits)
        .filter(spelled=slug.replace("-", ""))
        .select_related("drug")
        .only("name", "drug__slug")
    )
    drugs = {brand.drug for brand in brands if slugify(brand.name) == slug}
    return drugs.pop() if len(drugs) == 1 else None


@public_page
@lower_case_slugs
def condition_detail(request, slug):
    try:
        condition = get_object_or_404(Condition.objects.only("name", "slug", "summary"), slug=slug)
    except Http404:
        return redirect_from_old_slug("condition", slug)
    indications = list(
        uses_for(condition)
        .select_related("drug", "condition")
        .only(
            "details", "off_label", "drug__name", "drug__slug", "condition__name", "condition__slug"
        )
        .prefetch_related(Prefetch("formulations", queryset=Formulation.objects.only("name")))
        .order_by("drug__name", "position", "pk")
    )
    approved = [i for i in indications if not i.off_label]
    return render(
        request,
        "drugs/condition_detail.html",
        {
            "condition": condition,
            "approved": approved,
            "off_label": [i for i in indications if i.off_label],
            "articles": _articles_about(condition),
            "page_meta": structured_data.condition_page(request, condition, approved),
        },
    )


def uses_for(condition):
    """The uses recorded for the condition, and those whose details name it.

    An approval is recorded once, under the condition it treats, with the patients or
    causes in its details: intrathecal baclofen is approved for *spasticity*, "severe,
    from various causes including multiple sclerosis, spinal cord injury or disease, and
    cerebral palsy". The cerebral palsy page lists it too, saying what it is for. The name
    must appear as whole words, in any case.
    """
    named = r"\m" + re.sub(r"(\W)", r"\\\1", condition.name) + r"\M"
    return Indication.objects.filter(Q(condition=condition) | Q(details__iregex=named))


def _articles_about(condition):
    """Articles on drugs used for the condition, and articles that link to it: one query."""
    treating_drugs = uses_for(condition).values("drug")
    linking_articles = (
        InternalLink.objects.filter(links_to(condition))
        .filter(source_article__isnull=False, in_live_copy=True)
        .values("source_article")
    )
    return (
        article_list()
        .filter(Q(drug__in=treating_drugs) | Q(pk__in=linking_articles))
        .order_by("drug__name", "series_position", "live_title")
    )
