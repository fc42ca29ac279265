"""Sessions in the shared cache that outlive an outage of it (SESSION_ENGINE).

Sessions live in Redis, like Django's cache engine. A session that nobody is
signed in to (at most the confirmation of a request just stored) also carries
a sealed copy of itself in its cookie: encrypted and authenticated with a key
derived from SECRET_KEY, readable for SESSION_COOKIE_AGE. The cookie is then
`<key>:<sealed copy>`. While Redis cannot be reached (practice.cache_backends),
or when it lost the session (a restart), the copy is read, and saved sessions
travel as `sealed:<sealed copy>` alone; the first request that reaches Redis
again moves the session back under a new key. So a person whose request was
stored always sees its confirmation, whatever happens to Redis between the
post and the confirmation page.

A signed-in session is never sealed: a cookie cannot be revoked by signing out
or by the 12-hour limit, so staff sign-in answers 503 until Redis is back
(SessionsUnavailable, turned into 503 by practice.views.server_error). A
session that could not be read during the outage is left as it is in Redis,
never overwritten, so staff stay signed in once it is back.
"""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib.auth import SESSION_KEY as SIGNED_IN_KEY
from django.contrib.sessions.backends import cache as cache_sessions
from django.contrib.sessions.backends.base import CreateError, UpdateError
from django.utils.crypto import salted_hmac

from practice.cache_backends import cache_is_available

# Cache session keys are lowercase letters and digits: this can never be one.
SEALED_PREFIX = "sealed:"
SEPARATOR = ":"
# Browsers keep cookies of up to 4096 bytes, name and attributes included.
MAX_SEALED_LENGTH = 3500


class SessionsUnavailable(Exception):
    """The session must be saved and cannot be: the shared cache is unreachable."""


class SessionStore(cache_sessions.SessionStore):
    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._is_sealed = False
        self._is_unread = False

    @property
    def cache_key(self):
        return self.cache_key_prefix + _plain(self._get_or_create_session_key())

    def load(self):
        value = self.session_key
        if value and value.startswith(SEALED_PREFIX):
            return self._restored(value.removeprefix(SEALED_PREFIX))
        data = super().load()
        copy = (value or "").partition(SEPARATOR)[2]
        if value and not data and copy:
            # Out of reach, or lost by Redis: the copy in the cookie stands in.
            self._session_key = value
            return self._restored(copy)
        if value and not data and not cache_is_available(self._cache):
            # Not gone, only out of reach: keep the cookie, and never write over it.
            self._session_key = value
            self._is_unread = True
        return data

    def _restored(self, copy):
        data = _unsealed(copy)
        if data is None:
            self._session_key = None
            return {}
        self._is_sealed = True
        return data

    def delete(self, session_key=None):
        if session_key is None and self.session_key is not None:
            session_key = self.session_key
        if session_key:
            super().delete(_plain(session_key))

    def save(self, must_create=False):
        if self._is_unread and not self.modified:
            return
        if self._is_sealed or self._is_unread:
            # Into the cache under a new key (or sealed again, if it is still down).
            self._is_sealed = self._is_unread = False
            self._session_key = None
        if self.session_key is None:
            self.create()
            return
        try:
            super().save(must_create)
        except (CreateError, UpdateError):
            if cache_is_available(self._cache):
                raise
            self._seal()
            return
        if not cache_is_available(self._cache):
            self._seal()
            return
        data = self._get_session(no_load=True)
        copy = _sealed(data) if SIGNED_IN_KEY not in data else ""
        key = _plain(self.session_key)
        if copy and len(key) + len(copy) < MAX_SEALED_LENGTH:
            self._session_key = key + SEPARATOR + copy
        else:
            self._session_key = key

    def _seal(self):
        data = self._get_session(no_load=True)
        if SIGNED_IN_KEY in data:
            raise SessionsUnavailable("A signed-in session cannot be saved: the cache is down.")
        sealed = SEALED_PREFIX + _sealed(data)
        if len(sealed) > MAX_SEALED_LENGTH:
            raise SessionsUnavailable("The session is too large to keep in its cookie.")
        self._session_key = sealed
        self._is_sealed = True


def _plain(value):
    """The cache's key in a cookie value `<key>:<sealed copy>`."""
    return value.partition(SEPARATOR)[0]


def _fernet():
    secret = salted_hmac("practice.sessions.sealed", "cookie", algorithm="sha256").digest()
    return Fernet(base64.urlsafe_b64encode(secret))


def _sealed(data):
    # Fernet's padding ("=") would make the cookie value quoted; it is put back on reading.
    return _fernet().encrypt(json.dumps(data).encode()).decode().rstrip("=")


def _unsealed(token):
    padded = token + "=" * (-len(token) % 4)
    try:
        data = json.loads(_fernet().decrypt(padded, ttl=settings.SESSION_COOKIE_AGE))
    except (InvalidToken, ValueError):
        return None
    return data if isinstance(data, dict) else None
