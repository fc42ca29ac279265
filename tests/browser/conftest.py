"""Browser tests: Debian's Chromium, driven by Playwright, against the live server.

Playwright's own browser download cannot work here, so the tests use the system
Chromium. Without it they are skipped on a developer's machine, and fail in CI
(CI=true), where .ci/run installs it.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
VIEWPORTS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]

if not CHROMIUM.exists():
    reason = (
        f"browser tests need Chromium at {CHROMIUM} (apt-get install -y chromium); "
        "Playwright's own browser download does not work here"
    )
    if os.environ.get("CI"):
        pytest.fail(f"CI: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)

# Playwright's sync API keeps an asyncio loop in this thread, which makes Django
# refuse ORM calls from the test itself (fixtures that load content, assertions on
# stored requests). Nothing here is actually asynchronous: the live server
# answers from its own thread, and the test waits for Playwright between calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items):
    for item in items:
        in_folder = "tests/browser/" in str(item.path).replace(os.sep, "/")
        if in_folder and item.get_closest_marker("django_db"):
            raise pytest.UsageError(
                f"{item.nodeid}: browser tests share the database through the "
                "transactional_db fixture in tests/browser/conftest.py; a django_db mark "
                "would flush it after the test, demo content and all"
            )


def pytest_generate_tests(metafunc):
    if "viewport" in metafunc.fixturenames and metafunc.definition.get_closest_marker("layout"):
        metafunc.parametrize("viewport", VIEWPORTS, indirect=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture(scope="session")
def live_server_url(live_server):
    # pytest-django's live server listens on "localhost" unless told otherwise;
    # that matters, because the site's cookies are __Host- and Secure (debug is
    # off in tests) and Chromium keeps Secure cookies over plain http only on
    # localhost, not on 127.0.0.1. Without them the CSRF check would refuse
    # every post.
    url = live_server.url
    assert url.startswith("http://localhost:"), (
        f"browser tests need the live server on localhost (got {url}); "
        "do not pass --liveserver with another host"
    )
    return url


@pytest.fixture(autouse=True)
def _browser_settings(settings):
    # A person needs a few seconds to fill the form; a test does not.
    settings.INTAKE_MIN_SECONDS = 0
    settings.INTAKE_RATE_LIMIT = "1000/h"


class SharedDatabase:
    """The test database as the live server and the tests share it.

    The live server answers from another thread (on PostgreSQL, another
    connection), so it sees only committed rows: tests run in autocommit, not
    in a transaction rolled back at the end. The demo content is loaded once.
    Before each test, what earlier tests added is deleted (requests with their
    notes, invitations and mail, staff users, sessions, sign-in records: the
    rows of every table the demo content leaves empty); after a test that
    added or removed rows in a table the demo content fills (an editor adding
    an article), the database is flushed and the demo content loaded again.
    Row counts cannot see a demo row edited in place: a test that edits one
    calls shared_database.start() when it is done.
    """

    def __init__(self):
        self.row_counts = {}

    def start(self):
        self.flush()
        call_command("load_demo_content", stdout=io.StringIO())
        self.row_counts = row_counts()

    def reset(self):
        now = row_counts()
        if any(now[table] != count for table, count in self.row_counts.items() if count):
            self.start()
            return
        with transaction.atomic(), connection.cursor() as cursor:
            for table, count in now.items():
                if count and not self.row_counts[table]:
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")

    def flush(self):
        # As pytest-django's transactional tests leave it: no rows, but the
        # content types and permissions that post_migrate makes.
        call_command("flush", verbosity=0, interactive=False)


def row_counts():
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


@pytest.fixture(scope="package")
def shared_database(django_db_setup, django_db_blocker):
    database = SharedDatabase()
    with django_db_blocker.unblock():
        database.start()
    yield database
    # The tests after this folder expect an empty database.
    with django_db_blocker.unblock():
        database.flush()


@pytest.fixture
def transactional_db(shared_database, django_db_blocker):
    """Replaces pytest-django's in this folder: its live server asks for this
    fixture by name, and its own flushes every table after each test, which
    made each test load the demo content again."""
    with django_db_blocker.unblock():
        # Before the test rather than after: a request the live server was
        # still answering when the last test ended is cleared too.
        shared_database.reset()
        yield


@pytest.fixture
def site(live_server_url, transactional_db):
    """The live server's address, with the demo articles published."""
    return live_server_url


@pytest.fixture
def viewport(request):
    """A phone's width; tests marked `layout` run at a desktop width too."""
    return getattr(request, "param", PHONE)


@pytest.fixture
def new_context(new_context):
    """pytest-playwright's, failing fast: nothing here takes seconds."""

    def make(**kwargs):
        # Reduced motion unless a test says otherwise: the CSS then scrolls
        # instantly instead of smoothly, so no test waits for scrolling to settle.
        kwargs.setdefault("reduced_motion", "reduce")
        context = new_context(**kwargs)
        context.set_default_timeout(5_000)
        return context

    return make


@pytest.fixture
def page(new_context, viewport):
    return new_context(viewport=viewport).new_page()


@pytest.fixture(scope="session")
def browser_context_args(live_server_url):
    # Replaces pytest-playwright's (its base_url fixture warns under pytest 9).
    return {"base_url": live_server_url}
