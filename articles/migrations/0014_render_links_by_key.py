"""Stored HTML keeps internal links by key (content.links), and slugs are lower case.

Every rendered column is rendered again from its own Markdown: the text readers see stays
the same (a live article keeps its reviewed copy, rendered from ``live_body``), only the
links change form. A slug with capitals becomes lower case, its old spelling kept as an
old slug so that its URLs still answer 301; one whose lower-case form is taken stays.
"""

from django.db import migrations

from content.markup import render_markdown

_KIND = {"Article": "article", "SitePage": "page", "Drug": "drug", "Condition": "condition"}
_RENDERED = {
    ("articles", "Article"): [("body", "body_html"), ("live_body", "live_body_html")],
    ("articles", "SitePage"): [("body", "body_html")],
    ("drugs", "Drug"): [("mechanism", "mechanism_html")],
}


def lower_case_slugs(apps, schema_editor):
    OldSlug = apps.get_model("articles", "OldSlug")
    for app_label, name in [
        ("articles", "Article"), ("articles", "SitePage"), ("drugs", "Drug"), ("drugs", "Condition")
    ]:  # fmt: skip
        model = apps.get_model(app_label, name)
        kind = _KIND[name]
        field = "page" if kind == "page" else kind
        for row in model.objects.exclude(slug__regex=r"^[^A-Z]*$"):
            lower = row.slug.lower()
            if model.objects.filter(slug=lower).exists():
                continue
            old = row.slug
            model.objects.filter(pk=row.pk).update(slug=lower)
            OldSlug.objects.filter(kind=kind, slug=lower).delete()
            OldSlug.objects.update_or_create(kind=kind, slug=old, defaults={field: row})


def render_links_by_key(apps, schema_editor):
    for (app_label, name), fields in _RENDERED.items():
        model = apps.get_model(app_label, name)
        for row in model.objects.only(*(f for pair in fields for f in pair)).iterator():
            changes = {}
            for text_field, html_field in fields:
                html = render_markdown(getattr(row, text_field)).html
                if html != getattr(row, html_field):
                    changes[html_field] = html
            if changes:
                model.objects.filter(pk=row.pk).update(**changes)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0013_links_by_key"),
        ("drugs", "0007_lower_case_slugs"),
    ]

    operations = [
        migrations.RunPython(lower_case_slugs, migrations.RunPython.noop),
        migrations.RunPython(render_links_by_key, migrations.RunPython.noop),
    ]
