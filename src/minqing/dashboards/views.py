from django.contrib import messages
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from minqing.core.errors import Forbidden, NotFound

from . import periods, selectors


def _period(request):
    today = timezone.localdate()
    period, problem = periods.parse(request.GET, today)
    if problem:
        messages.error(request, problem)
    return period, periods.presets(today, period)


@require_GET
def area_dashboard(request):
    """Counts and 三率 of an area in scope (?area=, default the user's top area) for a period (?from=&to=)."""
    user = request.user
    if not selectors.may_see_area_dashboard(user):
        raise Forbidden()
    period, presets = _period(request)
    area_pk = request.GET.get("area") or None
    if area_pk is None:
        default = selectors.default_area(user)
        if default is None:
            return render(request, "dashboards/no_area.html")
        area_pk = default.pk
    try:
        area_pk = int(area_pk)
    except (TypeError, ValueError):
        raise NotFound() from None
    dashboard = selectors.area_dashboard(user, area_pk, period)
    return render(
        request,
        "dashboards/area.html",
        {
            "dashboard": dashboard,
            "period": period,
            "presets": presets,
            "choices": selectors.area_choices(user),
        },
    )


@require_GET
def organisation_dashboard(request):
    """The same counts and rates for the cases dispatched to the handler's organisation."""
    if not selectors.may_see_organisation_dashboard(request.user):
        raise Forbidden()
    period, presets = _period(request)
    return render(
        request,
        "dashboards/organisation.html",
        {
            "total": selectors.organisation_dashboard(request.user, period),
            "organisation": request.user.organisation,
            "period": period,
            "presets": presets,
        },
    )
