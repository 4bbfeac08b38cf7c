"""记民情: a place from a building, a grid with an address, a merchant; the category confirmed at dispatch."""

from minqing.cases.models import Case
from minqing.directory.models import Category


def test_a_concern_about_a_street_is_a_grid_and_an_address(world, client):
    client.force_login(world.other_admin)
    response = client.post(
        "/cases/new/",
        {
            "area": world.grid3.pk,
            "address": "五马祠街口",
            "description": "店外桌椅占道",
            "people_affected": "30",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.area == world.grid3
    assert case.address == "五马祠街口"
    assert case.people_affected == 30


def test_nowhere_is_refused_with_a_message_and_nothing_saved(world, client):
    client.force_login(world.grid_worker)
    response = client.post("/cases/new/", {"description": "没说在哪"})
    assert response.status_code == 200
    assert Case.objects.count() == 0
    assert 'role="alert"' in response.content.decode()


def test_another_grid_is_not_offered_and_not_accepted(world, client):
    client.force_login(world.grid_worker)
    response = client.post("/cases/new/", {"area": world.grid2.pk, "description": "别的网格"})
    assert response.status_code == 200
    assert Case.objects.count() == 0


def test_from_a_merchants_page(world, client):
    client.force_login(world.other_admin)
    page = client.get(f"/cases/new/?merchant={world.merchant.pk}").content.decode()
    assert world.merchant.name in page
    response = client.post("/cases/new/", {"merchant": world.merchant.pk, "description": "后厨油烟大"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.merchant == world.merchant
    assert case.area == world.merchant.area
    assert world.merchant.name in case.address


def test_the_category_is_confirmed_at_dispatch_and_sets_the_clock(world, client):
    from minqing.cases import actions

    slow = Category.objects.create(code="T90", domain="测试", name="慢", accept_hours=20, finish_days=10)
    case = actions.register_case(
        acting_user=world.grid_leader, description="晾衣杆", building=world.building1
    )
    client.force_login(world.grid_leader)
    response = client.post(
        f"/cases/{case.pk}/step/",
        {
            "name": "dispatch",
            "version": case.version,
            "organisation": world.renovation.pk,
            "category": slow.pk,
        },
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.category == slow
    from minqing.core import workcal

    assert workcal.working_seconds_between(case.dispatched_at, case.accept_due_at) == 20 * 3600


def test_a_referred_caller_can_be_called_back(world, client):
    from minqing.directory.models import Category as Cat

    drain = Cat.objects.get(code="C23")
    client.force_login(world.grid_leader)
    data = {
        "question": "下水道堵了",
        "area": world.grid1.pk,
        "category": drain.pk,
        "organisation": world.property.pk,
        "caller_name": "冯先生",
        "caller_phone": "13912349999",
    }
    assert client.post("/cases/referrals/", {**data, "caller_phone": "12"}).status_code == 302
    assert Case.objects.count() == 0
    assert client.post("/cases/referrals/", data).status_code == 302
    reporter = Case.objects.get().reporters.get()
    assert (reporter.name, reporter.phone) == ("冯先生", "13912349999")


def test_dispatch_only_to_an_organisation_serving_the_area(world):
    from minqing.cases import actions
    from minqing.core.errors import InvalidInput
    from tests.factories import OrganisationFactory

    elsewhere = OrganisationFactory(name="外区物业")
    case = actions.register_case(acting_user=world.grid_leader, description="x", building=world.building1)
    import pytest

    with pytest.raises(InvalidInput):
        actions.transition(
            acting_user=world.grid_leader,
            case=case,
            name="dispatch",
            expected_version=1,
            organisation=elsewhere,
        )


def test_the_list_narrows_as_the_dashboards_link(world, client):
    from minqing.cases import actions

    a = actions.register_case(
        acting_user=world.grid_leader, description="一网格的事", building=world.building1
    )
    b = actions.register_case(
        acting_user=world.grid_leader, description="二网格的事", building=world.building2
    )
    client.force_login(world.grid_leader)
    page = client.get(f"/cases/?area={world.grid1.pk}").content.decode()
    assert a.description in page
    assert b.description not in page
    page = client.get(f"/cases/?building={world.building2.pk}&from=2020-01-01&to=2099-12-31").content.decode()
    assert b.description in page
    assert a.description not in page
    page = client.get("/cases/?from=2020-01-01&to=2020-01-31").content.decode()
    assert a.description not in page
    assert client.get("/cases/?from=garbage&building=x").status_code == 200
    client.force_login(world.grid_worker)
    assert client.get(f"/cases/?area={world.grid2.pk}").status_code == 404
