"""Story S8 on a phone: at 20:10, at home, the grid leader's phone rings — "my drain is blocked". That is the
property company's job: she looks it up in 这事儿该找谁, gives the caller the company's number, and records
a referred case. Next working morning it is on her home page to follow up; she checks and closes it.

Time is under the test's control: `timezone.now` is replaced for the whole process, so the live server's
thread (the pages) and this thread (the checks) see the same evening and the same next morning.
"""

import datetime
import re
import zoneinfo

import pytest
from django.utils import timezone

from tests.browser.steps import PASSWORD, login, take

pytestmark = pytest.mark.browser

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TUESDAY_EVENING = datetime.datetime(2026, 11, 10, 20, 10, tzinfo=SHANGHAI)  # an ordinary working week
WEDNESDAY_MORNING = datetime.datetime(2026, 11, 11, 8, 40, tzinfo=SHANGHAI)
PROPERTY_PHONE = "0431-84651234"


class Clock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(TUESDAY_EVENING)
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def follow_ups(page):
    """The titles listed under the home page's "follow up today" heading (empty when there is none)."""
    heading = page.locator("main h2").filter(has_text=re.compile(r"^(今日待回访|Follow up today)$"))
    if heading.count() == 0:
        return []
    return heading.locator("xpath=following-sibling::ul[1]//a").all_inner_texts()


def test_story_s8_a_call_at_night_is_referred_and_followed_up_next_morning(
    phone_page, browser_world, shot, clock
):
    from minqing.cases.models import Case, Channel, Status
    from minqing.directory.models import Category, Duty, Responsibility

    page, world = phone_page, browser_world
    world.property.service_phone, world.property.hours = PROPERTY_PHONE, "24小时值班"
    world.property.save()
    drains = Category.objects.get(code="C23")  # 排水/下水道堵塞/化粪池: 小区内物业
    Responsibility.objects.create(
        category=drains, area=world.community, organisation=world.property, duty=Duty.FIRST
    )
    world.grid_leader.set_password(PASSWORD)
    world.grid_leader.save()

    # 20:10, Tuesday: the call. She opens 这事儿该找谁 and types what the caller said.
    login(page, "gl")
    page.click("nav a[href='/directory/']")
    page.wait_for_url("**/directory/")
    page.fill("#id_q", "下水道堵了")
    shot(page, "s8-01-lookup")
    page.click("main form[role=search] button[type=submit]")
    page.wait_for_url("**/directory/?*")
    card = page.locator("section.card", has_text=drains.name)
    assert "热电物业公司" in card.inner_text()
    phone = card.locator(f"a[href='tel:{PROPERTY_PHONE}']")
    assert phone.inner_text() == PROPERTY_PHONE  # one tap to call, or to read out to the caller
    assert "24小时值班" in card.inner_text()
    shot(page, "s8-02-who-handles-it")

    # She gives the caller the number and records it: a referred case, to check tomorrow.
    card.locator("form[action$='/cases/referrals/'] button").click()
    page.wait_for_url("**/cases/*/")
    case = Case.objects.get()
    assert (case.status, case.channel, case.category) == (Status.REFERRED, Channel.PHONE, drains)
    assert case.description == "下水道堵了"
    assert case.area == world.grid1
    assert case.follow_up_on == datetime.date(2026, 11, 11)  # the next working day
    assert "2026-11-11" in page.locator("main").inner_text()
    assert PROPERTY_PHONE in page.locator("main").inner_text()  # "told them to contact …", on the timeline
    shot(page, "s8-03-referred")

    # Still Tuesday evening: nothing to follow up yet.
    page.goto(page.base_url + "/")
    assert case.description not in follow_ups(page)
    shot(page, "s8-04-home-same-evening")

    # Wednesday, 08:40: the referral is back on her home page.
    clock.now = WEDNESDAY_MORNING
    page.goto(page.base_url + "/")
    assert follow_ups(page) == [case.description]
    shot(page, "s8-05-home-next-morning")

    page.locator("main a.row-title", has_text=case.description).click()
    page.wait_for_url(f"**/cases/{case.pk}/")
    take(page, "close_referral", note="已电话回访：物业昨晚已上门疏通，居民说好了")
    page.wait_for_url(f"**/cases/{case.pk}/")
    shot(page, "s8-06-closed")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    assert case.closed_at == WEDNESDAY_MORNING
    assert case.due_at is None  # a referral never ran a handler's clock
    assert "物业昨晚已上门疏通" in page.locator("main").inner_text()

    page.goto(page.base_url + "/")
    assert follow_ups(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "sideways scrolling on a phone"
    assert not page.console_errors, page.console_errors
