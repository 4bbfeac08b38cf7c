from django import forms
from django.utils.translation import gettext_lazy as _

from minqing.core.errors import NotFound
from minqing.core.forms import DateInput, VersionedForm, not_future_date, today

from . import selectors

TEXT_MAX = 4000


class EntryForm(forms.Form):
    """A note in a few seconds: the words, whom or what it is about, the day (today unless changed)."""

    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("e.g. 王大爷说三楼楼道灯坏了一周")}),
        max_length=TEXT_MAX,
    )
    subject = forms.CharField(label=_("About"), widget=forms.Select)
    occurred_on = forms.DateField(
        label=_("Day"), widget=DateInput, validators=[not_future_date], initial=today, required=False
    )
    # Set when the form was opened from a resident's, building's or merchant's page: go back there after.
    back = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, choices: selectors.SubjectChoices, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.choices = choices
        options = choices.grouped()
        if not (len(choices.grids) == 1 and not self.initial.get("subject")):
            options = [("", _("Choose…")), *options]
        self.fields["subject"].widget.choices = options

    def clean_subject(self):
        try:
            subject = selectors.resolve_subject(self.user, self.cleaned_data["subject"])
        except NotFound:
            raise forms.ValidationError(_("Choose whom or what the note is about.")) from None
        return selectors.subject_kwargs(subject)


class EntryEditForm(VersionedForm):
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 5}), max_length=TEXT_MAX)
    occurred_on = forms.DateField(label=_("Day"), widget=DateInput, validators=[not_future_date])
