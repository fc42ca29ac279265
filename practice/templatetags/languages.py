"""The current page in the site's other languages: the switcher on every page
and the hreflang alternates in the head (templates/base.html).

A page says where it is in each language through `language_urls` in its
context ({language: (path, exists)}); without it, the page's URL pattern is
reversed in each language, which is right for every page that exists in both
(the home page, lists, the team, the forms). Where the page has no counterpart,
the switcher leads to the other language's home page (or to the place the view
named, an article list for an untranslated article) and no alternate is given.
"""

import re
from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import get_language, override

from articles import search
from articles.models import Page
from practice.page_cache import QUERY_PARAMS_ATTRIBUTE

register = template.Library()

# Pages worth naming to search engines in each language: public, indexed, the
# same in both. Confirmations and partner pages are private; the request form
# is kept as one copy for every visitor (intake/skeleton.py), which must not
# carry the first visitor's host in an absolute address. The practice's own
# pages (fees, privacy, …) are named once an editor has published them in each
# language (their view says which, in language_urls).
ALTERNATE_PAGES = frozenset(
    {
        "home",
        "articles:list",
        "articles:topic",
        "articles:detail",
        "team",
        "clinician",
        *Page.Kind.values,
    }
)


# What the switcher carries to the other language's page: what a list reads to
# show what it shows (the search text, the page number), nothing else. Only a
# parameter the view names for the page cache (cache_public_page's `params`)
# can be one: a cached page, switcher included, is served to everyone who asks
# with the same values of those parameters, so carrying any other (a campaign
# tag, the request form's `from`) would hand one visitor's address to others.
PAGE_NUMBER = re.compile(r"[0-9]{1,6}")

# Confirmations are shown once (intake.views._first_view): the same address in
# the other language would show only the neutral page, so the switcher leads to
# that language's home page.
SHOWN_ONCE_PAGES = frozenset({"intake:done", "intake:partner-done"})


@dataclass(frozen=True)
class Version:
    code: str
    name: str
    path: str
    exists: bool  # the same page in that language (else: a place to start there)


@dataclass(frozen=True)
class Versions:
    current: str
    others: list[Version]
    alternates: list[tuple[str, str]]  # (hreflang, absolute URL), x-default last


def _home(language):
    with override(language):
        return reverse("home")


def _same_page(request, language):
    match = getattr(request, "resolver_match", None) if request is not None else None
    if match is None or not match.url_name or match.view_name in SHOWN_ONCE_PAGES:
        return None
    if language == get_language():
        return request.path
    try:
        with override(language):
            path = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return None
    # The same path in every language: not a page of the translated site.
    return path if path != request.path else None


def _kept_query(request, context, language) -> str:
    """The query string that leads to the same list in `language`: its search
    text, and its page number where that language's list has such a page (the
    view says how many it has, in `language_pages`); "" when there is none."""
    match = getattr(request, "resolver_match", None)
    read = getattr(getattr(match, "func", None), QUERY_PARAMS_ATTRIBUTE, None) or ()
    kept = {}
    if "q" in read:
        text = search.clean(request.GET.get("q", ""))
        if text:
            kept["q"] = text
    if "page" in read:
        page = request.GET.get("page", "")
        pages = (context.get("language_pages") or {}).get(language, 1)
        if PAGE_NUMBER.fullmatch(page) and 1 < int(page) <= pages:
            kept["page"] = int(page)
    return f"?{urlencode(kept)}" if kept else ""


def page_versions(context) -> Versions:
    request = context.get("request")
    current = get_language()
    given = context.get("language_urls") or {}
    found = {}
    for code, _name in settings.LANGUAGES:
        if code in given:
            found[code] = given[code]
            continue
        path = _same_page(request, code)
        found[code] = (path, True) if path else (_home(code), False)
    names = dict(settings.LANGUAGES)
    others = []
    for code, _ in settings.LANGUAGES:
        if code == current:
            continue
        path, exists = found[code]
        if request is not None and request.GET and path == _same_page(request, code):
            path += _kept_query(request, context, code)
        others.append(Version(code, names[code], path, exists))
    alternates = []
    match = getattr(request, "resolver_match", None) if request is not None else None
    if (
        match is not None
        and match.view_name in ALTERNATE_PAGES
        and not request.GET
        and all(exists for _path, exists in found.values())
    ):
        alternates = [(code, request.build_absolute_uri(path)) for code, (path, _) in found.items()]
        alternates.append(
            ("x-default", request.build_absolute_uri(found[settings.LANGUAGE_CODE][0]))
        )
    return Versions(current=current, others=others, alternates=alternates)


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page in the other languages (for the switcher) and its hreflang alternates."""
    return page_versions(context)


@register.simple_tag
def current_language():
    return get_language()
