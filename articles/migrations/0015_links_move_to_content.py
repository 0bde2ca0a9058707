"""InternalLink and OldSlug moved to the content app: the tables stay, only the state moves."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0014_render_links_by_key"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(
                    model_name="internallink",
                    name="internal_link_has_one_source",
                ),
                migrations.RemoveConstraint(
                    model_name="oldslug",
                    name="old_slug_unique_per_kind",
                ),
                migrations.RemoveConstraint(
                    model_name="oldslug",
                    name="old_slug_points_to_its_kind",
                ),
                migrations.RemoveField(
                    model_name="oldslug",
                    name="article",
                ),
                migrations.RemoveField(
                    model_name="oldslug",
                    name="condition",
                ),
                migrations.RemoveField(
                    model_name="oldslug",
                    name="drug",
                ),
                migrations.RemoveField(
                    model_name="oldslug",
                    name="page",
                ),
                migrations.DeleteModel(
                    name="InternalLink",
                ),
                migrations.DeleteModel(
                    name="OldSlug",
                ),
            ]
        )
    ]
