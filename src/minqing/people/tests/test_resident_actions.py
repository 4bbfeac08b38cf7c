import datetime

import pytest

from minqing.core.errors import Conflict, Forbidden, InvalidInput
from minqing.core.models import AuditEvent
from minqing.people import actions
from minqing.people.models import Resident, ResidentStatus, StatusChange
from tests.factories import make_id_number


def test_create_fills_birth_date_and_sex_from_id(world):
    number = make_id_number(datetime.date(1941, 2, 3), seq=451)
    resident = actions.create_resident(
        acting_user=world.grid_worker, name="张淑珍", household=world.household1, id_number=number
    )
    assert resident.birth_date == datetime.date(1941, 2, 3)
    assert resident.sex == "M"
    assert resident.area == world.grid1
    assert AuditEvent.objects.filter(action="people.resident.create", target_id=str(resident.pk)).exists()


def test_duplicate_id_number_is_refused(world):
    with pytest.raises(InvalidInput):
        actions.create_resident(
            acting_user=world.grid_worker, name="重复", household=world.household1, id_number=world.id1
        )
    assert Resident.objects.count() == 3


def test_grid_worker_cannot_create_in_another_grid(world):
    with pytest.raises(Forbidden):
        actions.create_resident(acting_user=world.grid_worker, name="越界", household=world.household2)
    assert not Resident.objects.filter(name="越界").exists()


def test_stale_edit_is_refused_and_nothing_is_lost(world):
    first = Resident.objects.get(pk=world.resident1.pk)
    second = Resident.objects.get(pk=world.resident1.pk)
    actions.update_resident(
        acting_user=world.grid_worker, resident=first, expected_version=first.version, note="三楼楼道灯坏了"
    )
    with pytest.raises(Conflict):
        actions.update_resident(
            acting_user=world.grid_leader, resident=second, expected_version=second.version, note="覆盖"
        )
    stored = Resident.objects.get(pk=world.resident1.pk)
    assert stored.note == "三楼楼道灯坏了"
    assert stored.version == 2


def test_conflict_on_the_page_keeps_both_the_first_save_and_the_second_input(world, client):
    from django.utils import translation

    client.force_login(world.grid_worker)
    url = f"/people/residents/{world.resident1.pk}/edit/"
    form = {"version": 1, "name": "王秀兰", "residence_type": "registered"}
    client.post(url, {**form, "note": "第一次"})
    with translation.override("en"):
        response = client.post(url, {**form, "note": "第二次"}, HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record" in body
    assert "第二次" in body  # what the second person typed is still in the form
    assert 'name="version" value="2"' in body  # saving again is a deliberate choice on the latest version
    assert Resident.objects.get(pk=world.resident1.pk).note == "第一次"
    client.post(url, {**form, "version": 2, "note": "第二次"})
    assert Resident.objects.get(pk=world.resident1.pk).note == "第二次"


def test_moving_out_keeps_the_resident_with_history(world):
    actions.change_status(
        acting_user=world.grid_worker,
        resident=world.resident1,
        expected_version=1,
        to_status=ResidentStatus.MOVED_OUT,
        effective_date=datetime.date(2026, 10, 1),
        note="随子女迁往外地",
    )
    resident = Resident.objects.get(pk=world.resident1.pk)
    assert resident.status == ResidentStatus.MOVED_OUT
    change = StatusChange.objects.get(resident=resident)
    assert (change.from_status, change.to_status) == ("active", "moved_out")


def test_deceased_is_final(world):
    actions.change_status(
        acting_user=world.grid_worker,
        resident=world.resident1,
        expected_version=1,
        to_status=ResidentStatus.DECEASED,
        effective_date=datetime.date(2026, 10, 1),
    )
    with pytest.raises(InvalidInput):
        actions.change_status(
            acting_user=world.grid_worker,
            resident=world.resident1,
            expected_version=2,
            to_status=ResidentStatus.ACTIVE,
            effective_date=datetime.date(2026, 10, 2),
        )


def test_sensitive_tag_needs_legal_basis_and_role(world):
    with pytest.raises(Forbidden):
        actions.tag_resident(
            acting_user=world.grid_worker,
            resident=world.resident1,
            tag_type=world.sensitive_tag,
            legal_basis="低保证",
        )
    with pytest.raises(InvalidInput):
        actions.tag_resident(
            acting_user=world.grid_leader,
            resident=world.resident1,
            tag_type=world.sensitive_tag,
            legal_basis="",
        )
    tag = actions.tag_resident(
        acting_user=world.grid_leader,
        resident=world.resident1,
        tag_type=world.sensitive_tag,
        legal_basis="低保证 2023-17",
    )
    assert tag.legal_basis == "低保证 2023-17"


def test_bad_input_on_the_form_is_explained_and_saves_nothing(world, client):
    client.force_login(world.grid_worker)
    response = client.post(
        f"/people/residents/new/?household={world.household1.pk}",
        {
            "household": world.household1.pk,
            "name": "钱多多",
            "phone": "12345",
            "id_number": "110105194912310021",
            "residence_type": "registered",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "check digit" in body or "校验" in body
    assert "11-digit" in body or "11位" in body
    assert not Resident.objects.filter(name="钱多多").exists()


def test_tag_types_are_managed_and_sensitive_ones_need_a_basis(world, client):
    from minqing.people.models import TagType

    client.force_login(world.community_admin)
    response = client.post(
        "/people/tag-types/new/", {"name": "重点关注", "code": "focus", "sensitive": "on", "active": "on"}
    )
    assert response.status_code == 200
    assert not TagType.objects.filter(code="focus").exists()
    response = client.post(
        "/people/tag-types/new/",
        {
            "name": "重点关注",
            "code": "focus",
            "sensitive": "on",
            "active": "on",
            "default_legal_basis": "本人书面同意",
        },
    )
    assert response.status_code == 302
    assert TagType.objects.get(code="focus").sensitive


def test_bulk_registration_checks_like_one_by_one(world):
    from tests.factories import HouseholdFactory

    household = HouseholdFactory(building=world.building1, room="302")
    good = {
        "household": household,
        "name": "周淑琴",
        "phone": "13911110000",
        "id_number": make_id_number(seq=611),
    }
    created = actions.create_residents(
        acting_user=world.grid_worker,
        residents=[good, {**good, "name": "田德福", "phone": "", "id_number": make_id_number(seq=612)}],
    )
    assert [r.name for r in created] == ["周淑琴", "田德福"]
    assert Resident.objects.get(name="周淑琴").phone == "13911110000"
    assert AuditEvent.objects.filter(action="people.resident.create").count() == 2

    with pytest.raises(InvalidInput) as info:
        actions.create_residents(
            acting_user=world.grid_worker,
            residents=[
                {"household": household, "name": "甲", "id_number": make_id_number(seq=613)},
                {"household": household, "name": "乙", "id_number": world.id1},
            ],
        )
    assert info.value.extra["index"] == 1
    with pytest.raises(InvalidInput) as info:
        actions.create_residents(
            acting_user=world.grid_worker,
            residents=[
                {"household": household, "name": "丙", "phone": "123"},
            ],
        )
    assert info.value.extra["index"] == 0
    with pytest.raises(Forbidden):
        actions.create_residents(
            acting_user=world.grid_worker,
            residents=[
                {"household": world.household2, "name": "越界"},
            ],
        )
    assert not Resident.objects.filter(name__in=["甲", "乙", "丙", "越界"]).exists()


def test_edit_form_keeps_the_birth_date_in_chinese(world, client):
    """A phone's date picker only takes ISO dates: a localised 1948/05/01 would be emptied and lost."""
    client.force_login(world.grid_worker)
    body = client.get(
        f"/people/residents/{world.resident1.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert 'value="1948-05-01"' in body


def test_birth_date_must_match_the_id_number(world):
    with pytest.raises(InvalidInput):
        actions.create_resident(
            acting_user=world.grid_worker,
            name="错配",
            household=world.household1,
            id_number=make_id_number(datetime.date(1949, 12, 31), seq=777),
            birth_date=datetime.date(1960, 1, 1),
        )
    assert not Resident.objects.filter(name="错配").exists()


@pytest.mark.parametrize("query", ["3号楼301", "3号楼 301", "3号楼", "王秀兰", "秀兰 301"])
def test_search_by_address_as_people_write_it(world, client, query):
    client.force_login(world.grid_worker)
    body = client.get("/search/", {"q": query}).content.decode()
    assert "王秀兰" in body


def test_search_by_unit_and_room(world, client):
    from tests.factories import HouseholdFactory, ResidentFactory

    unit = world.building1.units.create(name="2单元")
    household = HouseholdFactory(building=world.building1, unit=unit, room="502")
    ResidentFactory(name="赵桂芬", household=household)
    client.force_login(world.grid_worker)
    for query in ("3号楼2单元502", "3号楼 2单元 502", "3号楼2单元", "2单元502", "2单元 502"):
        body = client.get("/search/", {"q": query}).content.decode()
        assert "赵桂芬" in body, query
        assert "王秀兰" not in body.split("<main", 1)[1], query
