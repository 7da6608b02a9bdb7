"""Browser tests: the flows a person walks through, in the system Chromium driven by Playwright
against pytest-django's live server.

One browser for the whole session; every signed-in person gets a fresh browser context (their
own cookies). Each step is saved as a screenshot under ``artifacts/screenshots/<test>/``.

Without a Chromium on the machine these tests are skipped with the reason; in CI (``CI=true``)
they fail instead, so a missing browser never passes silently.
"""

import os
import re
import shutil
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from django.core.management.color import no_style
from django.db import connection, connections, transaction

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "pw-Test-12345"  # what tests.factories.make_user sets
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Every browser test writes through the live server in its own transactions; the catalog (a
# data migration) is restored for each one.
browser_test = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if found := shutil.which(name):
            return found
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Browser tests run last: once Playwright has started, its event loop keeps running in
    this thread until the end of the session, which changes how Django treats the thread."""
    here = Path(__file__).parent
    browser = [item for item in items if here in Path(item.path).parents]
    if browser:
        items[:] = [item for item in items if item not in browser] + browser


@pytest.fixture(scope="session", autouse=True)
def _django_under_playwright(request, django_db_setup):
    """Playwright's synchronous API leaves an event loop running in this thread. Django's ORM
    refuses to run while one is running unless told that it is safe (the calls here are not
    concurrent), and asgiref then keeps Django's connections per async context instead of per
    thread, so the tests would get fresh connection objects that know nothing of the test
    database (the contents kept for ``serialized_rollback``, the shared in-memory SQLite).
    Start Playwright here, allow the ORM, and hand the thread's connections over."""
    before = connections.all(initialized_only=True)
    request.getfixturevalue("playwright")
    already = "DJANGO_ALLOW_ASYNC_UNSAFE" in os.environ
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    for wrapper in before:
        setattr(connections._connections, wrapper.alias, wrapper)
    yield
    if not already:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = _chromium()
    if executable is None:
        reason = (
            "Chromium is not installed: the browser tests need it "
            "(Debian/Ubuntu: apt-get install -y chromium fonts-wqy-microhei)"
        )
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "headless": True,
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "locale": "zh-CN",
        "timezone_id": "Asia/Shanghai",
        "viewport": {"width": 1280, "height": 900},
    }


@pytest.fixture(autouse=True)
def _sqlite_ledger_guards(transactional_db):
    """SQLite empties the tables with DELETE after a transactional test, which the ledger's
    append-only triggers refuse once a record is published: empty them here, in one transaction
    with the triggers lifted and put back. (PostgreSQL's TRUNCATE fires no row triggers.)"""
    yield
    if connection.vendor != "sqlite":
        return
    triggers = import_module("evaluations.migrations.0002_ledger_triggers")
    tables = connection.introspection.django_table_names(only_existing=True)
    with transaction.atomic():
        with connection.cursor() as cursor:
            for statement in triggers.SQLITE_BACKWARD:
                cursor.execute(statement)
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
        with connection.cursor() as cursor:
            for statement in triggers.SQLITE_FORWARD:
                cursor.execute(statement)


@pytest.fixture(autouse=True)
def _private_storage(private_storage):
    """Uploads (evidence, import previews) go to a temporary folder, as in the other tests."""
    return private_storage


class Steps:
    """Numbered full-page screenshots of one test, kept as artifacts."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, page, name: str) -> None:
        self.count += 1
        page.screenshot(path=self.folder / f"{self.count:02d}-{name}.png", full_page=True)


@pytest.fixture
def steps(request) -> Steps:
    return Steps(SCREENSHOTS / re.sub(r"[^\w.-]+", "_", request.node.name))


@pytest.fixture
def open_page(browser, browser_context_args, live_server) -> Iterator:
    """``open_page()`` gives a page in a fresh context; ``open_page("user")`` signs in first."""
    contexts = []

    def open_(username: str | None = None, path: str = "/"):
        context = browser.new_context(**{**browser_context_args, "base_url": live_server.url})
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        if username is None:
            page.goto(path)
            return page
        page.goto(f"/login/?next={path}")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.click("main button[type=submit]")
        assert "/login/" not in page.url, f"{username} could not sign in"
        return page

    yield open_
    # Let every request the pages started finish before the test's database is emptied: a
    # request still running in the live server's thread would meet a flushed database.
    for context in contexts:
        for page in context.pages:
            page.wait_for_load_state("networkidle")
        context.close()
