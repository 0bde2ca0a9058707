"""Every drug hub and condition page readers could see stays live, as it is.

Before the review gate covered them, a drug's and a condition's working rows were what
readers saw. Each gets a published copy of exactly that text, with the same URL and no
review recorded (``reviewed_by`` empty: ``review_report`` lists them for a reviewer). The
document is built here from the historical models, in the order ``Drug.review_document``
uses, so this migration does not depend on today's model code.
"""

import hashlib
import json

from django.db import migrations
from django.utils import timezone

from content.markup import render_markdown

AVAILABILITY = {"prescription": "Prescription only", "over-the-counter": "Over the counter"}


def fingerprint(document):
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def drug_document(drug):
    def use(row):
        found = {"condition": row.condition.name, "condition_id": row.condition_id}
        found["details"] = row.details
        if not row.off_label:
            found["formulations"] = [f.name for f in row.formulations.order_by("position", "name")]
        return found

    uses = list(drug.indications.select_related("condition").order_by("position", "pk"))
    return {
        "name": drug.name,
        "drug_class": drug.drug_class,
        "availability": AVAILABILITY.get(drug.availability, drug.availability),
        "summary": drug.summary,
        "brands": [{"name": b.name, "mark": b.mark} for b in drug.brand_names.order_by("name")],
        "formulations": [
            {
                "name": f.name,
                "route": f.route,
                "strengths": list(f.strengths),
                "brands": [
                    {"name": b.name, "mark": b.mark} for b in f.brand_names.order_by("name")
                ],
            }
            for f in drug.formulations.order_by("position", "name")
        ],
        "approved_uses": [use(row) for row in uses if not row.off_label],
        "off_label_uses": [use(row) for row in uses if row.off_label],
        "mechanism": drug.mechanism,
    }


def publish_existing(apps, schema_editor):
    Drug = apps.get_model("drugs", "Drug")
    Condition = apps.get_model("drugs", "Condition")
    PublishedDrug = apps.get_model("drugs", "PublishedDrug")
    PublishedBrandName = apps.get_model("drugs", "PublishedBrandName")
    PublishedCondition = apps.get_model("drugs", "PublishedCondition")
    for condition in Condition.objects.all():
        document = {"name": condition.name, "summary": condition.summary}
        since = condition.updated_at or timezone.now()
        PublishedCondition.objects.create(
            condition=condition, slug=condition.slug, name=condition.name,
            summary=condition.summary, document=document, fingerprint=fingerprint(document),
            published_at=condition.created_at or since, text_since=since,
        )  # fmt: skip
    for drug in Drug.objects.all():
        document = drug_document(drug)
        uses = document["approved_uses"] + document["off_label_uses"]
        since = drug.updated_at or timezone.now()
        copy = PublishedDrug.objects.create(
            drug=drug, slug=drug.slug, name=drug.name, summary=drug.summary,
            drug_class=drug.drug_class, mechanism_html=render_markdown(drug.mechanism).html,
            brand_names_text=" ".join(b["name"] for b in document["brands"]),
            conditions_text=" ".join(dict.fromkeys(u["condition"] for u in uses)),
            condition_ids=sorted({u["condition_id"] for u in uses}),
            uses_text="\n".join(u["details"] for u in uses if u["details"]),
            document=document, fingerprint=fingerprint(document),
            published_at=drug.created_at or since, text_since=since,
        )  # fmt: skip
        PublishedBrandName.objects.bulk_create(
            PublishedBrandName(published_drug=copy, name=b["name"], mark=b["mark"])
            for b in document["brands"]
        )
    # The published mechanism's links (its text is the working one): Referring Pages.
    InternalLink = apps.get_model("content", "InternalLink")
    InternalLink.objects.bulk_create(
        InternalLink(
            source_drug_id=row.source_drug_id, href=row.href, target_key=row.target_key,
            text=row.text, in_live_copy=True,
        )  # fmt: skip
        for row in InternalLink.objects.filter(source_drug__isnull=False, in_live_copy=False)
    )


class Migration(migrations.Migration):
    dependencies = [("drugs", "0008_published_copies"), ("content", "0001_initial")]

    operations = [migrations.RunPython(publish_existing, migrations.RunPython.noop)]
