"""Drill "load": 20 visitors post 2,000 requests at once.

Pass: no 5xx and no post left without an answer; every post redirected to the
confirmation is stored exactly once, under the reference its confirmation page
showed, with exactly one notification to the practice, queued as a task; and
nothing is stored that no visitor was told about.
"""

import asyncio
import time

from common import (
    Verdict,
    confirmation_problems,
    prepared_site,
    report,
    status_counts,
    stored_requests,
)
from harness import Server, post_load

NAME = "load"
CLIENTS = 20
POSTS = 2000


def run() -> Verdict:
    env, database_url = prepared_site()
    with Server(env, name="drill-load") as server:
        started = time.monotonic()
        # Phone-only requests: each queues exactly one notification (to the practice).
        posts = asyncio.run(
            post_load(server.port, clients=CLIENTS, total=POSTS, follow=True, email=False)
        )
        seconds = time.monotonic() - started
    stored = stored_requests(database_url)
    problems = confirmation_problems(posts, stored)
    server_errors = [p for p in posts if p.status is not None and p.status >= 500]
    unanswered = [p for p in posts if p.status is None]
    confirmed = [p for p in posts if p.status == 302]
    if server_errors:
        problems.append(f"{len(server_errors)} 5xx")
    if unanswered:
        problems.append(f"{len(unanswered)} post(s) without an answer")
    if len(posts) != POSTS:
        problems.append(f"{len(posts)} posts made instead of {POSTS}")
    if len(confirmed) != len(posts):
        # Every post is a valid request: one shown the form again means the
        # drill's answers no longer fit the form, and nothing was tested.
        problems.append(f"{len(posts) - len(confirmed)} valid post(s) not confirmed")
    if len(stored) != len(confirmed):
        problems.append(f"{len(stored)} stored for {len(confirmed)} confirmed")
    summary = (
        f"{len(posts)} posts by {CLIENTS} clients in {seconds:.1f} s "
        f"({len(posts) / seconds:.0f}/s); {len(confirmed)} confirmed, {len(stored)} stored, "
        f"{sum(s.notifications for s in stored.values())} notifications queued; "
        f"statuses {status_counts(posts)}"
    )
    return Verdict.from_problems(NAME, problems, summary)


if __name__ == "__main__":
    raise SystemExit(report(run()))
