"""Writes for 12345 work orders. Each checks role and scope, and writes the audit trail.

Import follows the ledger import's lifecycle (registry_io.models.TRANSITIONS): upload → check (dry run,
repeatable) → apply or discard. Applying re-checks every row inside the one transaction that creates the
cases, and creates each through cases.actions.intake_case (channel 12345, the work order number as
`external_reference`), so that the case's place, reporter, audit event and uniqueness rules stay in cases.

Dispatching on import (the upload's `dispatch` option): the 12345 platform has already named who handles a
work order (承办单位), and the importing user confirms that choice for the file by ticking the option, after
the dry run has shown which name became which organisation. Each case is then dispatched through
cases.actions.transition as that user, who must be staff over the case's grid like any dispatcher; without
the option, or without a 承办单位, the case waits as "registered" for the grid's staff to route.
"""

import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.accounts.roles import Cap, can
from minqing.cases.actions import intake_case, transition
from minqing.cases.models import Channel
from minqing.core import audit
from minqing.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput, NotFound
from minqing.places.models import Area, AreaKind
from minqing.places.permissions import require
from minqing.registry_io import uploads
from minqing.registry_io.actions import ExportFile
from minqing.registry_io.exporting import XLSX_CONTENT_TYPE
from minqing.registry_io.models import TRANSITIONS, BatchStatus

from . import exporting, selectors
from .columns import BY_KEY, REQUIRED, guess_mapping
from .models import WorkOrder, WorkOrderImport
from .reading import read_work_orders
from .validation import Plan, PlannedOrder, plan_import

audit.register_labels(
    {
        "hotline.import.upload": gettext_lazy("12345 work orders uploaded"),
        "hotline.import.check": gettext_lazy("12345 work orders checked (dry run)"),
        "hotline.import": gettext_lazy("12345 work orders imported"),
        "hotline.import.discard": gettext_lazy("12345 work order upload discarded"),
        "hotline.import.expire": gettext_lazy("12345 work order upload expired"),
        "hotline.export": gettext_lazy("12345 work orders exported"),
    }
)


def _require_import(user, area: Area) -> None:
    require(user, Cap.IMPORT_REGISTRY, area)
    if area.kind != AreaKind.GRID:
        raise InvalidInput(_("Choose the grid that receives work orders whose address names no building."))


def _locked(acting_user, batch: WorkOrderImport) -> WorkOrderImport:
    """The upload, re-read under a row lock (a double-clicked confirm waits here, then finds it applied)."""
    locked = WorkOrderImport.objects.select_for_update().filter(pk=batch.pk, uploaded_by=acting_user).first()
    if locked is None:
        raise NotFound()
    locked.area = Area.objects.get(pk=locked.area_id)
    return locked


def _move(batch: WorkOrderImport, to_status: str) -> None:
    if to_status not in TRANSITIONS[batch.status]:
        if batch.status == BatchStatus.APPLIED:
            raise Conflict(_("These work orders have already been imported."))
        if batch.status == BatchStatus.DISCARDED:
            raise Conflict(_("This upload was discarded. Upload the file again."))
        raise Conflict(_("Run the dry run first."))
    batch.status = to_status


# --- import -------------------------------------------------------------------------------------------


@transaction.atomic
def upload_work_orders(
    *, acting_user, area: Area, file_name: str, data: bytes, dispatch: bool = False
) -> WorkOrderImport:
    """Read the file and keep its rows, encrypted, with a guessed column mapping. No case is created."""
    _require_import(acting_user, area)
    ledger = read_work_orders(file_name, data)
    batch = WorkOrderImport.objects.create(
        uploaded_by=acting_user,
        area=area,
        file_name=file_name[-255:],
        dispatch=dispatch,
        payload=json.dumps({"headers": ledger.headers, "rows": ledger.rows}, ensure_ascii=False),
        row_count=len(ledger.rows),
        mapping=guess_mapping(ledger.headers),
    )
    audit.record(
        actor=acting_user,
        action="hotline.import.upload",
        target=batch,
        area_path=area.path,
        changes={"file": batch.file_name, "rows": batch.row_count, "dispatch": dispatch},
    )
    return batch


def clean_mapping(mapping: dict, *, width: int, dispatch: bool) -> dict[str, int]:
    """Check a {column key: column index} mapping; raise InvalidInput saying what is wrong."""
    cleaned: dict[str, int] = {}
    for key, index in mapping.items():
        if (
            key not in BY_KEY
            or not BY_KEY[key].imported
            or not isinstance(index, int)
            or not 0 <= index < width
        ):
            raise InvalidInput(_("The column mapping is not valid."))
        cleaned[key] = index
    if len(set(cleaned.values())) != len(cleaned):
        raise InvalidInput(_("A column can be imported as one thing only."))
    required = [*REQUIRED, *(["organisation"] if dispatch else [])]
    missing = [str(BY_KEY[key].label) for key in required if key not in cleaned]
    if missing:
        raise InvalidInput(_("Choose the columns that hold: %(names)s.") % {"names": ", ".join(missing)})
    return cleaned


def _plan(acting_user, batch: WorkOrderImport, ledger) -> Plan:
    return plan_import(
        user=acting_user, grid=batch.area, dispatch=batch.dispatch, rows=ledger.rows, mapping=batch.mapping
    )


@transaction.atomic
def check_import(*, acting_user, batch: WorkOrderImport, mapping: dict[str, int]) -> WorkOrderImport:
    """The dry run: check every row with this mapping and keep the report. No case is created."""
    batch = _locked(acting_user, batch)
    _require_import(acting_user, batch.area)
    _move(batch, BatchStatus.VALIDATED)
    ledger = selectors.import_ledger(batch)
    batch.mapping = clean_mapping(mapping, width=len(ledger.headers), dispatch=batch.dispatch)
    plan = _plan(acting_user, batch, ledger)
    batch.report = plan.report()
    batch.bad_row_count = plan.bad_row_count
    batch.validated_at = timezone.now()
    batch.save(update_fields=["status", "mapping", "report", "bad_row_count", "validated_at", "updated_at"])
    audit.record(
        actor=acting_user,
        action="hotline.import.check",
        target=batch,
        area_path=batch.area.path,
        changes={"rows": batch.row_count, "bad_rows": batch.bad_row_count, **plan.counts},
    )
    return batch


class _StaleReport(Exception):
    def __init__(self, plan: Plan):
        self.plan = plan


@dataclass
class _RowFailed(Exception):
    row: int
    reason: str


def apply_import(*, acting_user, batch: WorkOrderImport) -> WorkOrderImport:
    """Create a case for every new work order in one transaction, or none.

    Work orders whose number was imported before are skipped, here as in the dry run: importing the same
    file again changes nothing. Not decorated with atomic on purpose: when the re-check finds new problems
    (an organisation or a category changed since the dry run), the transaction is rolled back and the fresh
    report is then kept, in its own small transaction, so the user sees which rows changed.
    """
    try:
        with transaction.atomic():
            batch = _locked(acting_user, batch)
            _require_import(acting_user, batch.area)
            if batch.status == BatchStatus.VALIDATED and batch.bad_row_count:
                raise InvalidInput(_("Correct the rows with problems and upload the file again."))
            _move(batch, BatchStatus.APPLIED)
            plan = _plan(acting_user, batch, selectors.import_ledger(batch))
            if plan.problems:
                raise _StaleReport(plan)
            dispatched = _create_all(acting_user, batch, plan)
            batch.payload = ""  # PIPL: the callers' names and numbers are not kept once imported
            batch.report = plan.report()
            batch.created_count = len(plan.orders)
            batch.skipped_count = len(plan.skipped)
            batch.dispatched_count = dispatched
            batch.finished_at = timezone.now()
            batch.save()
            audit.record(
                actor=acting_user,
                action="hotline.import",
                target=batch,
                area_path=batch.area.path,
                changes={
                    "file": batch.file_name,
                    "rows": batch.row_count,
                    "created": batch.created_count,
                    "skipped": batch.skipped_count,
                    "dispatched": dispatched,
                },
            )
            return batch
    except _StaleReport as stale:
        with transaction.atomic():
            WorkOrderImport.objects.filter(pk=batch.pk, status=BatchStatus.VALIDATED).update(
                report=stale.plan.report(),
                bad_row_count=stale.plan.bad_row_count,
                validated_at=timezone.now(),
            )
        raise InvalidInput(
            _(
                "Something changed since the dry run: %(count)s rows now have problems (listed below). "
                "Nothing was saved."
            )
            % {"count": stale.plan.bad_row_count}
        ) from None
    except _RowFailed as failed:
        raise InvalidInput(
            _("Row %(row)s could not be saved: %(reason)s Nothing was saved.")
            % {"row": failed.row, "reason": failed.reason}
        ) from None
    except IntegrityError:
        # The unique work order number per channel: someone imported some of them a moment ago.
        raise InvalidInput(
            _(
                "Some of these work orders were imported by someone else at the same moment. Nothing was "
                "saved. Run the dry run again: they will be skipped."
            )
        ) from None
    except DatabaseError:
        raise InvalidInput(
            _("The work orders could not be saved. Nothing was saved. Run the dry run again.")
        ) from None


def _create_all(acting_user, batch: WorkOrderImport, plan: Plan) -> int:
    """One case per work order through intake_case, dispatched when the upload says so. Returns how many
    were dispatched."""
    source = f"12345: {batch.file_name}"
    work_orders, dispatched = [], 0
    for order in plan.orders:
        case = _guarded(
            order,
            intake_case,
            submitted_by=acting_user,
            source=source,
            channel=Channel.HOTLINE,
            description=order.description,
            area=order.grid,
            building=order.building,
            reporter_name=order.reporter_name,
            reporter_phone=order.phone,
            # The platform tells the caller and calls them back (回访); we answer the platform (export).
            wants_news=False,
            external_reference=order.number,
            nature=order.nature,
            category=order.category,
            address=order.address,
            external_due_at=order.deadline,
        )
        work_orders.append(
            WorkOrder(case=case, batch=batch, received_at=order.received_at, due_at=order.deadline)
        )
        if batch.dispatch and order.organisation is not None:
            _guarded(
                order,
                transition,
                acting_user=acting_user,
                case=case,
                name="dispatch",
                expected_version=case.version,
                organisation=order.organisation,
                note=_("Handling unit named by the 12345 work order %(number)s.") % {"number": order.number},
            )
            dispatched += 1
    WorkOrder.objects.bulk_create(work_orders, batch_size=500)
    return dispatched


def _guarded(order: PlannedOrder, action, **kwargs):
    """Run a per-case action; a refusal names the row of the file it came from."""
    try:
        return action(**kwargs)
    except ApplicationError as error:
        raise _RowFailed(order.row, str(error.message)) from error
    except ValidationError as error:
        raise _RowFailed(order.row, " ".join(str(m) for m in error.messages)) from error


@transaction.atomic
def discard_import(*, acting_user, batch: WorkOrderImport) -> WorkOrderImport:
    """Give up on an upload; its rows are deleted at once. Only the uploader can, even without the role."""
    batch = _locked(acting_user, batch)
    _move(batch, BatchStatus.DISCARDED)
    uploads.clear(batch, actor=acting_user, action="hotline.import.discard")
    return batch


@transaction.atomic
def expire_stale_imports(*, acting_user=None, older_than: datetime.timedelta) -> int:
    """Discard uploads left open longer than `older_than`, deleting their rows (run hourly by the worker)."""
    return uploads.expire_stale(
        WorkOrderImport, older_than=older_than, action="hotline.import.expire", acting_user=acting_user
    )


# --- export -------------------------------------------------------------------------------------------


@transaction.atomic
def export_work_orders(
    *,
    acting_user,
    area: Area | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    status: str = "",
    hotline_only: bool = False,
    full_phone: bool = False,
    reason: str = "",
) -> ExportFile:
    """The cases of the user's area as a 12345 work order sheet; phones masked unless full numbers are asked
    for, with a reason, by a role that may see them. Every export is audited, masked or not."""
    require(acting_user, Cap.EXPORT_REGISTRY, area)
    reason = reason.strip()
    if full_phone:
        if not can(acting_user, Cap.UNMASK_PHONE):
            raise Forbidden(_("Your role may not export full phone numbers."))
        if len(reason) < 2:
            raise InvalidInput(_("Say why the export needs full phone numbers."))
    if date_from and date_to and date_from > date_to:
        raise InvalidInput(_("The period ends before it starts."))
    cases = list(
        selectors.cases_for_export(
            acting_user,
            area=area,
            date_from=date_from,
            date_to=date_to,
            status=status,
            hotline_only=hotline_only,
        )
    )
    answers = selectors.public_answers([case.pk for case in cases])
    rows = [exporting.case_row(c, answer=answers.get(c.pk, ""), full_phone=full_phone) for c in cases]
    content = exporting.to_xlsx(rows)
    scope_paths = acting_user.scope_paths
    audit.record(
        actor=acting_user,
        action="hotline.export",
        target=area,
        area_path=area.path if area else (scope_paths[0] if len(scope_paths) == 1 else ""),
        changes={
            "rows": len(rows),
            "format": "xlsx",
            "unmasked": full_phone,
            "unmasked_phone": full_phone,
            "period": [
                date_from.isoformat() if date_from else None,
                date_to.isoformat() if date_to else None,
            ],
            "status": status or None,
            "hotline_only": hotline_only,
        },
        reason=reason if full_phone else "",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(
        file_name=f"12345-work-orders-{stamp}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
        content=content,
        row_count=len(rows),
    )
