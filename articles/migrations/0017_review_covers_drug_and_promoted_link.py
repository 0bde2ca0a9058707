"""A medical review of an article covers its primary drug and promoted link too.

The fingerprint of reviewed text gains the drug's and the promoted article's ids. A
review (or a published copy) that vouched for today's title, lead and body vouches for
them as they are now: its fingerprint is recomputed, so no live page needs a new review
because of this migration. Published copies' documents gain the drug's name and the
promoted article's title, which reviewers see in the diff.
"""

import hashlib

from django.db import migrations


def fingerprint(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def cover_drug_and_promoted_link(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    PublishedArticle = apps.get_model("articles", "PublishedArticle")
    for article in Article.objects.iterator():
        if article.reviewed_hash == fingerprint(article.title, article.lead, article.body):
            Article.objects.filter(pk=article.pk).update(
                reviewed_hash=fingerprint(
                    article.title, article.lead, article.body,
                    article.drug_id or "", article.promoted_article_id or "",
                )  # fmt: skip
            )
    copies = PublishedArticle.objects.select_related("drug", "promoted_article")
    for copy in copies.iterator():
        text = copy.document
        old = fingerprint(text["title"], text["lead"], text["body"])
        changes = {
            "document": {
                **text,
                "primary_drug": copy.drug.name if copy.drug_id else "",
                "promoted_article": copy.promoted_article.title if copy.promoted_article_id else "",
            }
        }
        if copy.fingerprint == old:
            changes["fingerprint"] = fingerprint(
                text["title"], text["lead"], text["body"],
                copy.drug_id or "", copy.promoted_article_id or "",
            )  # fmt: skip
        PublishedArticle.objects.filter(pk=copy.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_published_articles")]

    operations = [migrations.RunPython(cover_drug_and_promoted_link, migrations.RunPython.noop)]
