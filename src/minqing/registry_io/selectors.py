"""Reads for ledger import and export, always scoped: a batch only to its uploader, residents to the user's area."""

import json
import re

from django.db.models import QuerySet

from minqing.accounts.roles import Cap, can
from minqing.core.errors import NotFound
from minqing.people.models import Resident
from minqing.people.selectors import resident_list
from minqing.places.models import Area, AreaKind
from minqing.places.selectors import visible_areas

from .models import ImportBatch
from .reading import Ledger
from .validation import problem_text

IMPORT_AREA_KINDS = (AreaKind.GRID, AreaKind.ESTATE, AreaKind.COMMUNITY)


def import_target_areas(user) -> QuerySet[Area]:
    """Where the user may import into: grids, and communities (or estates) whose ledger names the grid."""
    if not can(user, Cap.IMPORT_REGISTRY):
        return Area.objects.none()
    return visible_areas(user).filter(kind__in=IMPORT_AREA_KINDS).order_by("path")


def export_areas(user) -> QuerySet[Area]:
    if not can(user, Cap.EXPORT_REGISTRY):
        return Area.objects.none()
    return visible_areas(user).order_by("path")


def batches_for(user) -> QuerySet[ImportBatch]:
    """The user's own uploads, without their (encrypted) rows."""
    return ImportBatch.objects.filter(uploaded_by=user).select_related("area").defer("payload")


def get_batch(user, pk) -> ImportBatch:
    """A batch is visible to its uploader only; to anyone else it does not exist."""
    batch = ImportBatch.objects.filter(uploaded_by=user, pk=pk).select_related("area").first()
    if batch is None:
        raise NotFound()
    return batch


def batch_ledger(batch: ImportBatch) -> Ledger | None:
    """The uploaded rows, decrypted; None once the batch is finished (they are cleared then)."""
    if not batch.payload:
        return None
    data = json.loads(batch.payload)
    return Ledger(headers=data["headers"], rows=[(number, cells) for number, cells in data["rows"]])


def report_rows(batch: ImportBatch, ledger: Ledger | None) -> list[dict]:
    """The dry run's bad rows for display: row number, the name in that row (while the rows are kept),
    and each reason in the reader's language."""
    names = {}
    name_index = batch.mapping.get("name")
    if ledger is not None and name_index is not None:
        names = {n: cells[name_index] for n, cells in ledger.rows if name_index < len(cells)}
    return [
        {
            "row": entry["row"],
            "name": names.get(entry["row"], ""),
            "reasons": [problem_text(p) for p in entry["problems"]],
        }
        for entry in batch.report.get("bad_rows", [])
    ]


_LONG_NUMBER = re.compile(r"\d{8,}[Xx]?")  # an ID number ending in X is masked like everywhere else


def column_samples(ledger: Ledger, limit: int = 2) -> list[list[str]]:
    """For each column, the first few values, with long digit runs (ID and phone numbers) masked."""
    samples: list[list[str]] = [[] for _ in ledger.headers]
    for _number, cells in ledger.rows[:50]:
        for index, value in enumerate(cells):
            if value and index < len(samples) and len(samples[index]) < limit:
                samples[index].append(_mask(value)[:40])
    return samples


def _mask(value: str) -> str:
    return _LONG_NUMBER.sub(lambda m: m.group()[:3] + "*" * (len(m.group()) - 7) + m.group()[-4:], value)


def residents_for_export(user, area: Area | None = None) -> QuerySet[Resident]:
    """Residents living in the user's scope (optionally one area of it), in ledger order."""
    if not can(user, Cap.EXPORT_REGISTRY):
        return Resident.objects.none()
    qs = resident_list(user)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    return qs.order_by(
        "area__path",
        "household__building__name",
        "household__unit__name",
        "household__room",
        "id",
    )
