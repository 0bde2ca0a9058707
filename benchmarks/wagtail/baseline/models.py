"""The one page model of the Wagtail baseline: an article as a Wagtail developer would write it.

A title (Wagtail's own), an intro and a rich-text body; related pages are its live siblings,
as medinfo's article page lists the other articles about the same drug.
"""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class ArticlePage(Page):
    intro = models.TextField(blank=True, help_text="The lead paragraph under the title.")
    body = RichTextField(blank=True, help_text="The article text.")

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # Breadcrumbs and structured data both list them: one query, below the root.
        context["ancestors"] = list(self.get_ancestors()[1:])
        context["related"] = self.get_siblings(inclusive=False).live()
        return context
