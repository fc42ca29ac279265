"""Turning spam away quietly: a honeypot, a minimum time to fill the form, and a
limit per client address that holds across gunicorn workers (it counts in the
shared cache, Redis in production).
"""

import hashlib
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

from practice.proxy import client_address

HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"
_STARTED_SALT = "intake.form-started"
_RATE_UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def is_honeypot_filled(data) -> bool:
    """People never see the honeypot field; anything in it was typed by a robot."""
    return bool(data.get(HONEYPOT_FIELD, "").strip())


def started_token(*, at: float | None = None) -> str:
    """A signed "the form was shown now" (or at `at`), for a hidden field."""
    return signing.dumps(time.time() if at is None else at, salt=_STARTED_SALT)


def form_age(value: str | None) -> float | None:
    """Seconds since the form carrying `value` was shown; None if missing or forged."""
    if not value:
        return None
    try:
        started = signing.loads(value, salt=_STARTED_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(started, int | float):
        return None
    return time.time() - started


def is_too_fast(age: float) -> bool:
    return age < settings.INTAKE_MIN_SECONDS


def parse_rate(rate: str) -> tuple[int, int]:
    """ "10/h" -> (10, 3600). Units: s, m, h, d."""
    count, _, unit = rate.strip().partition("/")
    try:
        return int(count), _RATE_UNITS[unit.strip().lower()[:1]]
    except (KeyError, ValueError) as exc:
        raise ValueError(f"A rate looks like 10/h (s, m, h or d), not {rate!r}.") from exc


def rate_limit_exceeded(request, *, scope: str) -> bool:
    """Count one submission from this client; True once over settings.INTAKE_RATE_LIMIT.

    The window starts with the first submission and lasts the rate's period.
    cache.add and cache.incr are atomic in Redis, so every worker shares the count.
    """
    limit, window = parse_rate(settings.INTAKE_RATE_LIMIT)
    # A hash: the cache needs no readable address, and keys stay short and safe.
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"intake-rate:{scope}:{address}"
    # Counting first saves a round trip whenever a window is already open.
    try:
        count = cache.incr(key)
    except ValueError:
        if cache.add(key, 1, timeout=window):
            count = 1
        else:
            # Another worker opened the window meanwhile.
            try:
                count = cache.incr(key)
            except ValueError:
                # ... and it ended at once.
                cache.set(key, 1, timeout=window)
                count = 1
    return count > limit
