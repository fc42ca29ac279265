"""Telling people from robots without losing a word anyone typed: a honeypot,
a minimum time to fill the form, and a limit per client address that holds
across gunicorn workers (it counts in the shared cache, Redis in production; in
each process while Redis is out of reach). What none of them lets through is
shown again with everything kept.
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.locmem import LocMemCache

from practice.cache_backends import cache_is_available
from practice.proxy import client_address

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"
STARTED_FIELD = "started"
_STARTED_SALT = "intake.form-started"
_RATE_UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}
# Counts kept by this process while the shared cache cannot be reached.
_process_counts = LocMemCache("intake-rate-limit", {"OPTIONS": {"MAX_ENTRIES": 10000}})


def is_honeypot_filled(data) -> bool:
    """People never see the honeypot field; anything in it was typed by a robot."""
    return bool(data.get(HONEYPOT_FIELD, "").strip())


def started_token(*, at: float | None = None) -> str:
    """A signed "the form was shown now" (or at `at`), for a hidden field."""
    return signing.dumps(time.time() if at is None else at, salt=_STARTED_SALT)


def reconfirmed_token() -> str:
    """A start time old enough to pass at once: for a form shown again after a
    post that was too fast, so pressing Send again is accepted."""
    return started_token(at=time.time() - settings.INTAKE_MIN_SECONDS - 1)


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
    While Redis is out of reach each process counts on its own: a burst is still
    held back, and nobody is refused because of the outage.
    """
    limit, window = parse_rate(settings.INTAKE_RATE_LIMIT)
    # A hash: the cache needs no readable address, and keys stay short and safe.
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    key = f"intake-rate:{scope}:{address}"
    shared = caches[DEFAULT_CACHE_ALIAS]
    count = _count(shared, key, window)
    if not cache_is_available(shared):
        logger.warning("intake: rate limit counted in this process (cache unavailable)")
        count = _count(_process_counts, key, window)
    return count > limit


def _count(counts, key, window):
    """One more submission under `key`; the count in the current window."""
    # Counting first saves a round trip whenever a window is already open.
    try:
        count = counts.incr(key)
    except ValueError:
        if counts.add(key, 1, timeout=window):
            count = 1
        else:
            # Another worker opened the window meanwhile.
            try:
                count = counts.incr(key)
            except ValueError:
                # ... and it ended at once.
                counts.set(key, 1, timeout=window)
                count = 1
    return count
