"""Drill "proxy": the site as production runs it, behind nginx over HTTPS.

Debian's nginx (installed if missing) runs deploy/nginx/practice.conf, rendered
for loopback ports with a throwaway certificate authority (bench/nginx.py), in
front of gunicorn with TRUSTED_PROXY_COUNT=1. Every visitor below comes through
nginx and verifies the certificate as a browser would; visitors are told apart
by the loopback address they connect from (127.0.0.2, 127.0.0.3, …).

Pass:
- a page carries the security headers and HSTS once, even when the visitor
  forges X-Forwarded-Proto and X-Forwarded-For; plain HTTP is redirected to
  HTTPS; a name the site does not serve gets no TLS handshake;
- two visitors have rate limits of their own: one is limited after
  INTAKE_RATE_LIMIT posts while the other's post is still stored;
- a static file comes from nginx (not Django), compressed, with a year-long
  immutable cache lifetime; an uploaded file comes from nginx, sandboxed; a
  body over Django's limit is refused by nginx;
- 100 slow clients trickling a request body do not make a reader's page take
  more than twice its usual time (measured against gunicorn alone too, where
  as many slow clients as workers leave the reader without an answer);
- the request log, nginx's access log and the access records name each
  visitor's own address, never the proxy's; nginx's log holds no query
  string and no partner token.
"""

import asyncio
import contextlib
import re
import secrets
import shutil
import ssl
import statistics
import time
from dataclasses import dataclass, field

from common import Verdict, prepared_site, report, stored_requests
from harness import (
    REQUEST_PATH,
    RESULTS,
    Endpoint,
    Response,
    Server,
    Visitor,
    fetch,
    free_port,
    load_form,
    post_request,
    public_paths,
    query,
    read_form,
    static_css_path,
)
from nginx import SITE_NAME, Nginx, two_free_ports

NAME = "proxy"
RATE_LIMIT = 3
ADMIN_URL = "staff-drill/"
SLOW_CLIENTS = 100
SLOW_BODY_BYTES = 20_000
ROUNDS = 4
READS = 15  # page reads in each round, with the slow clients and without
HSTS = "max-age=31536000; includeSubDomains"
PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Server": "nginx",
}
# The loopback addresses the visitors connect from.
READER, LIMITED, OTHER, SLOW, FORGER = (f"127.0.0.{n}" for n in range(2, 7))


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    # The ids of each visitor's requests: nginx's $request_id, which Django keeps.
    ids: dict[str, list[str]] = field(default_factory=dict)
    confirmed: int = 0  # posts redirected to the confirmation

    def add(self, address: str, history: list) -> None:
        self.ids.setdefault(address, []).extend(
            r.header("X-Request-ID") for r in history if isinstance(r, Response)
        )


def headers_named(response: Response, name: str) -> list[str]:
    return [value for key, value in response.headers if key.lower() == name.lower()]


async def check_headers(nginx: Nginx, found: Findings) -> str:
    # Forged forwarding headers: were they passed on, Django would redirect to
    # https (it would think the request plain) and log the forged address.
    home = await fetch(
        nginx.endpoint(source=FORGER),
        "GET",
        "/",
        headers={"X-Forwarded-Proto": "http", "X-Forwarded-For": "203.0.113.9"},
    )
    found.add(FORGER, [home])
    if home.status != 200:
        found.problems.append(f"the home page through nginx answered {home.status}")
    if headers_named(home, "Strict-Transport-Security") != [HSTS]:
        found.problems.append(f"HSTS: {headers_named(home, 'Strict-Transport-Security')}")
    if "default-src 'none'" not in (home.header("Content-Security-Policy") or ""):
        found.problems.append("no Content-Security-Policy on the home page")
    for name, value in PAGE_HEADERS.items():
        if home.header(name) != value:
            found.problems.append(f"{name}: {home.header(name)!r}, not {value!r}")

    plain = await fetch(Endpoint(nginx.http_port, host=SITE_NAME), "GET", "/articles/?page=2")
    expected = f"https://{SITE_NAME}/articles/?page=2"
    if plain.status != 301 or plain.header("Location") != expected:
        found.problems.append(f"plain HTTP answered {plain.status} to {plain.header('Location')}")

    anything = ssl.create_default_context()
    anything.check_hostname = False
    anything.verify_mode = ssl.CERT_NONE
    try:
        await fetch(Endpoint(nginx.https_port, host="unknown.test", tls=anything), "GET", "/")
        found.problems.append("a host name the site does not serve got an answer")
    except (ssl.SSLError, OSError, asyncio.IncompleteReadError):
        pass
    return f"home {home.status} with its headers and one HSTS; http -> {plain.status}"


async def check_rate_limits(nginx: Nginx, found: Findings) -> str:
    limited_history, other_history = [], []
    limited = Visitor(nginx.endpoint(source=LIMITED), history=limited_history)
    form = await load_form(limited)
    statuses = []
    for _ in range(RATE_LIMIT + 1):
        statuses.append((await post_request(limited, form, follow=False, email=False)).status)
    other = Visitor(nginx.endpoint(source=OTHER), history=other_history)
    other_status = (
        await post_request(other, await load_form(other), follow=False, email=False)
    ).status
    found.add(LIMITED, limited_history)
    found.add(OTHER, other_history)
    found.confirmed += statuses.count(302) + (other_status == 302)

    if statuses[:RATE_LIMIT] != [302] * RATE_LIMIT:
        found.problems.append(f"the first {RATE_LIMIT} posts of one visitor answered {statuses}")
    last = statuses[-1]
    if last is None or last == 302 or last >= 500:
        found.problems.append(f"post {RATE_LIMIT + 1} of the same visitor answered {last}")
    if other_status != 302:
        found.problems.append(
            f"another visitor's first post answered {other_status}: "
            "visitors share one limit (the proxy's address?)"
        )
    return f"one visitor's posts {statuses}, another's {other_status}"


async def check_files(nginx: Nginx, found: Findings) -> str:
    where = nginx.endpoint(source=READER)
    css = await fetch(where, "GET", static_css_path(), headers={"Accept-Encoding": "gzip"})
    cache = css.header("Cache-Control") or ""
    if css.status != 200 or "max-age=31536000" not in cache or "immutable" not in cache:
        found.problems.append(f"static file: {css.status}, Cache-Control {cache!r}")
    # Every answer from Django carries X-Request-ID (practice/log.py).
    if css.header("X-Request-ID"):
        found.problems.append("the static file came from Django, not nginx")
    if css.header("Content-Encoding") != "gzip":
        found.problems.append(f"static file Content-Encoding {css.header('Content-Encoding')!r}")
    if headers_named(css, "Strict-Transport-Security") != [HSTS]:
        found.problems.append("no HSTS on the static file")

    media = await fetch(where, "GET", "/media/drill/upload.txt")
    if media.status != 200 or media.text != "uploaded\n" or media.header("X-Request-ID"):
        found.problems.append(f"uploaded file: {media.status}, {media.header('X-Request-ID')}")
    if "sandbox" not in (media.header("Content-Security-Policy") or ""):
        found.problems.append("the uploaded file is not sandboxed")

    big = await fetch(
        where,
        "POST",
        REQUEST_PATH,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=b"a" * (256 * 1024 + 1),
    )
    if big.status != 413 or big.header("X-Request-ID"):
        found.problems.append(f"a body over 256 KiB answered {big.status}")
    return (
        f"static file {css.status} ({cache}, {css.header('Content-Encoding')}), "
        f"upload {media.status}, a body over 256 KiB {big.status}"
    )


async def slow_client(where: Endpoint, stop: asyncio.Event, state: dict) -> None:
    """Send a post's headers, then its body one byte a second, until told to stop."""
    try:
        _reader, writer = await where.connect()
    except OSError:
        state["refused"] += 1
        return
    try:
        writer.write(
            (
                f"POST {REQUEST_PATH} HTTP/1.1\r\nHost: {where.host}:{where.port}\r\n"
                # As a browser's post (a CSRF cookie, its origin): the site then
                # waits for the body instead of refusing the post at once.
                f"Origin: {where.origin}\r\nReferer: {where.origin}{REQUEST_PATH}\r\n"
                f"Cookie: __Host-csrftoken={secrets.token_hex(16)}\r\n"
                "X-Forwarded-Proto: https\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {SLOW_BODY_BYTES}\r\n\r\n"
            ).encode()
        )
        await writer.drain()
        state["connected"] += 1
        while not stop.is_set():
            writer.write(b"a")
            await writer.drain()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1)
        state["held"] += 1
    except OSError:
        state["dropped"] += 1
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


async def read_times(where: Endpoint, path: str, count: int, *, timeout: float) -> list[float]:
    """Seconds each of `count` reads of a page took, one after another (inf: no page)."""
    times = []
    for _ in range(count):
        try:
            response = await fetch(where, "GET", path, timeout=timeout)
            times.append(response.elapsed if response.status == 200 else float("inf"))
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            times.append(float("inf"))
    return times


async def while_slow_clients(slow: Endpoint, clients: int, measure, *, settle: float = 1.0):
    """`await measure()` while `clients` slow clients hold connections to `slow`."""
    stop = asyncio.Event()
    state = {"connected": 0, "held": 0, "dropped": 0, "refused": 0}
    tasks = [asyncio.create_task(slow_client(slow, stop, state)) for _ in range(clients)]
    deadline = time.monotonic() + 20
    while state["connected"] + state["refused"] < clients and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(settle)
    try:
        result = await measure()
    finally:
        stop.set()
        await asyncio.gather(*tasks, return_exceptions=True)
    return result, state


async def check_slow_clients(nginx: Nginx, server: Server, path: str, found: Findings) -> str:
    reader = nginx.endpoint(source=READER)
    await read_times(reader, path, 5, timeout=10)  # the page is in the page cache after this
    # Rounds of reads without and with the slow clients, so that a burst of
    # load from elsewhere on the machine falls on both sides alike.
    usual_times, slowed_times, connected, held = [], [], [], []
    for _ in range(ROUNDS):
        usual_times += await read_times(reader, path, READS, timeout=10)
        during, state = await while_slow_clients(
            nginx.endpoint(source=SLOW),
            SLOW_CLIENTS,
            lambda: read_times(reader, path, READS, timeout=10),
        )
        slowed_times += during
        connected.append(state["connected"])
        held.append(state["held"])
    usual, slowed = statistics.median(usual_times), statistics.median(slowed_times)
    if min(connected) < SLOW_CLIENTS:
        found.problems.append(f"of {SLOW_CLIENTS} slow clients, only {connected} could connect")
    if not slowed <= 2 * usual:
        found.problems.append(
            f"with {SLOW_CLIENTS} slow clients a page took {slowed * 1000:.1f} ms "
            f"(median of {len(slowed_times)}), usually {usual * 1000:.1f} ms"
        )
    # The yardstick: the same against gunicorn alone, with as many slow clients
    # as it has workers.
    alone = Endpoint(server.port)
    direct, _ = await while_slow_clients(
        alone, server.workers, lambda: read_times(alone, path, 1, timeout=3), settle=0.5
    )
    without = "no page in 3 s" if direct[0] == float("inf") else f"{direct[0] * 1000:.0f} ms"
    return (
        f"a page {usual * 1000:.1f} ms (median of {len(usual_times)}), "
        f"{slowed * 1000:.1f} ms while {SLOW_CLIENTS} slow clients trickled a body "
        f"({min(held)} of them still connected at the end of every round); gunicorn "
        f"alone with {server.workers} slow clients: {without}"
    )


async def check_addresses(nginx: Nginx, server: Server, database_url: str, found: Findings) -> str:
    # A failed staff sign-in: its access record must name this visitor.
    staff = Visitor(nginx.endpoint(source=OTHER))
    sign_in = read_form((await staff.get(f"/{ADMIN_URL}login/")).text)
    fields = dict(sign_in.inputs, username="drill-nobody", password="not-the-password-1")
    if "otp_token" in fields:
        fields["otp_token"] = "000000"
    await staff.post(f"/{ADMIN_URL}login/", list(fields.items()))
    recorded = [
        row[0]
        for row in query(
            database_url,
            "SELECT host(ip_address) FROM intake_accessrecord WHERE username = 'drill-nobody'",
        )
    ]
    if recorded != [OTHER]:
        found.problems.append(f"a failed sign-in from {OTHER} was recorded as from {recorded}")

    # What nginx's log must not keep: a search, a partner link's token.
    await fetch(nginx.endpoint(source=READER), "GET", "/articles/?q=drillsecretword")
    await fetch(nginx.endpoint(source=READER), "GET", "/request/partner/drillsecrettoken42/")

    await asyncio.sleep(0.5)  # the last lines reach the logs
    site_clients = dict(
        re.findall(
            r"logger=practice\.request request_id=(\w+) .* client=(\S+)\"",
            server.log_path.read_text(errors="replace"),
        )
    )
    nginx_log = nginx.access_log.read_text(errors="replace")
    nginx_clients = {
        request_id: address
        for address, request_id in re.findall(r"^(\S+) .* request_id=(\w+)$", nginx_log, re.M)
    }
    made = [(address, i) for address, ids in found.ids.items() for i in ids]
    for log, clients in (("the request log", site_clients), ("nginx's log", nginx_clients)):
        wrong = sorted({(a, clients.get(i)) for a, i in made if clients.get(i) != a})
        if wrong:
            found.problems.append(
                f"{log} named another address than the visitor's (visitor, logged): {wrong}"
            )
    for secret in ("drillsecretword", "drillsecrettoken"):
        if secret in nginx_log:
            found.problems.append(f"nginx's access log holds {secret!r}")
    site_right = sum(site_clients.get(i) == a for a, i in made)
    nginx_right = sum(nginx_clients.get(i) == a for a, i in made)
    return (
        f"of {len(made)} requests from {len(found.ids)} addresses, {site_right} logged by the "
        f"site and {nginx_right} by nginx with their own address; a failed sign-in from "
        f"{OTHER} recorded as from {recorded}"
    )


async def checks(nginx: Nginx, server: Server, database_url: str, paths: dict) -> tuple:
    found = Findings()
    summary = [
        await check_headers(nginx, found),
        await check_rate_limits(nginx, found),
        await check_files(nginx, found),
        await check_slow_clients(nginx, server, paths["article"], found),
        await check_addresses(nginx, server, database_url, found),
    ]
    return found, summary


def run() -> Verdict:
    media = RESULTS / "drill-proxy-media"
    shutil.rmtree(media, ignore_errors=True)
    (media / "drill").mkdir(parents=True)
    (media / "drill" / "upload.txt").write_text("uploaded\n")
    gunicorn_port = free_port()
    https_port, http_port = two_free_ports()
    env, database_url = prepared_site(
        GUNICORN_BIND=f"127.0.0.1:{gunicorn_port}",
        DJANGO_ALLOWED_HOSTS=f"{SITE_NAME},127.0.0.1",
        SITE_URL=f"https://{SITE_NAME}:{https_port}",
        TRUSTED_PROXY_COUNT="1",
        INTAKE_RATE_LIMIT=f"{RATE_LIMIT}/h",
        ADMIN_URL=ADMIN_URL,
        MEDIA_ROOT=str(media),
    )
    paths = public_paths(database_url)
    nginx = Nginx(
        gunicorn_port=gunicorn_port,
        https_port=https_port,
        http_port=http_port,
        media_root=media,
        admin_url=ADMIN_URL,
        name="drill-proxy",
    )
    with Server(env, name="drill-proxy") as server, nginx:
        found, summary = asyncio.run(checks(nginx, server, database_url, paths))
    stored = stored_requests(database_url)
    if len(stored) != found.confirmed:
        found.problems.append(f"{len(stored)} requests stored, {found.confirmed} confirmed")
    return Verdict.from_problems(NAME, found.problems, "; ".join(summary))


if __name__ == "__main__":
    raise SystemExit(report(run()))
