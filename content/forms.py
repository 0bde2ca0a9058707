"""Edit-conflict detection for every content change form (articles, drugs, conditions).

Edit conflicts use optimistic locking with no extra column: a change form carries the
``updated_at`` its object had when the form was loaded, and the save is refused when the
row has been saved since. The row is locked (``select_for_update``) inside the admin's
save transaction, so two saves at the same instant cannot both pass the check.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from reversion.models import Version

LOADED_FIELD = "loaded_updated_at"


class EditConflictForm(forms.ModelForm):
    """Refuses to save over a version the editor has not seen; keeps their text on screen.

    The admin lists ``loaded_updated_at`` in its fieldsets so that it is rendered (hidden).
    A form posted without the token (an API client, an old tab) is not checked. After a
    refusal the token moves on to the version now saved, so saving again is a deliberate
    choice to replace it (the other version stays in the history).
    """

    loaded_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.updated_at:
            self.initial[LOADED_FIELD] = self.instance.updated_at.isoformat()

    def clean(self):
        cleaned = super().clean()
        self.check_edit_conflict(cleaned.get(LOADED_FIELD))
        return cleaned

    def check_edit_conflict(self, loaded: str | None) -> None:
        if not self.instance.pk or not loaded:
            return
        try:
            loaded_at = datetime.datetime.fromisoformat(loaded)
        except ValueError:
            raise ValidationError(
                "This form is damaged: reload the page.", code="edit_conflict"
            ) from None
        model = type(self.instance)
        saved_at = (
            model._default_manager.select_for_update()
            .filter(pk=self.instance.pk)
            .values_list("updated_at", flat=True)
            .first()
        )
        if saved_at is None or saved_at == loaded_at:
            return
        self.data = self.data.copy()
        self.data[self.add_prefix(LOADED_FIELD)] = saved_at.isoformat()
        raise ValidationError(conflict_message(self.instance, saved_at), code="edit_conflict")


def conflict_message(instance, saved_at: datetime.datetime) -> str:
    latest = (
        Version.objects.get_for_object_reference(type(instance), instance.pk)
        .select_related("revision__user")
        .order_by("-pk")
        .first()
    )
    user = latest.revision.user if latest else None
    who = f"{user.get_full_name() or user.get_username()}" if user else "Someone else"
    noun = instance._meta.verbose_name
    return (
        f"{who} saved this {noun} at {timezone.localtime(saved_at):%H:%M} while you were "
        f"editing. Your changes below are NOT saved yet; their version is kept in the history. "
        f"Compare, then save again to replace their version with yours."
    )
