"""Drill "database-restart": PostgreSQL stops for 10 seconds under a mix of reads and posts.

The machine's main cluster is never touched: the drill makes a throwaway
cluster of its own (`pg_createcluster <version> benchdrill`, trust on loopback,
a free port; needs root, as everything here runs), serves the site from it, and
while 6 visitors post requests and 3 readers go round the home page, an
article, the list, the request form and /healthz, it runs
`pg_ctlcluster … stop -m fast`, waits 10 s and starts it again. The cluster is
dropped at the end, whatever happened.

Pass: no 500 (or other 5xx than 503), every 503 has Retry-After, no request
left without an answer; every post redirected to the confirmation is stored,
with its notification (nothing half-stored); no failure later than 5 s after
the database is back; the gunicorn master and workers are the same processes.
"""

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

from common import (
    Verdict,
    confirmation_problems,
    prepared_site,
    report,
    status_counts,
    stored_requests,
)
from harness import Response, Server, free_port, get_load, post_load, public_paths

NAME = "database-restart"
CLUSTER = "benchdrill"
DOWN_SECONDS = 10
BEFORE_SECONDS = 5
AFTER_SECONDS = 12
RECOVERY_LIMIT = 5.0


def postgres_version() -> str:
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: float(p.name))
    return versions[-1].name


def ctl(version: str, action: str, *extra: str) -> None:
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, action, *extra],
        check=True,
        capture_output=True,
        timeout=60,
    )


def wait_ready(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = subprocess.run(
            ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)], check=False
        )
        if ready.returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError(f"the drill cluster did not accept connections on {port}")


def drop_cluster(version: str) -> None:
    if (Path("/etc/postgresql") / version / CLUSTER).exists():
        subprocess.run(
            ["pg_dropcluster", "--stop", version, CLUSTER],
            check=False,
            capture_output=True,
            timeout=120,
        )


def create_cluster(version: str) -> int:
    drop_cluster(version)  # left over from an interrupted run
    port = free_port()
    subprocess.run(
        ["pg_createcluster", version, CLUSTER, "-p", str(port)],
        check=True,
        capture_output=True,
        timeout=120,
    )
    hba = Path("/etc/postgresql") / version / CLUSTER / "pg_hba.conf"
    hba.write_text(
        "# The bench's throwaway drill cluster: trust on loopback only.\n"
        "local all all trust\n"
        "host all all 127.0.0.1/32 trust\n"
        "host all all ::1/128 trust\n"
    )
    ctl(version, "start")
    wait_ready(port)
    return port


async def exercise(server: Server, version: str, reads: list[str]) -> dict:
    stop = asyncio.Event()
    times: dict[str, float] = {}
    history: list = []

    async def outage() -> None:
        await asyncio.sleep(BEFORE_SECONDS)
        times["stopping"] = time.monotonic()
        await asyncio.to_thread(ctl, version, "stop", "-m", "fast")
        times["down"] = time.monotonic()
        await asyncio.sleep(DOWN_SECONDS)
        await asyncio.to_thread(ctl, version, "start")
        times["up"] = time.monotonic()
        await asyncio.sleep(AFTER_SECONDS)
        stop.set()

    posts, gets, _ = await asyncio.gather(
        post_load(server.port, clients=6, follow=True, email=False, stop=stop, history=history),
        get_load(server.port, reads, clients=3, stop=stop),
        outage(),
    )
    return {"posts": posts, "gets": gets, "times": times, "history": history}


def run() -> Verdict:
    if os.geteuid() != 0 or not shutil.which("pg_createcluster"):
        return Verdict(NAME, False, "needs root and pg_createcluster (postgresql-common)")
    version = postgres_version()
    try:
        port = create_cluster(version)
        env, database_url = prepared_site(base_url=f"postgres://postgres@127.0.0.1:{port}/postgres")
        found = public_paths(database_url)
        reads = ["/", found["article"], "/articles/", "/request/", "/healthz"]
        with Server(env, name="drill-database-restart") as server:
            master, workers = server.pid, server.worker_pids()
            result = asyncio.run(exercise(server, version, reads))
            master_after, workers_after = server.pid, server.worker_pids()
            alive = server.proc.poll() is None
        stored = stored_requests(database_url)
    finally:
        drop_cluster(version)

    posts, gets, times = result["posts"], result["gets"], result["times"]
    history = result["history"]
    problems = confirmation_problems(posts, stored)
    # (time answered, status, Retry-After, what) for everything that got an answer:
    # the visitors' form reads, posts and confirmation pages, and the readers' GETs.
    everything = history + gets
    answers = [
        (r.started + r.elapsed, r.status, r.header("Retry-After"), r.path)
        for r in everything
        if isinstance(r, Response)
    ]
    unanswered = [r[0] for r in everything if not isinstance(r, Response)]
    five_hundreds = [a for a in answers if a[1] >= 500 and a[1] != 503]
    # /healthz tells the load balancer, not a person: its 503 is counted apart.
    no_retry_after = [a for a in answers if a[1] == 503 and not a[2] and a[3] != "GET /healthz"]
    health_503 = sum(1 for a in answers if a[1] == 503 and a[3] == "GET /healthz")
    health_retry = sum(1 for a in answers if a[1] == 503 and a[3] == "GET /healthz" and a[2])
    if five_hundreds:
        where: dict[str, int] = {}
        for answer in five_hundreds:
            key = f"{answer[3]} {answer[1]}"
            where[key] = where.get(key, 0) + 1
        problems.append(
            "5xx other than 503: " + ", ".join(f"{n} x {key}" for key, n in sorted(where.items()))
        )
    if no_retry_after:
        problems.append(f"{len(no_retry_after)} 503 without Retry-After")
    if unanswered:
        problems.append(f"{len(unanswered)} request(s) without an answer")
    failures = [a[0] for a in answers if a[1] >= 500] + unanswered
    last_failure = max(failures, default=times["stopping"])
    recovered_in = max(0.0, last_failure - times["up"])
    if recovered_in > RECOVERY_LIMIT:
        problems.append(f"failures went on {recovered_in:.1f} s after the database came back")
    if not any(p.status == 302 and p.started > times["up"] for p in posts):
        problems.append("no post confirmed after the database came back")
    if (master, workers) != (master_after, workers_after) or not alive:
        problems.append(f"gunicorn restarted: {master} {workers} -> {master_after} {workers_after}")
    during = [a for a in answers if times["down"] <= a[0] <= times["up"]]
    served = sum(1 for a in during if a[1] < 500)
    outage_503 = sum(1 for a in during if a[1] == 503)
    summary = (
        f"PostgreSQL {version} cluster '{CLUSTER}' stopped {DOWN_SECONDS} s; "
        f"posts {status_counts(posts)}; {len(gets)} reads; during the outage {served} answered "
        f"below 500 (cached pages) and {outage_503} with 503; /healthz said 503 {health_503} "
        f"times ({health_retry} with Retry-After); last failure {recovered_in:.1f} s after the "
        f"database was back; {len(stored)} stored; master {master} workers {workers} -> "
        f"{master_after} {workers_after}"
    )
    return Verdict.from_problems(NAME, problems, summary)


if __name__ == "__main__":
    raise SystemExit(report(run()))
