import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    """A phone's date picker needs ISO dates whatever the language (zh would render 1950/06/09 and lose it)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def not_future_year(value):
    if value and value > timezone.localdate().year:
        raise forms.ValidationError(_("This year is in the future."))


def not_future_date(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("This date is in the future."))


UNIT_DIGITS = re.compile(r"^\d{1,3}$")
ROOM = re.compile(r"^[\w\-]{1,20}$")


def normalise_unit(value: str) -> str:
    """“1” and “1单元” are the same unit: ledgers and people write both."""
    value = value.strip()
    return f"{value}单元" if UNIT_DIGITS.match(value) else value


def today() -> datetime.date:
    return timezone.localdate()


class VersionedForm(forms.Form):
    """Carries the version of the record the form was opened on, for the optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def keep_after_conflict(form: forms.Form, current_version: int) -> forms.Form:
    """Someone saved first: keep what this user typed, on the latest version, and say so.

    The returned form carries the user's input and the record's current version, so saving again is a
    deliberate choice made after seeing the message; nothing either person typed is lost silently.
    """
    data = form.data.copy()
    data["version"] = current_version
    kept = type(form)(data, initial=form.initial, **getattr(form, "rebind_kwargs", {}))
    kept.is_valid()
    kept.add_error(
        None,
        _(
            "Someone else saved this record while you were editing. Your changes are below, "
            "not yet saved: check them against the current record and save again."
        ),
    )
    return kept


def apply_error(form: forms.Form, error) -> None:
    """Put an ApplicationError or ValidationError raised by an action onto the form, in the user's language."""
    from django.core.exceptions import ValidationError

    if isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        form.add_error(None, str(error.message))
