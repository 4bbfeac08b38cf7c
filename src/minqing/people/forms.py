from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import DateInput, VersionedForm, not_future_date
from minqing.core.identity import validate_id_number, validate_phone

from .models import Relation, ResidenceType, ResidentStatus, Sex, TagType


class ResidentFields(forms.Form):
    name = forms.CharField(label=_("Full name"), max_length=60)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=DateInput, validators=[not_future_date]
    )
    relation = forms.ChoiceField(
        label=_("Relation to head of household"), choices=[("", "—"), *Relation.choices], required=False
    )
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return validate_phone(value) if value.strip() else ""

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        return validate_id_number(value) if value.strip() else ""


class ResidentCreateForm(ResidentFields):
    pass


class ResidentEditForm(VersionedForm, ResidentFields):
    """Phone and ID number start empty: leaving them empty keeps what is stored (it is never sent to the page)."""

    clear_phone = forms.BooleanField(label=_("Remove the stored phone number"), required=False)

    def __init__(self, *args, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rebind_kwargs = {"resident": resident}
        if resident is not None:
            self.fields["phone"].help_text = _("Leave empty to keep %(masked)s.") % {
                "masked": resident.phone_masked or "—"
            }
            self.fields["id_number"].help_text = _("Leave empty to keep %(masked)s.") % {
                "masked": resident.id_number_masked or "—"
            }

    def changes(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("version", "clear_phone")}
        if not data["phone"]:
            data.pop("phone")
        if self.cleaned_data.get("clear_phone"):
            data["phone"] = ""
        if not data["id_number"]:
            data.pop("id_number")
        return data


class StatusForm(VersionedForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=ResidentStatus.choices)
    effective_date = forms.DateField(label=_("Since"), widget=DateInput, validators=[not_future_date])
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class TagForm(forms.Form):
    tag_type = forms.ModelChoiceField(label=_("Tag"), queryset=TagType.objects.none())
    legal_basis = forms.CharField(
        label=_("Legal basis or consent reference"),
        max_length=200,
        required=False,
        help_text=_("Required for sensitive tags, e.g. 低保证号 or a signed consent."),
    )
    review_date = forms.DateField(label=_("Review by"), required=False, widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, tag_types=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tag_type"].queryset = tag_types


class TagTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=40)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to have one made; it never changes afterwards."),
    )
    sensitive = forms.BooleanField(
        label=_("Sensitive (health, disability, income support, minors)"), required=False
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    default_legal_basis = forms.CharField(label=_("Usual legal basis"), max_length=200, required=False)
    review_months = forms.IntegerField(
        label=_("Review every (months)"), min_value=1, max_value=120, required=False
    )
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)
