"""Does a page slow down as articles accumulate? Uncached times with 50 and 10,000 articles.

Sets up its own database (practice_bench_growth), runs the site with
PAGE_CACHE_SECONDS=0 (every request renders), times the list page, a topic
page, three searches (one word; four words with synonyms; a misspelt word,
which asks the trigram word list), the sitemap index and the first sitemap page
with 50 published articles, adds articles up to 10,000 (bench/make_articles.py),
runs VACUUM ANALYZE as autovacuum would, and times them again. Prints the ratios 10,000 / 50
(target: 1.5 or less) and the queries per page.

    .venv/bin/python bench/growth.py [--samples 40] [--large 10000]
"""

import argparse
import http.client
import statistics
import subprocess
import time

from harness import (
    PYTHON,
    ROOT,
    Server,
    flush_redis,
    free_port,
    out,
    percentile,
    prepare_database,
    query,
    run_queries_report,
    setup_site,
    site_env,
)

TARGET = 1.5


def time_get(port: int, path: str) -> tuple[float, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    started = time.perf_counter()
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        response.read()
        return (time.perf_counter() - started) * 1000, response.status
    finally:
        conn.close()


def measure(port: int, path: str, samples: int, budget: float) -> dict:
    """p50 and p90 of up to `samples` sequential requests after two warm-up ones,
    stopping early (with at least three) once `budget` seconds are spent: a page
    that takes seconds would otherwise hold the run for many minutes."""
    deadline = time.monotonic() + budget
    for _ in range(2):
        time_get(port, path)
    timings, statuses = [], set()
    while len(timings) < samples and (len(timings) < 3 or time.monotonic() < deadline):
        ms, status = time_get(port, path)
        timings.append(ms)
        statuses.add(status)
    return {
        "p50": statistics.median(timings),
        "p90": percentile(timings, 0.9),
        "n": len(timings),
        "statuses": sorted(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--samples", type=int, default=40, help="timed requests per page (40)")
    parser.add_argument(
        "--budget", type=float, default=30, help="seconds at most per page and size (30)"
    )
    parser.add_argument("--redis-db", type=int, default=7)
    args = parser.parse_args()

    database_url = prepare_database("practice_bench_growth", fresh=True)
    flush_redis(args.redis_db)
    port = free_port()
    env = site_env(
        database_url=database_url, redis_db=args.redis_db, port=port, PAGE_CACHE_SECONDS="0"
    )
    out("setting up: migrate, collectstatic, load_demo_content ...")
    setup_site(env)
    # The same topic at both sizes: the demo's biggest.
    topic = query(
        database_url,
        "SELECT t.slug FROM articles_topic t JOIN articles_article_topics at "
        "ON at.topic_id = t.id GROUP BY t.slug ORDER BY count(*) DESC, t.slug LIMIT 1",
    )[0][0]
    paths = {
        "list": "/articles/",
        "topic": f"/articles/topic/{topic}/",
        "search": "/articles/?q=partner",
        # Synonyms for four words (partner, won't, come, therapy), and a misspelt
        # word: nothing matches, so the word list is asked for a correction.
        "search-words": "/articles/?q=partner+wont+come+to+therapy",
        "search-typo": "/articles/?q=therpy",
        "sitemap-index": "/sitemap.xml",
        "sitemap-page-1": "/sitemap-articles.xml",
        "list-last-page": "/articles/?page=last",
    }
    results: dict[int, dict] = {}
    queries: dict[int, dict] = {}
    try:
        for size in (args.small, args.large):
            out(f"adding articles up to {size} ...")
            made = subprocess.run(
                [PYTHON, str(ROOT / "bench" / "make_articles.py"), "--total", str(size)],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
            )
            if made.returncode != 0:
                raise SystemExit(made.stderr[-3000:])
            out("  " + made.stdout.strip())
            query(database_url, "VACUUM ANALYZE")
            flush_redis(args.redis_db)
            with Server(env, name=f"growth-{size}") as server:
                results[size] = {
                    name: measure(server.port, path, args.samples, args.budget)
                    for name, path in paths.items()
                }
            queries[size] = run_queries_report(env, paths)
    finally:
        flush_redis(args.redis_db)

    small, large = args.small, args.large
    out("")
    out(f"uncached response times (PAGE_CACHE_SECONDS=0), {args.samples} sequential requests")
    header = (
        f"{'page':<15} {f'p50 @{small}':>10} {f'p50 @{large}':>11} {'ratio':>6} "
        f"{f'p90 @{small}':>10} {f'p90 @{large}':>11} {'queries':>9}  verdict"
    )
    out(header)
    out("-" * len(header))
    for name in paths:
        a, b = results[small][name], results[large][name]
        ratio = b["p50"] / a["p50"]
        q_small = queries.get(small, {}).get(name, {}).get("miss", "?")
        q_large = queries.get(large, {}).get(name, {}).get("miss", "?")
        statuses = set(a["statuses"]) | set(b["statuses"])
        note = "" if statuses == {200} else f" statuses {sorted(statuses)}"
        if b["n"] < args.samples:
            note += f" ({b['n']} samples)"
        informative = name in ("sitemap-page-1", "list-last-page")
        verdict = "info" if informative else ("ok" if ratio <= TARGET else "MISS")
        out(
            f"{name:<15} {a['p50']:>10.1f} {b['p50']:>11.1f} {ratio:>6.2f} "
            f"{a['p90']:>10.1f} {b['p90']:>11.1f} {f'{q_small}->{q_large}':>9}  {verdict}{note}"
        )
    out("")
    out(
        f"ratio = p50 with {large} articles / p50 with {small} (target <= {TARGET}); times in ms. "
        "sitemap-page-1 holds up to 5,000 URLs, so it grows by design (info only); "
        "list-last-page is the deepest page of the list (info only)."
    )


if __name__ == "__main__":
    main()
