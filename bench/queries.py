"""Count the database queries each page makes, on a cache miss and on a hit.

Run by run.py and growth.py with the run's settings (and a local-memory cache,
so that clearing it disturbs nobody): `python bench/queries.py '{"home": "/"}'`.
Prints one JSON line: {name: {"status": …, "miss": queries, "hit": queries}}.
The name "post" posts a valid request to the path instead (after reading the form).
"""

import json
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from harness import read_form, request_fields  # noqa: E402

from practice.page_cache import forget_local_state  # noqa: E402


def browser() -> Client:
    return Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")


def count_get(path: str) -> dict:
    client = browser()
    cache.clear()
    forget_local_state()
    with CaptureQueriesContext(connection) as miss:
        first = client.get(path)
    with CaptureQueriesContext(connection) as hit:
        client.get(path)
    return {"status": first.status_code, "miss": len(miss), "hit": len(hit)}


def count_steady_miss(path: str) -> dict:
    """Queries for a page not in the cache while the site is running: after
    another page was served (the next publish time is known), rendered for a
    visitor with a session cookie (of no session), as run.py's article-miss is.
    A new query string is no longer a miss: the page cache ignores parameters
    a page does not use."""
    client = browser()
    client.get(path)
    client.cookies[settings.SESSION_COOKIE_NAME] = "bench-no-such-session"
    with CaptureQueriesContext(connection) as miss:
        response = client.get(path)
    return {"status": response.status_code, "miss": len(miss), "hit": len(miss)}


def count_post(path: str) -> dict:
    """Queries for a post on the running site: after a first post, since the
    form's regions and clinicians are read once per content version in each
    process (intake.selectors.request_choices)."""
    client = browser()
    form = read_form(client.get(path).content.decode())
    client.post(
        path, urlencode(request_fields(form)), content_type="application/x-www-form-urlencoded"
    )
    body = urlencode(request_fields(form))
    with CaptureQueriesContext(connection) as queries:
        response = client.post(path, body, content_type="application/x-www-form-urlencoded")
    return {"status": response.status_code, "miss": len(queries), "hit": len(queries)}


def main() -> None:
    paths = json.loads(sys.argv[1])
    report = {}
    for name, path in paths.items():
        if name == "post":
            report[name] = count_post(path)
        elif name == "article-miss":
            report[name] = count_steady_miss(path)
        else:
            report[name] = count_get(path)
    sys.stdout.write(json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
