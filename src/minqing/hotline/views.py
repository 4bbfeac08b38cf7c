"""12345 work orders: one page with import and export, then the import's steps (columns → dry run →
confirm). Views parse and authorise; the writes are in actions.py."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from minqing.accounts.roles import Cap, can
from minqing.core.errors import Conflict, Forbidden, InvalidInput
from minqing.core.forms import apply_error
from minqing.registry_io.models import BatchStatus

from . import actions, selectors
from .columns import IMPORTED
from .forms import ExportForm, MappingForm, WorkOrderUploadForm


def _require(user, *caps: str) -> None:
    if not any(can(user, cap) for cap in caps):
        raise Forbidden()


def _index(request, *, upload_form=None, export_form=None):
    user = request.user
    may_import, may_export = can(user, Cap.IMPORT_REGISTRY), can(user, Cap.EXPORT_REGISTRY)
    return render(
        request,
        "hotline/index.html",
        {
            "upload_form": upload_form or (WorkOrderUploadForm(user) if may_import else None),
            "export_form": export_form or (ExportForm(user) if may_export else None),
            "imports": selectors.imports_for(user)[:10] if may_import else [],
            "columns": IMPORTED,
        },
    )


@require_GET
def index(request):
    _require(request.user, Cap.IMPORT_REGISTRY, Cap.EXPORT_REGISTRY)
    return _index(request)


@require_http_methods(["GET", "POST"])
def import_start(request):
    _require(request.user, Cap.IMPORT_REGISTRY)
    if request.method == "GET":
        return redirect("hotline:index")
    form = WorkOrderUploadForm(request.user, request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            batch = actions.upload_work_orders(
                acting_user=request.user,
                area=form.cleaned_data["area"],
                file_name=upload.name,
                data=upload.read(),
                dispatch=form.cleaned_data["dispatch"],
            )
        except InvalidInput as error:
            form.add_error("file", str(error.message))
        else:
            return redirect("hotline:import_mapping", pk=batch.pk)
    return _index(request, upload_form=form)


@require_http_methods(["GET", "POST"])
def import_mapping(request, pk):
    _require(request.user, Cap.IMPORT_REGISTRY)
    batch = selectors.get_import(request.user, pk)
    if not batch.is_open:
        messages.info(request, _("This upload is finished; its rows are no longer kept."))
        return redirect("hotline:import_batch", pk=batch.pk)
    ledger = selectors.import_ledger(batch)
    form = MappingForm(request.POST or None, ledger=ledger, dispatch=batch.dispatch, mapping=batch.mapping)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_import(acting_user=request.user, batch=batch, mapping=form.mapping)
        except Conflict as error:
            messages.error(request, error.message)
            return redirect("hotline:import_batch", pk=batch.pk)
        except InvalidInput as error:
            apply_error(form, error)
        else:
            return redirect("hotline:import_batch", pk=batch.pk)
    return render(
        request,
        "hotline/import_mapping.html",
        {"form": form, "batch": batch, "row_count": len(ledger.rows)},
    )


@require_GET
def import_batch(request, pk):
    """The dry-run report (or the outcome), and the confirm and discard buttons."""
    _require(request.user, Cap.IMPORT_REGISTRY)
    batch = selectors.get_import(request.user, pk)
    if batch.status == BatchStatus.UPLOADED:
        return redirect("hotline:import_mapping", pk=batch.pk)
    report = batch.report
    return render(
        request,
        "hotline/import_report.html",
        {
            "batch": batch,
            "bad_rows": selectors.report_rows(batch, "bad_rows"),
            "skipped_rows": selectors.report_rows(batch, "skipped"),
            "counts": report.get("counts", {}),
            "grids": report.get("grids", []),
            "categories": report.get("categories", []),
            "organisations": report.get("organisations", []),
        },
    )


@require_POST
def import_confirm(request, pk):
    _require(request.user, Cap.IMPORT_REGISTRY)
    batch = selectors.get_import(request.user, pk)
    try:
        batch = actions.apply_import(acting_user=request.user, batch=batch)
    except (Conflict, InvalidInput) as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _(
                "%(created)s cases created from 12345 work orders (%(dispatched)s dispatched); "
                "%(skipped)s work orders were already imported and were skipped."
            )
            % {
                "created": batch.created_count,
                "dispatched": batch.dispatched_count,
                "skipped": batch.skipped_count,
            },
        )
    return redirect("hotline:import_batch", pk=batch.pk)


@require_POST
def import_discard(request, pk):
    batch = selectors.get_import(request.user, pk)
    try:
        actions.discard_import(acting_user=request.user, batch=batch)
    except Conflict as error:
        messages.error(request, error.message)
        return redirect("hotline:import_batch", pk=batch.pk)
    messages.success(request, _("The upload was discarded and its rows deleted. Nothing was imported."))
    if can(request.user, Cap.IMPORT_REGISTRY) or can(request.user, Cap.EXPORT_REGISTRY):
        return redirect("hotline:index")
    return redirect("core:home")


@require_http_methods(["GET", "POST"])
def export(request):
    _require(request.user, Cap.EXPORT_REGISTRY)
    if request.method == "GET":
        return redirect("hotline:index")
    form = ExportForm(request.user, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            export_file = actions.export_work_orders(
                acting_user=request.user,
                area=data["area"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                status=data["status"],
                hotline_only=data["hotline_only"],
                full_phone=data.get("full_phone", False),
                reason=data.get("reason", ""),
            )
        except InvalidInput as error:
            apply_error(form, error)
        else:
            response = HttpResponse(export_file.content, content_type=export_file.content_type)
            response["Content-Disposition"] = f'attachment; filename="{export_file.file_name}"'
            response["Cache-Control"] = "no-store"
            return response
    return _index(request, export_form=form)
