import pytest

from minqing.core.errors import Forbidden, InvalidInput
from minqing.core.models import AuditEvent
from minqing.directory import actions, selectors
from minqing.directory.models import Category, Responsibility


def test_the_default_taxonomy_is_seeded(db):
    assert Category.objects.count() == 43
    drains = Category.objects.get(code="C23")
    assert drains.domain == "公用事业"
    assert "下水道" in drains.name
    assert Category.objects.get(code="C03").emergency


@pytest.mark.parametrize(
    ("question", "code"),
    [
        ("下水道堵了", "C23"),
        ("电梯困人了", "C03"),
        ("楼上漏水", "C04"),
        ("三栋门外没有晾衣杆，别的楼都有了", "C40"),
        ("暖气不热", "C22"),
        ("楼下的狗天天叫", "C29"),
        ("和邻居吵架了", "C30"),
        ("路灯不亮", "C19"),
    ],
)
def test_plain_words_find_the_category(db, question, code):
    assert selectors.match_categories(question)[0].code == code


def test_nearest_area_wins(world):
    drains = Category.objects.get(code="C23")
    Responsibility.objects.create(category=drains, area=world.district, organisation=world.renovation)
    Responsibility.objects.create(
        category=drains, area=world.community, organisation=world.property, note="小区内"
    )
    handlers = selectors.handlers_for(drains, world.grid1)
    assert [h.organisation for h in handlers] == [world.property]
    assert "热电社区" in handlers[0].reason
    assert [h.organisation for h in selectors.handlers_for(drains, world.grid3)] == [world.renovation]


def test_story_s8_the_grid_leader_finds_the_property_company_in_two_taps(world, client):
    drains = Category.objects.get(code="C23")
    world.property.service_phone = "0431-85551234"
    world.property.save()
    Responsibility.objects.create(
        category=drains, area=world.community, organisation=world.property, note="小区内排水"
    )
    client.force_login(world.grid_leader)
    body = client.get("/directory/", {"q": "下水道堵了", "area": world.grid1.pk}).content.decode()
    assert "热电物业公司" in body
    assert "tel:0431-85551234" in body
    assert "小区内排水" in body


def test_lookup_is_for_staff_and_areas_in_scope(world, client):
    client.force_login(world.volunteer)
    assert client.get("/directory/", {"q": "下水道"}).status_code == 403
    client.force_login(world.grid_worker)
    response = client.get("/directory/", {"q": "下水道", "area": world.grid3.pk})
    assert response.status_code == 200  # the other community is not offered: the form falls back to her grid
    assert "阙里第一网格" not in response.content.decode().split("<main", 1)[1].split("</select>", 1)[1]


def test_entries_are_added_within_scope_and_audited(world):
    drains = Category.objects.get(code="C23")
    rule = actions.add_responsibility(
        acting_user=world.community_admin,
        category=drains,
        area=world.community,
        organisation=world.property,
        duty="first",
    )
    assert AuditEvent.objects.filter(
        action="directory.responsibility.create", target_id=str(rule.pk)
    ).exists()
    with pytest.raises(InvalidInput):
        actions.add_responsibility(
            acting_user=world.community_admin,
            category=drains,
            area=world.community,
            organisation=world.property,
            duty="first",
        )
    with pytest.raises(Forbidden):
        actions.add_responsibility(
            acting_user=world.community_admin,
            category=drains,
            area=world.other_community,
            organisation=world.property,
            duty="first",
        )
    with pytest.raises(Forbidden):
        actions.add_responsibility(
            acting_user=world.grid_worker,
            category=drains,
            area=world.grid1,
            organisation=world.property,
            duty="first",
        )
    actions.remove_responsibility(acting_user=world.community_admin, responsibility=rule)
    assert not Responsibility.objects.exists()


def test_directory_page_adds_and_removes(world, client):
    drains = Category.objects.get(code="C23")
    client.force_login(world.community_admin)
    response = client.post(
        "/directory/responsibilities/",
        {
            "category": drains.pk,
            "area": world.community.pk,
            "organisation": world.property.pk,
            "duty": "first",
        },
    )
    assert response.status_code == 302
    rule = Responsibility.objects.get()
    client.force_login(world.other_admin)
    assert client.post(f"/directory/responsibilities/{rule.pk}/remove/").status_code == 404
    client.force_login(world.community_admin)
    assert client.post(f"/directory/responsibilities/{rule.pk}/remove/").status_code == 302
    assert not Responsibility.objects.exists()
