"""Parts of a page that are the same on every page of a language, rendered once.

The footer (the crisis lines, the practice's address, the links) and the
header's links are made of a few dozen translated strings and reversed URLs:
about a fifth of the time an article takes to render, the same on every page.
`{% per_language "name" value … %}…{% end_per_language %}` renders its content
once per process for each language, year and the values given (the header's
`nav`, which marks the current section), and gives the same markup after that.

Only what settings, the language, the year and the given values decide may go
inside: nothing from the database, the request or the visitor. Like the blank
intake pages (intake/skeleton.py), the copies die with the process, so a deploy
picks up new templates and settings; changing a setting in tests clears them.
"""

import threading

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import get_language

register = template.Library()

_rendered = {}
_lock = threading.Lock()
# A handful of fragments, two languages, a few values of `nav`: this only
# guards against a template that varies one by something unbounded.
_MAX_FRAGMENTS = 128


class PerLanguageNode(template.Node):
    def __init__(self, name, values, nodelist):
        self.name = name
        self.values = values
        self.nodelist = nodelist

    def render(self, context):
        key = (
            self.name.resolve(context),
            get_language(),
            timezone.localdate().year,
            *(value.resolve(context) for value in self.values),
        )
        with _lock:
            markup = _rendered.get(key)
        if markup is None:
            markup = self.nodelist.render(context)
            with _lock:
                if len(_rendered) >= _MAX_FRAGMENTS:
                    _rendered.clear()
                _rendered[key] = markup
        return markup


@register.tag
def per_language(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("per_language needs a name for the fragment.")
    nodelist = parser.parse(("end_per_language",))
    parser.delete_first_token()
    return PerLanguageNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]], nodelist
    )


@receiver(setting_changed)
def _forget_fragments(**kwargs):
    with _lock:
        _rendered.clear()
