"""Values from configuration that a page's Markdown may name: [[intake_retention_days]].

A notice must state the real retention period, not a number someone typed
once: the placeholder stays in the stored HTML and is filled in each time the
page is rendered, from settings read then. The names are the same in every
language; a value that has words (the crisis line, when we answer) is given in
the language of the page it is filled into.
"""

import re

from django.conf import settings
from django.utils.html import escape
from django.utils.translation import get_language, override

from practice.context_processors import crisis_resources, practice_wording

PLACEHOLDER = re.compile(r"\[\[\s*([a-z_]+)\s*\]\]")

# name: (what an editor is told it gives, how to read it from settings)
PLACEHOLDERS = {
    "practice_name": ("the practice's name", lambda: settings.PRACTICE_NAME),
    "practice_phone": ("its phone number", lambda: settings.PRACTICE_PHONE),
    "practice_email": ("its email address", lambda: settings.PRACTICE_EMAIL),
    "practice_address": ("its address", lambda: settings.PRACTICE_ADDRESS),
    "practice_regions": (
        "the states it serves",
        lambda: ", ".join(settings.PRACTICE_REGIONS),
    ),
    "response_time": ("when it answers requests", lambda: practice_wording()["response_time"]),
    "intake_retention_days": (
        "days a closed request is kept",
        lambda: str(settings.INTAKE_RETENTION_DAYS),
    ),
    "intake_quarantine_days": (
        "days a request held as possible spam is kept",
        lambda: str(settings.INTAKE_QUARANTINE_DAYS),
    ),
    "intake_invitation_days": (
        "days a partner link stays valid",
        lambda: str(settings.INTAKE_INVITATION_DAYS),
    ),
    "emergency_number": ("the emergency number", lambda: settings.EMERGENCY_NUMBER),
    "crisis_line": (
        "the crisis line",
        lambda: "{line_name} ({line_text})".format(**crisis_resources()),
    ),
}


def placeholders_unknown(text: str) -> list[str]:
    """The names in `text` that are not placeholders, in order, each once."""
    return list(dict.fromkeys(n for n in PLACEHOLDER.findall(text) if n not in PLACEHOLDERS))


def placeholders_fill(html: str, *, language: str | None = None) -> str:
    """`html` with each placeholder replaced by its current value (escaped), in
    `language` (default: the active one): an English page shown on the Spanish
    site keeps English values in its English sentences."""

    def value(match):
        known = PLACEHOLDERS.get(match.group(1))
        return escape(known[1]()) if known else match.group(0)

    with override(language or get_language()):
        return PLACEHOLDER.sub(value, html)


def placeholders_help() -> str:
    names = ", ".join(f"[[{name}]] ({what})" for name, (what, _) in PLACEHOLDERS.items())
    return f"Markdown. These are filled in from the site's configuration: {names}."
