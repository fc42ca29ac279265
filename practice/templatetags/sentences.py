"""Filters for putting configured text inside a sentence."""

from django import template

register = template.Library()


@register.filter(is_safe=True)
def lowerfirst(value):
    """The text with its first letter lowered, for the middle of a sentence:
    "Call or text 988" reads "call or text 988". Only the first letter: a word
    in capitals later on (the AYUDA a Spanish text to 988 must carry) stays,
    and so does a first word in capitals (TTY)."""
    value = str(value)
    if not value or (len(value) > 1 and value[1].isupper()):
        return value
    return value[0].lower() + value[1:]
