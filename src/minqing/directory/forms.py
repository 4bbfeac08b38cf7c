from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import VersionedForm

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


class CategoryForm(VersionedForm):
    code = forms.CharField(label=_("Code"), max_length=20, required=False)
    domain = forms.CharField(label=_("Domain"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=120)
    keywords = forms.CharField(
        label=_("Words people use"),
        max_length=300,
        required=False,
        help_text=_("Separated by spaces, e.g. 晾衣杆 返水"),
    )
    usual_owner = forms.CharField(label=_("Usual first owner"), max_length=200, required=False)
    accept_hours = forms.IntegerField(label=_("Accept within (working hours)"), min_value=1, max_value=200)
    finish_days = forms.IntegerField(label=_("Finish within (working days)"), min_value=1, max_value=120)
    verify_days = forms.IntegerField(label=_("Verify within (working days)"), min_value=1, max_value=30)
    emergency = forms.BooleanField(label=_("May be an emergency"), required=False)
    active = forms.BooleanField(label=_("In use"), required=False, initial=True)

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rebind_kwargs = {"creating": creating}
        if creating:
            self.fields["code"].required = True
        else:
            del self.fields["code"]
