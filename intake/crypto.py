"""Encryption at rest for what people tell us in confidence.

Values are encrypted with Fernet (AES-128-CBC with HMAC-SHA256) using the keys in
settings.FIELD_ENCRYPTION_KEYS: the first key encrypts, every key decrypts, so a
new key can be put first and the old ones dropped after
`manage.py rotate_encryption_keys` has re-encrypted everything.
"""

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
    """Re-encrypt every encrypted value of every model with the first key.

    Returns the number of values re-encrypted per model ("app_label.Model").
    All or nothing: a value no configured key opens stops the whole run.
    """
    counts = {}
    for model in apps.get_models():
        fields = encrypted_fields(model)
        if fields:
            counts[model._meta.label] = _rotate_model(model, fields, batch_size)
    return counts
