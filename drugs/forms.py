"""Admin forms for a drug's inlines: clear messages for what the database would refuse.

The database keeps brands, formulations and indications of one drug together (triggers in
migration 0002) and marks out of brand names (check constraints); these forms say so in
words an editor understands, before the database has to.
"""

import re

from django import forms
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import ValidationError

from drugs.models import BrandName, Formulation, Indication

# A strength has an amount and a unit: "5 mg", "0.05 mg/mL", "1%".
_STRENGTH = re.compile(r"\d.*[^\d\s.,]|[^\d\s.,].*\d")
# Commas separate strengths, except a thousands separator: a digit, a comma, exactly three
# digits ("1,000 mcg/mL, 2,000 mcg/mL" is two strengths; "2,5 mg" stays a mistake).
_SEPARATOR = re.compile(r"(?<!\d),|,(?!\d{3}(?!\d))")


class StrengthsField(SimpleArrayField):
    """Comma-separated strengths, spaces and empty items forgiven, shown as '5 mg, 10 mg'.

    Thousands separators are part of a strength, as the demo's "1,000 mcg/mL" is.
    """

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        super().__init__(forms.CharField(max_length=60), delimiter=",", **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, str):
            value = [item.strip() for item in _SEPARATOR.split(value) if item.strip()]
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        for item in value:
            if not _STRENGTH.search(item):
                raise ValidationError(
                    "“%(item)s” is not a strength: give an amount and a unit, and separate "
                    "strengths with commas, e.g. 5 mg, 10 mg (decimals with a point: 2.5 mg).",
                    code="strength",
                    params={"item": item},
                )
        duplicates = sorted({item for item in value if value.count(item) > 1})
        if duplicates:
            raise ValidationError(
                "Each strength once, please: %(items)s repeated.",
                code="duplicate",
                params={"items": ", ".join(duplicates)},
            )


def check_same_drug(form, field_name: str, noun: str) -> None:
    """Add an error when a chosen related object belongs to another drug than the form's."""
    chosen = form.cleaned_data.get(field_name) or []
    drug_id = form.instance.drug_id
    foreign = [str(obj) for obj in chosen if obj.drug_id != drug_id]
    if foreign:
        form.add_error(
            field_name,
            f"Only {noun} of this drug can be chosen; {', '.join(foreign)} belong to another drug.",
        )


class BrandNameForm(forms.ModelForm):
    class Meta:
        model = BrandName
        fields = ["name", "mark"]

    def clean(self):
        cleaned = super().clean()
        typed = cleaned.get("name")
        if not typed:
            return cleaned
        name, mark = BrandName.split_mark(typed)
        if mark:
            if cleaned.get("mark") and cleaned["mark"] != mark:
                self.add_error(
                    "mark", f"The name ends in {mark} but the mark chosen is {cleaned['mark']}."
                )
                return cleaned
            cleaned["name"], cleaned["mark"] = name, mark
            self.instance.name, self.instance.mark = name, mark
        if "®" in name or "™" in name:
            self.add_error("name", "Put ® or ™ in the Mark field, not inside the name.")
        return cleaned


class FormulationForm(forms.ModelForm):
    strengths = StrengthsField(
        required=False, help_text="Comma-separated, e.g. 5 mg, 10 mg, 20 mg."
    )

    class Meta:
        model = Formulation
        fields = ["name", "route", "strengths", "brand_names", "position"]

    def clean(self):
        cleaned = super().clean()
        check_same_drug(self, "brand_names", "brand names")
        return cleaned


class IndicationForm(forms.ModelForm):
    """An approved use: a condition, its cause or patients, and the formulations approved."""

    off_label = False

    class Meta:
        model = Indication
        fields = ["condition", "details", "formulations", "position"]
        widgets = {"details": forms.TextInput(attrs={"class": "vLargeTextField"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.off_label = self.off_label

    def clean(self):
        cleaned = super().clean()
        if "formulations" in self.fields:
            check_same_drug(self, "formulations", "formulations")
        return cleaned


class OffLabelUseForm(IndicationForm):
    """A use some prescribers make of the drug without approval: no approved formulations."""

    off_label = True

    class Meta(IndicationForm.Meta):
        fields = ["condition", "details", "position"]
        widgets = {}  # a table row: the admin's standard width fits


class DrugInlineFormSet(forms.BaseInlineFormSet):
    """Offers only the parent drug's own brand names and formulations to choose from."""

    choosable = {"brand_names": BrandName, "formulations": Formulation}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        for name, model in self.choosable.items():
            field = form.fields.get(name)
            if field is None:
                continue
            drug = self.instance
            field.queryset = model.objects.filter(drug=drug) if drug.pk else model.objects.none()
            plural = model._meta.verbose_name_plural
            field.error_messages["invalid_choice"] = f"Choose only {plural} of this drug."
            if not drug.pk:
                field.help_text = f"Save the drug first; then choose from its {plural} here."


class IndicationInlineFormSet(DrugInlineFormSet):
    """Also refuses the same condition and details twice (the form cannot see its siblings)."""

    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            condition = form.cleaned_data.get("condition")
            if condition is None:
                continue
            key = (condition.pk, form.cleaned_data.get("details", "").strip().lower())
            if key in seen:
                form.add_error("condition", f"{condition} with these details is listed twice.")
            seen.add(key)
