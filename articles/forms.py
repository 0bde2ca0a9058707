"""The article workflow steps' forms (the edit-conflict form is content.forms)."""

from django import forms


class ReviewForm(forms.Form):
    """A medical review of the text on screen; the name readers see comes from the profile."""

    # The fingerprint of the text the reviewer had on screen: a review vouches for that.
    text_hash = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ScheduleForm(forms.Form):
    publish_at = forms.DateTimeField(
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Readers see the article from this time on (site time zone).",
    )
