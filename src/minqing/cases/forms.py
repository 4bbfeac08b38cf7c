from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.identity import validate_phone

from .models import Nature


class CaptureForm(forms.Form):
    """记民情: three fields at most for the quick path (place, what, who); the rest has sensible defaults."""

    building = forms.ModelChoiceField(label=_("Where"), queryset=None)
    description = forms.CharField(
        label=_("What was raised"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    reporter_name = forms.CharField(label=_("Who raised it (optional)"), max_length=60, required=False)
    reporter_phone = forms.CharField(
        label=_("Their phone (optional)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    nature = forms.ChoiceField(label=_("Nature"), choices=Nature.choices, initial=Nature.HELP)
    confidential = forms.BooleanField(label=_("Keep their name confidential"), required=False)
    new_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, buildings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings

    def clean_reporter_phone(self):
        value = self.cleaned_data["reporter_phone"]
        return validate_phone(value) if value.strip() else ""


class TransitionForm(forms.Form):
    name = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    organisation = forms.ModelChoiceField(label=_("Handled by"), queryset=None, required=False)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class MeTooForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return validate_phone(value) if value.strip() else ""


class ReferralForm(forms.Form):
    question = forms.CharField(max_length=2000)
    area = forms.IntegerField()
    category = forms.IntegerField()
    organisation = forms.IntegerField()
