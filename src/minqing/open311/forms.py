from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import VersionedForm
from minqing.directory.models import Category


class CategoryChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class GridChoice(forms.ModelChoiceField):
    """Grids are named alike in every community (第一网格): say whose."""

    def label_from_instance(self, obj):
        return f"{obj.parent.name} · {obj.name}" if obj.parent_id else obj.name


class JurisdictionForm(VersionedForm):
    jurisdiction_id = forms.CharField(
        label=_("Jurisdiction ID"),
        max_length=100,
        help_text=_(
            "What clients send as jurisdiction_id, e.g. the community's web address: redian.example.cn"
        ),
    )
    community = forms.ModelChoiceField(label=_("Community"), queryset=None)
    default_grid = GridChoice(
        label=_("Default grid"),
        queryset=None,
        help_text=_("Where a request goes when its place matches no building of the community."),
    )
    services = CategoryChoice(
        label=_("Categories offered as services"),
        queryset=Category.objects.filter(active=True).order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Cases of these categories in the community are published (without personal data)."),
    )
    active = forms.BooleanField(label=_("Answering"), required=False, initial=True)

    def __init__(self, *args, communities=None, grids=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rebind_kwargs = {"communities": communities, "grids": grids, "editing": editing}
        self.fields["community"].queryset = communities
        self.fields["default_grid"].queryset = grids
        if editing:
            del self.fields["community"]


class ClientForm(forms.Form):
    name = forms.CharField(
        label=_("Client"), max_length=100, help_text=_("The app or organisation that will post requests.")
    )
    jurisdictions = forms.ModelMultipleChoiceField(
        label=_("May post to"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, jurisdictions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdictions"].queryset = jurisdictions
