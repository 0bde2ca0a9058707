"""Published copies built from the rows of hand-written reader queries (content.sql).

A reader page's templates and structured data read model instances (``get_absolute_url``,
``hub``, ``hub_title``): these functions build them from a row's columns, with the one
relation their URLs follow, an article's drug hub, already in place. Nothing here touches
the database, or the router: an article's ``hub`` is in its cache, as ``select_related``
would have put it. Instances are made as the ORM loads ``.only()`` rows (``Model.from_db``):
the columns not given are deferred, not filled with defaults, and it costs a third of
calling the model with keyword arguments.
"""

from articles.models import PublishedArticle
from drugs.models import Drug, PublishedDrug

_ARTICLE_DRUG = PublishedArticle._meta.get_field("drug")
_DRUG_PUBLISHED = Drug._meta.get_field("published")


def loaded(model, **columns):
    """An instance of model as a query for just these columns would load it (``from_db``
    takes the values in the model's field order)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in columns]
    return model.from_db(None, names, [columns[name] for name in names])


def drug_with_hub(drug_id: int, hub: PublishedDrug | None) -> Drug:
    """A drug whose published copy is ``hub`` (None: it has none); ``Article.hub`` decides
    whether readers may see it."""
    drug = loaded(Drug, id=drug_id)
    _DRUG_PUBLISHED.set_cached_value(drug, hub)
    return drug


def hub_from_columns(drug_id: int | None, slug, name, published_at) -> Drug | None:
    """An article's drug from its hub's slug, name and publish time (a LEFT JOIN's NULLs
    when the drug has no published copy)."""
    if drug_id is None:
        return None
    copy = None
    if slug is not None:
        copy = loaded(
            PublishedDrug, drug_id=drug_id, slug=slug, name=name, published_at=published_at
        )
    return drug_with_hub(drug_id, copy)


def published_article(*, drug: Drug | None = None, **fields) -> PublishedArticle:
    """A published article from its columns, and its drug (``drug_with_hub``): articles of
    one drug share it."""
    article = loaded(PublishedArticle, **fields, drug_id=drug.pk if drug else None)
    if drug is not None:
        _ARTICLE_DRUG.set_cached_value(article, drug)
    return article
