"""Ledger import (upload → column mapping → dry run → confirm) and export. Views parse and authorise; the
writes are in actions.py."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import Cap, can
from minqing.core.errors import Conflict, Forbidden, InvalidInput
from minqing.core.forms import apply_error

from . import actions, selectors
from .forms import ExportForm, MappingForm, UploadForm
from .models import BatchStatus


def _require(user, cap: str) -> None:
    if not can(user, cap):
        raise Forbidden()


@require_http_methods(["GET", "POST"])
def import_start(request):
    _require(request.user, Cap.IMPORT_REGISTRY)
    form = UploadForm(request.user, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = actions.upload_ledger(
                acting_user=request.user,
                area=form.cleaned_data["area"],
                file_name=upload.name,
                data=upload.read(),
                create_buildings=form.cleaned_data.get("create_buildings", False),
            )
        except InvalidInput as error:
            form.add_error("file", str(error.message))
        else:
            return redirect("registry_io:import_mapping", pk=batch.pk)
    return render(
        request,
        "registry_io/import_upload.html",
        {"form": form, "batches": selectors.batches_for(request.user)[:10]},
    )


@require_http_methods(["GET", "POST"])
def import_mapping(request, pk):
    _require(request.user, Cap.IMPORT_REGISTRY)
    batch = selectors.get_batch(request.user, pk)
    if not batch.is_open:
        messages.info(request, _("This upload is finished; its rows are no longer kept."))
        return redirect("registry_io:import_batch", pk=batch.pk)
    ledger = selectors.batch_ledger(batch)
    form = MappingForm(request.POST or None, ledger=ledger, area=batch.area, mapping=batch.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_batch(acting_user=request.user, batch=batch, mapping=form.mapping)
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("registry_io:import_batch", pk=batch.pk)
        except InvalidInput as error:
            apply_error(form, error)
        else:
            return redirect("registry_io:import_batch", pk=batch.pk)
    return render(
        request,
        "registry_io/import_mapping.html",
        {"form": form, "batch": batch, "row_count": len(ledger.rows)},
    )


@require_GET
def import_batch(request, pk):
    """The dry-run report, and the confirm and discard buttons."""
    _require(request.user, Cap.IMPORT_REGISTRY)
    batch = selectors.get_batch(request.user, pk)
    if batch.status == BatchStatus.UPLOADED:
        return redirect("registry_io:import_mapping", pk=batch.pk)
    ledger = selectors.batch_ledger(batch) if batch.is_open and batch.bad_row_count else None
    return render(
        request,
        "registry_io/import_report.html",
        {
            "batch": batch,
            "bad_rows": selectors.report_rows(batch, ledger),
            "counts": batch.report.get("counts", {}),
            "good_rows": batch.row_count - batch.bad_row_count,
        },
    )


@require_POST
def import_confirm(request, pk):
    _require(request.user, Cap.IMPORT_REGISTRY)
    batch = selectors.get_batch(request.user, pk)
    try:
        batch = actions.apply_batch(acting_user=request.user, batch=batch)
    except (Conflict, InvalidInput) as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "Imported %(residents)s residents, %(households)s new households and %(buildings)s new buildings."
            )
            % {
                "residents": batch.residents_created,
                "households": batch.households_created,
                "buildings": batch.buildings_created,
            },
        )
    return redirect("registry_io:import_batch", pk=batch.pk)


@require_POST
def import_discard(request, pk):
    batch = selectors.get_batch(request.user, pk)
    try:
        actions.discard_batch(acting_user=request.user, batch=batch)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("registry_io:import_batch", pk=batch.pk)
    messages.success(request, _("The upload was discarded and its rows deleted. Nothing was imported."))
    if can(request.user, Cap.IMPORT_REGISTRY):
        return redirect("registry_io:import")
    return redirect("core:home")


@require_http_methods(["GET", "POST"])
def export_residents(request):
    _require(request.user, Cap.EXPORT_REGISTRY)
    form = ExportForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            export = actions.export_residents(
                acting_user=request.user,
                area=data["area"],
                file_format=data["file_format"],
                full_values=data.get("full_values", False),
                reason=data.get("reason", ""),
            )
        except InvalidInput as error:
            apply_error(form, error)
        else:
            response = HttpResponse(export.content, content_type=export.content_type)
            response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "registry_io/export.html", {"form": form})
