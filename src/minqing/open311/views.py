"""Staff pages for Open311 (login required): community admins and street-office officers set up their
communities as jurisdictions, choose the categories offered as services, and issue and revoke client keys.
Who may: `Cap.MANAGE_DIRECTORY` over the community (checked again in every action)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import Cap, can
from minqing.core.errors import ApplicationError, Conflict, Forbidden
from minqing.core.forms import apply_error, keep_after_conflict
from minqing.places.selectors import visible_areas

from . import actions, selectors
from .forms import ClientForm, JurisdictionForm


def _require_manager(user) -> None:
    if not can(user, Cap.MANAGE_DIRECTORY):
        raise Forbidden()


@require_GET
def manage(request):
    _require_manager(request.user)
    jurisdictions = list(selectors.jurisdictions_for(request.user))
    return render(
        request,
        "open311/manage.html",
        {
            "jurisdictions": jurisdictions,
            "clients": selectors.clients_for(request.user),
            "can_add": selectors.communities_for(request.user)
            .filter(open311_jurisdiction__isnull=True)
            .exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def jurisdiction_edit(request, pk=None):
    _require_manager(request.user)
    jurisdiction = selectors.get_jurisdiction(request.user, pk) if pk else None
    grids = visible_areas(request.user).filter(kind="grid").select_related("parent").order_by("path")
    if jurisdiction is not None:
        grids = grids.filter(path__startswith=jurisdiction.community.path)
        initial = {
            "jurisdiction_id": jurisdiction.jurisdiction_id,
            "default_grid": jurisdiction.default_grid_id,
            "services": [category.pk for category in jurisdiction.services.all()],
            "active": jurisdiction.active,
            "version": jurisdiction.version,
        }
    else:
        initial = {"active": True, "version": 1}
    form = JurisdictionForm(
        request.POST or None,
        initial=initial,
        communities=selectors.communities_for(request.user).filter(open311_jurisdiction__isnull=True),
        grids=grids,
        editing=jurisdiction is not None,
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            actions.save_jurisdiction(
                acting_user=request.user, jurisdiction=jurisdiction, expected_version=version, **data
            )
        except Conflict:
            jurisdiction.refresh_from_db()
            form = keep_after_conflict(form, jurisdiction.version)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("open311:manage")
    return render(request, "open311/jurisdiction_form.html", {"form": form, "jurisdiction": jurisdiction})


@never_cache
@require_http_methods(["GET", "POST"])
def client_new(request):
    """Issue a key. The page that answers the POST is the only place the key is ever shown: it is not
    stored, sent in a URL or kept in the session."""
    _require_manager(request.user)
    form = ClientForm(request.POST or None, jurisdictions=selectors.jurisdictions_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            client, key = actions.issue_client(acting_user=request.user, **form.cleaned_data)
        except ApplicationError as error:
            apply_error(form, error)
        else:
            return render(request, "open311/client_issued.html", {"client": client, "key": key})
    return render(request, "open311/client_form.html", {"form": form})


@require_POST
def client_revoke(request, pk):
    _require_manager(request.user)
    client = selectors.get_client(request.user, pk)
    try:
        actions.revoke_client(acting_user=request.user, client=client)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Key revoked: the client can no longer post."))
    return redirect("open311:manage")
