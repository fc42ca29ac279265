"""Helpers for posting hostile input and checking what it left behind."""

import re
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import escape

from intake.models import IntakeRequest, Notification, PartnerInvitation, PartnerResponse

REQUEST_URL = reverse("intake:request")
# The text fields of each form: what a person typed and must see again.
REQUEST_TEXT_FIELDS = (
    "name",
    "email",
    "phone",
    "availability_notes",
    "concerns",
    "partner_first_name",
)
PARTNER_TEXT_FIELDS = ("name", "email", "phone", "availability_notes", "message")
HIDDEN_CHARACTERS_MESSAGE = "contains invisible or control characters"
UNREADABLE_MESSAGE = "characters we could not read"


def stored() -> dict[str, int]:
    """What the public forms can create, counted: compared before and after a post."""
    return {
        "requests": IntakeRequest.objects.count(),
        "invitations": PartnerInvitation.objects.count(),
        "usable invitations": PartnerInvitation.objects.usable().count(),
        "partner responses": PartnerResponse.objects.count(),
        "notifications": Notification.objects.count(),
    }


NOTHING_STORED = {
    "requests": 0,
    "invitations": 0,
    "usable invitations": 0,
    "partner responses": 0,
    "notifications": 0,
}


def urlencoded(data: dict, extra: str = "") -> str:
    """A urlencoded body; `extra` is appended as raw, already-encoded pairs."""
    body = urlencode(data, doseq=True)
    return f"{body}&{extra}" if extra else body


def post_urlencoded(client, url: str, body: str | bytes):
    return client.post(url, body, content_type="application/x-www-form-urlencoded")


def errors_of(response) -> dict[str, list[str]]:
    return {name: list(messages) for name, messages in response.context["form"].errors.items()}


def assert_shown_back(response, data: dict, fields) -> None:
    """Every text value typed is in the page again, escaped."""
    html = response.content.decode()
    for name in fields:
        if data.get(name):
            assert escape(data[name]) in html, f"{name} was not shown back"


def csrf_token_of(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "the page has no CSRF token"
    return match.group(1)


def is_friendly_page(response) -> bool:
    html = response.content.decode()
    return 'class="site-footer"' in html and "Traceback" not in html
