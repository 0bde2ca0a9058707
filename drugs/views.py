"""Reader pages built from structured drug data: the A–Z, drug hubs and condition pages."""

from string import ascii_lowercase

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from articles.models import Article
from drugs.models import BrandName, Condition, Drug, Formulation, Indication


def drug_index(request):
    letter = request.GET.get("letter", "").strip().lower()[:1]
    if letter and letter not in ascii_lowercase:
        letter = ""
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
        {"groups": groups, "letter": letter, "letters": ascii_lowercase},
    )


def drug_detail(request, slug):
    indications = Indication.objects.select_related("condition").prefetch_related(
        Prefetch("formulations", queryset=Formulation.objects.only("id", "name"))
    )
    drug = get_object_or_404(
        Drug.objects.prefetch_related(
            "brand_names",
            Prefetch(
                "formulations",
                queryset=Formulation.objects.prefetch_related("brand_names"),
            ),
            Prefetch("indications", queryset=indications),
        ),
        slug=slug,
    )
    all_indications = list(drug.indications.all())
    articles = Article.objects.visible().for_drug(drug).in_series_order().select_related("drug")
    return render(
        request,
        "drugs/drug_detail.html",
        {
            "drug": drug,
            "approved_uses": [i for i in all_indications if not i.off_label],
            "off_label_uses": [i for i in all_indications if i.off_label],
            "articles": articles,
        },
    )


def condition_detail(request, slug):
    condition = get_object_or_404(Condition, slug=slug)
    indications = list(
        Indication.objects.filter(condition=condition).select_related("drug").order_by("drug__name")
    )
    articles = (
        Article.objects.visible()
        .filter(drug__indications__condition=condition)
        .select_related("drug")
        .distinct()
        .order_by("drug__name", "series_position", "title")
    )
    return render(
        request,
        "drugs/condition_detail.html",
        {
            "condition": condition,
            "approved": [i for i in indications if not i.off_label],
            "off_label": [i for i in indications if i.off_label],
            "articles": articles,
        },
    )
