"""Format version 2: writing a record's published copy exactly as the file carries it.

The copy is the file's, not the working copy's: an import never publishes a working
copy. Its text was checked against its fingerprint when the file was read
(``published_schema``); here it gets this database's ids back (a drug's conditions, an
article's drug and promoted article) and the fingerprint this database keeps for it,
computed by the models' own code (``Reviewable.text_hash``'s ``fingerprint`` of the
document, ``Article.text_hash``), so the admin sees it exactly as the source site did:
pending edits stay pending, a copy with the working text is current.

A reviewer account named by the file that this site does not have is created inactive,
with no password and no permission: it can never sign in, it only keeps who reviewed
(see docs/interchange-format.md, *Reviewer accounts*).
"""

import datetime

from django.contrib.auth import get_user_model

from articles.models import Article, PublishedArticle
from content.link_records import record_links, record_links_of_many
from content.markup import html_to_text, render_markdown
from content.publishing import fingerprint
from drugs.models import Condition
from interchange.published_export import USES, local_document

BATCH = 1000


def reviewer_ids(published: list[dict]) -> dict[str, int]:
    """Accounts by username for these copies' reviews, created inactive when missing."""
    names = {p["review"]["reviewer"] for p in published if p.get("review")} - {None}
    if not names:
        return {}
    users = get_user_model()
    found = dict(users.objects.filter(username__in=names).values_list("username", "pk"))
    new = []
    for name in sorted(names - set(found)):
        user = users(username=name, is_active=False)
        user.set_unusable_password()
        new.append(user)
    users.objects.bulk_create(new)
    return found | {user.username: user.pk for user in new}


def write_copy(obj, published: dict, reviewers: dict[str, int]) -> None:
    """Replace obj's (a drug's, condition's or site page's) published copy with the file's."""
    model = obj._meta.get_field("published").related_model
    copy = model.objects.filter(pk=obj.pk).first() or model(pk=obj.pk)
    document = published["document"]
    if any(key in document for key in USES):
        slugs = {use["condition_slug"] for key in USES for use in document[key]}
        ids = dict(Condition.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        document = local_document(document, ids)
    copy.document, copy.fingerprint = document, fingerprint(document)
    copy.slug = published["slug"]
    _review(copy, published, reviewers)
    copy.fill_from(document)
    if "footer_position" in published:
        copy.footer_position = published["footer_position"]
    copy.save()
    if hasattr(copy, "brand_names"):
        obj.after_publish(copy)  # a drug: the published brands and the mechanism's links
    elif "body" in document:
        record_links(obj, render_markdown(document["body"]).links, live=True)


def article_copies(pairs: list[tuple[Article, dict]], reviewers, drug_ids, article_ids):
    """Readers' copies of these (saved) articles from their records' ``published``.

    Returns (copies, links) unsaved; a promoted article not in yet is left for
    ``finish_promoted_copies``. The copy's body is rendered here, apart from the working
    copy's (it may be another text): one more render per published article.
    """
    copies, links = [], []
    for article, published in pairs:
        document = dict(published["document"])
        copy = PublishedArticle(article=article, document=document, slug=published["slug"])
        copy.drug_id = drug_ids.get(published["drug"])
        copy.promoted_article_id = article_ids.get(published["promoted_article"])
        for key in ("series_position", "kind", "featured"):
            setattr(copy, key, published[key])
        copy.title, copy.lead = document["title"], document["lead"]
        rendered = render_markdown(document["body"])
        copy.body_html, copy.toc = rendered.html, rendered.toc
        copy.body_text = html_to_text(rendered.html)
        _review(copy, published, reviewers)
        copy.fingerprint = article_fingerprint(copy)
        copies.append(copy)
        links.append((article, rendered.links))
    return copies, links


def save_article_copies(copies: list[PublishedArticle], links, *, new: bool) -> None:
    if not new:
        PublishedArticle.objects.filter(pk__in=[c.article_id for c in copies]).delete()
    PublishedArticle.objects.bulk_create(copies, batch_size=BATCH)
    record_links_of_many(links, new=new, live=True)


def article_fingerprint(copy: PublishedArticle) -> str:
    """What Article.text_hash() gives for the copy's text, where the copy is shown."""
    document = copy.document
    return Article(
        title=document["title"],
        lead=document["lead"],
        body=document["body"],
        drug_id=copy.drug_id,
        promoted_article_id=copy.promoted_article_id,
    ).text_hash()


def finish_promoted_copies(pending: list[tuple[int, str]]) -> None:
    """Copies whose promoted article came later in the file: link it, fingerprint again."""
    if not pending:
        return
    ids = dict(
        Article.objects.filter(slug__in={slug for _, slug in pending}).values_list("slug", "pk")
    )
    copies = PublishedArticle.objects.in_bulk([pk for pk, _ in pending])
    for pk, slug in pending:
        copies[pk].promoted_article_id = ids[slug]
        copies[pk].fingerprint = article_fingerprint(copies[pk])
    PublishedArticle.objects.bulk_update(
        copies.values(), ["promoted_article_id", "fingerprint"], batch_size=BATCH
    )


def _review(copy, published: dict, reviewers: dict[str, int]) -> None:
    review = published.get("review")
    if review:
        copy.reviewer_id = reviewers.get(review["reviewer"])
        copy.reviewed_by = review["reviewed_by"]
        copy.reviewed_on = datetime.date.fromisoformat(review["reviewed_on"])
    copy.published_at = _datetime(published["published_at"])
    copy.text_since = _datetime(published["text_since"])


def _datetime(text: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text) if text else None
