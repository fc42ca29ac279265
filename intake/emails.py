"""The emails intake sends, built from templates in templates/intake/email/.

No email carries clinical details: the practice's emails hold the reference,
the journey, "urgent" where it applies and a link to the admin; the requester's
hold the reference, when we will answer and where to find help now. Nothing a
person typed is ever repeated.
"""

from email.utils import formataddr, make_msgid, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from intake.models import PARTNER_LINK_KINDS, IntakeRequest, InvitationNotUsable, Notification
from intake.selectors import invitation_usable_for
from practice.context_processors import crisis_resources, practice_wording
from practice.journeys import Journey

_TEMPLATES = {
    Notification.Kind.NEW_REQUEST: "intake/email/new_request",
    Notification.Kind.PARTNER_ANSWER: "intake/email/partner_answer",
    Notification.Kind.RECEIPT: "intake/email/receipt",
    Notification.Kind.PARTNER_LINK: "intake/email/partner_link",
    Notification.Kind.NEW_PARTNER_LINK: "intake/email/new_partner_link",
}


def site_url(path: str) -> str:
    """The full address of a path on this site: an email has no request to take it from."""
    return settings.SITE_URL + path


def admin_url(intake_request: IntakeRequest) -> str:
    try:
        path = reverse("admin:intake_intakerequest_change", args=[intake_request.pk])
    except NoReverseMatch:
        # The request admin is not registered (yet): the admin's front page still helps.
        path = reverse("admin:index")
    return site_url(path)


def sender(intake_request: IntakeRequest) -> str:
    """The From header: a name that says nothing about therapy when asked for."""
    if not intake_request.is_discreet_sender:
        return settings.DEFAULT_FROM_EMAIL
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((settings.PRACTICE_DISCREET_SENDER_NAME, address))


def automatic_headers() -> dict[str, str]:
    """Headers every message the site sends on its own carries.

    Auto-Submitted (RFC 3834) keeps out-of-office replies and mailing-list
    robots from answering; a Message-ID on the site's own domain, rather than
    the sending machine's name, is what spam filters expect of its mail.
    """
    return {
        "Auto-Submitted": "auto-generated",
        "Message-ID": make_msgid(domain=urlsplit(settings.SITE_URL).hostname),
    }


def notification_email(*, notification: Notification) -> EmailMessage:
    """The message for a notification. Raises InvitationNotUsable for a partner
    link that stopped working before it could be sent.

    The requester's emails are written in the language of the site they sent
    the request from, links included (a Spanish request's partner link opens
    the Spanish partner page); the practice's own are in its language,
    settings.LANGUAGE_CODE, whatever page queued them.
    """
    to_practice = notification.kind in (
        Notification.Kind.NEW_REQUEST,
        Notification.Kind.PARTNER_ANSWER,
    )
    language = settings.LANGUAGE_CODE if to_practice else notification.intake_request.language
    with translation.override(language):
        return _notification_email(notification, language=language)


def _notification_email(notification: Notification, *, language: str) -> EmailMessage:
    intake_request = notification.intake_request
    kind = notification.kind
    context = {
        "reference": intake_request.reference,
        "journey": Journey(intake_request.journey).label,
        "is_urgent": intake_request.is_urgent,
        "practice_name": settings.PRACTICE_NAME,
        "practice_phone": settings.PRACTICE_PHONE,
        "response_time": practice_wording(language)["response_time"],
        "is_discreet": intake_request.is_discreet_sender,
        "crisis": crisis_resources(language),
    }
    if kind in (Notification.Kind.NEW_REQUEST, Notification.Kind.PARTNER_ANSWER):
        context["admin_url"] = admin_url(intake_request)
        recipients = list(settings.PRACTICE_NOTIFY_EMAIL)
        from_email = settings.DEFAULT_FROM_EMAIL
    else:
        recipients = [intake_request.email]
        from_email = sender(intake_request)
    if kind in PARTNER_LINK_KINDS:
        invitation = invitation_usable_for(intake_request=intake_request)
        if invitation is None or not notification.secret:
            raise InvitationNotUsable
        context["partner_url"] = site_url(
            reverse("intake:partner", kwargs={"token": notification.secret})
        )
        context["expires_at"] = invitation.expires_at
        # What the partner page explains: the journey, which emails may name.
        context["is_intensive"] = intake_request.journey == Journey.INTENSIVE

    template = _TEMPLATES[kind]
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    body = render_to_string(f"{template}.txt", context)
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=from_email,
        to=recipients,
        headers=automatic_headers(),
    )
