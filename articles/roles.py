"""The editorial roles (DESIGN.md §3) as groups, and the one table of what each may do.

Editor: creates and edits drugs (with their brands, formulations and uses), conditions,
articles and site pages, and submits articles for review. "Create and edit" is not
"delete": removing a page breaks every link to it and a drug takes its articles' hub with
it, so deleting drugs, conditions, articles and site pages is left to superusers (a
publisher takes a page away from readers by unpublishing it). Removing a brand name, a
formulation or a use *is* editing the drug, so those rows may be deleted inline.

Editors' changes to a drug hub or a condition page wait, unseen, for a review and a
publish step, as articles do (content.publishing).

Medical reviewer: everything an Editor may, and records medical reviews (of articles,
drug hubs and condition pages) under the name
and credential of their reviewer profile. No role may change a profile (nor an account):
a reviewer must not choose the name and degree readers are shown.

Publisher: everything a Medical reviewer may, publishes, schedules and unpublishes, and
edits the site settings (name, owner, the disclaimer on every page): they reach readers
at once, with no review gate, so they belong to the role that decides what readers see.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITOR = frozenset(
    {
        *(
            f"drugs.{action}_{model}"
            for model in ("drug", "brandname", "formulation", "indication", "condition")
            for action in ("view", "add", "change")
        ),
        "drugs.delete_brandname",
        "drugs.delete_formulation",
        "drugs.delete_indication",
        *(
            f"articles.{action}_{model}"
            for model in ("article", "sitepage")
            for action in ("view", "add", "change")
        ),
        "content.view_internallink",
        "articles.submit_article",
    }
)
MEDICAL_REVIEWER = EDITOR | {
    "articles.review_article",
    "drugs.review_drug",
    "drugs.review_condition",
}
PUBLISHER = MEDICAL_REVIEWER | {
    "articles.publish_article",
    "drugs.publish_drug",
    "drugs.publish_condition",
    "articles.publish_sitepage",
    "articles.view_sitesettings",
    "articles.change_sitesettings",
}

ROLES = {"Editor": EDITOR, "Medical reviewer": MEDICAL_REVIEWER, "Publisher": PUBLISHER}


def permissions_for(names) -> list[Permission]:
    """The Permission rows for "app_label.codename" names; a missing one is an error."""
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = Permission.objects.filter(content_type__app_label__in={app for app, _ in wanted})
    by_name = {
        (p.content_type.app_label, p.codename): p for p in found.select_related("content_type")
    }
    missing = sorted(".".join(name) for name in wanted - by_name.keys())
    if missing:
        raise LookupError(f"Unknown permissions (run migrate first?): {', '.join(missing)}")
    return [by_name[name] for name in sorted(wanted)]


@transaction.atomic
def setup_roles() -> dict[str, str]:
    """Make each group hold exactly its permissions; returns {group: created/updated/unchanged}."""
    outcome = {}
    for name, names in ROLES.items():
        group, created = Group.objects.get_or_create(name=name)
        wanted = {p.pk for p in permissions_for(names)}
        current = set(group.permissions.values_list("pk", flat=True))
        if wanted != current:
            group.permissions.set(wanted)
        outcome[name] = "created" if created else ("updated" if wanted != current else "unchanged")
    return outcome
