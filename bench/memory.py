"""Does a worker's memory settle? Its RSS after about 1,000 and 20,000 requests.

Runs the site with GUNICORN_MAX_REQUESTS=0 (workers are never recycled) on its
own database, sends a mix of every page (cached and uncached GETs, and a
request POST in ten) with 8 concurrent connections, and reads each worker's
VmRSS from /proc at checkpoints. Two workers share the load, so "requests per
worker" is the total divided by two. Target: within 10% between 1,000 and 20,000.

    .venv/bin/python bench/memory.py [--per-worker 20000]
"""

import argparse
import asyncio
import itertools

from harness import (
    Server,
    Visitor,
    fetch,
    flush_redis,
    free_port,
    load_form,
    make_partner_token,
    out,
    post_request,
    prepare_database,
    public_paths,
    rss_kib,
    setup_site,
    site_env,
    static_css_path,
)

TARGET_PERCENT = 10.0


async def drive(port: int, paths: list[str], total: int, connections: int) -> dict[str, int]:
    """Send `total` requests (one in ten a request POST); count outcomes."""
    counter = itertools.count()
    outcomes = {"ok": 0, "bad": 0, "error": 0}

    async def connection() -> None:
        visitor = Visitor(port)
        form = None
        while (n := next(counter)) < total:
            try:
                if n % 10 == 9:
                    if form is None:
                        form = await load_form(visitor)
                    record = await post_request(visitor, form, follow=False)
                    status = record.status
                else:
                    status = (await fetch(port, "GET", paths[n % len(paths)])).status
            except Exception:
                status = None
            if status is None:
                outcomes["error"] += 1
            elif 200 <= status < 400:
                outcomes["ok"] += 1
            else:
                outcomes["bad"] += 1

    await asyncio.gather(*(connection() for _ in range(connections)))
    return outcomes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", type=int, default=1000, help="requests per worker (1000)")
    parser.add_argument("--per-worker", type=int, default=20_000, help="requests per worker")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--redis-db", type=int, default=7)
    args = parser.parse_args()

    database_url = prepare_database("practice_bench_memory", fresh=True)
    flush_redis(args.redis_db)
    port = free_port()
    env = site_env(
        database_url=database_url, redis_db=args.redis_db, port=port, GUNICORN_MAX_REQUESTS="0"
    )
    out("setting up: migrate, collectstatic, load_demo_content ...")
    setup_site(env)
    found = public_paths(database_url)
    paths = [
        static_css_path(),
        "/",
        "/articles/",
        found["article"],
        found["topic"],
        "/articles/?q=partner",
        "/articles/feed/",
        "/sitemap.xml",
        "/request/",
    ]
    checkpoints = sorted({args.first, 5000, 10_000, args.per_worker})
    checkpoints = [c for c in checkpoints if c <= args.per_worker]
    rows = []
    try:
        with Server(env, name="memory") as server:
            token = asyncio.run(make_partner_token(port))
            paths.append(f"/request/partner/{token}/")
            workers = server.worker_pids()
            sent = 0
            totals = {"ok": 0, "bad": 0, "error": 0}
            for checkpoint in checkpoints:
                target = checkpoint * len(workers)
                outcome = asyncio.run(drive(port, paths, target - sent, args.connections))
                for key, value in outcome.items():
                    totals[key] += value
                sent = target
                alive = server.worker_pids()
                if alive != workers:
                    raise SystemExit(f"workers changed during the run: {workers} -> {alive}")
                rows.append((checkpoint, [rss_kib(pid) for pid in workers]))
                out(f"  {checkpoint} requests per worker: RSS {rows[-1][1]} KiB")
    finally:
        flush_redis(args.redis_db)

    out("")
    header = (
        f"{'requests/worker':>15} "
        + " ".join(f"{f'worker {i + 1} MiB':>13}" for i in range(len(workers)))
        + f" {'change vs first':>16}"
    )
    out(header)
    out("-" * len(header))
    first = rows[0][1]
    worst = 0.0
    for checkpoint, sizes in rows:
        changes = [(size - base) / base * 100 for size, base in zip(sizes, first, strict=True)]
        worst = max(worst, *(abs(c) for c in changes))
        out(
            f"{checkpoint:>15} "
            + " ".join(f"{size / 1024:>13.1f}" for size in sizes)
            + f" {', '.join(f'{c:+.1f}%' for c in changes):>16}"
        )
    out("")
    out(
        f"responses: {totals['ok']} ok, {totals['bad']} outside 2xx/3xx, {totals['error']} "
        f"without an answer; one request in ten was a request POST"
    )
    verdict = "ok" if worst <= TARGET_PERCENT else "MISS"
    out(
        f"largest change from {args.first} to {args.per_worker} requests per worker: "
        f"{worst:.1f}% (target within {TARGET_PERCENT:.0f}%) {verdict}"
    )


if __name__ == "__main__":
    main()
