from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import Cap, can
from minqing.core.errors import ApplicationError, Conflict, Forbidden
from minqing.core.forms import apply_error
from minqing.core.reveal import reveal_response
from minqing.diary import selectors as diary_selectors
from minqing.places import selectors as place_selectors
from minqing.places.models import AreaKind

from . import actions, selectors
from .forms import ContactForm, MerchantForm, OrganisationForm


def _require(user, cap):
    if not can(user, cap):
        raise Forbidden()


@require_GET
def organisation_list(request):
    _require(request.user, Cap.VIEW_ORGANISATIONS)
    organisations = selectors.organisations_for(request.user).order_by("kind", "name")
    return render(request, "organisations/list.html", {"organisations": organisations})


@require_GET
def organisation_detail(request, pk):
    organisation = selectors.get_organisation(request.user, pk)
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "contacts": selectors.contacts_of(organisation),
            "areas": organisation.areas.all(),
        },
    )


def _organisation_form(request, organisation=None):
    _require(request.user, Cap.MANAGE_ORGANISATIONS)
    areas = place_selectors.visible_areas(request.user).exclude(kind=AreaKind.GRID)
    initial = {}
    if organisation is not None:
        initial = {
            name: getattr(organisation, name)
            for name in ("name", "short_name", "kind", "service_phone", "address", "hours", "description")
        }
        initial.update(version=organisation.version, areas=list(organisation.areas.all()))
    form = OrganisationForm(request.POST or None, initial=initial, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            if organisation is None:
                organisation = actions.create_organisation(
                    acting_user=request.user, areas=list(data.pop("areas")), **data
                )
            else:
                areas_chosen = list(data.pop("areas"))
                actions.update_organisation(
                    acting_user=request.user,
                    organisation=organisation,
                    expected_version=form.cleaned_data["version"] or 0,
                    areas=areas_chosen,
                    **data,
                )
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("organisations:detail", pk=organisation.pk)
        except (ApplicationError, ValidationError) as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Organisation saved."))
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/form.html", {"form": form, "organisation": organisation})


@require_http_methods(["GET", "POST"])
def organisation_create(request):
    return _organisation_form(request)


@require_http_methods(["GET", "POST"])
def organisation_edit(request, pk):
    return _organisation_form(request, selectors.get_organisation(request.user, pk))


@require_http_methods(["GET", "POST"])
def contact_create(request, pk):
    organisation = selectors.get_organisation(request.user, pk)
    _require(request.user, Cap.MANAGE_ORGANISATIONS)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_contact(acting_user=request.user, organisation=organisation, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Contact added."))
            return redirect("organisations:detail", pk=organisation.pk)
    return render(request, "organisations/contact_form.html", {"form": form, "organisation": organisation})


@require_GET
def merchant_list(request):
    _require(request.user, Cap.VIEW_REGISTRY)
    streets = place_selectors.streets_for(request.user).order_by("pk")
    merchants = selectors.merchants_for(request.user).order_by("street_id", "name")
    street_id = request.GET.get("street", "")
    street = None
    if street_id.isdigit():
        street = place_selectors.get_street(request.user, street_id)
        merchants = merchants.filter(street=street)
    page = Paginator(merchants, 50).get_page(request.GET.get("page"))
    return render(
        request, "organisations/merchants.html", {"page": page, "streets": streets, "street": street}
    )


@require_GET
def merchant_detail(request, pk):
    merchant = selectors.get_merchant(request.user, pk)
    can_reveal = can(request.user, Cap.UNMASK_PHONE) and bool(merchant.contact_phone)
    return render(
        request,
        "organisations/merchant.html",
        {
            "merchant": merchant,
            "can_reveal": can_reveal,
            **diary_selectors.notes_context(request.user, merchant=merchant),
        },
    )


@require_POST
def merchant_reveal(request, pk):
    merchant = selectors.get_merchant(request.user, pk)
    return reveal_response(
        request,
        reveal_url=reverse("organisations:merchant_reveal", args=[merchant.pk]),
        masked={"contact_phone": merchant.contact_phone_masked},
        reveal=lambda field, reason: actions.reveal_contact_phone(
            acting_user=request.user, merchant=merchant, reason=reason
        ),
    )


def _merchant_form(request, merchant=None):
    _require(request.user, Cap.MANAGE_ORGANISATIONS)
    grids = place_selectors.visible_areas(request.user).filter(kind=AreaKind.GRID).order_by("path")
    streets = place_selectors.streets_for(request.user).order_by("pk")
    initial = {"status": "open"}
    if merchant is not None:
        initial = {
            name: getattr(merchant, name)
            for name in (
                "name",
                "area",
                "street",
                "address",
                "credit_code",
                "category",
                "contact_name",
                "status",
                "note",
            )
        }
        initial["version"] = merchant.version
        initial["contact_phone_masked"] = merchant.contact_phone_masked
    form = MerchantForm(request.POST or None, initial=initial, grids=grids, streets=streets)
    if request.method == "POST" and form.is_valid():
        try:
            if merchant is None:
                data = form.changes()
                merchant = actions.create_merchant(acting_user=request.user, area=data.pop("area"), **data)
            else:
                actions.update_merchant(
                    acting_user=request.user,
                    merchant=merchant,
                    expected_version=form.cleaned_data["version"] or 0,
                    **form.changes(),
                )
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("organisations:merchant", pk=merchant.pk)
        except (ApplicationError, ValidationError) as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Merchant saved."))
            return redirect("organisations:merchant", pk=merchant.pk)
    return render(request, "organisations/merchant_form.html", {"form": form, "merchant": merchant})


@require_http_methods(["GET", "POST"])
def merchant_create(request):
    return _merchant_form(request)


@require_http_methods(["GET", "POST"])
def merchant_edit(request, pk):
    return _merchant_form(request, selectors.get_merchant(request.user, pk))
