"""The one way a masked value is shown in full: a reason is required, the reveal action records it."""

from collections.abc import Callable

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[("phone", "phone"), ("id_number", "id_number"), ("contact_phone", "contact_phone")]
    )
    reason = forms.CharField(label=gettext_lazy("Why do you need it?"), max_length=200)


def reveal_response(request, *, reveal_url: str, reveal: Callable[[str, str], str], masked: dict[str, str]):
    """Render the revealed value (or the form again with the error). `reveal(field, reason)` is the action:
    it checks the capability and scope, writes the audit event and returns the value."""
    form = RevealForm(request.POST)
    field = request.POST.get("field", "phone")
    if not form.is_valid() or len(form.cleaned_data["reason"].strip()) < 2:
        context = {
            "field": field,
            "reveal_url": reveal_url,
            "masked": masked.get(field, ""),
            "error": _("Say why you need to see the full value."),
        }
        return render(request, "includes/reveal.html", context, status=400)
    value = reveal(form.cleaned_data["field"], form.cleaned_data["reason"])
    return render(request, "includes/reveal.html", {"field": field, "value": value or "—"})
