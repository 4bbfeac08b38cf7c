"""The public pages: 这事儿该找谁 for everyone, the privacy notice, the portal's front page."""

import pytest

from minqing.directory.models import Category, Duty, Responsibility
from minqing.organisations.models import Contact, Organisation, OrganisationKind
from minqing.portal import throttle
from minqing.portal.privacy import NOTICE_VERSION


@pytest.fixture
def directory(world):
    drains = Category.objects.get(code="C23")
    Responsibility.objects.create(
        category=drains, area=world.community, organisation=world.property, note="小区内管道"
    )
    Responsibility.objects.create(
        category=drains, area=world.district, organisation=world.renovation, duty=Duty.ESCALATION
    )
    world.property.service_phone = "0431-88886666"
    world.property.hours = "8:00-17:00"
    world.property.save()
    Contact.objects.create(organisation=world.property, name="物业刘经理", phone="13900001111")
    office = Organisation.objects.create(
        name="热电社区居委会", kind=OrganisationKind.COMMUNITY, service_phone="0431-81234567"
    )
    office.areas.set([world.community])
    return drains


def test_who_handles_a_blocked_drain_anonymously(client, world, directory):
    response = client.get("/r/who/", {"q": "下水道堵了", "community": world.community.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert directory.name in body
    assert "热电物业公司" in body
    assert "0431-88886666" in body
    assert "8:00-17:00" in body
    assert "小区内管道" in body
    assert "二道区旧改办" in body  # escalation, marked as such
    assert "热电社区居委会" in body
    assert "0431-81234567" in body
    # No person: no contact names or their phones, no residents, no staff.
    for private in ("物业刘经理", "13900001111", "王秀兰", world.phone1, "gw1"):
        assert private not in body


def test_who_asks_for_the_community_and_handles_no_match(client, world, directory):
    client.cookies["django_language"] = "en"
    body = client.get("/r/who/", {"q": "下水道堵了"}).content.decode()
    assert "Choose your community" in body
    assert "热电物业公司" not in body
    body = client.get("/r/who/", {"q": "zzzz", "community": world.community.pk}).content.decode()
    assert "No category matches" in body


def test_who_is_rate_limited_per_address(client, world, directory):
    throttle.hit(*[throttle.ip_key("lookup_ip", "127.0.0.1")] * 120)
    response = client.get("/r/who/", {"q": "下水道堵了", "community": world.community.pk})
    assert response.status_code == 429
    assert "热电物业公司" not in response.content.decode()
    response = client.get(
        "/r/who/", {"q": "下水道堵了", "community": world.community.pk}, REMOTE_ADDR="10.3.3.3"
    )
    assert response.status_code == 200


def test_who_checks_its_input(client, world):
    response = client.get("/r/who/", {"q": "x" * 101, "community": world.community.pk})
    assert response.status_code == 200  # too long: the form says so, nothing is looked up
    response = client.get("/r/who/", {"q": "漏水", "community": "999999"})
    assert response.status_code == 200


def test_the_privacy_notice_is_public_and_names_the_controller(client, world, directory):
    response = client.get("/r/privacy/", {"community": world.community.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert NOTICE_VERSION in body
    assert "热电社区居委会" in body
    assert "0431-81234567" in body
    assert client.get("/r/privacy/").status_code == 200


def test_the_front_page_is_public(client, world):
    response = client.get("/r/")
    assert response.status_code == 200
    assert "/r/login/" in response.content.decode()


def test_pages_for_residents_send_strangers_to_the_portal_login(client, world):
    for path in ("/r/report/", "/r/mine/", "/r/mine/MQ123/", "/r/account/", "/r/report/places/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/r/login/?next="), path


def test_portal_pages_pass_the_content_security_policy(client, world):
    from minqing.portal import actions

    actions.accept_notice(acting_user=world.resident_user)
    client.force_login(world.resident_user)
    for path in ("/r/", "/r/report/", "/r/mine/", "/r/who/", "/r/privacy/", "/r/account/"):
        response = client.get(path)
        body = response.content.decode()
        assert response.status_code == 200, path
        for inline in (" style=", "<script>", " onclick"):
            assert inline not in body, path


def test_the_map_appears_only_with_a_tile_server(client, world, settings):
    from minqing.portal import actions

    actions.accept_notice(acting_user=world.resident_user)
    client.force_login(world.resident_user)
    settings.MINQING_TILE_URL = "https://tiles.example.gov.cn/{z}/{x}/{y}.png"
    response = client.get("/r/report/")
    body = response.content.decode()
    assert 'id="report-map"' in body
    assert "vendor/leaflet/leaflet.js" in body
    assert "img-src 'self' https://tiles.example.gov.cn" in response["Content-Security-Policy"]
    # A point on the map is kept with the concern.
    response = client.post(
        "/r/report/",
        {
            "description": "路边井盖松动",
            "community": world.community.pk,
            "place": f"g{world.grid1.pk}",
            "latitude": "43.874120",
            "longitude": "125.335210",
        },
    )
    assert response.status_code == 302
    from minqing.cases.models import Case

    case = Case.objects.get()
    assert str(case.latitude) == "43.874120"
    assert case.area == world.grid1
