"""Structured logging: one line per event, each tagged with the request's id.

Lines are `key=value` pairs so that a log system can index them. Nothing here
logs bodies, query strings or headers; paths that carry a partner token are
shortened before they are logged. Whatever a client sent (a path, a username)
is written with its control characters escaped, so that it can neither start a
forged line nor drive the terminal of whoever reads the log.
"""

import contextvars
import logging
import re
import time
import traceback
import uuid

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import reverse

from practice.proxy import client_address

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9-]{8,64}$")
# C0 controls (NUL, ESC, CR, LF, ...), DEL, C1 controls (U+0085 "next line"
# among them), the Unicode line and paragraph separators, and the marks that
# reorder text on screen (a line could otherwise read differently from what it is).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028-\u202e\u2066-\u2069]")


def _escaped_character(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_for_log(text: str) -> str:
    """`text` on one line of printable characters: backslashes doubled, quotes
    escaped, and every control character written as \\xNN or \\uNNNN."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return _UNPRINTABLE.sub(_escaped_character, text)


# A stand-in for the token while the partner URL is reversed, not a secret.
_TOKEN_PLACEHOLDER = "token-placeholder"  # nosec B105
# Until the URLs can be read (while apps load, or when they fail to import),
# anything shaped like a partner token (43 URL-safe characters) is hidden.
_TOKEN_SHAPED = re.compile(r"()[A-Za-z0-9_-]{32,}")
_partner_tokens: tuple[re.Pattern, re.Pattern] | None = None


def _partner_token_patterns() -> tuple[re.Pattern, re.Pattern]:
    """Where a partner token sits (in a path, in a message), from the partner
    link's own URL, so that moving the link cannot leave its tokens in the logs.

    Read on first use, not at import: logging is configured before the URLs
    (which import views and models) can be loaded.
    """
    global _partner_tokens
    if _partner_tokens is None:
        try:
            url = reverse("intake:partner", kwargs={"token": _TOKEN_PLACEHOLDER})
        except Exception:  # a log line must still be written, and safely
            return _TOKEN_SHAPED, _TOKEN_SHAPED
        before = re.escape(url[: url.rindex(_TOKEN_PLACEHOLDER)])
        _partner_tokens = (
            re.compile(f"({before})[^/]+"),
            # In a message a path is followed by more words: the token ends at a space too.
            re.compile(f"({before})[^/\\s\"']+"),
        )
    return _partner_tokens


@receiver(setting_changed)
def _forget_partner_token_patterns(*, setting, **kwargs):
    global _partner_tokens
    if setting == "ROOT_URLCONF":
        _partner_tokens = None


def redact_path(path: str) -> str:
    # Every request is logged: once the patterns are known, no function call.
    in_path, _in_text = _partner_tokens or _partner_token_patterns()
    return in_path.sub(r"\1[token]", path)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class KeyValueFormatter(logging.Formatter):
    """time=… level=… logger=… request_id=… msg="…" (escaped by escape_for_log)."""

    def format(self, record):
        # Django's own messages quote paths ("Forbidden (CSRF token missing.):
        # /request/partner/…/", "Internal Server Error: …"): never a partner token.
        _in_path, in_text = _partner_tokens or _partner_token_patterns()
        message = escape_for_log(in_text.sub(r"\1[token]", record.getMessage()))
        line = (
            f"time={self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} level={record.levelname} "
            f"logger={record.name} request_id={getattr(record, 'request_id', '-')} "
            f'msg="{message}"'
        )
        if record.exc_info and record.exc_info[0]:
            # The exception's type and where it was raised, never its message:
            # a database error's message can quote the values it was given.
            frames = traceback.extract_tb(record.exc_info[2])[-5:]
            where = " < ".join(
                f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames)
            )
            line += f' exc={record.exc_info[0].__name__} at="{escape_for_log(where)}"'
        return line


class RequestLogMiddleware:
    """Give each request an id (or keep the proxy's X-Request-ID) and log it once."""

    logger = logging.getLogger("practice.request")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        # Not reset on the way out: Django's own request logger writes its line
        # after the middleware has returned, and should carry the id too. The
        # next request in this thread or task sets its own.
        request_id_var.set(request.id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request.id
        self.logger.info(
            "method=%s path=%s status=%s ms=%.1f client=%s",
            request.method,
            redact_path(request.path),
            response.status_code,
            (time.perf_counter() - started) * 1000,
            client_address(request) or "-",
        )
        return response
