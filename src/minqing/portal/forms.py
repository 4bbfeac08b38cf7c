from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.cases.actions import check_photo
from minqing.cases.models import Rating
from minqing.core.errors import InvalidInput, NotFound

from . import selectors
from .actions import parse_contact


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


class LoginForm(forms.Form):
    contact = forms.CharField(
        label=_("Mobile number or email"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "off"}),
        help_text=_("We send you a 6-digit code. No password needed."),
    )
    community = CommunityChoiceField(
        label=_("Your community"), queryset=None, empty_label=_("Choose your community")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.communities()

    def clean_contact(self):
        try:
            parse_contact(self.cleaned_data["contact"])
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from None
        return self.cleaned_data["contact"]


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "pattern": "[0-9 ]*",
                "class": "code-input",
            }
        ),
    )


class ConsentForm(forms.Form):
    accept = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my data is processed as it says."),
        error_messages={"required": _("To use the resident portal, read and accept the privacy notice.")},
    )


class SignUpForm(ConsentForm):
    name = forms.CharField(
        label=_("How should the community address you?"),
        max_length=60,
        help_text=_("Your name, or how neighbours call you, e.g. 王秀兰 or 王阿姨."),
    )

    field_order = ["name", "accept"]


class ReportForm(forms.Form):
    description = forms.CharField(
        label=_("What is the problem?"),
        min_length=4,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In your own words: what, since when, how it affects you."),
        error_messages={"min_length": _("Say a little more, so that it can be handled.")},
    )
    community = CommunityChoiceField(label=_("Community"), queryset=None)
    place = forms.ChoiceField(label=_("Where"), choices=())
    address = forms.CharField(
        label=_("Address or landmark"),
        max_length=200,
        required=False,
        help_text=_("e.g. east gate, beside the bicycle shed, 2单元 stairwell"),
    )
    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        widget=forms.HiddenInput,
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("JPEG, PNG or WebP, up to 8 MB."),
    )
    confidential = forms.BooleanField(
        label=_("Keep my name confidential: the organisation that fixes it does not see it"), required=False
    )
    wants_news = forms.BooleanField(label=_("Tell me when there is news"), required=False, initial=True)

    def __init__(self, *args, household=None, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household
        self.fields["community"].queryset = selectors.communities()
        chosen = self._chosen_community() or community
        self.community = chosen
        self.fields["place"].choices = self.place_choices(chosen, household)

    def _chosen_community(self):
        if not self.is_bound:
            return None
        pk = self.data.get(self.add_prefix("community"))
        return selectors.communities().filter(pk=pk).first() if pk and str(pk).isdigit() else None

    @staticmethod
    def place_choices(community, household):
        if community is None:
            return [("", _("First choose the community"))]
        choices = [("", _("Choose the place"))]
        for group, places in selectors.places_in(community, household=household):
            choices.append((group or _("Your home"), [(p.value, p.label) for p in places]))
        return choices

    def clean_photo(self):
        photo = self.cleaned_data.get("photo")
        if photo:
            try:
                check_photo(photo)
            except InvalidInput as error:
                raise forms.ValidationError(str(error.message)) from None
        return photo

    def clean(self):
        data = super().clean()
        community, place = data.get("community"), data.get("place")
        if community is not None and place:
            try:
                data["place_args"] = selectors.resolve_place(
                    place, community=community, household=self.household
                )
            except NotFound:
                self.add_error("place", _("Choose a place from the list."))
            else:
                pinned = data.get("latitude") is not None and data.get("longitude") is not None
                if "area" in data["place_args"] and not data.get("address", "").strip() and not pinned:
                    self.add_error("address", _("Say where in the grid: an address or a landmark."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            data["latitude"] = data["longitude"] = None
        return data


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("Are you satisfied with how it was handled?"),
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how satisfied you are.")},
    )
    note = forms.CharField(
        label=_("What is not right? (needed if not satisfied)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("rating") == Rating.UNSATISFIED and not data.get("note", "").strip():
            self.add_error("note", _("Say what is not right: the concern is reopened with your words."))
        return data


class WhoForm(forms.Form):
    q = forms.CharField(label=_("What is the problem?"), max_length=100, required=False)
    community = CommunityChoiceField(
        label=_("Your community"), queryset=None, required=False, empty_label=_("Choose your community")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.communities()
