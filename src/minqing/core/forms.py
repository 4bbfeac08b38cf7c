from django import forms


class VersionedForm(forms.Form):
    """Carries the version of the record the form was opened on, for the optimistic lock."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def apply_error(form: forms.Form, error) -> None:
    """Put an ApplicationError or ValidationError raised by an action onto the form, in the user's language."""
    from django.core.exceptions import ValidationError

    if isinstance(error, ValidationError):
        form.add_error(None, error)
    else:
        form.add_error(None, str(error.message))
