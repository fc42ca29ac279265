"""What the drills share: their site, their verdict line, and the bookkeeping that
matches what visitors were told against what the database holds."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness import (  # noqa: E402
    Post,
    flush_redis,
    free_port,
    out,
    prepare_database,
    query,
    setup_site,
    site_env,
)

DRILL_REDIS_DB = 8
# DRILL_DATABASE=… gives a run a database of its own (the default is what CI uses).
DRILL_DATABASE = os.environ.get("DRILL_DATABASE", "practice_drills")


@dataclass
class Verdict:
    name: str
    ok: bool
    message: str

    def line(self) -> str:
        return f"{'PASS' if self.ok else 'FAIL'} {self.name}: {self.message}"

    @classmethod
    def from_problems(cls, name: str, problems: list[str], summary: str) -> Verdict:
        """PASS with the summary when nothing went wrong, else FAIL naming the problems first."""
        message = " | ".join(["; ".join(problems), summary]) if problems else summary
        return cls(name, not problems, message)


def prepared_site(*, base_url: str | None = None, **overrides: str) -> tuple[dict, str]:
    """A fresh drill database with the demo content, and the settings to serve it."""
    database_url = prepare_database(DRILL_DATABASE, fresh=True, base_url=base_url)
    flush_redis(DRILL_REDIS_DB)
    # No recycling after GUNICORN_MAX_REQUESTS: the drills count a replaced
    # worker as a crash, and at a few hundred requests a second the routine
    # replacement comes within a drill's half minute.
    overrides.setdefault("GUNICORN_MAX_REQUESTS", "0")
    env = site_env(
        database_url=database_url, redis_db=DRILL_REDIS_DB, port=free_port(), **overrides
    )
    setup_site(env)
    return env, database_url


@dataclass
class Stored:
    reference: str
    new_request_notifications: int
    notifications: int
    queued_tasks: int


def stored_requests(database_url: str) -> dict[str, Stored]:
    """Every stored request by submission key, with its notifications and queued tasks."""
    rows = query(
        database_url,
        """
        SELECT r.submission_key::text, r.reference,
               count(DISTINCT n.id) FILTER (WHERE n.kind = 'new_request'),
               count(DISTINCT n.id),
               count(DISTINCT t.id)
        FROM intake_intakerequest r
        LEFT JOIN intake_notification n ON n.intake_request_id = r.id
        LEFT JOIN django_tasks_database_dbtaskresult t
          ON t.task_path = 'intake.notifications.send_notification'
         AND (t.args_kwargs -> 'kwargs' ->> 'notification_id')::bigint = n.id
        GROUP BY r.id
        """,
    )
    return {key: Stored(ref, new, total, tasks) for key, ref, new, total, tasks in rows}


def confirmation_problems(posts: list[Post], stored: dict[str, Stored]) -> list[str]:
    """What does not add up between the confirmations visitors saw and the database.

    A post counts as confirmed once the site redirected it to the confirmation
    page (302): the site has then promised the request is safe. Where the
    visitor also read the confirmation page, the reference it showed must be the
    stored one.
    """
    problems = []
    confirmed = [p for p in posts if p.status == 302]
    missing = [p for p in confirmed if p.submission_key not in stored]
    if missing:
        problems.append(f"{len(missing)} confirmed request(s) not stored")
    wrong = [
        p
        for p in confirmed
        if p.reference
        and p.submission_key in stored
        and stored[p.submission_key].reference != p.reference
    ]
    if wrong:
        problems.append(f"{len(wrong)} confirmation page(s) showed another request's reference")
    shown = [p.reference for p in confirmed if p.reference]
    if len(shown) != len(set(shown)):
        problems.append(f"{len(shown) - len(set(shown))} reference(s) shown to two visitors")
    half = [key for key, row in stored.items() if row.new_request_notifications != 1]
    if half:
        problems.append(f"{len(half)} stored request(s) without exactly one practice notification")
    untasked = [key for key, row in stored.items() if row.queued_tasks != row.notifications]
    if untasked:
        problems.append(f"{len(untasked)} stored request(s) whose notifications were not queued")
    return problems


def status_counts(posts: list[Post]) -> str:
    counts: dict[str, int] = {}
    for post in posts:
        key = str(post.status) if post.status is not None else (post.error or "no answer")
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{key}: {value}" for key, value in sorted(counts.items()))


def report(verdict: Verdict) -> int:
    out(verdict.line())
    return 0 if verdict.ok else 1
