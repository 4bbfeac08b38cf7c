import pytest

pytestmark = pytest.mark.browser


def test_grid_worker_finds_a_resident_by_phone_opens_the_building_and_switches_to_english(
    phone_page, browser_world, shot
):
    page, world = phone_page, browser_world
    page.goto(page.base_url + "/")
    assert "/accounts/login/" in page.url
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("#id_username", "gw1")
    page.fill("#id_password", "pw-for-browser-2026")
    shot(page, "01-login")
    page.click("button[type=submit]")
    page.wait_for_url(page.base_url + "/")
    shot(page, "02-home-grid-worker")

    page.fill("input[name=q]", "139 1234 5678")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/**")
    result = page.locator("#search-results a.row-title", has_text="王秀兰")
    result.wait_for()
    assert "139****5678" in page.content()
    assert world.phone1 not in page.content()
    shot(page, "03-search-by-phone")

    result.click()
    page.wait_for_url("**/people/residents/**")
    shot(page, "04-resident")
    page.click("text=3号楼301")
    page.wait_for_url("**/places/households/**")
    page.click("a:has-text('3号楼')")
    page.wait_for_url("**/places/buildings/**")
    assert "1984" in page.content()
    assert "1985" in page.content()
    shot(page, "05-building")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Infrastructure" in page.content()
    assert "Year built" in page.content()
    shot(page, "06-building-english")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, (
        "the page scrolls sideways on a phone"
    )
    assert not page.console_errors, page.console_errors
