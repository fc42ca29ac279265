"""What the public side changes: requests, partner links, partner answers.

Views call these functions; each runs in one transaction and records the
emails it causes as Notification rows in it (intake.notifications, the
outbox), so a mail failure never loses a request. What staff change lives in
intake.staff; reads in intake.selectors.
"""

import secrets
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from intake.choices import CrisisAnswer, SafetyAnswer
from intake.models import (
    PARTNER_LINK_KINDS,
    AccessRecord,
    IntakeRequest,
    InvitationNotUsable,
    Notification,
    PartnerInvitation,
    PartnerResponse,
    hash_token,
    new_reference,
)
from intake.notifications import (
    notification_queue,
    notifications_queue,
    notifications_withdraw,
)
from intake.selectors import invitation_usable_for, published_article_id_in_insert
from intake.staff import access_records_create
from practice.journeys import COUPLES_JOURNEYS, Journey


@dataclass(frozen=True)
class SafetyFlags:
    is_urgent: bool
    is_safety_flagged: bool


def safety_flags(*, in_crisis: str, partner_safety: str) -> SafetyFlags:
    """The safety rule, decided here only: what one person's private answers mean.

    In immediate danger or thinking of self-harm ("yes"): urgent, and crisis
    resources first. A partner who ever hurt, threatened or frightened them
    ("yes", or "prefer not to say"): safety follow-up, no partner link, and
    domestic-violence resources. The request stores these flags; pages read
    them from the request or from what the services below return.
    """
    return SafetyFlags(
        is_urgent=in_crisis == CrisisAnswer.YES,
        is_safety_flagged=partner_safety in (SafetyAnswer.YES, SafetyAnswer.PREFER_NOT),
    )


def quarantine_applies(flags: SafetyFlags) -> bool:
    """Whether a request whose form came with the honeypot filled may be held
    as possible spam: never when its answers make it urgent or flag it for
    safety follow-up. Those reach the practice at once, honeypot or not: a
    robot's request in the queue costs a minute, a held crisis could cost more.
    """
    return not (flags.is_urgent or flags.is_safety_flagged)


@dataclass(frozen=True)
class RequestCreated:
    intake_request: IntakeRequest
    # The raw partner token: only here, once. None without an invitation, and on
    # a repeated submission (the first one showed it).
    token: str | None
    invitation: PartnerInvitation | None
    is_new: bool
    # What this submission's answers mean, for the confirmation page: the stored
    # flags of a repeated one may by now also carry the partner's answers, which
    # the requester must never see.
    flags: SafetyFlags


@dataclass(frozen=True)
class PartnerAnswerRecorded:
    response: PartnerResponse
    # What the partner's own answers mean, for their confirmation page; the
    # request's stored flags also carry the requester's.
    flags: SafetyFlags


@sensitive_variables()
def request_create(
    *,
    submission_key: uuid.UUID,
    journey: str,
    name: str,
    email: str,
    phone: str,
    is_email_ok: bool,
    is_phone_ok: bool,
    is_text_ok: bool,
    is_voicemail_ok: bool,
    is_discreet_sender: bool,
    session_format: str,
    region: str,
    availability: list[str],
    availability_notes: str,
    payment: str,
    concerns: str,
    referral_source: str,
    partner_first_name: str,
    partner_readiness: str,
    wants_individual_now: bool,
    wants_couples_hold: bool,
    wants_link_emailed: bool,
    partner_safety: str,
    in_crisis: str,
    agrees_confidentiality: bool,
    is_adult: bool = True,
    preferred_clinician_id: int | None = None,
    online_location_confirmed: bool = False,
    from_article_slug: str = "",
    language: str = "en",
    is_possible_spam: bool = False,
) -> RequestCreated:
    """Store a request, its partner invitation if one applies, and its notifications.

    A possible spam (the honeypot was filled) is stored in quarantine unless
    its answers make it urgent or safety-flagged (quarantine_applies): kept,
    with its partner link, but with no notification at all until staff
    release it (request_release).

    The same submission_key twice (a double click, back and resend) stores one
    request; the second call returns the first one with is_new False. A key
    sent again by someone else (see _sent_again) is a request of its own.

    Someone under 18 (is_adult False) gets no couples request and no partner
    link: a couples journey is stored as a request for individual sessions,
    flagged by is_adult for staff. A safety answer given on the way is kept.

    from_article_slug names the article whose call to action opened the form;
    the request records it only if it is published, looked up in the insert
    itself (an unknown slug or a draft is recorded as none).
    `language` is the site it was sent from: the requester's emails go out in it.
    """
    now = timezone.now()
    asked_couples = journey in COUPLES_JOURNEYS
    # Under 18: no couples request and no partner link (see above).
    is_couples = asked_couples and is_adult
    # Asked of couples; an answer given on another journey (the section shows
    # without JavaScript) is kept and counts all the same: a safety answer is
    # never discarded.
    flags = safety_flags(in_crisis=in_crisis, partner_safety=partner_safety)
    if asked_couples and not is_adult:
        journey = Journey.INDIVIDUAL
    fields = {
        "submission_key": submission_key,
        "journey": journey,
        "language": language,
        "is_adult": is_adult,
        "preferred_clinician_id": preferred_clinician_id,
        "from_article_id": published_article_id_in_insert(from_article_slug)
        if from_article_slug
        else None,
        "online_location_confirmed_at": now if online_location_confirmed else None,
        "name": name,
        "email": email,
        "phone": phone,
        "is_email_ok": is_email_ok,
        "is_phone_ok": is_phone_ok,
        "is_text_ok": is_text_ok,
        "is_voicemail_ok": is_voicemail_ok,
        "is_discreet_sender": is_discreet_sender,
        "session_format": session_format,
        "region": region,
        "availability": availability,
        "availability_notes": availability_notes,
        "payment": payment,
        "concerns": concerns,
        "referral_source": referral_source,
        "partner_first_name": partner_first_name if is_couples else "",
        "partner_readiness": partner_readiness if is_couples else "",
        "wants_individual_now": is_couples and wants_individual_now,
        "wants_couples_hold": is_couples and wants_couples_hold,
        "wants_link_emailed": is_couples and not flags.is_safety_flagged and wants_link_emailed,
        "partner_safety": partner_safety,
        "in_crisis": in_crisis,
        "is_urgent": flags.is_urgent,
        "is_safety_flagged": flags.is_safety_flagged,
        "consented_at": now,
        "acknowledged_not_emergency_at": now,
        "agreed_confidentiality_at": now if is_couples and agrees_confidentiality else None,
        "created_at": now,
        "quarantined_at": now if is_possible_spam and quarantine_applies(flags) else None,
    }
    # Nearly every post is new, so it is stored without a look-up first: the
    # unique submission key refuses a repeat (even one sent at the same moment),
    # and only then is the first request looked up.
    for _attempt in range(8):
        try:
            return _request_store(fields, reference=new_reference(), flags=flags)
        except IntegrityError:
            existing = _sent_again(fields, now=now)
            if existing:
                return RequestCreated(
                    intake_request=existing,
                    token=None,
                    invitation=None,
                    is_new=False,
                    flags=flags,
                )
            # Otherwise the random reference was taken, or the key was another
            # person's and fields now carry one of their own: try again.
    raise IntegrityError("Could not find a free request reference.")


def _is_same_sender(intake_request: IntakeRequest, fields: dict) -> bool:
    """Whether a form sent with a stored request's key comes from the person who
    sent that request: the same name and the same ways to reach them."""
    return all(getattr(intake_request, name) == fields[name] for name in ("name", "email", "phone"))


@sensitive_variables()
@transaction.atomic
def _sent_again(fields: dict, *, now) -> IntakeRequest | None:
    """The first request of a form sent again (Back, an edit, Send again after an
    answer lost on the way), with the repeat's safety answers kept: a safety
    answer is never discarded.

    Only an answer that raises the stored one replaces it (never a lower one),
    and the flags rise through safety_flags, the one rule. A newly raised
    safety concern also closes an open partner link, as a first request with
    that answer would never have had one.

    None when no request has the key, and for a form with another sender's key
    (a saved copy of someone's page, filled in by someone else): that is a
    first request, not a repeat, so it must neither be dropped nor touch the
    other person's request. fields then get a key of their own, and the caller
    stores them like any first request.
    """
    existing = (
        IntakeRequest.objects.select_for_update()
        .filter(submission_key=fields["submission_key"])
        .first()
    )
    if existing is None:
        return None
    if not _is_same_sender(existing, fields):
        fields["submission_key"] = uuid.uuid4()
        return None
    stored = safety_flags(in_crisis=existing.in_crisis, partner_safety=existing.partner_safety)
    in_crisis, partner_safety = fields["in_crisis"], fields["partner_safety"]
    sent = safety_flags(in_crisis=in_crisis, partner_safety=partner_safety)
    changed = []
    if sent.is_urgent and not stored.is_urgent:
        existing.in_crisis = in_crisis
        changed.append("in_crisis")
    if sent.is_safety_flagged and not stored.is_safety_flagged:
        existing.partner_safety = partner_safety
        changed.append("partner_safety")
    if not changed:
        return existing
    kept = safety_flags(in_crisis=existing.in_crisis, partner_safety=existing.partner_safety)
    # The stored flags may also carry the partner's answers: they only rise.
    existing.is_urgent = existing.is_urgent or kept.is_urgent
    existing.is_safety_flagged = existing.is_safety_flagged or kept.is_safety_flagged
    existing.updated_at = now
    existing.save(update_fields=[*changed, "is_urgent", "is_safety_flagged", "updated_at"])
    if "partner_safety" in changed:
        PartnerInvitation.objects.usable(now=now).filter(intake_request=existing).update(
            revoked_at=now
        )
    if existing.quarantined_at is not None:
        # An urgent or safety-flagged request is never held (quarantine_applies).
        request_release(intake_request=existing)
        existing.refresh_from_db()
    return existing


@transaction.atomic
def _request_store(fields: dict, *, reference: str, flags: SafetyFlags) -> RequestCreated:
    """The request, its partner invitation and its notifications, all or nothing."""
    intake_request = IntakeRequest.objects.create(reference=reference, **fields)
    token = invitation = None
    if (
        intake_request.journey in COUPLES_JOURNEYS
        and intake_request.is_adult
        and not intake_request.is_safety_flagged
    ):
        invitation, token = invitation_create(intake_request=intake_request)

    if intake_request.quarantined_at is not None:
        # Nobody is told yet; the link email waits for a release with its token.
        if token and _wants_link_by_email(intake_request):
            intake_request.held_link_secret = token
            intake_request.save(update_fields=["held_link_secret"])
    else:
        _request_notifications_queue(intake_request=intake_request, token=token)
    return RequestCreated(
        intake_request=intake_request, token=token, invitation=invitation, is_new=True, flags=flags
    )


def _wants_link_by_email(intake_request: IntakeRequest) -> bool:
    return bool(
        intake_request.email and intake_request.is_email_ok and intake_request.wants_link_emailed
    )


def _request_notifications_queue(
    *, intake_request: IntakeRequest, token: str | None, partner_answered: bool = False
) -> None:
    """A new request's emails: to the practice, and to the requester if they
    gave an email that is safe to use (a receipt, and the partner link if they
    asked for it)."""
    kinds = [Notification.Kind.NEW_REQUEST]
    if partner_answered:
        kinds.append(Notification.Kind.PARTNER_ANSWER)
    if intake_request.email and intake_request.is_email_ok:
        kinds.append(Notification.Kind.RECEIPT)
        if token and _wants_link_by_email(intake_request):
            kinds.append(Notification.Kind.PARTNER_LINK)
    notifications_queue(
        intake_request=intake_request,
        kinds=kinds,
        secret_for={Notification.Kind.PARTNER_LINK: token},
    )


@sensitive_variables("token")
@transaction.atomic
def request_release(
    *,
    intake_request: IntakeRequest,
    by: AbstractBaseUser | None = None,
    ip_address: str | None = None,
) -> bool:
    """Let a request held as possible spam into the queue, and send what it
    held back: the practice's email (and a partner's answer, if one came), the
    requester's receipt and the partner link email they asked for, while the
    link still works. True if it was held; releasing again does nothing.

    Staff who release it (`by`) leave an access record; an urgent or safety
    answer arriving later releases it with no one's name.
    """
    locked = IntakeRequest.objects.select_for_update().get(pk=intake_request.pk)
    if locked.quarantined_at is None:
        return False
    token = locked.held_link_secret or None
    if token and invitation_usable_for(intake_request=locked) is None:
        token = None  # revoked, answered or expired meanwhile: never sent
    locked.quarantined_at = None
    locked.held_link_secret = ""  # nosec B105: wiped, as a sent notification's secret
    locked.save(update_fields=["quarantined_at", "held_link_secret", "updated_at"])
    _request_notifications_queue(
        intake_request=locked,
        token=token,
        partner_answered=locked.partner_responses.exists(),
    )
    if by is not None:
        access_records_create(
            action=AccessRecord.Action.RELEASE,
            user=by,
            references=[locked.reference],
            ip_address=ip_address,
        )
    intake_request.refresh_from_db(fields=["quarantined_at", "held_link_secret", "updated_at"])
    return True


def invitation_create(*, intake_request: IntakeRequest) -> tuple[PartnerInvitation, str]:
    """Make the partner link. Returns the invitation and the raw token, which is
    never stored: the database keeps only its hash."""
    token = secrets.token_urlsafe(32)  # 256 bits
    invitation = PartnerInvitation.objects.create(
        intake_request=intake_request,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=settings.INTAKE_INVITATION_DAYS),
    )
    return invitation, token


class InvitationNotReplaceable(Exception):
    """A new partner link cannot be sent for this request; the message says why."""


def invitation_replacement_refusal(*, intake_request: IntakeRequest) -> str | None:
    """Why no replacement link can be sent for the request, or None if one can."""
    if intake_request.journey not in COUPLES_JOURNEYS:
        return "Only couples requests have a partner link."
    if intake_request.quarantined_at is not None:
        return "This request is held as possible spam: release it into the queue first."
    if intake_request.is_safety_flagged:
        return "This request is flagged for safety follow-up: it never gets a partner link."
    invitation = getattr(intake_request, "invitation", None)
    if invitation is not None and invitation.used_at:
        return "The partner has answered already."
    if not (intake_request.email and intake_request.is_email_ok):
        return "They gave no email address that is safe to use, so a new link cannot be sent."
    return None


@sensitive_variables("token")
@transaction.atomic
def invitation_replace(
    *,
    intake_request: IntakeRequest,
    by: AbstractBaseUser | None = None,
    ip_address: str | None = None,
) -> PartnerInvitation:
    """A new partner link in place of the request's old one, for the requester only.

    The old link stops working at once (its hash is replaced; an answered link is
    never replaced). The new token is shown to nobody: it goes only into an email
    to the requester's own address, through the outbox (the row keeps it
    encrypted, and wipes it once sent); earlier unsent link emails are withdrawn.
    Staff who ask for it (`by`) leave an access record. Raises
    InvitationNotReplaceable with the reason when no link may be sent.
    """
    locked = IntakeRequest.objects.select_for_update().get(pk=intake_request.pk)
    refusal = invitation_replacement_refusal(intake_request=locked)
    if refusal:
        raise InvitationNotReplaceable(refusal)
    now = timezone.now()
    token = secrets.token_urlsafe(32)  # 256 bits, as invitation_create
    invitation, _created = PartnerInvitation.objects.update_or_create(
        intake_request=locked,
        defaults={
            "token_hash": hash_token(token),
            "created_at": now,
            "expires_at": now + timedelta(days=settings.INTAKE_INVITATION_DAYS),
            "revoked_at": None,
            "revoked_by": None,
        },
    )
    for kind in PARTNER_LINK_KINDS:
        notifications_withdraw(intake_request=locked, kind=kind, reason="Replaced")
    notification_queue(intake_request=locked, kind=Notification.Kind.NEW_PARTNER_LINK, secret=token)
    if by is not None:
        access_records_create(
            action=AccessRecord.Action.REPLACE_LINK,
            user=by,
            references=[locked.reference],
            ip_address=ip_address,
        )
    return invitation


@sensitive_variables()
@transaction.atomic
def partner_response_record(
    *,
    invitation: PartnerInvitation,
    answer: str,
    name: str,
    email: str,
    phone: str,
    contact_preferences: str,
    availability: str,
    message: str,
    partner_safety: str,
    in_crisis: str,
    consented: bool,
) -> PartnerAnswerRecorded:
    """Store the partner's answer, close their link, and tell the practice.

    The partner's answers raise the request's flags (never lower them): staff
    see one urgent, or safety, request whoever of the two answered so.

    Raises InvitationNotUsable when the link stopped working in the meantime
    (answered twice at once, revoked, expired).
    """
    now = timezone.now()
    locked = (
        PartnerInvitation.objects.select_for_update()
        .usable(now=now)
        .filter(pk=invitation.pk)
        .first()
    )
    if locked is None:
        raise InvitationNotUsable
    locked.used_at = now
    locked.save(update_fields=["used_at"])
    try:
        with transaction.atomic():
            response = PartnerResponse.objects.create(
                invitation=locked,
                intake_request_id=locked.intake_request_id,
                answer=answer,
                name=name,
                email=email,
                phone=phone,
                contact_preferences=contact_preferences,
                availability=availability,
                message=message,
                partner_safety=partner_safety,
                in_crisis=in_crisis,
                consented_at=now if consented else None,
                created_at=now,
            )
    except IntegrityError as exc:
        raise InvitationNotUsable from exc

    flags = safety_flags(in_crisis=in_crisis, partner_safety=partner_safety)
    raised = {name: True for name, value in asdict(flags).items() if value}
    if raised:
        IntakeRequest.objects.filter(pk=locked.intake_request_id).update(**raised, updated_at=now)
    intake_request = IntakeRequest.objects.get(pk=locked.intake_request_id)
    if intake_request.quarantined_at is None:
        notification_queue(intake_request=intake_request, kind=Notification.Kind.PARTNER_ANSWER)
    elif raised:
        # A held request with an urgent or safety answer is held no longer
        # (quarantine_applies); the release tells the practice of this answer too.
        request_release(intake_request=intake_request)
    # Otherwise the answer is told with its request, when staff release it.
    return PartnerAnswerRecorded(response=response, flags=flags)
