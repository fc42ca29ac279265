import re

from django.conf import settings
from django.utils.translation import get_language


def crisis_resources(language: str | None = None) -> dict:
    """The crisis and domestic-violence resources in `language` (default: the
    active one). The numbers are the same; names and how-to texts have Spanish
    counterparts in settings (…_ES), each falling back to the English."""
    spanish = (language or get_language()) == "es"

    def text(name):
        english = getattr(settings, name)
        return (getattr(settings, f"{name}_ES", "") or english) if spanish else english

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


def practice(request):
    """The practice's name, contact details and crisis resources for every page."""
    return {
        "practice": {
            "name": settings.PRACTICE_NAME,
            "tagline": settings.PRACTICE_TAGLINE,
            "phone": settings.PRACTICE_PHONE,
            # For tel: links, which allow no spaces or brackets.
            "phone_tel": re.sub(r"[^0-9+]", "", settings.PRACTICE_PHONE),
            "email": settings.PRACTICE_EMAIL,
            "address": settings.PRACTICE_ADDRESS,
            "regions": settings.PRACTICE_REGIONS,
            "response_time": settings.PRACTICE_RESPONSE_TIME,
            "map_description": settings.PRACTICE_MAP_DESCRIPTION,
            "sees_minors": settings.PRACTICE_SEES_MINORS,
            "minors_min_age": settings.PRACTICE_MINORS_MIN_AGE,
            "minors_consent": settings.PRACTICE_MINORS_CONSENT,
        },
        "crisis": crisis_resources(),
    }
