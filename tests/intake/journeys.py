"""Posts to the request form and the partner page, built as a person would send them."""

import re
import time
import uuid

from django.urls import reverse

from intake import spam
from intake.models import IntakeRequest, PartnerInvitation

# Values that must never leave the database: not in emails, logs or the other
# partner's pages. Distinctive, so that a search for them cannot match by chance.
CONCERNS = "We argue about money every night and I feel alone QX7-concerns"
AVAILABILITY_NOTES = "Tuesdays after six QX7-availability"
PARTNER_FIRST_NAME = "Marisolqx"
REQUESTER_NAME = "Jordan Quillfeather"
PARTNER_NAME = "Alexqx Partnerly"
PARTNER_MESSAGE = "I am nervous about this QX7-partner-message"
PARTNER_AVAILABILITY = "Mornings before work QX7-partner-availability"


def form_values(html: str) -> dict:
    """The hidden values a page's form carries, as a browser would post them back."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))


def long_ago() -> str:
    """A signed start time a minute old: a person who took their time."""
    return spam.started_token(at=time.time() - 60)


def request_post(journey: str = "individual", **overrides) -> dict:
    """A valid POST for the request form; an override of None leaves the field out."""
    data = {
        "journey": journey,
        "name": REQUESTER_NAME,
        "email": "jordan@example.com",
        "phone": "(555) 010-3030",
        "contact_methods": ["email", "phone"],
        "is_adult": "yes",
        "session_format": "online",
        "online_location_confirmed": "on",
        "region": "Oregon",
        "availability": ["weekday_evening", "weekend"],
        "availability_notes": AVAILABILITY_NOTES,
        "payment": "self_pay",
        "concerns": CONCERNS,
        "referral_source": "article",
        "in_crisis": "no",
        "consent": "on",
        "acknowledges_not_emergency": "on",
        "submission_key": str(uuid.uuid4()),
        "started": long_ago(),
        "website": "",
    }
    if journey in ("couples", "intensive"):
        data |= {
            "partner_first_name": PARTNER_FIRST_NAME,
            "partner_readiness": "not_asked",
            "wants_now": ["individual_now"],
            "partner_safety": "no",
            "agrees_confidentiality": "on",
        }
    data |= overrides
    return {key: value for key, value in data.items() if value is not None}


def partner_post(answer: str = "join", **overrides) -> dict:
    """A valid POST for the partner page."""
    data = {"answer": answer, "in_crisis": "no", "started": long_ago(), "website": ""}
    if answer in ("join", "questions"):
        data |= {
            "name": PARTNER_NAME,
            "email": "alex@example.com",
            "phone": "555 010 4040",
            "contact_methods": ["text"],
            "partner_safety": "no",
        }
    if answer == "join":
        data |= {
            "availability": ["weekday_morning"],
            "availability_notes": PARTNER_AVAILABILITY,
            "consent": "on",
        }
    data["message"] = PARTNER_MESSAGE
    data |= overrides
    return {key: value for key, value in data.items() if value is not None}


def send_request(client, journey: str = "individual", **overrides):
    """Post the form and follow to the confirmation page."""
    return client.post(reverse("intake:request"), request_post(journey, **overrides), follow=True)


def latest_request() -> IntakeRequest:
    return IntakeRequest.objects.latest("created_at")


def partner_url(token: str) -> str:
    return reverse("intake:partner", kwargs={"token": token})


def couples_request_with_token(client, **overrides) -> tuple[IntakeRequest, str]:
    """Send a couples request and read the partner token from the confirmation."""
    response = send_request(client, "couples", **overrides)
    token = response.context["done"]["token"]
    assert token
    return latest_request(), token


def usable_invitations():
    return PartnerInvitation.objects.usable()
