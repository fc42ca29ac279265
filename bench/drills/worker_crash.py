"""Drill "worker-crash": a gunicorn worker is killed with SIGKILL under load.

Twelve visitors post requests for 12 seconds; 4 seconds in, one worker gets
SIGKILL. The posts it was handling get no answer, as they would behind a real
proxy. Each visitor then sends every unanswered post again with the same form
(the same submission key), as a person pressing the button again would.

Pass: every post that was confirmed is stored, exactly once; every retried post
is confirmed and stored once (no duplicate from the retry); no 5xx; the master
replaced the worker and posts succeeded after the kill.
"""

import asyncio
import os
import signal
import time

from common import (
    Verdict,
    confirmation_problems,
    prepared_site,
    report,
    status_counts,
    stored_requests,
)
from harness import Server, Visitor, load_form, post_load, post_request, query

NAME = "worker-crash"
CLIENTS = 12
SECONDS = 12
KILL_AFTER = 4


async def load_and_kill(server: Server) -> tuple[list, int, float]:
    async def kill() -> tuple[int, float]:
        await asyncio.sleep(KILL_AFTER)
        victim = server.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        return victim, time.monotonic()

    posts, (victim, killed_at) = await asyncio.gather(
        post_load(server.port, clients=CLIENTS, duration=SECONDS, follow=True, email=False),
        kill(),
    )
    return posts, victim, killed_at


async def resend(port: int, keys: list[str]) -> list:
    """Send each unanswered post again with its own submission key."""
    records = []
    for key in keys:
        visitor = Visitor(port)
        form = await load_form(visitor)
        records.append(
            await post_request(visitor, form, follow=True, email=False, submission_key=key)
        )
    return records


def run() -> Verdict:
    env, database_url = prepared_site()
    problems = []
    with Server(env, name="drill-worker-crash") as server:
        master = server.pid
        before = server.worker_pids()
        posts, victim, killed_at = asyncio.run(load_and_kill(server))
        after = server.wait_for_workers()
        unanswered = [p for p in posts if p.status is None or p.status >= 500]
        retried = asyncio.run(resend(server.port, [p.submission_key for p in unanswered]))
        if server.pid != master or server.proc.poll() is not None:
            problems.append("the gunicorn master did not survive")
    if victim in after or len(after) != len(before):
        problems.append(f"workers before {before}, after {after}: the killed one not replaced")
    stored = stored_requests(database_url)
    problems += confirmation_problems(posts + retried, stored)
    not_confirmed = [r for r in retried if r.status != 302]
    if not_confirmed:
        problems.append(f"{len(not_confirmed)} resent post(s) not confirmed")
    duplicates = query(
        database_url,
        "SELECT count(*) - count(DISTINCT submission_key) FROM intake_intakerequest",
    )[0][0]
    if duplicates:
        problems.append(f"{duplicates} duplicate request(s)")
    server_errors = [p for p in posts + retried if p.status is not None and p.status >= 500]
    if server_errors:
        problems.append(f"{len(server_errors)} 5xx")
    after_kill = [p for p in posts if p.started > killed_at + 1 and p.status == 302]
    if not after_kill:
        problems.append("no post succeeded after the kill")
    summary = (
        f"killed worker {victim}; {len(posts)} posts ({status_counts(posts)}), "
        f"{len(unanswered)} lost in flight and resent with the same key: "
        f"{sum(1 for r in retried if r.status == 302)} confirmed; {len(stored)} stored; "
        f"{len(after_kill)} confirmed after the kill; workers {before} -> {after}"
    )
    return Verdict.from_problems(NAME, problems, summary)


if __name__ == "__main__":
    raise SystemExit(report(run()))
