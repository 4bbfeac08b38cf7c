import json
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.forms import ROOM, VersionedForm, normalise_unit, not_future_year
from minqing.organisations.models import Organisation

from .models import Building, DrainType, GasSupply, RenovationStatus

YES_NO_UNKNOWN = [("", _("Unknown")), ("true", _("Yes")), ("false", _("No"))]


def _tristate(label):
    return forms.TypedChoiceField(
        label=label,
        choices=YES_NO_UNKNOWN,
        required=False,
        coerce=lambda v: {"true": True, "false": False}.get(v),
        empty_value=None,
    )


class ExtraFactsField(forms.CharField):
    """One fact per line, "name: value" (e.g. 化粪池: 2个)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        if isinstance(value, dict):
            return "\n".join(f"{k}: {v}" for k, v in value.items())
        if isinstance(value, str) and value.startswith("{"):
            return self.prepare_value(json.loads(value))
        return value

    def clean(self, value):
        value = super().clean(value)
        facts = {}
        for number, line in enumerate((value or "").splitlines(), start=1):
            if not line.strip():
                continue
            parts = re.split(r"[:：]", line, maxsplit=1)  # values keep their own colons as typed
            name, fact = parts[0], parts[1] if len(parts) == 2 else ""
            if len(parts) != 2 or not name.strip():
                raise forms.ValidationError(
                    _("Line %(n)s: write each fact as “name: value”."), params={"n": number}, code="facts"
                )
            facts[name.strip()[:40]] = fact.strip()[:200]
        return facts


class PropertyCompanyField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name  # short names ("物业") are the same for every company


class BuildingForm(VersionedForm):
    name = forms.CharField(label=_("Name"), max_length=60)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    floors = forms.IntegerField(label=_("Floors"), min_value=1, max_value=120, required=False)
    year_built = forms.IntegerField(label=_("Year built"), min_value=1900, max_value=2100, required=False)
    water_pipe_year = forms.IntegerField(
        label=_("Year the water pipes were laid"), min_value=1900, max_value=2100, required=False
    )
    sewer_pipe_year = forms.IntegerField(
        label=_("Year the sewer pipes were laid"), min_value=1900, max_value=2100, required=False
    )
    drain_type = forms.ChoiceField(label=_("Drain type"), choices=DrainType.choices, required=False)
    ground_floor_own_drain = _tristate(_("Ground floor has its own drain"))
    has_elevator = _tristate(_("Elevator"))
    gas_supply = forms.ChoiceField(label=_("Gas"), choices=GasSupply.choices, required=False)
    renovation_status = forms.ChoiceField(
        label=_("Old-estate renovation"), choices=RenovationStatus.choices, required=False
    )
    property_company = PropertyCompanyField(
        label=_("Property company"), required=False, queryset=Organisation.objects.none()
    )
    extra_facts = ExtraFactsField(
        label=_("Other facts"), required=False, help_text=_("One per line, e.g. 化粪池: 2个")
    )

    def __init__(self, *args, property_companies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rebind_kwargs = {"property_companies": property_companies}
        if property_companies is not None:
            self.fields["property_company"].queryset = property_companies
        for name in ("year_built", "water_pipe_year", "sewer_pipe_year"):
            self.fields[name].validators.append(not_future_year)

    def clean(self):
        data = super().clean()
        built = data.get("year_built")
        for name in ("water_pipe_year", "sewer_pipe_year"):
            if built and data.get(name) and data[name] < built:
                self.add_error(name, _("Pipes cannot be laid before the building was built."))
        return data

    @classmethod
    def for_building(cls, building: Building, data=None, property_companies=None):
        initial = {name: getattr(building, name) for name in cls.base_fields if hasattr(building, name)}
        for name in ("ground_floor_own_drain", "has_elevator"):
            initial[name] = {True: "true", False: "false"}.get(initial[name], "")
        initial["version"] = building.version
        return cls(data=data, initial=initial, property_companies=property_companies)

    def changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class HouseholdForm(forms.Form):
    unit_name = forms.CharField(label=_("Unit"), max_length=30, required=False, help_text=_("e.g. 1单元"))
    room = forms.CharField(label=_("Door number"), max_length=20, help_text=_("e.g. 301"))
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, building=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.building = building
        units = list(building.units.values_list("name", flat=True)) if building else []
        if units:
            self.fields["unit_name"].help_text = _("Units of this building: %(units)s") % {
                "units": "、".join(units)
            }

    def clean_unit_name(self):
        return normalise_unit(self.cleaned_data["unit_name"])

    def clean_room(self):
        room = self.cleaned_data["room"].strip()
        if not ROOM.match(room):
            raise forms.ValidationError(_("Use digits, letters and dashes only, e.g. 301 or 2-301."))
        floors = self.building.floors if self.building else None
        if floors and room.isdigit() and len(room) >= 3 and int(room[:-2]) > floors:
            raise forms.ValidationError(
                _("Room %(room)s would be on floor %(floor)s, but the building has %(floors)s floors.")
                % {"room": room, "floor": int(room[:-2]), "floors": floors}
            )
        return room


class AreaForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to have one made; it never changes afterwards."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import ALLOWED_CHILDREN, AreaKind

        allowed = ALLOWED_CHILDREN[parent.kind if parent else None]
        # The most common child first: a community gets grids far more often than estates.
        kinds = sorted((k for k in AreaKind if k in allowed), key=lambda k: k != AreaKind.GRID)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]


class BuildingCreateForm(BuildingForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Leave empty to have one made; it never changes afterwards."),
    )
    field_order = ["name", "code", "address", "floors", "year_built"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False
