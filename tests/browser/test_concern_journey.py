"""Story S2 on a phone, as far as the loop goes today: capture, "me too", dispatch to 旧改办 from the
suggestion, the handler accepts and reports back, the grid leader verifies and closes."""

import pytest

pytestmark = pytest.mark.browser


def login(page, username):
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw-for-browser-2026")
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/")


def take(page, step, note=None):
    """Open the step's fold on the case page, write the note if any, and submit it."""
    fold = page.locator(f"details.step:has(input[name=name][value={step}])")
    if fold.get_attribute("open") is None:
        fold.locator("summary").click()
    if note is not None:
        fold.locator("textarea").fill(note)
    fold.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_story_s2_on_a_phone(phone_page, browser_world, shot):
    from minqing.directory.models import Category, Responsibility

    page, world = phone_page, browser_world
    Responsibility.objects.create(
        category=Category.objects.get(code="C40"), area=world.district, organisation=world.renovation
    )
    for account in (world.grid_leader, world.handler):
        account.set_password("pw-for-browser-2026")
        account.save()

    login(page, "gl")
    page.click("a.button:has-text('Record a concern'), a.button:has-text('记民情')")
    page.select_option("#id_building", label="3号楼")
    page.fill("#id_description", "三栋门外没有晾衣杆，别的楼都有了")
    page.fill("#id_reporter_name", "王秀兰")
    shot(page, "s2-01-capture")
    page.click("button[type=submit]")
    page.wait_for_url("**/cases/*/")
    shot(page, "s2-02-case-registered")
    assert "二道区旧改办" in page.content()  # the suggestion, with its reason

    # A neighbour says the same thing: Minqing offers the open case first.
    page.goto(page.base_url + "/cases/new/")
    page.select_option("#id_building", label="3号楼")
    page.fill("#id_description", "3栋什么时候装晾衣杆")
    page.fill("#id_reporter_name", "李大爷")
    page.click("button[type=submit]")
    page.locator("#similar-heading").wait_for()
    shot(page, "s2-03-me-too-offered")
    page.click("form[action$='/me-too/'] button")
    page.wait_for_url("**/cases/*/")
    assert "李大爷" in page.content()

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

    login(page, "gl")
    page.goto(page.base_url + "/cases/")
    page.click("#main a.row-title")
    take(page, "verify")
    take(page, "close")
    shot(page, "s2-06-closed")
    from minqing.cases.models import Case

    case = Case.objects.get()
    assert case.status == "closed"
    assert case.reporters.count() == 2
    assert "已列入二期改造，十月安装" in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert not page.console_errors, page.console_errors
