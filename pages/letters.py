"""The A–Z bar on the home page and the drug index: which letters lead somewhere."""

from django.db.models.functions import Left, Lower

from drugs.models import PublishedBrandName, PublishedDrug


def available_letters() -> set[str]:
    """First letters that have at least one drug or brand name: one query."""
    initial = Lower(Left("name", 1))
    drugs = PublishedDrug.objects.visible()
    drug_initials = drugs.annotate(initial=initial).order_by().values_list("initial")
    brand_initials = (
        PublishedBrandName.objects.filter(published_drug__in=drugs)
        .annotate(initial=initial)
        .order_by()
        .values_list("initial")
    )
    return {letter for (letter,) in drug_initials.union(brand_initials).order_by()}
