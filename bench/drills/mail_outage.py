"""Drill "mail-outage": the mail server is down while requests arrive.

The site sends mail through SMTP to a sink this drill starts (smtp_sink.py), with
the database tasks backend: a post only stores the request and queues its
notifications. Steps:

1. mail up: 10 requests, `db_worker --batch` delivers their notifications;
2. the sink is stopped while 60 requests arrive; `db_worker --batch` runs during
   the outage (every send fails and is left for the retry); 40 more requests
   arrive and stay queued;
3. the sink comes back; `db_worker --batch` and two `send_notifications` run at
   the same moment (racing for the same rows), then each once more.

Pass: every request is confirmed and stored; nothing is delivered during the
outage; afterwards every notification is marked sent, and the sink holds exactly
one practice notification and one receipt per request, nothing else.
"""

import asyncio
import email
import email.policy
import json
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

from common import (
    Verdict,
    confirmation_problems,
    prepared_site,
    report,
    status_counts,
    stored_requests,
)
from harness import (
    PYTHON,
    REFERENCE,
    RESULTS,
    ROOT,
    Server,
    free_port,
    manage,
    post_load,
    query,
)

NAME = "mail-outage"
PRACTICE_ADDRESS = "office@practice.example"
WORKER = ("db_worker", "--batch", "--no-startup-delay")
RETRY = ("send_notifications",)


class Sink:
    """smtp_sink.py as a process that can be stopped and started again."""

    def __init__(self, port: int, path):
        self.port = port
        self.path = path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "drills" / "smtp_sink.py"), "--port", str(self.port)]
            + ["--out", str(self.path)],
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        if self.proc.stdout.readline().strip() != "ready":
            raise RuntimeError("the SMTP sink did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def messages(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text().splitlines() if line]


def references_in(message: dict) -> set[str]:
    parsed = email.message_from_bytes(
        message["data"].encode("latin-1"), policy=email.policy.default
    )
    body = parsed.get_body(("plain",))
    text = str(parsed["subject"] or "") + "\n" + (body.get_content() if body else "")
    return set(REFERENCE.findall(text))


def unsent(database_url: str) -> int:
    return query(database_url, "SELECT count(*) FROM intake_notification WHERE sent_at IS NULL")[0][
        0
    ]


def run() -> Verdict:
    smtp_port = free_port()
    env, database_url = prepared_site(
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        EMAIL_TIMEOUT="5",
        PRACTICE_NOTIFY_EMAIL=PRACTICE_ADDRESS,
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "drill-mail-messages.jsonl"
    path.unlink(missing_ok=True)
    sink = Sink(smtp_port, path)
    problems = []
    try:
        sink.start()
        with Server(env, name="drill-mail") as server:
            port = server.port
            # 1. Mail works.
            posts = asyncio.run(post_load(port, clients=4, total=10, follow=True))
            manage(env, *WORKER)
            delivered_first = len(sink.messages())

            # 2. The sink stops while requests arrive.
            async def outage() -> list:
                async def stop_sink() -> None:
                    await asyncio.sleep(0.3)
                    await asyncio.to_thread(sink.stop)

                arrived, _ = await asyncio.gather(
                    post_load(port, clients=8, total=60, follow=True), stop_sink()
                )
                return arrived

            posts += asyncio.run(outage())
            manage(env, *WORKER)  # every send fails: left for the retry
            during = len(sink.messages()) - delivered_first
            failed_attempts = query(
                database_url,
                "SELECT count(*) FROM intake_notification WHERE sent_at IS NULL AND attempts > 0",
            )[0][0]
            posts += asyncio.run(post_load(port, clients=8, total=40, follow=True))
            pending = unsent(database_url)

            # 3. The sink is back: the worker and the retry command race for the rows.
            sink.start()
            started = time.monotonic()
            with ThreadPoolExecutor(3) as pool:
                list(pool.map(lambda args: manage(env, *args), [WORKER, RETRY, RETRY]))
            manage(env, *RETRY)
            manage(env, *WORKER)
            recovery = time.monotonic() - started
    finally:
        sink.stop()

    stored = stored_requests(database_url)
    problems += confirmation_problems(posts, stored)
    confirmed = [p for p in posts if p.status == 302]
    if len(confirmed) != len(posts) or len(stored) != len(posts):
        problems.append(f"{len(posts)} posts, {len(confirmed)} confirmed, {len(stored)} stored")
    expected_first = 2 * 10
    if delivered_first != expected_first:
        problems.append(f"{delivered_first} messages before the outage, {expected_first} expected")
    if during:
        problems.append(f"{during} message(s) delivered while the sink was down")
    left = unsent(database_url)
    if left:
        problems.append(f"{left} notification(s) still unsent after the retry")

    messages = sink.messages()
    per_reference: dict[tuple[str, str], int] = {}
    strays = 0
    for message in messages:
        refs = references_in(message)
        if len(refs) != 1:
            strays += 1
            continue
        kind = "practice" if PRACTICE_ADDRESS in message["to"] else "receipt"
        key = (refs.pop(), kind)
        per_reference[key] = per_reference.get(key, 0) + 1
    if strays:
        problems.append(f"{strays} message(s) without exactly one reference")
    references = {row.reference for row in stored.values()}
    for kind in ("practice", "receipt"):
        wrong = [ref for ref in references if per_reference.get((ref, kind), 0) != 1]
        if wrong:
            problems.append(f"{len(wrong)} request(s) without exactly one {kind} message")
    unknown = {ref for ref, _kind in per_reference} - references
    if unknown:
        problems.append(f"{len(unknown)} message(s) for unknown references")
    duplicates = sum(count - 1 for count in per_reference.values() if count > 1)
    summary = (
        f"{len(posts)} requests ({status_counts(posts)}), {len(stored)} stored; "
        f"{delivered_first} messages before the outage, {during} during it "
        f"({failed_attempts} failed sends left for the retry, {pending} notifications pending); "
        f"after it {len(messages) - delivered_first} delivered in {recovery:.1f} s by "
        f"db_worker + send_notifications racing, {duplicates} duplicates, {left} unsent"
    )
    return Verdict.from_problems(NAME, problems, summary)


if __name__ == "__main__":
    raise SystemExit(report(run()))
