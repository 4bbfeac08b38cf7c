"""Browser journeys in Debian's Chromium through Playwright (never a downloaded browser).

Without Chromium the journeys skip with a message, except under CI, where a missing browser fails.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MINQING_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}


def _chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium")


@pytest.fixture(scope="session")
def chromium():
    path = _chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs Debian's Chromium at /usr/bin/chromium (apt-get install -y chromium).")
        pytest.skip(
            "No Chromium here: install Debian's package (apt-get install -y chromium) to run browser journeys."
        )
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-quic",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def phone_page(chromium, live_server):
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base_url = live_server.url
    page.console_errors = errors
    yield page
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name):
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return _shot


def reload_migration_data():
    """Run the project's data migrations (RunPython) again, in order: concern categories and their keywords
    and time limits, the working-day calendar. A transactional test that ran before (another journey, the
    PostgreSQL concurrency tests) flushed every table, and these rows with them.

    (Not serialized_rollback: restoring its snapshot collides with the content types that the flush of a
    test without it has recreated.)"""
    from django.apps import apps
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader
    from django.db.migrations.operations.special import RunPython

    ours = {config.label for config in apps.get_app_configs() if config.name.startswith("minqing.")}
    graph = MigrationLoader(connection, ignore_no_migrations=True).graph
    plan = []
    for leaf in graph.leaf_nodes():
        plan += [key for key in graph.forwards_plan(leaf) if key not in plan]
    with connection.schema_editor(atomic=False) as editor:
        for key in plan:
            if key[0] not in ours:
                continue
            for operation in graph.nodes[key].operations:
                if isinstance(operation, RunPython):
                    operation.code(apps, editor)


@pytest.fixture
def browser_world(transactional_db):
    from minqing.directory.models import Category
    from tests.factories import World

    if not Category.objects.exists():
        reload_migration_data()

    world = World()
    world.grid_worker.set_password("pw-for-browser-2026")
    world.grid_worker.save()
    return world
