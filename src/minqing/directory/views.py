from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import Cap, can
from minqing.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from minqing.core.forms import apply_error, keep_after_conflict
from minqing.organisations.selectors import organisations_for
from minqing.places.selectors import scope_roots, visible_areas

from . import actions, selectors
from .forms import CategoryForm, LookupForm, ResponsibilityForm
from .models import Category, Responsibility


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
    if not can(request.user, Cap.MANAGE_DIRECTORY):
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


@require_GET
def categories(request):
    """The category tree (domain → category) with each category's time limits."""
    _require_staff(request.user)
    return render(
        request,
        "directory/categories.html",
        {
            "domains": selectors.categories_by_domain(),
            "can_edit": can(request.user, Cap.MANAGE_CATEGORIES),
        },
    )


@require_http_methods(["GET", "POST"])
def category_edit(request, pk=None):
    if not can(request.user, Cap.MANAGE_CATEGORIES):
        raise Forbidden()
    category = get_object_or_404(Category, pk=pk) if pk else None
    initial = (
        {name: getattr(category, name) for name in actions.CATEGORY_FIELDS} | {"version": category.version}
        if category
        else {"version": 1, "active": True, "accept_hours": 4, "finish_days": 5, "verify_days": 2}
    )
    form = CategoryForm(request.POST or None, initial=initial, creating=category is None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            actions.save_category(
                acting_user=request.user, category=category, expected_version=version, **data
            )
        except Conflict:
            category.refresh_from_db()
            form = keep_after_conflict(form, category.version)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("directory:categories")
    return render(request, "directory/category_form.html", {"form": form, "category": category})
