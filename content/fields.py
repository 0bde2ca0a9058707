"""Model fields of the content pipeline."""

from django.db import models


class LowerCaseSlugField(models.SlugField):
    """A slug kept in lower case, so that links and URLs match it in any case.

    ``to_python`` runs when a form or ``full_clean`` cleans the value, before the
    uniqueness check, so "Baclofen" is checked (and stored) as "baclofen".
    """

    def to_python(self, value):
        value = super().to_python(value)
        return value.lower() if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = (getattr(model_instance, self.attname) or "").lower()
        setattr(model_instance, self.attname, value)
        return value
