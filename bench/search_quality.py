"""How well the article search answers what readers type: recall@3 and MRR, per database.

Loads the demo content into a fresh database of each kind (PostgreSQL
`practice_bench_search` on the server of DATABASE_URL or the local one, and a
new SQLite file in bench/results/), asks the search every query of
bench/search_queries.toml as the search page does (articles.search.find:
synonyms, spelling correction and partial matches included), and compares the
first three articles with the ones a clinician expected there. The English
queries (`[[query]]`) search the English site's articles, the Spanish ones
(`[[query_es]]`) the Spanish site's, with Spanish active, as /es/articles/ does.

- recall@3: the share of the expected articles found in the first three,
  averaged over the queries;
- MRR (mean reciprocal rank): 1 / the position of the first expected article
  (0 when none is in the first ten), averaged.

    .venv/bin/python bench/search_quality.py [--only postgresql|sqlite] [--misses] [--database NAME]
"""

import argparse
import io
import json
import os
import secrets
import subprocess
import sys
import tomllib

from harness import PYTHON, RESULTS, ROOT, out, prepare_database

QUERIES = ROOT / "bench" / "search_queries.toml"
TARGETS = {"postgresql": 0.9, "sqlite": 0.8}  # recall@3 (issue 14)
# Each site's queries: the table of search_queries.toml, and its target.
LANGUAGES = {"en": ("query", TARGETS), "es": ("query_es", {"postgresql": 0.8, "sqlite": 0.8})}
DEPTH = 10  # results read per query, for the reciprocal rank


def judged() -> dict[str, list[dict]]:
    """The judged queries of each language."""
    tables = tomllib.loads(QUERIES.read_text(encoding="utf-8"))
    return {language: tables[table] for language, (table, _) in LANGUAGES.items()}


def measure() -> None:
    """In a child process with DATABASE_URL set: set up, search, print JSON."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practice.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import translation

    from articles import search
    from articles.models import SEARCH_RESULTS_MAX, Article

    call_command("migrate", verbosity=0)
    call_command("load_demo_content", stdout=io.StringIO())
    results = {}
    for language, entries in judged().items():
        with translation.override(language):
            # As each site searches: its own language's articles only.
            published = Article.objects.published().in_language()
            slugs = dict(published.values_list("pk", "slug"))
            results[language] = []
            for entry in entries:
                found = search.find(published, entry["q"], limit=SEARCH_RESULTS_MAX)
                results[language].append(
                    {
                        "q": entry["q"],
                        "expect": entry["expect"],
                        "got": [slugs[pk] for pk in found.ids[:DEPTH]],
                        "corrected": found.corrected,
                    }
                )
    sys.stdout.write(json.dumps(results) + "\n")


def scores(results: list[dict]) -> tuple[float, float]:
    recall = mrr = 0.0
    for result in results:
        expected = set(result["expect"])
        recall += len(expected & set(result["got"][:3])) / len(expected)
        rank = next((n for n, slug in enumerate(result["got"], 1) if slug in expected), None)
        mrr += 1 / rank if rank else 0.0
    return recall / len(results), mrr / len(results)


def run(vendor: str, database: str) -> dict[str, list[dict]]:
    from cryptography.fernet import Fernet

    if vendor == "postgresql":
        database_url = prepare_database(database, fresh=True)
    else:
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"{database}.sqlite3"
        path.unlink(missing_ok=True)
        database_url = f"sqlite:///{path}"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PAGE_")) and key not in {"DATABASE_URL", "CACHE_URL"}
    }
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
    )
    done = subprocess.run(
        [PYTHON, __file__, "--measure"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(f"{vendor}: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(TARGETS))
    parser.add_argument("--misses", action="store_true", help="list the queries that missed")
    parser.add_argument(
        "--database",
        default="practice_bench_search",
        help="the PostgreSQL database (dropped and recreated) and the name of the SQLite "
        "file in bench/results/; give one of your own when others share the server",
    )
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure()

    vendors = [args.only] if args.only else list(TARGETS)
    counts = {language: len(entries) for language, entries in judged().items()}
    out(
        f"search quality: {counts['en']} judged queries in English, {counts['es']} in Spanish "
        "(bench/search_queries.toml), demo articles"
    )
    header = f"{'database':<11} {'site':<4} {'recall@3':>8} {'MRR':>6}  {'target':<14} verdict"
    out(header)
    out("-" * len(header))
    misses = {}
    for vendor in vendors:
        results = run(vendor, args.database)
        for language, (_, targets) in LANGUAGES.items():
            recall, mrr = scores(results[language])
            target = targets[vendor]
            verdict = "ok" if recall >= target else "MISS"
            out(
                f"{vendor:<11} {language:<4} {recall:>8.2f} {mrr:>6.2f}  "
                f"recall@3>={target:<5} {verdict}"
            )
            misses[vendor, language] = [
                r for r in results[language] if not set(r["expect"]) <= set(r["got"][:3])
            ]
    for (vendor, language), missed in misses.items():
        out(
            f"{vendor} {language}: {len(missed)} queries without every expected article "
            "in the first three"
        )
        if args.misses:
            for result in missed:
                shown = f" (corrected: {result['corrected']!r})" if result["corrected"] else ""
                got = result["got"][:3]
                out(f"  {result['q']!r}{shown}: expected {result['expect']}, got {got}")


if __name__ == "__main__":
    main()
