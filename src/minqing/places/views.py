from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from minqing.accounts.roles import Cap, can
from minqing.core import audit
from minqing.core.errors import ApplicationError, Conflict, Forbidden
from minqing.core.forms import apply_error, keep_after_conflict
from minqing.diary import selectors as diary_selectors
from minqing.organisations.selectors import property_companies_for
from minqing.people.selectors import (
    household_members,
    load_residents,
    residents_in_address_order,
    tag_types_for,
)

from . import actions, selectors
from .forms import AreaForm, BuildingCreateForm, BuildingForm, HouseholdForm


@require_GET
def area_detail(request, pk):
    area = selectors.get_area(request.user, pk)
    buildings = selectors.buildings_in(request.user, area)
    page = Paginator(buildings, 60).get_page(request.GET.get("page"))
    return render(
        request,
        "places/area.html",
        {
            "area": area,
            "crumbs": selectors.area_ancestors(request.user, area),
            "children": selectors.area_children(request.user, area),
            "page": page,
        },
    )


@require_GET
def area_residents(request, pk):
    area = selectors.get_area(request.user, pk)
    tag_types = list(tag_types_for(request.user))
    tag = next((t for t in tag_types if t.code == request.GET.get("tag")), None)
    residents = residents_in_address_order(request.user, area, tag=tag)
    page = Paginator(residents, 50).get_page(request.GET.get("page"))
    page.object_list = load_residents(request.user, page.object_list)
    context = {
        "area": area,
        "crumbs": selectors.area_ancestors(request.user, area),
        "page": page,
        "tag_types": tag_types,
        "tag": tag,
    }
    return render(request, "places/area_residents.html", context)


@require_GET
def building_detail(request, pk):
    building = selectors.get_building(request.user, pk)
    return render(
        request,
        "places/building.html",
        {
            "building": building,
            "crumbs": [*selectors.area_ancestors(request.user, building.area), building.area],
            "households": selectors.households_of(building),
            "history": audit.events_for(building)[:10],
            **diary_selectors.notes_context(request.user, building=building),
        },
    )


@require_http_methods(["GET", "POST"])
def building_edit(request, pk):
    building = selectors.get_building(request.user, pk)
    if not can(request.user, Cap.EDIT_PLACES):
        raise Forbidden()
    form = BuildingForm.for_building(
        building,
        data=request.POST if request.method == "POST" else None,
        property_companies=property_companies_for(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_building(
                acting_user=request.user,
                building=building,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except Conflict:
            building = selectors.get_building(request.user, pk)
            form = keep_after_conflict(form, building.version)
        except (ApplicationError, ValidationError) as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Building saved."))
            return redirect("places:building", pk=building.pk)
    return render(request, "places/building_form.html", {"building": building, "form": form})


@require_http_methods(["GET", "POST"])
def household_create(request, building_pk):
    building = selectors.get_building(request.user, building_pk)
    if not can(request.user, Cap.EDIT_REGISTRY):
        raise Forbidden()
    form = HouseholdForm(request.POST or None, building=building)
    if request.method == "POST" and form.is_valid():
        try:
            household = actions.create_household(
                acting_user=request.user, building=building, **form.cleaned_data
            )
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Household added."))
            return redirect("places:household", pk=household.pk)
    return render(request, "places/household_form.html", {"building": building, "form": form})


@require_GET
def household_detail(request, pk):
    household = selectors.get_household(request.user, pk)
    return render(
        request,
        "places/household.html",
        {
            "household": household,
            "crumbs": [*selectors.area_ancestors(request.user, household.area), household.area],
            "members": household_members(request.user, household),
        },
    )


@require_http_methods(["GET", "POST"])
def area_create(request, pk):
    parent = selectors.get_area(request.user, pk)
    if not can(request.user, Cap.MANAGE_AREAS):
        raise Forbidden()
    form = AreaForm(request.POST or None, parent=parent)
    if request.method == "POST" and form.is_valid():
        try:
            area = actions.create_area(acting_user=request.user, parent=parent, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Area added."))
            return redirect("places:area", pk=area.pk)
    return render(request, "places/area_form.html", {"form": form, "parent": parent})


@require_http_methods(["GET", "POST"])
def building_create(request, pk):
    area = selectors.get_area(request.user, pk)
    if not can(request.user, Cap.EDIT_PLACES):
        raise Forbidden()
    form = BuildingCreateForm(request.POST or None, property_companies=property_companies_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            building = actions.create_building(acting_user=request.user, area=area, **data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Building added."))
            return redirect("places:building", pk=building.pk)
    return render(request, "places/building_form.html", {"form": form, "area": area})
