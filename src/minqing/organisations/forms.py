import re

from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import VersionedForm
from minqing.core.identity import validate_credit_code, validate_phone
from minqing.places.models import Area, Street

from .models import MerchantStatus, OrganisationKind


class OrganisationForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    short_name = forms.CharField(label=_("Short name"), max_length=40, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrganisationKind.choices)
    service_phone = forms.CharField(
        label=_("Public service phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    hours = forms.CharField(label=_("Opening hours"), max_length=100, required=False)
    description = forms.CharField(
        label=_("What they handle"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    areas = forms.ModelMultipleChoiceField(
        label=_("Areas served"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = areas
        self.fields["version"].required = False

    def clean_service_phone(self):
        # Hotlines such as 12345 or 96333 are as valid here as mobile and landline numbers.
        value = self.cleaned_data["service_phone"].strip()
        if value and not re.fullmatch(r"[0-9][0-9\-]{2,19}", value):
            raise forms.ValidationError(_("Enter a phone number or hotline, digits and dashes only."))
        return value


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=60)
    title = forms.CharField(label=_("Title"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Work phone"), max_length=40, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return validate_phone(value) if value.strip() else ""


class MerchantForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    area = forms.ModelChoiceField(label=_("Grid"), queryset=Area.objects.none())
    street = forms.ModelChoiceField(label=_("Street"), queryset=Street.objects.none(), required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=18, required=False)
    category = forms.CharField(label=_("Business category"), max_length=60, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=60, required=False)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=MerchantStatus.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, grids=None, streets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = grids
        self.fields["street"].queryset = streets
        self.fields["version"].required = False
        if self.initial.get("version"):
            self.fields["contact_phone"].help_text = _("Leave empty to keep %(masked)s.") % {
                "masked": self.initial.get("contact_phone_masked") or "—"
            }

    def clean_credit_code(self):
        value = self.cleaned_data["credit_code"]
        return validate_credit_code(value) if value.strip() else ""

    def clean_contact_phone(self):
        value = self.cleaned_data["contact_phone"]
        return validate_phone(value) if value.strip() else ""

    def changes(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if self.initial.get("version") and not data["contact_phone"]:
            data.pop("contact_phone")  # editing: an empty phone keeps the stored one (never sent to the page)
        return data
