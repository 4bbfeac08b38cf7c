from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from minqing.accounts.roles import Cap, Role, can
from minqing.cases.selectors import (
    callbacks_due,
    follow_ups_due,
    handler_queue,
    overdue_cases,
    pending_extensions,
)
from minqing.core.errors import Forbidden
from minqing.core.htmx import is_htmx
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
