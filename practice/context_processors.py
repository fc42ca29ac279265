import re

from django.conf import settings
from django.utils.translation import get_language


def _setting_in(language: str | None):
    """A text setting in `language` (default: the active one): for Spanish its
    …_ES counterpart, falling back to the English."""
    spanish = (language or get_language()) == "es"

    def text(name):
        english = getattr(settings, name)
        return (getattr(settings, f"{name}_ES", "") or english) if spanish else english

    return text


def crisis_resources(language: str | None = None) -> dict:
    """The crisis and domestic-violence resources in `language` (default: the
    active one). The numbers are the same; names and how-to texts have Spanish
    counterparts in settings (…_ES), each falling back to the English."""
    text = _setting_in(language)

    return {
        "emergency_number": settings.EMERGENCY_NUMBER,
        "line_name": text("CRISIS_LINE_NAME"),
        "line_number": settings.CRISIS_LINE_NUMBER,
        "line_text": text("CRISIS_LINE_TEXT"),
        "dv_name": text("DV_HOTLINE_NAME"),
        "dv_number": settings.DV_HOTLINE_NUMBER,
        "dv_text": text("DV_HOTLINE_TEXT"),
        "youth_name": text("YOUTH_CRISIS_LINE_NAME"),
        "youth_number": settings.YOUTH_CRISIS_LINE_NUMBER,
        "youth_text": text("YOUTH_CRISIS_LINE_TEXT"),
    }


def practice_wording(language: str | None = None) -> dict:
    """The practice's own sentences from settings, in `language` (default: the
    active one), like the crisis resources."""
    text = _setting_in(language)
    return {
        "tagline": text("PRACTICE_TAGLINE"),
        "response_time": text("PRACTICE_RESPONSE_TIME"),
        "map_description": text("PRACTICE_MAP_DESCRIPTION"),
        "minors_consent": text("PRACTICE_MINORS_CONSENT"),
    }


def practice(request):
    """The practice's name, contact details and crisis resources for every page."""
    wording = practice_wording()
    return {
        "practice": {
            "name": settings.PRACTICE_NAME,
            "tagline": wording["tagline"],
            "phone": settings.PRACTICE_PHONE,
            # For tel: links, which allow no spaces or brackets.
            "phone_tel": re.sub(r"[^0-9+]", "", settings.PRACTICE_PHONE),
            "email": settings.PRACTICE_EMAIL,
            "address": settings.PRACTICE_ADDRESS,
            "regions": settings.PRACTICE_REGIONS,
            "response_time": wording["response_time"],
            "map_description": wording["map_description"],
            "sees_minors": settings.PRACTICE_SEES_MINORS,
            "minors_min_age": settings.PRACTICE_MINORS_MIN_AGE,
            "minors_consent": wording["minors_consent"],
            "quick_exit_url": settings.QUICK_EXIT_URL,
            "site_url": settings.SITE_URL,
        },
        "crisis": crisis_resources(),
    }
