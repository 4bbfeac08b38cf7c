from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Category, Duty


class LookupForm(forms.Form):
    q = forms.CharField(label=_("What is the problem?"), max_length=100, required=False)
    area = forms.ModelChoiceField(label=_("Where"), queryset=None, required=False)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas


class ResponsibilityForm(forms.Form):
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(active=True))
    area = forms.ModelChoiceField(label=_("Area"), queryset=None)
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    duty = forms.ChoiceField(label=_("Duty"), choices=Duty.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, areas=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        self.fields["organisation"].queryset = organisations
