import json

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# As django.utils.html.json_script does: once these three are escaped, nothing
# in the data (an article title, say) can close the script element early.
JSON_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """`data` as a <script type="application/ld+json"> element, safe for any text inside."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    # Safe once <, > and & are escaped: nothing can close the element early.
    escaped = mark_safe(text.translate(JSON_SCRIPT_ESCAPES))  # nosec
    return format_html('<script type="application/ld+json">{}</script>', escaped)


@register.filter
def html_datetime(value):
    """An aware datetime as HTML's <time datetime> wants it: local time, whole seconds.

    Django's "c" format keeps microseconds, which HTML does not allow.
    """
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()
