"""What the benchmarks and the drills share.

- the site as production runs it: gunicorn with practice/gunicorn.conf.py,
  production settings from the environment, PostgreSQL, Redis (`Server`,
  `site_env`, `prepare_database`, `setup_site`);
- a small HTTP/1.1 client on asyncio streams, with cookies, that reads the
  request form and posts it like a browser does (`Visitor`, `post_load`);
- `wrk` for plain GET throughput (`run_wrk`).

No dependency beyond the project's own: the client is the standard library,
PostgreSQL is reached with psycopg (already installed for Django).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
PYTHON = str(BIN / "python")
RESULTS = ROOT / "bench" / "results"  # logs and scratch files (ignored by git)

DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432"
# The Redis server the bench and drills use (each on a database number of its
# own, which it flushes). BENCH_REDIS_SERVER=redis://127.0.0.1:6390 points them
# at a private one, so that a run never empties someone else's data.
REDIS_SERVER = os.environ.get("BENCH_REDIS_SERVER", "redis://127.0.0.1:6379").rstrip("/")
# Databases the bench never drops, whatever it is told.
PROTECTED_DATABASES = {"postgres", "test", "template0", "template1", "root"}

REFERENCE = re.compile(r"\bR-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}\b")
PARTNER_LINK = re.compile(r"/request/partner/([A-Za-z0-9_-]{20,100})/")


def out(*parts: object) -> None:
    """Print a line at once (the scripts are often piped into a log)."""
    sys.stdout.write(" ".join(str(part) for part in parts) + "\n")
    sys.stdout.flush()


def free_port() -> int:
    """A TCP port nothing listens on now (bind to port 0 and let the kernel choose)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


# --- PostgreSQL ---------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    """The same server URL, pointed at another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def server_url() -> str:
    """The PostgreSQL server of DATABASE_URL, or the local one."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return with_database(url, "postgres")
    return DEFAULT_SERVER_URL + "/postgres"


def _admin_connect(url: str):
    import psycopg

    return psycopg.connect(with_database(url, "postgres"), autocommit=True, connect_timeout=5)


def prepare_database(name: str, *, fresh: bool, base_url: str | None = None) -> str:
    """A database of the bench's own on the server of DATABASE_URL (or the local one).

    fresh=True drops and recreates it, so that counts start from zero. The
    databases in PROTECTED_DATABASES are never dropped.
    """
    base = base_url or server_url()
    url = with_database(base, name)
    with _admin_connect(base) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            if name in PROTECTED_DATABASES:
                raise SystemExit(f"refusing to drop the database {name!r}")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    return url


def query(url: str, sql: str, params: list | tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def count_rows(url: str, table: str) -> int:
    return query(url, f"SELECT count(*) FROM {table}")[0][0]


# --- The site -----------------------------------------------------------------


def site_env(*, database_url: str, redis_db: int, port: int, **overrides: str) -> dict[str, str]:
    """Production settings for one run: fresh secrets, the bench's own Redis database.

    The anti-spam limits are lifted (the load comes from one address, at once).
    """
    from cryptography.fernet import Fernet

    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "INTAKE_", "PAGE_"))
        and key not in {"DATABASE_URL", "CACHE_URL", "EMAIL_URL", "TASKS_BACKEND", "SITE_URL"}
    }
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        CACHE_URL=f"{REDIS_SERVER}/{redis_db}",
        # Pages in the same database, so that flushing it empties everything.
        PAGE_CACHE_URL=f"{REDIS_SERVER}/{redis_db}",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        EMAIL_URL="consolemail://",
        SITE_URL=f"https://127.0.0.1:{port}",
        INTAKE_MIN_SECONDS="0",
        INTAKE_RATE_LIMIT="100000/s",
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(overrides)
    return env


def manage(env: dict[str, str], *args: str, check: bool = True) -> str:
    """Run manage.py with the run's settings; its output, or SystemExit on failure."""
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if check and result.returncode != 0:
        raise SystemExit(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
        )
    return result.stdout


def flush_redis(db: int) -> None:
    import redis

    redis.Redis.from_url(f"{REDIS_SERVER}/{db}").flushdb()


def setup_site(env: dict[str, str], *, demo: bool = True) -> None:
    """migrate, collectstatic and the demo content, as a deployment would."""
    manage(env, "migrate", "--no-input")
    manage(env, "collectstatic", "--no-input")
    if demo:
        manage(env, "load_demo_content")


def static_css_path() -> str:
    """The hashed URL of css/site.css from collectstatic's manifest."""
    manifest = json.loads((ROOT / "staticfiles" / "staticfiles.json").read_text())
    return "/static/" + manifest["paths"]["css/site.css"]


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name in parentheses may hold spaces: split after its last ")".
    return int(stat.rsplit(")", 1)[1].split()[1])


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and _parent_pid(int(entry.name)) == pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


def stop_process_group(proc: subprocess.Popen | None, *, grace: float) -> None:
    """SIGTERM to a process started with start_new_session, SIGKILL after `grace` seconds."""
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


class Server:
    """gunicorn with practice/gunicorn.conf.py, in a process group of its own.

    Use as a context manager: everything it started is stopped on the way out,
    whatever happened.
    """

    def __init__(self, env: dict[str, str], *, name: str):
        self.env = env
        self.port = int(env["GUNICORN_BIND"].rsplit(":", 1)[1])
        self.workers = int(env.get("GUNICORN_WORKERS", "2"))
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.log_path = RESULTS / f"{name}-server.log"
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self, timeout: float = 60) -> Server:
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "practice/gunicorn.conf.py"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                tail = self.log_path.read_text(errors="replace")[-3000:]
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}):\n{tail}")
            if (
                http_status(self.port, "/healthz") == 200
                and len(self.worker_pids()) >= self.workers
            ):
                return self
            time.sleep(0.2)
        self.stop()
        raise SystemExit(f"the site did not answer /healthz within {timeout:.0f} s")

    def worker_pids(self) -> list[int]:
        return children_of(self.pid) if self.proc else []

    def wait_for_workers(self, timeout: float = 30) -> list[int]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) >= self.workers:
                return pids
            time.sleep(0.2)
        return self.worker_pids()

    def stop(self) -> None:
        stop_process_group(self.proc, grace=25)

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def http_status(port: int, path: str, timeout: float = 2) -> int | None:
    """One plain GET with http.client; the status, or None when nothing answered."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


# --- wrk ----------------------------------------------------------------------

WRK_MISSING = (
    "wrk is not installed. It is the Debian package 'wrk': apt-get install -y wrk "
    "(run apt-get update first on a fresh machine)."
)


def require_wrk() -> str:
    path = shutil.which("wrk")
    if not path:
        out(WRK_MISSING)
        raise SystemExit(2)
    return path


@dataclass
class Measured:
    """One row of a table: throughput, latency, failures."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    bad: int  # responses outside 2xx/3xx
    errors: int = 0  # connections that failed (no response)
    extra: dict = field(default_factory=dict)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip()).groups()
    return float(number) * _UNITS[unit]


READER_ACCEPT_LANGUAGE = "en-US,en;q=0.9"
READER_USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def run_wrk(
    url: str,
    *,
    duration: float,
    connections: int,
    script: Path | None = None,
    timeout_s: int = 5,
) -> Measured:
    """wrk against one URL, as a TLS proxy would forward it (X-Forwarded-Proto)."""
    command = [
        require_wrk(),
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        f"--timeout={timeout_s}s",
        "--latency",
        "-H",
        "X-Forwarded-Proto: https",
        # What a reader's browser sends: an article page served to these is
        # counted as a read (articles/reads.py), so the figures include that.
        "-H",
        f"Accept-Language: {READER_ACCEPT_LANGUAGE}",
        "-H",
        f"User-Agent: {READER_USER_AGENT}",
    ]
    if script:
        command += ["-s", str(script)]
    result = subprocess.run([*command, url], capture_output=True, text=True, timeout=duration + 60)
    text = result.stdout
    if result.returncode != 0 or "Requests/sec" not in text:
        raise RuntimeError(f"wrk failed: {result.stderr or text}")
    summary = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m),", text)
    requests = int(summary.group(1))
    seconds = _ms(summary.group(2) + summary.group(3)) / 1000
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    errors = sum(int(n) for n in socket_errors.groups()) if socket_errors else 0
    return Measured(
        requests=requests,
        seconds=seconds,
        p50_ms=_ms(p50.group(1)) if p50 else float("nan"),
        p99_ms=_ms(p99.group(1)) if p99 else float("nan"),
        bad=int(bad.group(1)) if bad else 0,
        errors=errors,
    )


def page_cache_miss_script(path: str) -> Path:
    """A wrk script whose every request the page cache steps aside for: each one
    carries a session cookie (of no session), so the page is rendered every time.
    (A new query string no longer does: the page cache ignores parameters the
    page does not read.)"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    script = RESULTS / "page-cache-miss.lua"
    script.write_text(
        'wrk.headers["Cookie"] = "__Host-sessionid=bench-no-such-session"\n'
        "request = function()\n"
        f'  return wrk.format("GET", "{path}")\n'
        "end\n"
    )
    return script


# --- A small HTTP client on asyncio -------------------------------------------


@dataclass(frozen=True)
class Endpoint:
    """Where a client sends its requests.

    By default gunicorn itself, in plain HTTP, saying X-Forwarded-Proto: https
    as the proxy would. With `tls`, a TLS proxy (nginx) that verifies as a
    browser does and sets the forwarded headers itself; `source` binds the
    client to another loopback address (127.0.0.2, …), which the proxy then
    sees as another visitor.
    """

    port: int
    host: str = "127.0.0.1"
    tls: ssl.SSLContext | None = None
    source: str | None = None

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    async def connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(
            "127.0.0.1",
            self.port,
            ssl=self.tls,
            server_hostname=self.host if self.tls else None,
            local_addr=(self.source, 0) if self.source else None,
        )


def endpoint(target: int | Endpoint) -> Endpoint:
    return target if isinstance(target, Endpoint) else Endpoint(target)


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    started: float  # time.monotonic() when the request was sent
    elapsed: float  # seconds until the whole response was read
    path: str = ""

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


async def fetch(
    target: int | Endpoint,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 30,
) -> Response:
    """One request on a new connection (gunicorn's sync workers close it anyway)."""
    where = endpoint(target)
    started = time.monotonic()

    async def exchange() -> Response:
        reader, writer = await where.connect()
        try:
            lines = [
                f"{method} {path} HTTP/1.1",
                f"Host: {where.host}:{where.port}",
                "Connection: close",
                "User-Agent: practice-bench",
            ]
            if where.tls is None:
                lines.append("X-Forwarded-Proto: https")
            for key, value in (headers or {}).items():
                lines.append(f"{key}: {value}")
            if body or method == "POST":
                lines.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split()[1])
            parsed = []
            for line in header_lines:
                if ":" in line:
                    key, value = line.split(":", 1)
                    parsed.append((key.strip(), value.strip()))
            response = Response(status, parsed, b"", started, 0.0, path)
            length = response.header("Content-Length")
            if method == "HEAD" or status in (204, 304):
                data = b""
            elif length is not None:
                data = await reader.readexactly(int(length))
            elif (response.header("Transfer-Encoding") or "").lower() == "chunked":
                data = await _read_chunked(reader)
            else:
                data = await reader.read()
            response.body = data
            return response
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    response = await asyncio.wait_for(exchange(), timeout)
    response.elapsed = time.monotonic() - started
    return response


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    chunks = []
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(chunks)
        chunks.append(await reader.readexactly(size))
        await reader.readexactly(2)


class _FormReader(HTMLParser):
    """The inputs of a page's forms, and the options of its selects."""

    def __init__(self):
        super().__init__()
        self.inputs: dict[str, str] = {}
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name"):
            self.inputs.setdefault(attrs["name"], attrs.get("value") or "")
        elif tag == "select":
            self._select = attrs.get("name")
            self.options.setdefault(self._select or "", [])
        elif tag == "option" and self._select is not None:
            self.options[self._select].append(attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def read_form(html: str) -> _FormReader:
    reader = _FormReader()
    reader.feed(html)
    return reader


class Visitor:
    """One browser: keeps its cookies, reads a form, posts it back.

    With a `history` list, every answer is appended to it: a Response, or
    (time, error name, path) when nothing answered.
    """

    def __init__(self, target: int | Endpoint, *, timeout: float = 30, history: list | None = None):
        self.endpoint = endpoint(target)
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.history = history

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def _keep_cookies(self, response: Response) -> None:
        for key, value in response.headers:
            if key.lower() != "set-cookie":
                continue
            pair = value.split(";", 1)[0]
            name, _, cookie_value = pair.partition("=")
            if "max-age=0" in value.lower() or not cookie_value:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = cookie_value.strip()

    async def _send(self, method: str, path: str, headers: dict, body: bytes = b"") -> Response:
        started = time.monotonic()
        try:
            response = await fetch(
                self.endpoint, method, path, headers=headers, body=body, timeout=self.timeout
            )
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            if self.history is not None:
                self.history.append((started, type(exc).__name__, f"{method} {path}"))
            raise
        response.path = f"{method} {path}"
        if self.history is not None:
            self.history.append(response)
        self._keep_cookies(response)
        return response

    async def get(self, path: str) -> Response:
        return await self._send("GET", path, self._headers())

    async def post(self, path: str, fields: list[tuple[str, str]]) -> Response:
        origin = self.endpoint.origin
        headers = self._headers(
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": origin,
                "Referer": origin + path,
            }
        )
        return await self._send("POST", path, headers, urlencode(fields).encode())


REQUEST_PATH = "/request/"


def request_fields(
    form: _FormReader,
    *,
    journey: str = "individual",
    email: bool = True,
    submission_key: str | None = None,
) -> list[tuple[str, str]]:
    """A valid request with the form's hidden fields and a fresh submission key.

    email=False gives a phone-only request, which queues exactly one
    notification (to the practice); with an email a receipt is queued too.
    """
    regions = [value for value in form.options.get("region", []) if value]
    fields = [
        ("csrfmiddlewaretoken", form.inputs.get("csrfmiddlewaretoken", "")),
        ("started", form.inputs.get("started", "")),
        ("website", ""),
        ("submission_key", submission_key or str(uuid.uuid4())),
        ("journey", journey),
        ("is_adult", "yes"),
        ("name", "Bench Visitor"),
        ("phone", "555 010 7788"),
        ("contact_methods", "phone"),
        ("session_format", "online"),
        ("region", regions[0] if regions else "Oregon"),
        # Online sessions follow the client's location (telehealth licensing).
        ("online_location_confirmed", "on"),
        ("availability", "weekday_evening"),
        ("availability_notes", "Evenings after six work best."),
        ("payment", "self_pay"),
        (
            "concerns",
            "We keep having the same argument about chores and it ends with both of "
            "us feeling alone. I would like to understand what is happening.",
        ),
        ("referral_source", "article"),
        ("in_crisis", "no"),
        ("consent", "on"),
        ("acknowledges_not_emergency", "on"),
    ]
    if email:
        fields += [("email", "bench.visitor@example.com"), ("contact_methods", "email")]
    if journey in ("couples", "intensive"):
        fields += [
            ("partner_first_name", "Sam"),
            ("partner_readiness", "not_asked"),
            ("wants_now", "individual_now"),
            ("partner_safety", "no"),
            ("agrees_confidentiality", "on"),
        ]
    return fields


@dataclass
class Post:
    """What happened to one posted request."""

    submission_key: str
    started: float
    elapsed: float = 0.0
    status: int | None = None  # None: no response (connection refused, reset, timeout)
    retry_after: str | None = None
    error: str = ""
    reference: str | None = None  # read from the confirmation page
    confirmed: bool = False
    done_status: int | None = None  # the confirmation page's status, when followed
    done_answered: float = 0.0  # time.monotonic() when it answered
    done_retry_after: str | None = None
    # The same form sent again when the confirmation did not show (post_load's resend).
    resent: Post | None = None


class FormUnavailable(Exception):
    pass


async def load_form(visitor: Visitor) -> _FormReader:
    response = await visitor.get(REQUEST_PATH)
    if response.status != 200:
        raise FormUnavailable(f"request form answered {response.status}")
    form = read_form(response.text)
    if not form.inputs.get("csrfmiddlewaretoken") or "submission_key" not in form.inputs:
        raise FormUnavailable("the request form has no CSRF token or submission key")
    return form


async def post_request(
    visitor: Visitor,
    form: _FormReader,
    *,
    follow: bool,
    email: bool = True,
    journey: str = "individual",
    submission_key: str | None = None,
) -> Post:
    """Post one request; with follow, read its reference from the confirmation page."""
    fields = request_fields(form, journey=journey, email=email, submission_key=submission_key)
    key = dict(fields)["submission_key"]
    record = Post(submission_key=key, started=time.monotonic())
    try:
        response = await visitor.post(REQUEST_PATH, fields)
    except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
        record.error = type(exc).__name__
        record.elapsed = time.monotonic() - record.started
        return record
    record.status = response.status
    record.elapsed = response.elapsed
    record.retry_after = response.header("Retry-After")
    if follow and response.status == 302 and "/done/" in (response.header("Location") or ""):
        try:
            done = await visitor.get(urlsplit(response.header("Location")).path)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            record.error = "confirmation: " + type(exc).__name__
            return record
        record.done_status = done.status
        record.done_answered = done.started + done.elapsed
        record.done_retry_after = done.header("Retry-After")
        found = REFERENCE.search(done.text) if done.status == 200 else None
        if found:
            record.reference = found.group(0)
            record.confirmed = True
    return record


async def post_load(
    port: int | Endpoint,
    *,
    clients: int,
    duration: float | None = None,
    total: int | None = None,
    follow: bool = False,
    email: bool = True,
    stop: asyncio.Event | None = None,
    history: list | None = None,
    resend: bool = False,
) -> list[Post]:
    """`clients` visitors, each reading the form once and then posting requests
    one after another, until `duration` seconds pass, `total` posts are made or
    `stop` is set. A visitor whose form read failed tries again shortly. With
    `resend` (and `follow`), one whose confirmation did not show presses Send
    again with the same form, as a person would."""
    posts: list[Post] = []
    deadline = time.monotonic() + duration if duration else None
    remaining = [total if total is not None else -1]

    def more() -> bool:
        if stop is not None and stop.is_set():
            return False
        if deadline is not None and time.monotonic() >= deadline:
            return False
        if remaining[0] == 0:
            return False
        return True

    async def client() -> None:
        visitor = Visitor(port, history=history)
        form = None
        while more():
            if form is None:
                try:
                    form = await load_form(visitor)
                except (FormUnavailable, OSError, asyncio.IncompleteReadError, TimeoutError):
                    # Cookies stay, as in a browser: a visitor who has posted once
                    # carries a session cookie from then on.
                    await asyncio.sleep(0.2)
                    continue
            if remaining[0] > 0:
                remaining[0] -= 1
            record = await post_request(visitor, form, follow=follow, email=email)
            if resend and follow and record.status == 302 and not record.confirmed:
                record.resent = await post_request(
                    visitor, form, follow=True, email=email, submission_key=record.submission_key
                )
            posts.append(record)
            if record.status is None or record.status >= 400:
                # A failed post may have been a stale form (403 CSRF after a
                # restart, for example): read it again, as a person would.
                form = None
                if record.status is None or record.status >= 500:
                    await asyncio.sleep(0.1)

    await asyncio.gather(*(client() for _ in range(clients)))
    return posts


def summarise_posts(posts: list[Post], seconds: float) -> Measured:
    latencies = [p.elapsed * 1000 for p in posts if p.status is not None]
    return Measured(
        requests=sum(1 for p in posts if p.status is not None),
        seconds=seconds,
        p50_ms=percentile(latencies, 0.50),
        p99_ms=percentile(latencies, 0.99),
        bad=sum(1 for p in posts if p.status is not None and not 200 <= p.status < 400),
        errors=sum(1 for p in posts if p.status is None),
    )


async def get_load(
    port: int | Endpoint, paths: list[str], *, clients: int, stop: asyncio.Event
) -> list[Response | tuple[float, str]]:
    """Cookie-less readers going round `paths` until `stop` is set.

    Each result is a Response, or (time, error name, path) when nothing answered.
    """
    results: list = []

    async def reader(offset: int) -> None:
        index = offset
        while not stop.is_set():
            path = paths[index % len(paths)]
            index += 1
            started = time.monotonic()
            try:
                response = await fetch(port, "GET", path, timeout=15)
                response.path = f"GET {path}"
                results.append(response)
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
                results.append((started, type(exc).__name__, f"GET {path}"))
                await asyncio.sleep(0.1)

    await asyncio.gather(*(reader(i) for i in range(clients)))
    return results


def public_paths(database_url: str) -> dict[str, str]:
    """Paths of a published article and of a topic with published articles."""
    article = query(
        database_url,
        "SELECT slug FROM articles_article WHERE status = 'published' AND publish_at <= now() "
        "ORDER BY publish_at DESC, id DESC LIMIT 1",
    )
    topic = query(
        database_url,
        "SELECT t.slug FROM articles_topic t JOIN articles_article_topics at "
        "ON at.topic_id = t.id JOIN articles_article a ON a.id = at.article_id "
        "WHERE a.status = 'published' AND a.publish_at <= now() "
        "GROUP BY t.slug ORDER BY count(*) DESC, t.slug LIMIT 1",
    )
    if not article or not topic:
        raise SystemExit("no published article or topic: did load_demo_content run?")
    return {
        "article": f"/articles/{article[0][0]}/",
        "topic": f"/articles/topic/{topic[0][0]}/",
    }


async def make_partner_token(port: int | Endpoint) -> str:
    """Post a couples request and read the partner link from its confirmation page."""
    visitor = Visitor(port)
    form = await load_form(visitor)
    fields = request_fields(form, journey="couples", email=False)
    response = await visitor.post(REQUEST_PATH, fields)
    if response.status != 302:
        raise RuntimeError(f"the couples request answered {response.status}")
    done = await visitor.get(urlsplit(response.header("Location")).path)
    found = PARTNER_LINK.search(done.text)
    if not found:
        raise RuntimeError("no partner link on the confirmation page")
    return found.group(1)


def run_queries_report(env: dict[str, str], paths: dict[str, str]) -> dict[str, dict]:
    """Queries each page makes, from bench/queries.py (Django's test client, in-process)."""
    report_env = dict(env, CACHE_URL="locmemcache://bench-queries", LOG_LEVEL="ERROR")
    result = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "queries.py"), json.dumps(paths)],
        cwd=ROOT,
        env=report_env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        out("queries.py failed:", result.stderr[-2000:])
        return {}
    return json.loads(result.stdout.strip().splitlines()[-1])
