"""Reader pages built from structured drug data: the A–Z, drug hubs and condition pages.

Each view makes a fixed number of queries however many brands, formulations, uses or
articles a drug has (tests/test_query_counts.py pins them).
"""

from string import ascii_lowercase

from django.db.models import Prefetch, Q
from django.db.models.functions import Left, Lower
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from articles.models import InternalLink
from articles.referrers import links_now_due, rerender_source
from articles.views import article_list, public_page, redirect_from_old_slug, referring_pages
from drugs.models import BrandName, Condition, Drug, Formulation, Indication


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
        },
    )


@public_page
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
            )
            .annotate(links_due=links_now_due("source_drug"))
            .prefetch_related(
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
        return redirect_from_old_slug("drug", slug)
    if drug.links_due:  # a scheduled article its mechanism links to came due
        drug.mechanism_html = rerender_source(Drug.objects.get(pk=drug.pk))
    all_indications = list(drug.indications.all())
    articles = article_list().for_drug(drug).in_series_order()
    return render(
        request,
        "drugs/drug_detail.html",
        {
            "drug": drug,
            "approved_uses": [i for i in all_indications if not i.off_label],
            "off_label_uses": [i for i in all_indications if i.off_label],
            "articles": articles,
            "referring_pages": referring_pages({"target_drug": drug}),
        },
    )


@public_page
def condition_detail(request, slug):
    try:
        condition = get_object_or_404(Condition.objects.only("name", "slug", "summary"), slug=slug)
    except Http404:
        return redirect_from_old_slug("condition", slug)
    indications = list(
        Indication.objects.filter(condition=condition)
        .select_related("drug")
        .only("details", "off_label", "drug__name", "drug__slug")
        .prefetch_related(Prefetch("formulations", queryset=Formulation.objects.only("name")))
        .order_by("drug__name", "position")
    )
    return render(
        request,
        "drugs/condition_detail.html",
        {
            "condition": condition,
            "approved": [i for i in indications if not i.off_label],
            "off_label": [i for i in indications if i.off_label],
            "articles": _articles_about(condition),
        },
    )


def _articles_about(condition):
    """Articles on drugs used for the condition, and articles that link to it: one query."""
    treating_drugs = Indication.objects.filter(condition=condition).values("drug")
    linking_articles = InternalLink.objects.filter(
        target_condition=condition, source_article__isnull=False, in_live_copy=True
    ).values("source_article")
    return (
        article_list()
        .filter(Q(drug__in=treating_drugs) | Q(pk__in=linking_articles))
        .order_by("drug__name", "series_position", "live_title")
    )
