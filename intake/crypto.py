"""Encryption at rest for what people tell us in confidence.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) using the keys in
settings.FIELD_ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so a
new key can be put first and the old ones dropped after
`manage.py rotate_encryption_keys` has re-encrypted everything.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS is empty.")
    try:
        return MultiFernet([Fernet(key.strip().encode()) for key in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be comma-separated Fernet keys "
            "(32 url-safe base64-encoded bytes each)."
        ) from exc


def fernet() -> MultiFernet:
    return _multi_fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        # Never include the value: only say that no configured key opens it.
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS."
        ) from exc


def rotate(token: str) -> str:
    """Re-encrypt a stored token with the first key."""
    return fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """A text field stored as Fernet ciphertext.

    It cannot be searched, filtered or ordered by in the database: use it for
    free text and answers that staff read one request at a time. An empty value
    is stored as an empty string, so that "nothing was said" costs no key.
    """

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def to_python(self, value):
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))


def encrypted_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
