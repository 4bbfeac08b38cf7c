from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.core import audit
from minqing.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput, NotFound
from minqing.core.forms import apply_error, keep_after_conflict
from minqing.core.htmx import is_htmx

from . import actions, selectors
from .forms import EntryEditForm, EntryForm
from .permissions import may_edit, require_staff

PAGE_SIZE = 20


def _subject_from_query(request):
    """?resident=<id> (or building, merchant): the subject a link from its page opens the diary on."""
    for kind in selectors.SUBJECT_KINDS:
        pk = request.GET.get(kind)
        if pk is not None:
            return selectors.resolve_subject(request.user, f"{kind}:{pk}")
    return None


def _entry_form(request, *, data=None, initial=None, find="", selected=None):
    choices = selectors.subject_choices(request.user, find=find, selected=selected)
    initial = dict(initial or {})
    if selected is not None:
        initial.setdefault("subject", selectors.subject_value(selected))
    elif choices.found:
        initial.setdefault("subject", choices.found[0][0])
    return EntryForm(data, initial=initial, user=request.user, choices=choices)


@require_GET
def entry_list(request):
    """The notes in my areas, newest first; search by words; a quick note at the top."""
    require_staff(request.user)
    query = request.GET.get("q", "").strip()[:100]
    subject = _subject_from_query(request)
    search_error = ""
    try:
        entries = selectors.entry_list(
            request.user, query=query, subject=selectors.subject_kwargs(subject) if subject else None
        )
    except InvalidInput as error:
        search_error, entries = str(error.message), []
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "search_error": search_error,
        "subject": subject,
        "subject_kind": selectors.subject_value(subject).partition(":")[0] if subject else "",
    }
    if is_htmx(request):
        return render(request, "diary/list.html#results", context)
    context["form"] = _entry_form(request, selected=subject)
    return render(request, "diary/list.html", context)


@require_http_methods(["GET", "POST"])
def entry_new(request):
    """Write a note. "Find" (a POST that saves nothing) looks up whom it is about and keeps what was typed."""
    require_staff(request.user)
    if request.method == "GET":
        subject = _subject_from_query(request)
        form = _entry_form(request, selected=subject, initial={"back": subject is not None})
    elif request.POST.get("action") == "find":
        fields = ("text", "occurred_on", "back")
        form = _entry_form(
            request,
            initial={name: request.POST.get(name) for name in fields if request.POST.get(name)},
            find=request.POST.get("find", ""),
        )
    else:
        form = _entry_form(request, data=request.POST, selected=_posted_subject(request))
        if form.is_valid():
            data = form.cleaned_data
            try:
                entry = actions.write_entry(
                    acting_user=request.user,
                    text=data["text"],
                    occurred_on=data["occurred_on"],
                    **data["subject"],
                )
            except (ApplicationError, ValidationError) as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Note saved."))
                if data["back"] and entry.subject is not None:
                    return redirect(_subject_url(entry.subject))
                return redirect("diary:list")
    return render(request, "diary/new.html", {"form": form})


def _posted_subject(request):
    """A subject picked from a search keeps its place in the select when the form comes back with errors."""
    try:
        return selectors.resolve_subject(request.user, request.POST.get("subject", ""))
    except NotFound:
        return None


SUBJECT_PAGES = {
    "resident": "people:resident",
    "building": "places:building",
    "merchant": "organisations:merchant",
}


def _subject_url(subject) -> str:
    kind = selectors.subject_value(subject).partition(":")[0]
    return reverse(SUBJECT_PAGES[kind], args=[subject.pk])


@require_GET
def subject_options(request):
    """htmx: the "about" select again, with what the search box finds first."""
    require_staff(request.user)
    form = _entry_form(request, find=request.GET.get("find", ""))
    return render(request, "diary/includes/entry_form.html#subject", {"form": form})


@require_http_methods(["GET", "POST"])
def entry_detail(request, pk):
    require_staff(request.user)
    entry = selectors.get_entry(request.user, pk)
    editable = may_edit(request.user, entry)
    if request.method == "POST" and not editable:
        raise Forbidden(_("Only the author or a community admin may change this note."))
    form = None
    if editable:
        initial = {"text": entry.text, "occurred_on": entry.occurred_on, "version": entry.version}
        form = EntryEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_entry(
                acting_user=request.user,
                entry=entry,
                expected_version=form.cleaned_data["version"],
                text=form.cleaned_data["text"],
                occurred_on=form.cleaned_data["occurred_on"],
            )
        except Conflict:
            entry = selectors.get_entry(request.user, pk)
            form = keep_after_conflict(form, entry.version)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Note saved."))
            return redirect("diary:detail", pk=entry.pk)
    return render(
        request,
        "diary/detail.html",
        {"entry": entry, "form": form, "history": audit.events_for(entry)[:20]},
    )


@require_POST
def entry_to_case(request, pk):
    """One tap: the note becomes a case; staff confirm its category and dispatch it on the case page."""
    require_staff(request.user)
    entry = selectors.get_entry(request.user, pk)
    try:
        case = actions.turn_into_case(acting_user=request.user, entry=entry)
    except ApplicationError as error:
        messages.error(request, error.message)
        return redirect("diary:detail", pk=entry.pk)
    messages.success(
        request,
        _("Recorded as %(ref)s: confirm the category and dispatch it.") % {"ref": case.reference},
    )
    return redirect("cases:detail", pk=case.pk)
