"""Writes to the concern diary: write a note, edit it, turn it into a case. Each is atomic, checks role and
scope, and writes the audit trail."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from minqing.cases import actions as case_actions
from minqing.cases.models import Case
from minqing.core import audit
from minqing.core.concurrency import save_versioned
from minqing.core.errors import Forbidden, InvalidInput
from minqing.places.models import Area, AreaKind

from .models import Entry
from .permissions import may_edit, require_staff

audit.register_labels(
    {
        "diary.entry.write": gettext_lazy("Note written"),
        "diary.entry.update": gettext_lazy("Note changed"),
        "diary.entry.to_case": gettext_lazy("Turned into a case"),
    }
)

EDITABLE_FIELDS = ("text", "occurred_on")


def _clean_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(_("Write the note."))
    return text


def _clean_day(occurred_on: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    if occurred_on is None:
        return today
    if occurred_on > today:
        raise InvalidInput(_("This date is in the future."))
    return occurred_on


@transaction.atomic
def write_entry(
    *,
    acting_user,
    text: str,
    occurred_on: datetime.date | None = None,
    resident=None,
    building=None,
    merchant=None,
    area: Area | None = None,
) -> Entry:
    """A note about one resident, building or merchant, or (with none of them) about the grid `area`.
    The note belongs to its subject's grid, which decides who reads it."""
    subjects = [s for s in (resident, building, merchant) if s is not None]
    if len(subjects) > 1:
        raise InvalidInput(_("A note is about one resident, building or merchant at most."))
    if subjects:
        area = subjects[0].area
    if area is None or area.kind != AreaKind.GRID:
        raise InvalidInput(_("Say who or what the note is about, or pick the grid."))
    require_staff(acting_user, area)
    entry = Entry.objects.create(
        author=acting_user,
        area=area,
        resident=resident,
        building=building,
        merchant=merchant,
        text=_clean_text(text),
        occurred_on=_clean_day(occurred_on),
    )
    audit.record(actor=acting_user, action="diary.entry.write", target=entry, area_path=area.path)
    return entry


@transaction.atomic
def update_entry(
    *, acting_user, entry: Entry, expected_version: int, text: str, occurred_on: datetime.date | None
) -> Entry:
    """Change the words or the day of a note; Conflict if someone saved it since `expected_version`."""
    require_staff(acting_user, entry.area)
    if not may_edit(acting_user, entry):
        raise Forbidden(_("Only the author or a community admin may change this note."))
    before = audit.snapshot(entry, EDITABLE_FIELDS)
    entry.text = _clean_text(text)
    entry.occurred_on = _clean_day(occurred_on)
    save_versioned(entry, expected_version=expected_version, fields=list(EDITABLE_FIELDS))
    audit.record(
        actor=acting_user,
        action="diary.entry.update",
        target=entry,
        area_path=entry.area.path,
        changes=audit.diff(before, audit.snapshot(entry, EDITABLE_FIELDS)),
    )
    return entry


@transaction.atomic
def turn_into_case(*, acting_user, entry: Entry) -> Case:
    """One tap: the note becomes a registered case about the same place and person, for staff to confirm the
    category and dispatch. Once only: a note that is already a case changes nothing and says so."""
    require_staff(acting_user, entry.area)
    # Lock the note (only its own row: its subjects are outer joins) so that two taps make one case.
    entry = (
        Entry.objects.select_for_update(of=("self",))
        .select_related(
            "area",
            "case",
            "resident__household__building__area",
            "resident__area",
            "building__area",
            "merchant",
        )
        .get(pk=entry.pk)
    )
    if entry.case_id is not None:
        raise InvalidInput(
            _("This note is already case %(ref)s: nothing was changed.") % {"ref": entry.case.reference}
        )
    place: dict = {"area": entry.area}
    if entry.resident_id:
        # The resident's household says which building; they are the one who raised it.
        place.update(household=entry.resident.household, resident=entry.resident)
    elif entry.building_id:
        place["building"] = entry.building
    elif entry.merchant_id:
        place["merchant"] = entry.merchant
    case = case_actions.register_case(
        acting_user=acting_user, description=entry.text, channel="visit", **place
    )
    # The lock above makes this certain on PostgreSQL; the condition keeps it so on SQLite too.
    linked = Entry.objects.filter(pk=entry.pk, case__isnull=True).update(case=case, updated_at=timezone.now())
    if linked != 1:
        raise InvalidInput(_("This note was turned into a case just now: nothing was changed."))
    entry.case = case
    audit.record(
        actor=acting_user,
        action="diary.entry.to_case",
        target=entry,
        area_path=entry.area.path,
        changes={"case": [None, case.reference]},
    )
    return case
