"""The diary's writes: a note's grid comes from its subject, edits are the author's (or a community
admin's) and conflict-safe, and a note becomes a case once."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from minqing.cases.models import Case
from minqing.core.errors import Conflict, Forbidden, InvalidInput
from minqing.core.models import AuditEvent
from minqing.diary import actions
from minqing.diary.models import Entry


def test_a_note_belongs_to_its_subjects_grid(world):
    about_resident = actions.write_entry(
        acting_user=world.grid_worker, text="王大爷说三楼楼道灯坏了一周", resident=world.resident1
    )
    about_building = actions.write_entry(
        acting_user=world.grid_leader, text="7号楼门禁坏了", building=world.building2
    )
    about_merchant = actions.write_entry(
        acting_user=world.other_admin, text="面馆油烟扰民", merchant=world.merchant
    )
    about_grid = actions.write_entry(acting_user=world.grid_worker, text="网格里野猫多", area=world.grid1)
    assert about_resident.area == world.grid1
    assert about_building.area == world.grid2
    assert about_merchant.area == world.grid3
    assert about_grid.area == world.grid1
    assert about_grid.subject is None
    assert about_resident.author == world.grid_worker
    assert about_resident.occurred_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="diary.entry.write").count() == 4


TOMORROW = object()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"text": "两个对象", "resident": "resident1", "building": "building1"},
        {"text": "没说关于谁"},
        {"text": "社区不是网格", "area": "community"},
        {"text": "   ", "building": "building1"},
        {"text": "明天的事", "building": "building1", "occurred_on": TOMORROW},
    ],
)
def test_a_note_needs_words_one_subject_or_a_grid_and_no_future_day(world, kwargs):
    values = {key: getattr(world, value) if key in PLACES else value for key, value in kwargs.items()}
    if values.get("occurred_on") is TOMORROW:
        values["occurred_on"] = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(InvalidInput):
        actions.write_entry(acting_user=world.grid_worker, **values)
    assert not Entry.objects.exists()


PLACES = {"resident", "building", "merchant", "area"}


@pytest.mark.parametrize("who", ["grid_worker", "volunteer", "resident_user", "handler", "other_admin"])
def test_no_note_outside_ones_scope_or_role(world, who):
    with pytest.raises(Forbidden):
        actions.write_entry(acting_user=getattr(world, who), text="越界", building=world.building2)
    assert not Entry.objects.exists()


def test_the_database_refuses_two_subjects(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Entry.objects.create(
            author=world.grid_worker,
            area=world.grid1,
            resident=world.resident1,
            building=world.building1,
            text="两个对象",
        )


def test_the_author_or_a_community_admin_edits(world):
    entry = actions.write_entry(acting_user=world.grid_worker, text="楼道灯坏了", building=world.building1)
    with pytest.raises(Forbidden):  # in scope, but not the author
        actions.update_entry(
            acting_user=world.grid_leader, entry=entry, expected_version=1, text="改", occurred_on=None
        )
    with pytest.raises(Forbidden):  # another grid's worker
        actions.update_entry(
            acting_user=world.grid_worker2, entry=entry, expected_version=1, text="改", occurred_on=None
        )
    actions.update_entry(
        acting_user=world.grid_worker,
        entry=entry,
        expected_version=1,
        text="楼道灯坏了一周",
        occurred_on=entry.occurred_on,
    )
    actions.update_entry(
        acting_user=world.community_admin,
        entry=entry,
        expected_version=2,
        text="楼道灯坏了一周，已报物业",
        occurred_on=entry.occurred_on,
    )
    entry.refresh_from_db()
    assert (entry.text, entry.version) == ("楼道灯坏了一周，已报物业", 3)
    event = AuditEvent.objects.filter(action="diary.entry.update").first()
    assert event.changes == {"text": ["楼道灯坏了一周", "楼道灯坏了一周，已报物业"]}


def test_a_stale_edit_is_refused_and_the_first_stands(world):
    entry = actions.write_entry(acting_user=world.grid_worker, text="原文", building=world.building1)
    actions.update_entry(
        acting_user=world.grid_worker, entry=entry, expected_version=1, text="先存的", occurred_on=None
    )
    stale = Entry.objects.get(pk=entry.pk)
    stale.version = 1
    with pytest.raises(Conflict):
        actions.update_entry(
            acting_user=world.community_admin,
            entry=stale,
            expected_version=1,
            text="后存的",
            occurred_on=None,
        )
    entry.refresh_from_db()
    assert (entry.text, entry.version) == ("先存的", 2)


def test_a_note_about_a_resident_becomes_a_case_about_their_home_once(world):
    entry = actions.write_entry(
        acting_user=world.grid_worker, text="王大爷说三楼楼道灯坏了一周", resident=world.resident1
    )
    case = actions.turn_into_case(acting_user=world.grid_worker, entry=entry)
    assert (case.description, case.channel) == ("王大爷说三楼楼道灯坏了一周", "visit")
    assert (case.area, case.building, case.household) == (world.grid1, world.building1, world.household1)
    assert [r.resident for r in case.reporters.all()] == [world.resident1]
    entry.refresh_from_db()
    assert entry.case == case
    assert AuditEvent.objects.filter(action="diary.entry.to_case", target_id=str(entry.pk)).count() == 1

    with pytest.raises(InvalidInput, match=case.reference):
        actions.turn_into_case(acting_user=world.grid_leader, entry=entry)
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="diary.entry.to_case").count() == 1


def test_building_merchant_and_grid_notes_become_cases_there(world):
    building = actions.write_entry(acting_user=world.grid_worker, text="下水道堵了", building=world.building1)
    merchant = actions.write_entry(acting_user=world.other_admin, text="油烟扰民", merchant=world.merchant)
    grid = actions.write_entry(acting_user=world.grid_worker2, text="路灯不亮", area=world.grid2)
    case = actions.turn_into_case(acting_user=world.grid_worker, entry=building)
    assert (case.area, case.building, case.household) == (world.grid1, world.building1, None)
    case = actions.turn_into_case(acting_user=world.other_admin, entry=merchant)
    assert case.area == world.grid3
    assert "孔府面馆" in case.address
    case = actions.turn_into_case(acting_user=world.grid_leader, entry=grid)
    assert (case.area, case.building) == (world.grid2, None)


def test_no_case_from_another_grids_note(world):
    entry = actions.write_entry(acting_user=world.grid_worker, text="下水道堵了", building=world.building1)
    for user in (world.grid_worker2, world.volunteer, world.handler):
        with pytest.raises(Forbidden):
            actions.turn_into_case(acting_user=user, entry=entry)
    entry.refresh_from_db()
    assert entry.case is None
    assert not Case.objects.exists()
