"""The site's languages: a vocabulary articles and intake both use."""

from django.conf import settings


def language_choices():
    """settings.LANGUAGES, read when a form or a check asks (never at import)."""
    return settings.LANGUAGES
