"""Who readers are told reviewed an article: the reviewing account's name and credential.

"Medically reviewed by Jane Doe, MD" is a claim about a real person, so it comes from a
profile an admin sets on the account (articles.admin), never from what the reviewer types
when they review. ``articles.workflow.record_review`` copies ``shown_name`` to the article.
"""

from django.conf import settings
from django.db import models


class ReviewerProfile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_profile"
    )
    display_name = models.CharField(
        max_length=120, help_text="The reviewer's name as readers see it, e.g. Jane Doe."
    )
    credential = models.CharField(
        max_length=30, blank=True, help_text="Shown after the name, e.g. MD, PharmD; optional."
    )

    class Meta:
        verbose_name = "reviewer profile"

    def __str__(self):
        return self.shown_name or f"(no name) {self.user}"

    @property
    def shown_name(self) -> str:
        """E.g. "Jane Doe, MD"; the name alone without a credential; empty without a name."""
        name = self.display_name.strip()
        credential = self.credential.strip().lstrip(",").strip()
        return f"{name}, {credential}" if name and credential else name


def shown_name_of(user) -> str:
    """The name readers would see for ``user``'s reviews; empty when no admin has set one."""
    profile = getattr(user, "reviewer_profile", None)  # a missing profile is an AttributeError
    return profile.shown_name if profile is not None else ""
