"""Reads for work order import and export, always scoped: an upload only to its uploader, cases to the
user's area subtree (cases.selectors.cases_for)."""

import datetime
import json

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from minqing.accounts.roles import Cap, can
from minqing.cases.models import OPEN_STATUSES, Case, Channel, Reporter
from minqing.cases.selectors import PUBLIC_NOTES, cases_for
from minqing.core.errors import NotFound
from minqing.core.models import AuditEvent
from minqing.places.models import Area, AreaKind
from minqing.places.selectors import visible_areas
from minqing.registry_io.reading import Ledger
from minqing.registry_io.selectors import import_target_areas

from .models import WorkOrderImport
from .validation import problem_text


def import_grids(user) -> QuerySet[Area]:
    """The grids a user may import work orders into (each is the landing grid of addresses that name none
    of the community's buildings)."""
    return import_target_areas(user).filter(kind=AreaKind.GRID)


def export_areas(user) -> QuerySet[Area]:
    if not can(user, Cap.EXPORT_REGISTRY):
        return Area.objects.none()
    return visible_areas(user).order_by("path")


def imports_for(user) -> QuerySet[WorkOrderImport]:
    """The user's own uploads, without their (encrypted) rows."""
    return WorkOrderImport.objects.filter(uploaded_by=user).select_related("area").defer("payload")


def get_import(user, pk) -> WorkOrderImport:
    """An upload is visible to its uploader only; to anyone else it does not exist."""
    batch = WorkOrderImport.objects.filter(uploaded_by=user, pk=pk).select_related("area").first()
    if batch is None:
        raise NotFound()
    return batch


def import_ledger(batch: WorkOrderImport) -> Ledger | None:
    """The uploaded rows, decrypted; None once the upload is finished (they are cleared then)."""
    if not batch.payload:
        return None
    data = json.loads(batch.payload)
    return Ledger(headers=data["headers"], rows=[(number, cells) for number, cells in data["rows"]])


def report_rows(batch: WorkOrderImport, key: str = "bad_rows") -> list[dict]:
    """The dry run's bad rows (or skipped rows) for display, each reason in the reader's language."""
    if key == "skipped":
        return [
            {"row": e["row"], "number": e["number"], "reasons": [problem_text(e)]}
            for e in batch.report.get("skipped", [])
        ]
    return [
        {"row": e["row"], "number": e["number"], "reasons": [problem_text(p) for p in e["problems"]]}
        for e in batch.report.get("bad_rows", [])
    ]


# --- export ---------------------------------------------------------------------------------------------

STATUS_FILTERS = {"open": {"status__in": OPEN_STATUSES}}


def cases_for_export(
    user,
    *,
    area: Area | None = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    status: str = "",
    hotline_only: bool = False,
) -> QuerySet[Case]:
    """The cases of the user's scope (optionally one area of it) registered in the period, oldest first, with
    everything a row needs in a constant number of queries: the first reporter comes by one prefetch."""
    if not can(user, Cap.EXPORT_REGISTRY):
        return Case.objects.none()
    qs = cases_for(user)
    if area is not None:
        qs = qs.filter(area__path__startswith=area.path)
    if date_from:
        qs = qs.filter(created_at__gte=_day_start(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_day_start(date_to + datetime.timedelta(days=1)))
    if status in STATUS_FILTERS:
        qs = qs.filter(**STATUS_FILTERS[status])
    elif status:
        qs = qs.filter(status=status)
    if hotline_only:
        qs = qs.filter(channel=Channel.HOTLINE)
    reporters = Reporter.objects.select_related("resident").order_by("added_at", "id")
    return (
        qs.select_related("area", "building", "category", "organisation", "merged_into", "work_order")
        .prefetch_related(Prefetch("reporters", queryset=reporters))
        .order_by("created_at", "id")
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def public_answers(case_ids: list[int]) -> dict[int, str]:
    """For each case, the answer its reporter reads (cases.selectors.public_timeline: the handler's answer,
    the on-the-spot resolution, the referral, the closing note), the latest one; none after a reopening.
    One query per 500 cases."""
    content_type = ContentType.objects.get_for_model(Case)
    answers: dict[int, str] = {}
    for start in range(0, len(case_ids), 500):
        chunk = [str(pk) for pk in case_ids[start : start + 500]]
        events = (
            AuditEvent.objects.filter(
                target_type=content_type,
                target_id__in=chunk,
                action__in=[*PUBLIC_NOTES, "cases.case.reopen"],
            )
            .order_by("at", "id")
            .values_list("target_id", "action", "reason")
        )
        for target_id, action, reason in events:
            if action == "cases.case.reopen":
                answers.pop(int(target_id), None)
            elif reason.strip():
                answers[int(target_id)] = reason.strip()
    return answers
