"""Issue 4 §1 on a phone: a newcomer signs up with a code, reports a concern with a photo, hears that it was
answered, and rates it. Staff steps go through cases.actions (their pages have their own journeys)."""

import re

import pytest

pytestmark = pytest.mark.browser


def step(case, user, name, **kwargs):
    from minqing.cases import actions

    case.refresh_from_db()
    return actions.transition(acting_user=user, case=case, name=name, expected_version=case.version, **kwargs)


def login_code(phone):
    from minqing.notifications.models import Message

    message = next(
        m for m in Message.objects.filter(event="login_code").order_by("-id") if m.recipient == phone
    )
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def test_a_resident_signs_up_reports_hears_back_and_rates_on_a_phone(phone_page, browser_world, shot):
    from minqing.cases.models import Case
    from minqing.portal.tests.images import png

    page, world = phone_page, browser_world
    phone = "13611112222"

    # Sign up with a code.
    page.goto(page.base_url + "/r/")
    shot(page, "portal-01-front")
    page.click("a.button[href='/r/login/']")
    page.fill("#id_contact", phone)
    page.select_option("#id_community", str(world.community.pk))
    shot(page, "portal-02-login")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/r/login/code/")
    assert "136****2222" in page.content()
    page.fill("#id_code", login_code(phone))
    shot(page, "portal-03-code")
    page.click("button[type=submit].primary")
    page.wait_for_url("**/r/welcome/")
    assert page.locator("#privacy-notice").is_visible()
    page.fill("#id_name", "新住户小陈")
    page.check("#id_accept")
    shot(page, "portal-04-consent")
    page.click("button[type=submit].primary")
    page.wait_for_url(page.base_url + "/r/")

    # Report a concern with a photo.
    page.click("a.portal-tile-main")
    page.wait_for_url("**/r/report/")
    page.fill("#id_description", "7号楼2单元楼道灯坏了一周，晚上老人上下楼看不见")
    assert page.locator("#id_community").input_value() == str(world.community.pk)
    # Another community: its own buildings come in (htmx), then back to ours.
    page.select_option("#id_community", str(world.other_community.pk))
    page.locator(f"#id_place option[value='b{world.building3.pk}']").wait_for(state="attached")
    page.select_option("#id_community", str(world.community.pk))
    page.locator(f"#id_place option[value='b{world.building2.pk}']").wait_for(state="attached")
    page.select_option("#id_place", f"b{world.building2.pk}")
    page.set_input_files("#id_photo", files=[{"name": "light.png", "mimeType": "image/png", "buffer": png()}])
    page.check("#id_confidential")
    shot(page, "portal-05-report")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/received/")
    case = Case.objects.get()
    assert page.locator("#reference").inner_text().strip() == case.reference
    shot(page, "portal-06-received")
    assert case.channel == "portal"
    assert case.building == world.building2
    assert case.photos.count() == 1

    # Staff route it; the handler answers.
    step(case, world.grid_leader, "dispatch", organisation=world.renovation)
    step(case, world.handler, "accept")
    step(case, world.handler, "answer", note="已更换7号楼2单元楼道灯")

    page.goto(page.base_url + "/r/")
    assert page.locator(".topbar .count-badge").count() == 1  # unread messages
    page.click(".topbar a.inbox-link")
    page.wait_for_url("**/notifications/")
    assert case.reference in page.content()
    assert "已更换7号楼2单元楼道灯" in page.content()
    shot(page, "portal-07-inbox")
    page.goto(page.base_url + f"/r/mine/{case.reference}/")
    assert "已更换7号楼2单元楼道灯" in page.content()
    assert page.locator(".photos img").count() == 1
    assert page.evaluate("document.querySelector('.photos img').naturalWidth") > 0
    shot(page, "portal-08-answered")

    # Verified and closed: the resident rates it.
    step(case, world.grid_leader, "verify")
    step(case, world.grid_leader, "close")
    page.goto(page.base_url + "/r/mine/")
    page.click(f"a.row-title[href='/r/mine/{case.reference}/']")
    page.locator("#rate-heading").wait_for()
    page.check("input[name=rating][value=satisfied]")
    shot(page, "portal-09-rate")
    page.click(".portal-rate button[type=submit]")
    page.wait_for_url(f"**/r/mine/{case.reference}/")
    assert page.locator(".message-success").count() == 1
    shot(page, "portal-10-rated")
    case.refresh_from_db()
    assert case.rating == "satisfied"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.console_errors, page.console_errors


def test_who_handles_what_on_a_phone_without_logging_in(phone_page, browser_world, shot):
    from minqing.directory import taxonomy
    from minqing.directory.models import Category, Responsibility

    page, world = phone_page, browser_world
    # A transactional test may follow another that flushed the seeded taxonomy: put it back (idempotent).
    taxonomy.load_default(Category)
    taxonomy.load_keywords(Category)
    Responsibility.objects.create(
        category=Category.objects.get(code="C23"), area=world.community, organisation=world.property
    )
    world.property.service_phone = "0431-88886666"
    world.property.hours = "周一至周日 8:00-17:00"
    world.property.save()
    page.goto(page.base_url + "/r/who/")
    page.fill("#id_q", "下水道堵了")
    page.select_option("#id_community", str(world.community.pk))
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**/r/who/?*")
    assert "热电物业公司" in page.content()
    assert page.locator("a[href='tel:0431-88886666']").count() == 1
    shot(page, "portal-11-who")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.console_errors, page.console_errors


def test_a_point_on_the_map_when_a_tile_server_is_configured(phone_page, browser_world, shot, settings):
    from minqing.cases.models import Case
    from minqing.portal import actions

    page, world = phone_page, browser_world
    # Any image the app serves stands in for a tile server here (same origin, so the policy allows it).
    settings.MINQING_TILE_URL = "/static/minqing/icon.svg?z={z}&x={x}&y={y}"
    resident = world.resident_user
    actions.accept_notice(acting_user=resident)
    resident.set_password("pw-for-browser-2026")
    resident.save()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", "res")
    page.fill("#id_password", "pw-for-browser-2026")
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/")
    page.goto(page.base_url + "/r/report/")
    page.locator("#report-map .leaflet-tile-loaded").first.wait_for()
    page.fill("#id_description", "路边井盖松动，踩上去会晃")
    page.select_option("#id_place", f"g{world.grid1.pk}")
    page.locator("#report-map").click(position={"x": 120, "y": 100})
    assert page.locator("#id_latitude").input_value()
    assert page.locator("#id_longitude").input_value()
    assert page.locator("#report-map .leaflet-marker-icon").count() == 1
    shot(page, "portal-12-map")
    page.click("form button[type=submit].primary")
    page.wait_for_url("**/received/")
    case = Case.objects.get()
    assert case.latitude is not None
    assert case.longitude is not None
    assert case.area == world.grid1
    assert not page.console_errors, page.console_errors
