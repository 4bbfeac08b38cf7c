"""Steps the phone journeys share: logging in, and taking a step on a case page."""

PASSWORD = "pw-for-browser-2026"


def login(page, username):
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
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
