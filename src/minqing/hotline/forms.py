import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from openpyxl.utils import get_column_letter

from minqing.accounts.roles import Cap, can
from minqing.cases.models import Status
from minqing.core.errors import InvalidInput
from minqing.core.forms import DateInput
from minqing.registry_io.forms import AreaChoiceField, UploadForm
from minqing.registry_io.selectors import column_samples

from . import selectors
from .actions import clean_mapping
from .columns import BY_KEY, IMPORTED


class WorkOrderUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Work order file"),
        help_text=_(
            "The Excel (.xlsx) or CSV file exported from the 12345 platform, at most 5 MB and 5,000 work "
            "orders. Only the first sheet of a workbook is read."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
        error_messages={"required": _("Choose the work order file."), "empty": _("The file is empty.")},
    )
    area = AreaChoiceField(
        label=_("Grid"),
        queryset=None,
        empty_label=_("Choose…"),
        help_text=_(
            "A work order whose address (诉求地址) names a building of this community goes to that building's "
            "grid; the others go to this grid."
        ),
        error_messages={
            "required": _("Choose the grid for work orders whose address names no building."),
            "invalid_choice": _("Choose a grid in your area."),
        },
    )
    dispatch = forms.BooleanField(
        label=_("Dispatch each work order to the handling unit (承办单位) the file names"),
        required=False,
        help_text=_(
            "The dry run shows which organisation each name becomes before anything is saved. "
            "Otherwise the cases wait for the grid's staff to route them."
        ),
    )

    clean_file = UploadForm.clean_file  # the ledger upload's checks: extension, old .xls, size

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        grids = selectors.import_grids(user)
        self.fields["area"].queryset = grids
        if len(grids) == 1:
            self.fields["area"].initial = grids[0].pk


class MappingForm(forms.Form):
    """One select per column of the file: which work order field it holds, or "do not import"."""

    def __init__(self, *args, ledger, dispatch: bool, mapping: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.ledger, self.dispatch = ledger, dispatch
        by_index = {index: key for key, index in mapping.items()}
        samples = column_samples(ledger)
        choices = [("", _("— do not import —")), *((c.key, c.label) for c in IMPORTED)]
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
                raise forms.ValidationError(
                    _("“%(name)s” is chosen for more than one column. Choose it once.")
                    % {"name": BY_KEY[key].label}
                )
            mapping[key] = index
        try:
            self.mapping = clean_mapping(mapping, width=len(self.ledger.headers), dispatch=self.dispatch)
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
    date_from = forms.DateField(label=_("Registered from"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("Registered until"), required=False, widget=DateInput())
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open (not closed)")), *Status.choices],
    )
    hotline_only = forms.BooleanField(label=_("Only work orders that came from 12345"), required=False)
    full_phone = forms.BooleanField(
        label=_("Full phone numbers"),
        required=False,
        help_text=_(
            "Otherwise they are masked, e.g. 139****5678. Full numbers are recorded with your reason."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for full phone numbers"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = selectors.export_areas(user)
        today = timezone.localdate()
        self.fields["date_from"].initial = today.replace(day=1)
        self.fields["date_to"].initial = today
        if not can(user, Cap.UNMASK_PHONE):
            del self.fields["full_phone"]
            del self.fields["reason"]

    def clean(self):
        data = super().clean()
        if data.get("full_phone") and len(data.get("reason", "").strip()) < 2:
            self.add_error("reason", _("Say why the export needs full phone numbers."))
        start, end = data.get("date_from"), data.get("date_to")
        if isinstance(start, datetime.date) and isinstance(end, datetime.date) and start > end:
            self.add_error("date_to", _("The period ends before it starts."))
        return data
