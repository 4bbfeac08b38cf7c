from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import Cap, can
from minqing.core import audit
from minqing.core.errors import ApplicationError, Conflict, Forbidden, NotFound
from minqing.core.forms import apply_error, keep_after_conflict, today
from minqing.core.reveal import reveal_response
from minqing.diary import selectors as diary_selectors
from minqing.places import selectors as place_selectors

from . import actions, selectors
from .forms import ResidentCreateForm, ResidentEditForm, StatusForm, TagForm, TagTypeForm
from .models import ResidentTag, TagType


def _crumbs(user, resident):
    return [*place_selectors.area_ancestors(user, resident.area), resident.area]


@require_GET
def resident_detail(request, pk):
    resident = selectors.get_resident(request.user, pk)
    return render(
        request,
        "people/resident.html",
        {
            "resident": resident,
            "crumbs": _crumbs(request.user, resident),
            "status_changes": resident.status_changes.select_related("actor")[:20],
            "history": audit.events_for(resident)[:20],
            "can_reveal_phone": can(request.user, Cap.UNMASK_PHONE) and resident.phone,
            "can_reveal_id": can(request.user, Cap.UNMASK_ID) and resident.id_number,
            **diary_selectors.notes_context(request.user, resident=resident),
        },
    )


@require_http_methods(["GET", "POST"])
def resident_create(request):
    if not can(request.user, Cap.EDIT_REGISTRY):
        raise Forbidden()
    household = None
    household_id = request.GET.get("household") or request.POST.get("household")
    if household_id:
        if not str(household_id).isdigit():
            raise NotFound()
        household = place_selectors.get_household(request.user, household_id)
    area = None
    if household is None:
        area_id = request.GET.get("area") or request.POST.get("area")
        if not area_id or not str(area_id).isdigit():
            raise NotFound(_("Open a household or a grid first, then add the resident there."))
        area = place_selectors.get_area(request.user, area_id)
    form = ResidentCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = actions.create_resident(
                acting_user=request.user, household=household, area=area, **form.cleaned_data
            )
        except (ApplicationError, ValidationError) as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Resident added."))
            return redirect("people:resident", pk=resident.pk)
    return render(request, "people/resident_form.html", {"form": form, "household": household, "area": area})


@require_http_methods(["GET", "POST"])
def resident_edit(request, pk):
    resident = selectors.get_resident(request.user, pk)
    if not can(request.user, Cap.EDIT_REGISTRY):
        raise Forbidden()
    initial = {
        name: getattr(resident, name)
        for name in ("name", "sex", "birth_date", "relation", "residence_type", "note")
    }
    initial["version"] = resident.version
    form = ResidentEditForm(request.POST or None, initial=initial, resident=resident)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_resident(
                acting_user=request.user,
                resident=resident,
                expected_version=form.cleaned_data["version"],
                **form.changes(),
            )
        except Conflict:
            resident = selectors.get_resident(request.user, pk)
            form = keep_after_conflict(form, resident.version)
        except (ApplicationError, ValidationError) as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Resident saved."))
            return redirect("people:resident", pk=resident.pk)
    return render(request, "people/resident_form.html", {"form": form, "resident": resident})


@require_http_methods(["GET", "POST"])
def resident_status(request, pk):
    resident = selectors.get_resident(request.user, pk)
    if not can(request.user, Cap.EDIT_REGISTRY):
        raise Forbidden()
    suggested = "moved_out" if resident.status == "active" else "active"
    initial = {"version": resident.version, "to_status": suggested, "effective_date": today()}
    form = StatusForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.change_status(
                acting_user=request.user,
                resident=resident,
                expected_version=data["version"],
                to_status=data["to_status"],
                effective_date=data["effective_date"],
                note=data["note"],
            )
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("people:resident", pk=resident.pk)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(
                request, _("Status changed. The resident stays in the registry with this history.")
            )
            return redirect("people:resident", pk=resident.pk)
    return render(request, "people/status_form.html", {"form": form, "resident": resident})


@require_http_methods(["GET", "POST"])
def resident_tag(request, pk):
    resident = selectors.get_resident(request.user, pk)
    if not can(request.user, Cap.EDIT_REGISTRY):
        raise Forbidden()
    form = TagForm(request.POST or None, tag_types=selectors.tag_types_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            actions.tag_resident(acting_user=request.user, resident=resident, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Tag added."))
            return redirect("people:resident", pk=resident.pk)
    return render(request, "people/tag_form.html", {"form": form, "resident": resident})


@require_POST
def resident_untag(request, pk, tag_pk):
    resident = selectors.get_resident(request.user, pk)
    tag = get_object_or_404(ResidentTag, pk=tag_pk, resident=resident)
    actions.untag_resident(acting_user=request.user, tag=tag, reason=request.POST.get("reason", ""))
    messages.success(request, _("Tag removed."))
    return redirect("people:resident", pk=resident.pk)


@require_POST
def resident_reveal(request, pk):
    """htmx: swap the masked value for the full one, after recording who looked and why."""
    resident = selectors.get_resident(request.user, pk)
    return reveal_response(
        request,
        reveal_url=reverse("people:resident_reveal", args=[resident.pk]),
        masked={"phone": resident.phone_masked, "id_number": resident.id_number_masked},
        reveal=lambda field, reason: actions.reveal(
            acting_user=request.user, resident=resident, field=field, reason=reason
        ),
    )


@require_GET
def tag_type_list(request):
    if not can(request.user, Cap.MANAGE_TAG_TYPES):
        raise Forbidden()
    return render(
        request,
        "people/tag_types.html",
        {"tag_types": TagType.objects.order_by("-active", "sensitive", "name")},
    )


@require_http_methods(["GET", "POST"])
def tag_type_edit(request, pk=None):
    if not can(request.user, Cap.MANAGE_TAG_TYPES):
        raise Forbidden()
    tag_type = get_object_or_404(TagType, pk=pk) if pk else None
    initial = {"active": True}
    if tag_type is not None:
        initial = {name: getattr(tag_type, name) for name in TagTypeForm.base_fields}
    form = TagTypeForm(request.POST or None, initial=initial)
    if tag_type is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        code = data.pop("code")
        try:
            actions.save_tag_type(acting_user=request.user, tag_type=tag_type, code=code, **data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Tag type saved."))
            return redirect("people:tag_types")
    return render(request, "people/tag_type_form.html", {"form": form, "tag_type": tag_type})
