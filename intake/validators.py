"""What the intake forms accept in a name, an address, a phone number and free text.

Each function returns the cleaned value or raises ValidationError with a code;
the forms' clean_<field> methods call them.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

# Characters that never belong in a name, an address or a phone number and that
# can disguise what a value says, by Unicode category: controls (Cc); format
# characters (Cf: bidirectional marks, overrides and isolates, zero-width
# characters, soft hyphens, tags); line and paragraph separators (Zl, Zp);
# surrogates (Cs).
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# What undecodable bytes and lone surrogates in a request body are read as.
_REPLACEMENT_CHARACTER = "\ufffd"
_PHONE = re.compile(r"^\+?[0-9 ().\-]{7,}(\s*(x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


def clean_line(value: str, *, what: str) -> str:
    """A one-line value, trimmed and NFC-normalised, without hidden characters.

    `what` names the value as the start of a sentence ("Your name"), whole, so
    that a translation can word it as its language needs.
    """
    value = unicodedata.normalize("NFC", value.strip())
    if any(unicodedata.category(character) in _HIDDEN_CATEGORIES for character in value):
        raise ValidationError(
            _(
                "%(what)s contains invisible or control characters (they sometimes come "
                "along when text is copied). Please type it again."
            ),
            code="hidden_characters",
            params={"what": what},
        )
    if _REPLACEMENT_CHARACTER in value:
        raise ValidationError(
            _(
                "%(what)s contains characters we could not read (shown as %(mark)s). "
                "Please type it again."
            ),
            code="unreadable_characters",
            params={"what": what, "mark": _REPLACEMENT_CHARACTER},
        )
    return value


def clean_free_text(value: str) -> str:
    """Free text keeps its line breaks; only its Unicode form is normalised."""
    return unicodedata.normalize("NFC", value.strip())


def clean_phone_number(value: str) -> str:
    value = clean_line(value, what=_("Your phone number"))
    if value and not _PHONE.match(value):
        raise ValidationError(
            _("Please enter a phone number using digits, and spaces, +, -, ( or ) if you like."),
            code="invalid_phone",
        )
    return value


def clean_email_address(value: str) -> str:
    value = clean_line(value, what=_("Your email address"))
    if value:
        try:
            validate_email(value)
        except ValidationError as exc:
            raise ValidationError(
                _("Please enter an email address like name@example.com."), code="invalid_email"
            ) from exc
    return value
