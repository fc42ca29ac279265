import re

from django.conf import settings


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
        "crisis": {
            "emergency_number": settings.EMERGENCY_NUMBER,
            "line_name": settings.CRISIS_LINE_NAME,
            "line_number": settings.CRISIS_LINE_NUMBER,
            "line_text": settings.CRISIS_LINE_TEXT,
            "dv_name": settings.DV_HOTLINE_NAME,
            "dv_number": settings.DV_HOTLINE_NUMBER,
            "dv_text": settings.DV_HOTLINE_TEXT,
            "youth_name": settings.YOUTH_CRISIS_LINE_NAME,
            "youth_number": settings.YOUTH_CRISIS_LINE_NUMBER,
            "youth_text": settings.YOUTH_CRISIS_LINE_TEXT,
        },
    }
