from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Event


class WebhookForm(forms.Form):
    url = forms.URLField(
        label=_("Address"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Where Minqing posts the events: https://… of the receiving system."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)


class WebhookUpdateForm(forms.Form):
    active = forms.BooleanField(label=_("Active"), required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"), choices=Event.choices, widget=forms.CheckboxSelectMultiple
    )
