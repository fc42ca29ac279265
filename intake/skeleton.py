"""Blank intake pages, rendered once per process and filled in for each visitor.

Why this exists: these are the dearest pages of the site to render. Measured on
2026-12-01 on the two-core development machine (CPU time, median of 200
renders, with the project's own crispy-forms pack), the blank request page takes
about 8.5 ms, 7 ms of it its two dozen fields: some 5.5 ms for Django's own
widgets (the radios and checkboxes), the rest crispy-forms' wrapping of each
field; the partner page takes about 7.5 ms. A copy filled in from the skeleton,
the whole request through the test client included, takes under 1 ms.

A blank form is the same for every visitor but three values: the CSRF token,
the signed time the form was shown (intake.spam.started_token) and the request
form's submission key; and, on the request form, the article a link came from
(`?from=<slug>`, a hidden field); and, on a partner page, its own address in
each language (the language switcher's link), which holds the partner's token
(`page_path`). So a view renders its blank page once, with a
placeholder in each of those places, and every visitor gets a copy with fresh
values put in (`blank_page`). The article is a placeholder rather than part of
the page's key: any slug-like text may arrive there, and a key per text would
render and store a page for each. A form that carries answers or errors (a post
with mistakes, a stale form, an outage) is rendered in full, as before.

The copies live in this process's memory, not in the shared cache: they hold
nothing that workers or machines must agree on (the fresh values come from each
request), and losing one costs one render. They die with the process, so a
deploy, which restarts gunicorn, picks up new templates, settings and code; a
template edited on a running server shows only after a restart. Changing a
setting in tests clears them. Each view keys its page by what the markup
depends on besides the template (the preselected answers, the content version);
the language (a page's text and links follow it) and the year in the footer are
part of every key.
"""

import re
import secrets
import uuid
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone, translation

from intake import spam

# Random per process, so that no text in a template can ever match one.
_nonce = secrets.token_hex(16)
CSRF_TOKEN = f"skeletoncsrf{_nonce}"
STARTED = f"skeletonstarted{_nonce}"
SUBMISSION_KEY = f"skeletonkey{_nonce}"
FROM_ARTICLE = f"skeletonfrom{_nonce}"

# What a blank page is rendered with: a context explicitly passed to a template
# overrides the context processors' csrf_token, so {% csrf_token %} writes the
# placeholder; forms take the other two as initial values.
CONTEXT = {"csrf_token": CSRF_TOKEN}
FORM_INITIAL = {
    spam.STARTED_FIELD: STARTED,
    "submission_key": SUBMISSION_KEY,
    "from_article": FROM_ARTICLE,
}

_FRESH = {
    # get_token also makes the CSRF middleware set the cookie, as the tag does.
    CSRF_TOKEN: get_token,
    STARTED: lambda request: spam.started_token(),
    SUBMISSION_KEY: lambda request: str(uuid.uuid4()),
    # Empty unless the view passes a value (blank_page's `values`).
    FROM_ARTICLE: lambda request: "",
}
_PLACEHOLDERS = re.compile("(" + "|".join([*_FRESH, f"skeletonpath[a-z]+{_nonce}"]) + ")")
# Masked CSRF tokens are letters and digits, signed values URL-safe base64 and
# colons, UUIDs hex digits and hyphens, slugs letters, digits, underscores and
# hyphens (or nothing), paths those and slashes: nothing HTML escapes, so each
# goes in as it is, exactly as the template would have written it.
_SAFE_VALUE = re.compile(r"[A-Za-z0-9_:/-]*")


def page_path(language: str) -> str:
    """The placeholder for the page's own address in `language`; the view gives
    each visitor's in blank_page's `values`."""
    return f"skeletonpath{language.replace('-', '').lower()}{_nonce}"


_MAX_PAGES = 64


@dataclass(frozen=True)
class _Skeleton:
    # Markup and placeholders in turn: markup, placeholder, markup, ..., markup.
    parts: tuple[bytes | str, ...]
    valid_until: datetime | None


_pages: dict[Hashable, _Skeleton] = {}


def blank_page(
    request,
    *,
    key: Hashable,
    render: Callable[[], str],
    valid_until: Callable[[], datetime | None] | None = None,
    values: Mapping[str, str] | None = None,
) -> HttpResponse:
    """The blank page `render()` makes (with CONTEXT and FORM_INITIAL), with fresh
    values for this request.

    `key` names everything the markup depends on besides the template and the
    settings; `valid_until`, asked when the page is rendered, gives a time after
    which it must be rendered again (None: no such time). `values` gives this
    request's value for a placeholder (FROM_ARTICLE), as plain URL-safe text.
    """
    now = timezone.now()
    full_key = (key, translation.get_language(), timezone.localdate(now).year)
    page = _pages.get(full_key)
    if page is None or (page.valid_until is not None and now >= page.valid_until):
        # Asked before the render, so that a change during it is not missed.
        until = valid_until() if valid_until else None
        parts = tuple(
            part if index % 2 else part.encode()
            for index, part in enumerate(_PLACEHOLDERS.split(render()))
        )
        page = _Skeleton(parts=parts, valid_until=until)
        if len(_pages) >= _MAX_PAGES:
            _pages.clear()
        _pages[full_key] = page
    return HttpResponse(b"".join(_filled(request, page.parts, given=values or {})))


def _filled(request, parts, *, given):
    values = {}
    for index, part in enumerate(parts):
        if not index % 2:
            yield part
            continue
        if part not in values:
            value = given[part] if part in given else _FRESH[part](request)
            if not _SAFE_VALUE.fullmatch(value):
                raise ValueError("A value for a blank page is not plain URL-safe text.")
            values[part] = value.encode()
        yield values[part]


@receiver(setting_changed)
def _forget_pages(**kwargs):
    _pages.clear()
