"""Encryption at rest for what people tell us in confidence.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) using the keys in
settings.FIELD_ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so a
new key can be put first and the old ones dropped after
`manage.py rotate_encryption_keys` has re-encrypted everything.

A requester's name, email and phone are encrypted too; staff find a request by
them through keyed hashes (search_hash), which match an exact value and
reveal nothing to someone without the key.
"""

import hashlib
import hmac
from collections.abc import Sequence
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction


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


# --- Search hashes: finding a person by exact contact details ---------------

# What a requester can be found by, and the field that keeps each one's hash.
SEARCHABLE_CONTACT_DETAILS = ("name", "email", "phone")
_DIGITS = frozenset("0123456789")


def _search_key() -> bytes:
    if settings.SEARCH_HASH_KEY:
        return settings.SEARCH_HASH_KEY.encode()
    # Without a key of its own, one derived from the encryption key in use;
    # rotate_encryption_keys then computes every hash again.
    first = settings.FIELD_ENCRYPTION_KEYS[0].strip().encode()
    return hmac.new(first, b"intake search hash", hashlib.sha256).digest()


def normalised(kind: str, value: str) -> str:
    """What a detail is compared as: an email in lower case, a phone number's
    digits, a name's words in one case with single spaces."""
    if kind == "email":
        return value.strip().lower()
    if kind == "phone":
        return "".join(character for character in value if character in _DIGITS)
    return " ".join(value.split()).casefold()


def search_hash(kind: str, value: str) -> str:
    """A keyed hash (HMAC-SHA256) of a normalised name, email or phone; "" for none."""
    text = normalised(kind, value)
    if not text:
        return ""
    return hmac.new(_search_key(), f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()


def term_kind(term: str) -> str:
    """What a search term looks like: an email address, a phone number or a name."""
    if "@" in term:
        return "email"
    if len(normalised("phone", term)) >= 7 and not any(c.isalpha() for c in term):
        return "phone"
    return "name"


def contact_hashes(**details: str) -> dict[str, str]:
    """{"name_hash": …, "email_hash": …, "phone_hash": …} for the details given."""
    return {f"{kind}_hash": search_hash(kind, value or "") for kind, value in details.items()}


def search_hashes_refresh(*, batch_size: int = 500) -> int:
    """Compute every request's search hashes again, with the key in use now.
    Returns the number of requests."""
    model = apps.get_model("intake", "IntakeRequest")
    fields = [f"{kind}_hash" for kind in SEARCHABLE_CONTACT_DETAILS]
    rows = model._base_manager.only("pk", *SEARCHABLE_CONTACT_DETAILS).order_by("pk")
    count = 0
    for start in range(0, rows.count(), batch_size):
        batch = list(rows[start : start + batch_size])
        for row in batch:
            details = {kind: getattr(row, kind) for kind in SEARCHABLE_CONTACT_DETAILS}
            for field, value in contact_hashes(**details).items():
                setattr(row, field, value)
        model._base_manager.bulk_update(batch, fields)
        count += len(batch)
    return count


# --- Key rotation: re-encrypting what is stored with the first key -----------


def _rotated(token: str, *, model, field: str, pk) -> str:
    try:
        return rotate(token)
    except InvalidToken as exc:
        # Name the place, never the value.
        raise ImproperlyConfigured(
            f"{model._meta.label}.{field} of row {pk} cannot be decrypted with any key "
            "in FIELD_ENCRYPTION_KEYS; nothing was changed."
        ) from exc


def _rotate_model(model, fields: Sequence[str], batch_size: int) -> int:
    # The raw column, not the decrypted value: wrapping the column in an
    # expression with a plain TextField skips the field's from_db_value.
    raw = {f: models.ExpressionWrapper(models.F(f), models.TextField()) for f in fields}
    manager = model._base_manager
    rotated = 0
    last_pk = None
    while True:
        rows = manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        rows = rows.annotate(**{f"raw_{f}": e for f, e in raw.items()})
        batch = list(rows.values("pk", *(f"raw_{f}" for f in fields))[:batch_size])
        if not batch:
            return rotated
        last_pk = batch[-1]["pk"]
        updates = {}
        for field in fields:
            whens = [
                models.When(
                    pk=row["pk"],
                    then=models.Value(
                        _rotated(row[f"raw_{field}"], model=model, field=field, pk=row["pk"]),
                        output_field=models.TextField(),
                    ),
                )
                for row in batch
                if row[f"raw_{field}"]
            ]
            if whens:
                rotated += len(whens)
                updates[field] = models.Case(
                    *whens, default=models.F(field), output_field=models.TextField()
                )
        if updates:
            manager.filter(pk__in=[row["pk"] for row in batch]).update(**updates)


@transaction.atomic
def encryption_keys_rotate(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted value of every model with the first key, and
    compute the search hashes again (their key may derive from it).

    Returns the number of values re-encrypted per model ("app_label.Model").
    All or nothing: a value no configured key opens stops the whole run.
    """
    counts = {}
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields:
            counts[model._meta.label] = _rotate_model(model, fields, batch_size)
    search_hashes_refresh(batch_size=batch_size)
    return counts
