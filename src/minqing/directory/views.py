from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import Cap, can
from minqing.core.errors import ApplicationError, Forbidden, NotFound
from minqing.core.forms import apply_error
from minqing.organisations.selectors import organisations_for
from minqing.places.selectors import scope_roots, visible_areas

from . import actions, selectors
from .forms import LookupForm, ResponsibilityForm
from .models import Responsibility


def _require_staff(user):
    if not can(user, Cap.VIEW_REGISTRY):
        raise Forbidden()


@require_GET
def lookup(request):
    """这事儿该找谁: a problem in plain words, and who handles it here, with their phone (story S8)."""
    _require_staff(request.user)
    areas = visible_areas(request.user).order_by("path")
    form = LookupForm(request.GET or None, areas=areas)
    area, results = None, []
    if form.is_valid():
        area = form.cleaned_data["area"]
    area = area or scope_roots(request.user).first()
    question = form.cleaned_data.get("q", "") if form.is_bound and form.is_valid() else ""
    if question and area is not None:
        results = [
            (category, selectors.handlers_for(category, area))
            for category in selectors.match_categories(question)
        ]
    return render(
        request,
        "directory/lookup.html",
        {"form": form, "area": area, "question": question, "results": results},
    )


@require_http_methods(["GET", "POST"])
def responsibilities(request):
    if not can(request.user, Cap.MANAGE_ORGANISATIONS):
        raise Forbidden()
    areas = visible_areas(request.user).order_by("path")
    form = ResponsibilityForm(
        request.POST or None, areas=areas, organisations=organisations_for(request.user).order_by("name")
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_responsibility(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Responsibility added."))
            return redirect("directory:responsibilities")
    return render(
        request,
        "directory/responsibilities.html",
        {"form": form, "rules": selectors.responsibilities_in(areas)},
    )


@require_POST
def responsibility_remove(request, pk):
    rule = get_object_or_404(Responsibility.objects.select_related("area", "category", "organisation"), pk=pk)
    if not visible_areas(request.user).filter(pk=rule.area_id).exists():
        raise NotFound()
    actions.remove_responsibility(acting_user=request.user, responsibility=rule)
    messages.success(request, _("Responsibility removed."))
    return redirect("directory:responsibilities")
