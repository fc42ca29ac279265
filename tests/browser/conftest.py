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
    # The live server's database is flushed after each test (transactional), which
    # is what lets it see rows the test commits.
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.django_db(transaction=True))


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


@pytest.fixture
def demo_content(transactional_db):
    call_command("load_demo_content", stdout=io.StringIO())


@pytest.fixture
def site(live_server_url, demo_content):
    """The live server's address, with the demo articles published."""
    return live_server_url


@pytest.fixture(params=VIEWPORTS)
def viewport(request):
    return request.param


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
