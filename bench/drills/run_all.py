"""`make drills`: every reliability drill, one verdict line each.

    .venv/bin/python bench/drills/run_all.py [--only load,worker-crash]

Prints `PASS name: …` or `FAIL name: …` per drill and exits 1 if any failed.
Each drill sets up its own site (database `practice_drills` on the local
PostgreSQL, or on the server of DATABASE_URL; Redis database 8) and stops
everything it started; the database drill uses a throwaway cluster of its own,
the Redis drill a redis-server of its own.
"""

import argparse
import time
import traceback

import database_restart
import load
import mail_outage
import proxy
import redis_outage
import worker_crash
from common import Verdict, out

DRILLS = {
    load.NAME: load.run,
    database_restart.NAME: database_restart.run,
    mail_outage.NAME: mail_outage.run,
    worker_crash.NAME: worker_crash.run,
    proxy.NAME: proxy.run,
    redis_outage.NAME: redis_outage.run,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help=f"comma-separated: {','.join(DRILLS)}")
    args = parser.parse_args()
    names = [name for name in args.only.split(",") if name] or list(DRILLS)
    unknown = set(names) - set(DRILLS)
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(sorted(unknown))}")
    verdicts = []
    for name in names:
        started = time.monotonic()
        try:
            verdict = DRILLS[name]()
        except BaseException as exc:  # a drill that crashes has failed, and the rest still run
            if isinstance(exc, KeyboardInterrupt):
                raise
            detail = traceback.format_exception_only(exc)[-1].strip()
            verdict = Verdict(name, False, f"the drill itself failed: {detail}")
        verdict.message += f" [{time.monotonic() - started:.0f} s]"
        out(verdict.line())
        verdicts.append(verdict)
    failed = [v.name for v in verdicts if not v.ok]
    out(
        f"drills: {len(verdicts) - len(failed)} passed, {len(failed)} failed"
        + (f" ({', '.join(failed)})" if failed else "")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
