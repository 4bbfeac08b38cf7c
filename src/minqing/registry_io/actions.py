"""Writes for ledger import and export. Each checks role and scope, and writes the audit trail.

Import is a small state machine (models.TRANSITIONS): upload → check (dry run, repeatable) → apply or discard.
Applying re-checks every row inside the one transaction that creates everything, and creates each building,
household and resident through the places and people actions, so digests, scope checks and per-record audit
events stay in one place.
"""

import datetime
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from minqing.accounts.roles import Cap, can
from minqing.core import audit
from minqing.core.errors import ApplicationError, Conflict, Forbidden, InvalidInput, NotFound
from minqing.people.actions import create_residents
from minqing.places.actions import create_building, create_households
from minqing.places.models import Area, AreaKind, Building, Household
from minqing.places.permissions import require

from . import exporting, selectors, uploads
from .columns import BY_KEY, REQUIRED, guess_mapping
from .models import TRANSITIONS, BatchStatus, ImportBatch
from .reading import read_ledger
from .validation import Plan, PlannedRow, plan_import, planned_building_code


def _require_import(user, area: Area) -> None:
    require(user, Cap.IMPORT_REGISTRY, area)
    if area.kind not in selectors.IMPORT_AREA_KINDS:
        raise InvalidInput(_("Import into a grid, or into a community whose ledger has a 网格 column."))


def _locked(acting_user, batch: ImportBatch) -> ImportBatch:
    """The batch, re-read under a row lock (a double-clicked confirm waits here, then finds it applied)."""
    locked = ImportBatch.objects.select_for_update().filter(pk=batch.pk, uploaded_by=acting_user).first()
    if locked is None:
        raise NotFound()
    locked.area = Area.objects.get(pk=locked.area_id)
    return locked


def _move(batch: ImportBatch, to_status: str) -> None:
    if to_status not in TRANSITIONS[batch.status]:
        if batch.status == BatchStatus.APPLIED:
            raise Conflict(_("This ledger has already been imported."))
        if batch.status == BatchStatus.DISCARDED:
            raise Conflict(_("This upload was discarded. Upload the file again."))
        raise Conflict(_("Run the dry run first."))
    batch.status = to_status


# --- import -------------------------------------------------------------------------------------------


@transaction.atomic
def upload_ledger(
    *, acting_user, area: Area, file_name: str, data: bytes, create_buildings: bool = False
) -> ImportBatch:
    """Read the file and keep its rows, encrypted, with a guessed column mapping. Nothing enters the registry."""
    _require_import(acting_user, area)
    if create_buildings and not can(acting_user, Cap.EDIT_PLACES):
        raise Forbidden(_("Your role may not add buildings."))
    ledger = read_ledger(file_name, data)
    batch = ImportBatch.objects.create(
        uploaded_by=acting_user,
        area=area,
        file_name=file_name[-255:],
        create_buildings=create_buildings,
        payload=json.dumps({"headers": ledger.headers, "rows": ledger.rows}, ensure_ascii=False),
        row_count=len(ledger.rows),
        mapping=guess_mapping(ledger.headers),
    )
    audit.record(
        actor=acting_user,
        action="registry.import.upload",
        target=batch,
        area_path=area.path,
        changes={"file": batch.file_name, "rows": batch.row_count},
    )
    return batch


def clean_mapping(mapping: dict, *, width: int, area: Area) -> dict[str, int]:
    """Check a {column key: column index} mapping; raise InvalidInput saying what is wrong."""
    cleaned: dict[str, int] = {}
    for key, index in mapping.items():
        if key not in BY_KEY or not isinstance(index, int) or not 0 <= index < width:
            raise InvalidInput(_("The column mapping is not valid."))
        cleaned[key] = index
    if len(set(cleaned.values())) != len(cleaned):
        raise InvalidInput(_("A column can be imported as one thing only."))
    required = [*REQUIRED, *(["grid"] if area.kind != AreaKind.GRID else [])]
    missing = [str(BY_KEY[key].label) for key in required if key not in cleaned]
    if missing:
        raise InvalidInput(_("Choose the columns that hold: %(names)s.") % {"names": ", ".join(missing)})
    return cleaned


@transaction.atomic
def check_batch(*, acting_user, batch: ImportBatch, mapping: dict[str, int]) -> ImportBatch:
    """The dry run: validate every row with this mapping and keep the report. Nothing enters the registry."""
    batch = _locked(acting_user, batch)
    _require_import(acting_user, batch.area)
    _move(batch, BatchStatus.VALIDATED)
    ledger = selectors.batch_ledger(batch)
    batch.mapping = clean_mapping(mapping, width=len(ledger.headers), area=batch.area)
    plan = plan_import(
        area=batch.area,
        create_buildings=batch.create_buildings,
        headers=ledger.headers,
        rows=ledger.rows,
        mapping=batch.mapping,
    )
    batch.report = plan.report()
    batch.bad_row_count = plan.bad_row_count
    batch.validated_at = timezone.now()
    batch.save(update_fields=["status", "mapping", "report", "bad_row_count", "validated_at", "updated_at"])
    audit.record(
        actor=acting_user,
        action="registry.import.check",
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


def apply_batch(*, acting_user, batch: ImportBatch) -> ImportBatch:
    """Save the whole ledger in one transaction, or nothing.

    Not decorated with atomic on purpose: when the re-check finds new problems (someone registered one of
    these people since the dry run), the transaction is rolled back and the fresh report is then kept, in its
    own small transaction, so the user sees which rows changed.

    Households and residents go through the bulk actions (places.actions.create_households,
    people.actions.create_residents): the same checks as one by one, a few queries per hundred rows.
    """
    try:
        with transaction.atomic():
            batch = _locked(acting_user, batch)
            _require_import(acting_user, batch.area)
            if batch.status == BatchStatus.VALIDATED and batch.bad_row_count:
                raise InvalidInput(_("Correct the rows with problems and upload the file again."))
            _move(batch, BatchStatus.APPLIED)
            ledger = selectors.batch_ledger(batch)
            plan = plan_import(
                area=batch.area,
                create_buildings=batch.create_buildings,
                headers=ledger.headers,
                rows=ledger.rows,
                mapping=batch.mapping,
            )
            if plan.problems:
                raise _StaleReport(plan)
            created = _create_all(acting_user, plan)
            batch.payload = ""  # PIPL: the raw rows are not kept once imported
            batch.report = plan.report()
            batch.buildings_created = created["buildings"]
            batch.households_created = created["households"]
            batch.residents_created = created["residents"]
            batch.finished_at = timezone.now()
            batch.save()
            audit.record(
                actor=acting_user,
                action="registry.import",
                target=batch,
                area_path=batch.area.path,
                changes={"file": batch.file_name, "rows": batch.row_count, **created},
            )
            return batch
    except _StaleReport as stale:
        with transaction.atomic():
            ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.VALIDATED).update(
                report=stale.plan.report(),
                bad_row_count=stale.plan.bad_row_count,
                validated_at=timezone.now(),
            )
        raise InvalidInput(
            _(
                "The registry changed since the dry run: %(count)s rows now have problems (listed below). "
                "Nothing was saved."
            )
            % {"count": stale.plan.bad_row_count}
        ) from None
    except _RowFailed as failed:
        raise InvalidInput(
            _("Row %(row)s could not be saved: %(reason)s Nothing was saved.")
            % {"row": failed.row, "reason": failed.reason}
        ) from None
    except DatabaseError:
        raise InvalidInput(
            _(
                "The ledger could not be saved, perhaps because someone changed the same places at the same "
                "moment. Nothing was saved. Run the dry run again."
            )
        ) from None


def _create_all(acting_user, plan: Plan) -> dict[str, int]:
    """Buildings one by one (a ledger names a few dozen), households and residents through the bulk actions."""
    existing = Household.objects.select_related("area").in_bulk(
        {row.household_id for row in plan.rows if row.household_id}
    )
    new_buildings: dict[tuple[int, str], Building] = {}
    row_buildings: list[Building] = []
    for row in plan.rows:
        building = row.building
        if building is None:
            key = (row.grid.pk, row.building_name)
            if key not in new_buildings:
                new_buildings[key] = _guarded(
                    row,
                    create_building,
                    acting_user=acting_user,
                    area=row.grid,
                    code=_free_building_code(row.grid, row.building_name),
                    name=row.building_name,
                )
            building = new_buildings[key]
        row_buildings.append(building)

    room_rows: dict[tuple[int, str, str], int] = {}  # room → index into `rooms`
    rooms: list[tuple[Building, str, str]] = []
    first_row_of_room: list[PlannedRow] = []
    for row, building in zip(plan.rows, row_buildings, strict=True):
        key = (building.pk, row.unit, row.room)
        if not row.household_id and key not in room_rows:
            room_rows[key] = len(rooms)
            rooms.append((building, row.unit, row.room))
            first_row_of_room.append(row)
    households = _guarded_bulk(first_row_of_room, create_households, acting_user=acting_user, rooms=rooms)

    residents = []
    for row, building in zip(plan.rows, row_buildings, strict=True):
        if row.household_id:
            household = existing[row.household_id]
        else:
            household = households[room_rows[(building.pk, row.unit, row.room)]]
        residents.append({"household": household, **row.resident})
    _guarded_bulk(plan.rows, create_residents, acting_user=acting_user, residents=residents)
    return {
        "buildings": len(new_buildings),
        "households": len(households),
        "residents": len(plan.rows),
    }


def _guarded(row: PlannedRow, action, **kwargs):
    """Run a per-record action; a refusal names the ledger row it came from."""
    try:
        return action(**kwargs)
    except ApplicationError as error:
        raise _RowFailed(row.row, str(error.message)) from error
    except ValidationError as error:
        raise _RowFailed(row.row, " ".join(str(m) for m in error.messages)) from error


def _guarded_bulk(rows: list[PlannedRow], action, **kwargs):
    """Run a bulk action; a refusal of item i names the ledger row of item i."""
    try:
        return action(**kwargs)
    except ApplicationError as error:
        index = error.extra.get("index")
        row = rows[index].row if index is not None and index < len(rows) else 0
        raise _RowFailed(row, str(error.message)) from error


def _free_building_code(grid: Area, name: str) -> str:
    code = planned_building_code(grid, name)
    candidate, n = code, 1
    while Building.objects.filter(code=candidate).exists():
        n += 1
        candidate = f"{code}-{n}"
    return candidate


@transaction.atomic
def discard_batch(*, acting_user, batch: ImportBatch) -> ImportBatch:
    """Give up on an upload; its rows are deleted at once. Only the uploader can, even without the role."""
    batch = _locked(acting_user, batch)
    _move(batch, BatchStatus.DISCARDED)
    uploads.clear(batch, actor=acting_user, action="registry.import.discard")
    return batch


@transaction.atomic
def expire_stale_batches(*, acting_user=None, older_than: datetime.timedelta) -> int:
    """Discard uploads left open longer than `older_than`, deleting their rows (run hourly by the worker)."""
    return uploads.expire_stale(
        ImportBatch, older_than=older_than, action="registry.import.expire", acting_user=acting_user
    )


# --- export -------------------------------------------------------------------------------------------

EXPORT_FORMATS = ("csv", "xlsx")


@dataclass(frozen=True)
class ExportFile:
    file_name: str
    content_type: str
    content: bytes
    row_count: int


@transaction.atomic
def export_residents(
    *,
    acting_user,
    area: Area | None = None,
    file_format: str = "csv",
    full_values: bool = False,
    reason: str = "",
) -> ExportFile:
    """The residents of the user's area as a ledger file; masked unless full values are asked for with a
    reason by a role that may see them. Every export is audited, masked or not."""
    require(acting_user, Cap.EXPORT_REGISTRY, area)
    if file_format not in EXPORT_FORMATS:
        raise InvalidInput(_("Choose CSV or Excel."))
    reason = reason.strip()
    full_phone = full_id = False
    if full_values:
        full_phone = can(acting_user, Cap.UNMASK_PHONE)
        full_id = can(acting_user, Cap.UNMASK_ID)
        if not (full_phone or full_id):
            raise Forbidden(_("Your role may not export full phone or ID numbers."))
        if len(reason) < 2:
            raise InvalidInput(_("Say why the export needs full phone and ID numbers."))
    show_sensitive = can(acting_user, Cap.VIEW_SENSITIVE_TAGS)
    rows = [
        exporting.resident_row(r, full_phone=full_phone, full_id=full_id, show_sensitive=show_sensitive)
        for r in selectors.residents_for_export(acting_user, area).iterator(chunk_size=2000)
    ]
    content = exporting.to_csv(rows) if file_format == "csv" else exporting.to_xlsx(rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    scope_paths = acting_user.scope_paths
    audit.record(
        actor=acting_user,
        action="registry.export",
        target=area,
        area_path=area.path if area else (scope_paths[0] if len(scope_paths) == 1 else ""),
        changes={
            "rows": len(rows),
            "format": file_format,
            "unmasked": full_phone or full_id,
            "unmasked_phone": full_phone,
            "unmasked_id": full_id,
            "sensitive_tags": show_sensitive,
        },
        reason=reason if full_values else "",
    )
    return ExportFile(
        file_name=f"residents-{stamp}.{file_format}",
        content_type=exporting.CSV_CONTENT_TYPE if file_format == "csv" else exporting.XLSX_CONTENT_TYPE,
        content=content,
        row_count=len(rows),
    )
