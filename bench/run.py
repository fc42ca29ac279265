"""`make bench`: the site as production runs it, measured page by page.

Starts gunicorn (practice/gunicorn.conf.py, 2 workers, production settings,
PostgreSQL, Redis) on a free loopback port with the demo content, drives each
page with wrk (GETs) or with the asyncio client in harness.py (request posts),
and prints one table. Throughput is also given as a ratio to a static file
served by the same server in the same run: the machines are shared and noisy,
ratios are what to compare. See bench/README.md.

With BENCH_PROXY=1 every request goes through nginx over HTTPS, as in
production (deploy/nginx/practice.conf, bench/nginx.py), and the static file is
nginx's.

    .venv/bin/python bench/run.py [--duration 10] [--connections 8] [--only home,article]
"""

import argparse
import asyncio
import contextlib
import datetime
import os
import platform
import time
from dataclasses import dataclass

from harness import (
    RESULTS,
    Endpoint,
    Measured,
    Server,
    count_rows,
    database_name,
    flush_redis,
    free_port,
    make_partner_token,
    out,
    page_cache_miss_script,
    post_load,
    prepare_database,
    public_paths,
    require_wrk,
    run_queries_report,
    run_wrk,
    setup_site,
    site_env,
    static_css_path,
    summarise_posts,
)
from nginx import SITE_NAME, Nginx, two_free_ports

WORKERS = 2  # practice/gunicorn.conf.py

# name: (what it is, target as text, kind of target)
PAGES = {
    "static": ("css/site.css via WhiteNoise", "the yardstick", None),
    "home": ("home page", ">=0.90, p99<50ms", "public"),
    "list": ("article list", ">=0.90, p99<50ms", "public"),
    "article": ("an article", ">=0.90, p99<50ms", "public"),
    "article-miss": ("an article, cache miss", "p50<10ms, <=4 queries", "miss"),
    "topic": ("a topic page", ">=0.90, p99<50ms", "public"),
    "search": ("search ?q=partner", ">=0.90, p99<50ms", "public"),
    "feed": ("RSS feed", ">=0.90, p99<50ms", "public"),
    "sitemap": ("sitemap.xml", ">=0.90, p99<50ms", "public"),
    "form": ("request form GET", ">=0.50", "form"),
    "partner": ("partner page GET", ">=0.50 (as the form)", "form"),
    "post": ("request POST", ">=150 stored/s, p99<300ms", "post"),
}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per page (10)")
    parser.add_argument("--warmup", type=float, default=2, help="warm-up seconds per page (2)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument(
        "--only",
        default="",
        help=f"comma-separated pages (the static file is always measured): {','.join(PAGES)}",
    )
    parser.add_argument("--redis-db", type=int, default=7, help="Redis database, flushed (7)")
    parser.add_argument("--no-queries", action="store_true", help="skip the query counts")
    args = parser.parse_args()
    selected = [name for name in args.only.split(",") if name] or list(PAGES)
    unknown = set(selected) - set(PAGES)
    if unknown:
        parser.error(f"unknown page(s): {', '.join(sorted(unknown))}")
    args.pages = [name for name in PAGES if name in selected and name != "static"]
    return args


def machine() -> str:
    memory = ""
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return f"{os.cpu_count()} cores, {memory}, {platform.platform(terse=True)}"


@dataclass
class Front:
    """What the load generators talk to: gunicorn itself, or nginx in front of it."""

    base: str  # for wrk
    target: int | Endpoint  # for the asyncio client


def measure_get(front: Front, path: str, args, *, script=None, connections=None) -> Measured:
    url = front.base + path
    connections = connections or args.connections
    if args.warmup > 0:
        run_wrk(url, duration=args.warmup, connections=connections, script=script)
    return run_wrk(url, duration=args.duration, connections=connections, script=script)


def measure_posts(front: Front, database_url: str, args) -> Measured:
    if args.warmup > 0:
        asyncio.run(post_load(front.target, clients=args.connections, duration=args.warmup))
    before = count_rows(database_url, "intake_intakerequest")
    started = time.monotonic()
    posts = asyncio.run(post_load(front.target, clients=args.connections, duration=args.duration))
    seconds = time.monotonic() - started
    stored = count_rows(database_url, "intake_intakerequest") - before
    measured = summarise_posts(posts, seconds)
    measured.extra["stored"] = stored
    measured.extra["stored_per_s"] = stored / seconds
    return measured


def verdict(name: str, row: Measured, ratio: float, queries: dict) -> str:
    kind = PAGES[name][2]
    if kind is None:
        return ""
    failures = row.bad + row.errors
    if kind == "public":
        ok = ratio >= 0.9 and row.p99_ms < 50
    elif kind == "form":
        ok = ratio >= 0.5
    elif kind == "miss":
        ok = row.p50_ms < 10 and queries.get("article-miss", {}).get("miss", 99) <= 4
    else:
        ok = row.extra.get("stored_per_s", 0) >= 150 and row.p99_ms < 300
    return "ok" if ok and not failures else "MISS"


def print_table(rows: dict[str, Measured], yardstick: float, queries: dict) -> None:
    header = (
        f"{'page':<13} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2/3xx':>9} "
        f"{'errors':>6} {'ratio':>6} {'queries':>7}  {'target':<26} verdict"
    )
    out(header)
    out("-" * len(header))
    for name, row in rows.items():
        ratio = row.rps / yardstick if yardstick else float("nan")
        label = name
        query_name = name.removesuffix("-end")
        counts = queries.get(query_name)
        if counts is None:
            query_text = "-"
        elif name in ("article-miss", "form", "partner", "post"):
            query_text = str(counts["miss"])
        else:
            query_text = f"{counts['miss']}/{counts['hit']}"
        target = PAGES.get(name.removesuffix("-end"), ("", "", None))[1]
        out(
            f"{label:<13} {row.rps:>8.0f} {row.p50_ms:>8.2f} {row.p99_ms:>8.2f} {row.bad:>9} "
            f"{row.errors:>6} {ratio:>6.2f} {query_text:>7}  {target:<26} "
            f"{verdict(name, row, ratio, queries) if name in PAGES else ''}"
        )


def main() -> None:
    args = parse_args()
    proxy = os.environ.get("BENCH_PROXY", "") not in ("", "0")
    require_wrk()
    started_at = datetime.datetime.now().astimezone()
    out(f"bench/run.py {started_at:%Y-%m-%d %H:%M %Z} on {machine()}")
    out(
        f"{args.duration:.0f} s per page after {args.warmup:.0f} s warm-up, "
        f"{args.connections} connections; gunicorn 2 sync workers; PostgreSQL; Redis db "
        f"{args.redis_db}" + ("; through nginx over HTTPS (BENCH_PROXY)" if proxy else "")
    )

    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        url = os.environ["DATABASE_URL"]
        database_url = prepare_database(database_name(url), fresh=False, base_url=url)
    else:
        database_url = prepare_database("practice_bench", fresh=True)
    flush_redis(args.redis_db)
    port = free_port()
    https_port, http_port = two_free_ports()
    behind_proxy = {
        "DJANGO_ALLOWED_HOSTS": f"{SITE_NAME},127.0.0.1",
        "SITE_URL": f"https://{SITE_NAME}:{https_port}",
        "TRUSTED_PROXY_COUNT": "1",
    }
    env = site_env(
        database_url=database_url,
        redis_db=args.redis_db,
        port=port,
        **(behind_proxy if proxy else {}),
    )
    out("setting up: migrate, collectstatic, load_demo_content ...")
    setup_site(env)

    paths = public_paths(database_url)
    paths.update(
        static=static_css_path(),
        home="/",
        list="/articles/",
        search="/articles/?q=partner",
        feed="/articles/feed/",
        sitemap="/sitemap.xml",
        form="/request/",
    )
    rows: dict[str, Measured] = {}
    try:
        nginx = (
            Nginx(
                gunicorn_port=port,
                https_port=https_port,
                http_port=http_port,
                media_root=RESULTS / "bench-media",
                admin_url=env.get("ADMIN_URL", "admin/"),
                name="bench",
            )
            if proxy
            else contextlib.nullcontext()
        )
        with Server(env, name="bench") as server, nginx:
            out(f"gunicorn master {server.pid}, workers {server.worker_pids()}, port {port}")
            if proxy:
                front = Front(f"https://{SITE_NAME}:{https_port}", nginx.endpoint())
                out(f"nginx on port {https_port}, {nginx.run_dir}")
            else:
                front = Front(server.base, server.port)
            if "partner" in args.pages:
                token = asyncio.run(make_partner_token(front.target))
                paths["partner"] = f"/request/partner/{token}/"
            rows["static"] = measure_get(front, paths["static"], args)
            for name in args.pages:
                out(f"  measuring {name} ...")
                if name == "post":
                    rows[name] = measure_posts(front, database_url, args)
                elif name == "article-miss":
                    # One connection per worker: p50 is then the time the page
                    # itself takes, not time spent queueing behind other misses.
                    script = page_cache_miss_script(paths["article"])
                    rows[name] = measure_get(
                        front, paths["article"], args, script=script, connections=WORKERS
                    )
                else:
                    rows[name] = measure_get(front, paths[name], args)
            rows["static-end"] = measure_get(front, paths["static"], args)
    finally:
        flush_redis(args.redis_db)

    queries = {}
    if not args.no_queries:
        wanted = {
            name: paths[name] for name in ["home", *args.pages] if name in paths and name != "post"
        }
        if "post" in args.pages:
            wanted["post"] = paths["form"]
        if "article-miss" in args.pages:
            wanted["article-miss"] = paths["article"]
        queries = run_queries_report(env, wanted)

    yardstick = (rows["static"].rps + rows["static-end"].rps) / 2
    out("")
    print_table(rows, yardstick, queries)
    out("")
    out(
        f"ratio = page req/s / static file req/s ({'served by nginx' if proxy else 'WhiteNoise'}; "
        f"mean of the first and last static runs, "
        f"{yardstick:.0f}/s); queries = cache miss/hit (one number: never cached)"
    )
    if "post" in rows:
        post = rows["post"]
        out(
            f"request POST: {post.extra['stored']} requests stored in {post.seconds:.1f} s = "
            f"{post.extra['stored_per_s']:.0f} stored/s ({post.rps:.0f} responses/s)"
        )


if __name__ == "__main__":
    main()
