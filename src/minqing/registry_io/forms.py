import os

from django import forms
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from minqing.accounts.roles import Cap, can
from minqing.core.errors import InvalidInput

from . import selectors
from .actions import clean_mapping
from .columns import COLUMNS
from .reading import MAX_BYTES


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.get_kind_display()}"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Ledger file"),
        help_text=_(
            "Excel (.xlsx) or CSV (UTF-8 or GB18030), at most 5 MB and 20,000 rows. "
            "Only the first sheet of a workbook is read."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": _("Choose the ledger file."), "empty": _("The file is empty.")},
    )
    area = AreaChoiceField(
        label=_("Import into"),
        queryset=None,
        empty_label=_("Choose…"),
        help_text=_("A grid, or a community whose ledger has a 网格 column naming its grids."),
        error_messages={
            "required": _("Choose where to import the ledger."),
            "invalid_choice": _("Choose a grid or a community in your area."),
        },
    )
    create_buildings = forms.BooleanField(label=_("Create buildings that do not exist yet"), required=False)

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        areas = selectors.import_target_areas(user)
        self.fields["area"].queryset = areas
        if len(areas) == 1:
            self.fields["area"].initial = areas[0].pk
        if not can(user, Cap.EDIT_PLACES):
            del self.fields["create_buildings"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        extension = os.path.splitext(upload.name)[1].lower()
        if extension == ".xls":
            raise forms.ValidationError(
                _(
                    "Old Excel files (.xls) cannot be read. In Excel choose “Save as” → “Excel workbook "
                    "(.xlsx)”, then upload that file."
                )
            )
        if extension not in (".xlsx", ".csv"):
            raise forms.ValidationError(_("Upload an Excel file (.xlsx) or a CSV file (.csv)."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than 5 MB. Split the ledger into several files and import them one by one."
                )
            )
        return upload


class MappingForm(forms.Form):
    """One select per column of the file: what the column holds, or "do not import"."""

    def __init__(self, *args, ledger, area, mapping: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.ledger, self.area = ledger, area
        by_index = {index: key for key, index in mapping.items()}
        samples = selectors.column_samples(ledger)
        choices = [("", _("— do not import —")), *((c.key, c.label) for c in COLUMNS)]
        for index, header in enumerate(ledger.headers):
            letter = get_column_letter(index + 1)
            example = " · ".join(samples[index])
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=f"{letter}: {header}" if header else _("Column %(letter)s") % {"letter": letter},
                choices=choices,
                required=False,
                initial=by_index.get(index, ""),
                help_text=_("For example: %(values)s") % {"values": example} if example else "",
            )

    def clean(self):
        data = super().clean()
        mapping = {}
        for index in range(len(self.ledger.headers)):
            key = data.get(f"col_{index}")
            if not key:
                continue
            if key in mapping:
                label = next(str(c.label) for c in COLUMNS if c.key == key)
                raise forms.ValidationError(
                    _("“%(name)s” is chosen for more than one column. Choose it once.") % {"name": label}
                )
            mapping[key] = index
        try:
            self.mapping = clean_mapping(mapping, width=len(self.ledger.headers), area=self.area)
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from None
        return data


class ExportForm(forms.Form):
    area = AreaChoiceField(
        label=_("Area"),
        queryset=None,
        required=False,
        empty_label=_("All my areas"),
        error_messages={"invalid_choice": _("Choose an area of yours.")},
    )
    file_format = forms.ChoiceField(
        label=_("File type"),
        choices=[("xlsx", _("Excel (.xlsx)")), ("csv", _("CSV (opens in Excel)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    full_values = forms.BooleanField(
        label=_("Full phone and ID numbers"),
        required=False,
        help_text=_(
            "Otherwise they are masked, e.g. 139****5678. Full values are recorded with your reason."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for full values"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = selectors.export_areas(user)
        if not (can(user, Cap.UNMASK_PHONE) or can(user, Cap.UNMASK_ID)):
            del self.fields["full_values"]
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if data.get("full_values") and len(data.get("reason", "").strip()) < 2:
            self.add_error("reason", _("Say why the export needs full phone and ID numbers."))
        return data
