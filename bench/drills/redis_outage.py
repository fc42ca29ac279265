"""Drill "redis-outage": Redis stops for 10 seconds under a mix of reads and posts.

The shared Redis is never touched: the drill starts a redis-server of its own
on a free port (no persistence, as a restarted cache would be), and the site
keeps its sessions, rate limits and pages there. While 4 visitors post
requests (and read their confirmations) and 3 readers go round the home page,
an article, the list, the request form and /healthz, the drill stops that
Redis, waits 10 s and starts it again on the same port.

A visitor whose confirmation page does not show their reference (Redis went
away between the post and the confirmation, taking the session with it) does
what a person would: presses Send again with the same form, which must show
the same request's confirmation.

Pass: no answer of 500 or above; every request answered; every read answered
200, during the outage too; every post confirmed (redirected to the
confirmation, which showed its reference, at once or after Send again) is
stored, once, with its notification, and every stored post was confirmed; /healthz said "degraded"
during the outage and "ok" once Redis was back; pages are stored in Redis
again after it; the gunicorn master and workers are the same processes.
"""

import asyncio
import contextlib
import json
import shutil
import subprocess
import time

from common import (
    Verdict,
    confirmation_problems,
    prepared_site,
    report,
    status_counts,
    stored_requests,
)
from harness import (
    RESULTS,
    Response,
    Server,
    free_port,
    get_load,
    post_load,
    public_paths,
    stop_process_group,
)

NAME = "redis-outage"
DOWN_SECONDS = 10
BEFORE_SECONDS = 5
AFTER_SECONDS = 10


class DrillRedis:
    """A redis-server of the drill's own, in the foreground, that can be stopped and started."""

    def __init__(self, port: int):
        self.port = port
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        log = (RESULTS / "drill-redis-outage-redis.log").open("ab")
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            ping = subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
            )
            if ping.stdout.strip() == "PONG":
                return
            time.sleep(0.05)
        raise RuntimeError(f"the drill's redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        stop_process_group(self.proc, grace=10)

    def keys(self, database: int) -> int:
        result = subprocess.run(
            ["redis-cli", "-p", str(self.port), "-n", str(database), "dbsize"],
            capture_output=True,
            text=True,
        )
        return int(result.stdout.strip() or 0)


async def exercise(server: Server, redis: DrillRedis, reads: list[str]) -> dict:
    stop = asyncio.Event()
    times: dict[str, float] = {}
    history: list = []

    async def outage() -> None:
        await asyncio.sleep(BEFORE_SECONDS)
        await asyncio.to_thread(redis.stop)
        times["down"] = time.monotonic()
        await asyncio.sleep(DOWN_SECONDS)
        await asyncio.to_thread(redis.start)
        times["up"] = time.monotonic()
        await asyncio.sleep(AFTER_SECONDS)
        stop.set()

    posts, gets, _ = await asyncio.gather(
        post_load(
            server.port,
            clients=4,
            follow=True,
            email=False,
            stop=stop,
            history=history,
            resend=True,
        ),
        get_load(server.port, reads, clients=3, stop=stop),
        outage(),
    )
    return {"posts": posts, "gets": gets, "times": times, "history": history}


def health(response: Response) -> str:
    with contextlib.suppress(ValueError):
        return json.loads(response.text).get("status", "")
    return ""


def run() -> Verdict:
    if not shutil.which("redis-server") or not shutil.which("redis-cli"):
        return Verdict(NAME, False, "needs redis-server and redis-cli (apt-get install redis)")
    redis = DrillRedis(free_port())
    try:
        redis.start()
        env, database_url = prepared_site(
            CACHE_URL=f"redis://127.0.0.1:{redis.port}/0",
            PAGE_CACHE_URL=f"redis://127.0.0.1:{redis.port}/1",
        )
        found = public_paths(database_url)
        reads = ["/", found["article"], "/articles/", "/request/", "/healthz"]
        with Server(env, name="drill-redis-outage") as server:
            master, workers = server.pid, server.worker_pids()
            result = asyncio.run(exercise(server, redis, reads))
            master_after, workers_after = server.pid, server.worker_pids()
            alive = server.proc.poll() is None
            pages_after = redis.keys(1)
        stored = stored_requests(database_url)
    finally:
        redis.stop()

    posts, gets, times = result["posts"], result["gets"], result["times"]
    everything = result["history"] + gets
    answers = [r for r in everything if isinstance(r, Response)]
    unanswered = [r for r in everything if not isinstance(r, Response)]
    problems = confirmation_problems(posts, stored)

    errors: dict[str, int] = {}
    for answer in answers:
        if answer.status >= 500:
            key = f"{answer.path} {answer.status}"
            errors[key] = errors.get(key, 0) + 1
    if errors:
        problems.append("5xx: " + ", ".join(f"{n} x {key}" for key, n in sorted(errors.items())))
    if unanswered:
        problems.append(f"{len(unanswered)} request(s) without an answer")
    bad_reads = [r for r in gets if isinstance(r, Response) and r.status != 200]
    if bad_reads:
        problems.append(f"{len(bad_reads)} read(s) not answered 200")

    resent = [p for p in posts if p.resent is not None]
    confirmed = {p.submission_key for p in posts if p.status == 302 and p.confirmed}
    confirmed |= {p.submission_key for p in resent if p.resent.confirmed}
    unconfirmed = [key for key in stored if key not in confirmed]
    if unconfirmed:
        problems.append(f"{len(unconfirmed)} stored request(s) never confirmed to their sender")
    lost = [p for p in resent if not p.resent.confirmed]
    if lost:
        problems.append(f"{len(lost)} confirmation(s) not shown even after Send again")
    wrong = [
        p
        for p in resent
        if p.resent.confirmed
        and (
            p.submission_key not in stored
            or stored[p.submission_key].reference != p.resent.reference
        )
    ]
    if wrong:
        problems.append(f"{len(wrong)} Send again showed another request's reference")

    def answered_at(response: Response) -> float:
        return response.started + response.elapsed

    during = [r for r in gets if isinstance(r, Response) and times["down"] <= answered_at(r)]
    during = [r for r in during if answered_at(r) <= times["up"]]
    during_posts = [p for p in posts if times["down"] <= p.started <= times["up"]]
    if not during:
        problems.append("no read was answered during the outage")
    if not any(p.confirmed for p in during_posts):
        problems.append("no post was confirmed during the outage")
    if not any(p.confirmed and p.started > times["up"] for p in posts):
        problems.append("no post confirmed after Redis came back")
    checks = [
        (answered_at(r), health(r))
        for r in gets
        if isinstance(r, Response) and r.path == "GET /healthz" and r.status == 200
    ]
    said_degraded = [s for at, s in checks if times["down"] + 1 <= at <= times["up"]]
    if "degraded" not in said_degraded or "ok" in said_degraded:
        problems.append(f"/healthz during the outage said {sorted(set(said_degraded))}")
    last = [s for at, s in checks if at > times["up"] + 2]
    if not last or last[-1] != "ok":
        problems.append(f"/healthz after the outage said {last[-1:] or 'nothing'}")
    if pages_after == 0:
        problems.append("no page stored in Redis after it came back")
    if (master, workers) != (master_after, workers_after) or not alive:
        problems.append(f"gunicorn restarted: {master} {workers} -> {master_after} {workers_after}")

    summary = (
        f"redis-server on port {redis.port} stopped {DOWN_SECONDS} s; posts {status_counts(posts)} "
        f"({len(during_posts)} during the outage, "
        f"{sum(1 for p in during_posts if p.confirmed)} confirmed); "
        f"{len(gets)} reads ({len(during)} during the outage, all 200: {not bad_reads}); "
        f"{len(stored)} stored, {len(confirmed)} confirmed ({len(resent)} after Send again); "
        f"/healthz degraded "
        f"{said_degraded.count('degraded')} times; {pages_after} keys in the page cache "
        f"afterwards; master {master} workers {workers} -> {master_after} {workers_after}"
    )
    return Verdict.from_problems(NAME, problems, summary)


if __name__ == "__main__":
    raise SystemExit(report(run()))
