"""Story S2 on a phone, to the end of the loop: capture from a resident's page, a neighbour's "me too" with
a phone number, dispatch to 旧改办 from the suggestion, the handler accepts and reports back, both residents
who asked to be told hear of it (one in the app, one by SMS), the grid leader verifies and closes, then
records the call-backs (回访): one satisfied, one not, which reopens the case with the resident's words."""

import pytest

from tests.browser.steps import PASSWORD, login, take

pytestmark = pytest.mark.browser

NEIGHBOUR_PHONE = "13900001111"


def call_back(page, reporter, rating, *, solved="1", note=""):
    """Fill the call-back (回访) form on the case page and record it."""
    form = page.locator("form[action$='/feedback/']")
    form.locator("select[name=reporter]").select_option(label=reporter)
    form.locator("input[name=contacted][value='1']").check()
    form.locator("select[name=solved]").select_option(solved)
    form.locator(f"input[name=rating][value={rating}]").check()
    if note:
        form.locator("textarea[name=note]").fill(note)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def messages_to_reporters(case, event):
    """(in-app recipients, SMS numbers) of the messages about the case for this event."""
    from minqing.notifications.models import Message

    rows = list(Message.objects.filter(about_id=str(case.pk), event=event))
    in_app = {m.recipient_user.username for m in rows if m.channel == "inapp"}
    sms = {m.recipient for m in rows if m.channel == "sms"}
    return in_app, sms, rows


def test_story_s2_on_a_phone(phone_page, browser_world, shot):
    from minqing.cases.models import Case, Rating, Status
    from minqing.directory.models import Category, Responsibility

    page, world = phone_page, browser_world
    Responsibility.objects.create(
        category=Category.objects.get(code="C40"), area=world.district, organisation=world.renovation
    )
    for account in (world.grid_leader, world.handler, world.resident_user):
        account.set_password(PASSWORD)
        account.save()

    # 王秀兰 (3号楼301, in the registry with her phone, and with a portal account) stops the grid leader.
    login(page, "gl")
    page.goto(f"{page.base_url}/people/residents/{world.resident1.pk}/")
    page.click(f"a.button[href$='?resident={world.resident1.pk}']")
    page.wait_for_url("**/cases/new/**")
    assert "王秀兰" in page.locator("main").inner_text()  # the concern is about her household
    page.fill("#id_description", "三栋门外没有晾衣杆，别的楼都有了")
    shot(page, "s2-01-capture")
    page.click("main button[type=submit]")
    page.wait_for_url("**/cases/*/")
    shot(page, "s2-02-case-registered")
    assert "二道区旧改办" in page.content()  # the suggestion, with its reason
    case = Case.objects.get()
    assert case.reporters.get().resident == world.resident1

    # A neighbour, not in the registry, says the same thing and leaves his number: Minqing offers the
    # open case first.
    page.goto(page.base_url + "/cases/new/")
    page.select_option("#id_building", label="3号楼")
    page.fill("#id_description", "3栋什么时候装晾衣杆")
    page.fill("#id_reporter_name", "李大爷")
    page.click("details.more summary")
    page.fill("#id_reporter_phone", NEIGHBOUR_PHONE)
    page.click("main form.card button[type=submit]")
    page.locator("#similar-heading").wait_for()
    shot(page, "s2-03-me-too-offered")
    page.click("form[action$='/me-too/'] button")
    page.wait_for_url("**/cases/*/")
    assert "李大爷" in page.content()
    assert NEIGHBOUR_PHONE not in page.content()  # masked on the page
    assert Case.objects.count() == 1
    assert case.reporters.count() == 2

    take(page, "dispatch")  # to the suggested 旧改办, preselected
    page.wait_for_url("**/cases/*/")
    shot(page, "s2-04-dispatched")

    login(page, "handler")
    page.goto(page.base_url + "/cases/")
    page.click("#main a.row-title")
    take(page, "accept")
    take(page, "answer", note="已列入二期改造，十月安装")
    assert "王秀兰" in page.content()  # a name to ask for on site; phones masked (see test_pages)
    shot(page, "s2-05-answered")

    # Both residents who asked to be told hear the answer: 王秀兰 in the app (she has an account), 李大爷
    # by SMS to the number he gave.
    in_app, sms, rows = messages_to_reporters(case, "case_answered")
    assert in_app == {"res"}
    assert sms == {NEIGHBOUR_PHONE}
    assert all("已列入二期改造，十月安装" in m.body for m in rows)
    login(page, "res")
    page.goto(page.base_url + "/notifications/")
    assert "已列入二期改造，十月安装" in page.locator("main").inner_text()
    shot(page, "s2-06-resident-inbox")

    login(page, "gl")
    page.goto(f"{page.base_url}/cases/{case.pk}/")
    take(page, "verify")
    take(page, "close")
    shot(page, "s2-07-closed")
    case.refresh_from_db()
    assert case.status == Status.CLOSED
    in_app, sms, _rows = messages_to_reporters(case, "case_closed")
    assert (in_app, sms) == ({"res"}, {NEIGHBOUR_PHONE})
    assert "已列入二期改造，十月安装" in page.content()  # the timeline, from the audit trail

    # 回访: 王秀兰 is called back and is satisfied.
    shot(page, "s2-08-call-back-form")
    call_back(page, "王秀兰", "satisfied")
    shot(page, "s2-09-call-back-satisfied")
    case.refresh_from_db()
    assert (case.status, case.rating) == (Status.CLOSED, Rating.SATISFIED)
    assert case.feedback.get().reporter.resident == world.resident1

    # 李大爷 is not: the poles went up on the shady side. His words reopen the case.
    call_back(page, "李大爷", "unsatisfied", solved="0", note="晾衣杆装在了背阴处，衣服晒不干")
    shot(page, "s2-10-reopened")
    case.refresh_from_db()
    assert case.status == Status.REGISTERED
    assert (case.closed_at, case.rating) == (None, "")
    assert case.feedback.count() == 2
    assert "晾衣杆装在了背阴处，衣服晒不干" in page.locator("main").inner_text()  # on the timeline
    assert page.locator("details.step:has(input[name=name][value=dispatch])").count() == 1  # again

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.console_errors, page.console_errors
