from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.identity import validate_phone
from minqing.directory.models import Category

from .models import Nature, Rating


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Zero or more photos from the phone's camera or gallery; cases.actions.check_photo checks each."""

    widget = MultipleFileInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Photos"))
        super().__init__(**kwargs)
        self.widget.attrs.update({"accept": "image/jpeg,image/png,image/webp", "multiple": True})

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > 6:
            raise forms.ValidationError(_("Six photos at most."))
        return [super(PhotosField, self).clean(f, initial) for f in files]


class CaptureForm(forms.Form):
    """记民情: three fields at most for the quick path (place, what, who); the rest has sensible defaults."""

    building = forms.ModelChoiceField(label=_("Where"), queryset=None, required=False)
    household = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    resident = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    merchant = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    area = forms.ModelChoiceField(label=_("Not about a building: the grid"), queryset=None, required=False)
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=200,
        required=False,
        help_text=_("e.g. 五马祠街 by the noodle shop, or the riverside path"),
    )
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
    nature = forms.ChoiceField(label=_("Nature"), choices=Nature.choices, initial=Nature.HELP, required=False)
    urgent = forms.BooleanField(label=_("Urgent"), required=False)
    risk = forms.BooleanField(label=_("Safety risk"), required=False)
    people_affected = forms.IntegerField(
        label=_("People affected"), min_value=1, max_value=100000, initial=1, required=False
    )
    confidential = forms.BooleanField(label=_("Keep their name confidential"), required=False)
    share_phone = forms.BooleanField(
        label=_("They agree that the handler sees their full phone number"), required=False
    )
    photos = PhotosField()
    new_anyway = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, buildings=None, households=None, residents=None, merchants=None, grids=None, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings
        self.fields["household"].queryset = households
        self.fields["resident"].queryset = residents
        self.fields["merchant"].queryset = merchants
        self.fields["area"].queryset = grids

    def clean(self):
        data = super().clean()
        resident = data.get("resident")
        if resident is not None and data.get("household") is None and resident.household_id:
            data["household"] = resident.household
        if data.get("household") is not None:
            data["building"] = data["household"].building
        if resident is not None and data.get("building") is None and data.get("area") is None:
            data["area"] = resident.area  # someone without a household: their grid
        data["people_affected"] = data.get("people_affected") or 1
        data["nature"] = data.get("nature") or Nature.HELP
        placed = data.get("building") or data.get("merchant") or data.get("area")
        if placed is None and not self.has_error("building"):
            self.add_error("building", _("Pick the building it is about, or the grid and an address."))
        return data

    def clean_reporter_phone(self):
        value = self.cleaned_data["reporter_phone"]
        return validate_phone(value) if value.strip() else ""


class TransitionForm(forms.Form):
    name = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=None, required=False)
    organisation = forms.ModelChoiceField(label=_("Handled by"), queryset=None, required=False)
    photos = PhotosField()

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["category"].queryset = Category.objects.filter(active=True)


class MeTooForm(forms.Form):
    resident = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Full name"), max_length=60, required=False)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, residents=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resident"].queryset = residents

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        return validate_phone(value) if value.strip() else ""


class ReferralForm(forms.Form):
    question = forms.CharField(max_length=2000)
    area = forms.IntegerField()
    category = forms.IntegerField()
    organisation = forms.IntegerField()
    caller_name = forms.CharField(max_length=60, required=False)
    caller_phone = forms.CharField(max_length=20, required=False)

    def clean_caller_phone(self):
        value = self.cleaned_data["caller_phone"]
        return validate_phone(value) if value.strip() else ""


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=30, initial=3)
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000)


class DecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        choices=[("1", _("Grant")), ("0", _("Refuse"))], coerce=lambda v: v == "1", widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class MergeForm(forms.Form):
    keep = forms.CharField(
        label=_("Reference of the case to keep"),
        max_length=20,
        help_text=_("This case closes into it; its reporters move there."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=1000)


class FeedbackForm(forms.Form):
    reporter = forms.ModelChoiceField(label=_("Who was called"), queryset=None, required=False)
    contacted = forms.TypedChoiceField(
        label=_("Reached them?"),
        choices=[("1", _("Yes")), ("0", _("Could not reach them"))],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    solved = forms.TypedChoiceField(
        label=_("Solved?"),
        choices=[("", "—"), ("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    rating = forms.ChoiceField(
        label=_("Satisfied?"), choices=Rating.choices, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("What they said"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, reporters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reporter"].queryset = reporters
        if reporters is not None and not self.is_bound:
            self.fields["reporter"].initial = next((r.pk for r in reporters if r.wants_news), None)
