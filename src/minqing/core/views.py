from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import Cap, Role, can
from minqing.cases.selectors import (
    callbacks_due,
    follow_ups_due,
    handler_queue,
    overdue_cases,
    pending_extensions,
)
from minqing.core import calendar_actions
from minqing.core.errors import ApplicationError, Forbidden, NotFound
from minqing.core.forms import DateInput, apply_error
from minqing.core.htmx import is_htmx
from minqing.core.models import CalendarDay
from minqing.organisations.selectors import merchants_for, organisations_for
from minqing.people.models import ResidentStatus
from minqing.people.selectors import residents_for, search_residents
from minqing.places.selectors import buildings_for, scope_roots


@require_GET
def home(request):
    user = request.user
    context = {}
    if can(user, Cap.VIEW_REGISTRY):
        context.update(
            roots=scope_roots(user),
            resident_count=residents_for(user).filter(status=ResidentStatus.ACTIVE).count(),
            building_count=buildings_for(user).count(),
            merchant_count=merchants_for(user).count(),
            follow_ups=follow_ups_due(user),
            overdue=overdue_cases(user, limit=10),
            extensions=pending_extensions(user),
            callbacks=callbacks_due(user, limit=10),
        )
        template = "core/home_staff.html"
    elif user.role == Role.ORG_HANDLER:
        context.update(organisation=organisations_for(user).first(), queue=handler_queue(user))
        template = "core/home_handler.html"
    else:
        resident = user.resident
        context.update(resident=resident, household=resident.household if resident else None)
        template = "core/home_member.html"
    return render(request, template, context)


SEARCH_LIMIT = 30


@require_GET
def search(request):
    if not can(request.user, Cap.VIEW_REGISTRY):
        raise Forbidden()
    query = request.GET.get("q", "").strip()[:100]
    results, buildings, merchants, more = [], [], [], False
    if query:
        results = search_residents(request.user, query, limit=SEARCH_LIMIT + 1)
        more = len(results) > SEARCH_LIMIT
        results = results[:SEARCH_LIMIT]
        buildings = list(buildings_for(request.user).filter(name__contains=query).select_related("area")[:10])
        merchants = list(merchants_for(request.user).filter(name__contains=query)[:10])
    context = {
        "query": query,
        "results": results,
        "buildings": buildings,
        "merchants": merchants,
        "more": more,
    }
    if is_htmx(request):
        return render(request, "core/search.html#results", context)
    return render(request, "core/search.html", context)


@login_not_required
@require_GET
def health(request):
    from django.http import JsonResponse

    return JsonResponse({"status": "ok"})


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_lazy("Date"), widget=DateInput)
    is_workday = forms.TypedChoiceField(
        label=_lazy("It is"),
        choices=[("0", _lazy("a holiday (day off)")), ("1", _lazy("a make-up working day (调休)"))],
        coerce=lambda v: v == "1",
    )
    name = forms.CharField(label=_lazy("Name"), max_length=40, help_text=_lazy("e.g. 春节 or 春节调休"))


@require_http_methods(["GET", "POST"])
def calendar(request):
    """The working-day calendar of a year: the days that differ from a Monday–Friday week."""
    if not can(request.user, Cap.VIEW_REGISTRY):
        raise Forbidden()
    editable = can(request.user, Cap.MANAGE_CATEGORIES)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    form = CalendarDayForm(request.POST or None)
    if request.method == "POST":
        if not editable:
            raise Forbidden()
        if form.is_valid():
            try:
                day = calendar_actions.set_day(acting_user=request.user, **form.cleaned_data)
            except ApplicationError as error:
                apply_error(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(f"{reverse('core:calendar')}?year={day.date.year}")
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    return render(
        request,
        "core/calendar.html",
        {"year": year, "days": days, "form": form if editable else None, "editable": editable},
    )


@require_POST
def calendar_remove(request, pk):
    day = CalendarDay.objects.filter(pk=pk).first()
    if day is None:
        raise NotFound()
    calendar_actions.remove_day(acting_user=request.user, day=day)
    messages.success(request, _("Removed."))
    return redirect(f"{reverse('core:calendar')}?year={day.date.year}")
