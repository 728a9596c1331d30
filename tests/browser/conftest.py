"""Browser tests: Playwright (sync API) driving Debian's Chromium against a live server.

Never `playwright install`: the browser is /usr/bin/chromium (`make chromium`).

Live-server tests commit their data, and pytest-django flushes the database after
each one. Reloading BC's geography from its files takes seconds, so these tests
restore it from a copy made once per session, and put it back when the module ends
for the tests that run after them on the same worker.
"""

import os
from pathlib import Path

import pytest
from django.db import connection
from playwright.sync_api import sync_playwright

from cairn.geography.loading import load_british_columbia
from cairn.geography.models import Jurisdiction, Population

# Playwright's sync API runs an event loop in this thread; Django's ORM, called by
# fixtures in the same thread, would otherwise refuse to run (checked at call time).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"Browser tests need Chromium at {CHROMIUM}: run `make chromium`.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


# Each geography table and the copy of it the browser tests restore from. The copies
# are plain tables, unknown to Django, so the flush after each test leaves them alone,
# and restoring is one INSERT ... SELECT inside PostgreSQL.
_BACKUPS = [
    (model._meta.db_table, f"browser_copy_of_{model._meta.db_table}")
    for model in (Jurisdiction, Population)
]


@pytest.fixture(scope="session")
def _geography_copy(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if not Jurisdiction.objects.filter(code="bc").exists():
            load_british_columbia()
        with connection.cursor() as cursor:
            for table, copy in _BACKUPS:
                cursor.execute(f"DROP TABLE IF EXISTS {copy}")
                cursor.execute(f"CREATE TABLE {copy} AS SELECT * FROM {table}")
        # Playwright's greenlets give later code another connection; close this one, or
        # it outlives the session and keeps the test database from being dropped.
        connection.close()


def _restore_geography() -> None:
    if Jurisdiction.objects.exists():
        return
    with connection.cursor() as cursor:
        for table, copy in _BACKUPS:
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {copy}")


@pytest.fixture
def bc_geography(transactional_db, _geography_copy):
    """Overrides the root fixture: restores the copy instead of reloading the files."""
    _restore_geography()
    return Jurisdiction.objects.get(code="bc")


@pytest.fixture(scope="module", autouse=True)
def _geography_back_for_later_tests(_geography_copy, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        _restore_geography()
        connection.close()


@pytest.fixture
def screenshot_dir() -> Path | None:
    """Where to save screenshots for a person to look at: CAIRN_SCREENSHOT_DIR, if set."""
    directory = os.environ.get("CAIRN_SCREENSHOT_DIR")
    if not directory:
        return None
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    return path
