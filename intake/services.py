"""Everything that changes intake data and has side effects.

Views and admin actions call these functions; they run in a transaction and
record each email as a Notification row in it (an outbox). Sending happens
later, in a task, so a mail failure never loses a request (notifications_queue
says when the task itself is queued).
"""

# --- Public side: requests, partner links, partner answers, notifications ------

import logging
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import IntegrityError, router, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from intake.choices import COUPLES_JOURNEYS, CrisisAnswer, SafetyAnswer
from intake.models import (
    IntakeRequest,
    Notification,
    PartnerInvitation,
    PartnerResponse,
    hash_token,
    new_reference,
)

logger = logging.getLogger(__name__)

# A notification that failed this many times waits for staff (the admin lists
# unsent notifications) rather than being retried forever.
NOTIFICATION_MAX_ATTEMPTS = 10
_SAFETY_CONCERNS = (SafetyAnswer.YES, SafetyAnswer.PREFER_NOT)


class InvitationNotUsable(Exception):
    """The partner link was answered, revoked or expired in the meantime."""


@dataclass(frozen=True)
class RequestCreated:
    request: IntakeRequest
    # The raw partner token: only here, once. None without an invitation, and on
    # a repeated submission (the first one showed it).
    token: str | None
    invitation: PartnerInvitation | None
    is_new: bool


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
) -> RequestCreated:
    """Store a request, its partner invitation if one applies, and its notifications.

    The same submission_key twice (a double click, back and resend) stores one
    request; the second call returns the first one with is_new False.
    """
    now = timezone.now()
    is_couples = journey in COUPLES_JOURNEYS
    safety_concern = is_couples and partner_safety in _SAFETY_CONCERNS
    fields = {
        "submission_key": submission_key,
        "journey": journey,
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
        "wants_link_emailed": is_couples and not safety_concern and wants_link_emailed,
        "partner_safety": partner_safety if is_couples else "",
        "in_crisis": in_crisis,
        "is_urgent": in_crisis == CrisisAnswer.YES,
        "is_safety_flagged": safety_concern,
        "consented_at": now,
        "acknowledged_not_emergency_at": now,
        "agreed_confidentiality_at": now if is_couples and agrees_confidentiality else None,
        "created_at": now,
    }
    # Nearly every post is new, so it is stored without a look-up first: the
    # unique submission key refuses a repeat (even one sent at the same moment),
    # and only then is the first request looked up.
    for _attempt in range(8):
        try:
            return _request_store(fields, reference=new_reference())
        except IntegrityError:
            existing = IntakeRequest.objects.filter(submission_key=submission_key).first()
            if existing:
                return RequestCreated(request=existing, token=None, invitation=None, is_new=False)
            # Otherwise the random reference was taken: try another.
    raise IntegrityError("Could not find a free request reference.")


@transaction.atomic
def _request_store(fields: dict, *, reference: str) -> RequestCreated:
    """The request, its partner invitation and its notifications, all or nothing."""
    intake_request = IntakeRequest.objects.create(reference=reference, **fields)
    token = invitation = None
    if intake_request.journey in COUPLES_JOURNEYS and not intake_request.is_safety_flagged:
        invitation, token = invitation_create(request=intake_request)

    kinds = [Notification.Kind.NEW_REQUEST]
    if intake_request.email and intake_request.is_email_ok:
        kinds.append(Notification.Kind.RECEIPT)
        if token and intake_request.wants_link_emailed:
            kinds.append(Notification.Kind.PARTNER_LINK)
    notifications_queue(
        request=intake_request, kinds=kinds, secret_for={Notification.Kind.PARTNER_LINK: token}
    )
    return RequestCreated(request=intake_request, token=token, invitation=invitation, is_new=True)


def invitation_create(*, request: IntakeRequest) -> tuple[PartnerInvitation, str]:
    """Make the partner link. Returns the invitation and the raw token, which is
    never stored: the database keeps only its hash."""
    token = secrets.token_urlsafe(32)  # 256 bits
    invitation = PartnerInvitation.objects.create(
        request=request,
        token_hash=hash_token(token),
        expires_at=timezone.now() + timedelta(days=settings.INTAKE_INVITATION_DAYS),
    )
    return invitation, token


def invitation_find(*, token: str) -> PartnerInvitation | None:
    """The usable invitation for a raw token, or None (unknown, expired, used, revoked)."""
    # Real tokens are 43 characters; anything much longer is not worth hashing.
    if not token or len(token) > 100:
        return None
    # Without the request: the partner's page needs nothing of it, and its
    # encrypted answers would be decrypted for nothing.
    return PartnerInvitation.objects.usable().filter(token_hash=hash_token(token)).first()


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
) -> PartnerResponse:
    """Store the partner's answer, close their link, and tell the practice.

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
                request_id=locked.request_id,
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

    flags = {}
    if partner_safety in _SAFETY_CONCERNS:
        flags["is_safety_flagged"] = True
    if in_crisis == CrisisAnswer.YES:
        flags["is_urgent"] = True
    if flags:
        IntakeRequest.objects.filter(pk=locked.request_id).update(**flags, updated_at=now)
    intake_request = IntakeRequest.objects.get(pk=locked.request_id)
    notification_queue(request=intake_request, kind=Notification.Kind.PARTNER_ANSWER)
    return response


def notification_queue(*, request: IntakeRequest, kind: str, secret: str = "") -> Notification:
    """Record an email to send; see notifications_queue."""
    return notifications_queue(request=request, kinds=[kind], secret_for={kind: secret})[0]


def notifications_queue(
    *, request: IntakeRequest, kinds: Sequence[str], secret_for: Mapping[str, str | None]
) -> list[Notification]:
    """Record emails to send, in one insert; they are sent once the surrounding
    transaction commits. `secret_for` holds what a kind of email must carry.

    When the tasks backend keeps its queue in this database, each task is queued
    in the same transaction: the notifications and their tasks are stored
    together or not at all, with no commit of their own. Any other backend (the
    immediate one sends at once) gets the tasks after the commit, so that a mail
    failure can never undo the change that caused it.
    """
    notifications = Notification.objects.bulk_create(
        [
            Notification(request=request, kind=kind, secret=secret_for.get(kind) or "")
            for kind in kinds
        ]
    )
    in_transaction = _tasks_share_the_database()
    for notification in notifications:
        if in_transaction:
            _notification_enqueue(notification.pk)
        else:
            # One callback each: a failure to queue one must not stop the others.
            transaction.on_commit(partial(_notification_enqueue, notification.pk), robust=True)
    return notifications


def _notification_enqueue(notification_id: int) -> None:
    from intake.tasks import send_notification

    send_notification.enqueue(notification_id=notification_id)


def _tasks_share_the_database() -> bool:
    """Whether queueing a notification's task only writes a row beside it."""
    from django_tasks_db import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    from intake.tasks import send_notification

    return isinstance(send_notification.get_backend(), DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == router.db_for_write(Notification)
    )


def notification_send(*, notification: Notification) -> bool:
    """Send one notification unless it has been sent. True if it went out now.

    A failure never reaches the caller: the attempt is counted, the exception's
    class name (nothing from the message, which may quote an address) is kept,
    and notifications_retry tries again later.
    """
    from intake.emails import notification_email

    with transaction.atomic():
        # The row lock keeps a worker and the retry command from both sending it.
        current = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("request")
            .filter(pk=notification.pk, sent_at__isnull=True)
            .first()
        )
        if current is None:
            return False
        current.attempts += 1
        try:
            notification_email(notification=current).send()
        except Exception as exc:
            current.last_error = type(exc).__name__[:200]
            if isinstance(exc, InvitationNotUsable):
                # The link was answered, revoked or expired first: never send it.
                current.secret = ""  # nosec B105
                current.attempts = NOTIFICATION_MAX_ATTEMPTS
            current.save(update_fields=["attempts", "last_error", "secret"])
            logger.warning(
                "notification %s (%s) not sent: %s",
                current.pk,
                current.kind,
                type(exc).__name__,
            )
            return False
        current.sent_at = timezone.now()
        current.secret = ""  # nosec B105
        current.last_error = ""
        current.save(update_fields=["attempts", "sent_at", "secret", "last_error"])
    notification.sent_at = current.sent_at
    return True


def notifications_retry() -> tuple[int, int]:
    """Try every unsent notification again. Returns (sent, still unsent)."""
    pending = Notification.objects.filter(
        sent_at__isnull=True, attempts__lt=NOTIFICATION_MAX_ATTEMPTS
    ).order_by("created_at")
    sent = failed = 0
    for notification in list(pending):
        if notification_send(notification=notification):
            sent += 1
        elif Notification.objects.filter(pk=notification.pk, sent_at__isnull=True).exists():
            failed += 1
    return sent, failed


# --- Staff side: triage, notes, audit, revocation, export, retention -----------

# The staff side's imports stay in its section, so that each side can be edited
# without touching the other's.
import ipaddress  # noqa: E402
from collections.abc import Iterable, Sequence  # noqa: E402

from cryptography.fernet import InvalidToken  # noqa: E402
from django.apps import apps as django_apps  # noqa: E402
from django.contrib.auth.models import AbstractBaseUser  # noqa: E402
from django.core.exceptions import ImproperlyConfigured  # noqa: E402
from django.db import models as db_models  # noqa: E402
from django.db import transaction as db_transaction  # noqa: E402
from django.utils import timezone as dj_timezone  # noqa: E402

from intake import crypto  # noqa: E402
from intake.models import AccessRecord, IntakeRequest, Note, PartnerInvitation  # noqa: E402

EXPORT_HEADER = [
    "Reference",
    "Received",
    "Journey",
    "Partner readiness",
    "Status",
    "Urgent",
    "Safety follow-up",
    "Assigned clinician",
    "Region",
    "Format",
    "Payment",
]
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _valid_address(address: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((address or "").strip()))
    except ValueError:
        return None


def access_records_create(
    *,
    action: str,
    user: AbstractBaseUser | None = None,
    username: str = "",
    references: Iterable[str] = ("",),
    ip_address: str | None = None,
) -> list[AccessRecord]:
    """Record who did what to which requests, from where: one record per reference.

    The username is kept as text so that the record outlives the account.
    """
    if user is not None and not username:
        username = user.get_username()
    now = dj_timezone.now()
    return AccessRecord.objects.bulk_create(
        AccessRecord(
            created_at=now,
            user=user if user is not None and user.pk else None,
            username=username[:150],
            action=action,
            reference=reference,
            ip_address=_valid_address(ip_address),
        )
        for reference in references
    )


@db_transaction.atomic
def request_triage_save(
    *,
    request: IntakeRequest,
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> IntakeRequest:
    """Save what staff may change on a request (status, assignment).

    closed_at follows the status: set when a request is closed, kept while it
    stays closed, cleared when it is reopened.
    """
    if request.status == IntakeRequest.Status.CLOSED:
        request.closed_at = request.closed_at or dj_timezone.now()
    else:
        request.closed_at = None
    request.save(update_fields=["status", "assigned_to", "closed_at", "updated_at"])
    access_records_create(
        action=AccessRecord.Action.CHANGE,
        user=by,
        references=[request.reference],
        ip_address=ip_address,
    )
    return request


def request_status_set(
    *,
    request: IntakeRequest,
    status: str,
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> IntakeRequest:
    request.status = status
    return request_triage_save(request=request, by=by, ip_address=ip_address)


def request_assign(
    *,
    request: IntakeRequest,
    to: AbstractBaseUser | None,
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> IntakeRequest:
    request.assigned_to = to
    return request_triage_save(request=request, by=by, ip_address=ip_address)


@db_transaction.atomic
def note_create(*, request: IntakeRequest, author: AbstractBaseUser, body: str) -> Note:
    return Note.objects.create(
        request=request, author=author, body=body, created_at=dj_timezone.now()
    )


@db_transaction.atomic
def invitation_revoke(
    *,
    invitation: PartnerInvitation,
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> PartnerInvitation:
    """Stop a partner link from working. Revoking twice keeps the first time."""
    if invitation.revoked_at is None:
        invitation.revoked_at = dj_timezone.now()
        invitation.revoked_by = by
        invitation.save(update_fields=["revoked_at", "revoked_by"])
    access_records_create(
        action=AccessRecord.Action.REVOKE,
        user=by,
        references=[invitation.request.reference],
        ip_address=ip_address,
    )
    return invitation


def _neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def _export_row(request: IntakeRequest) -> list[str]:
    assigned = request.assigned_to
    row = [
        request.reference,
        dj_timezone.localtime(request.created_at).strftime("%Y-%m-%d %H:%M"),
        request.get_journey_display(),
        request.get_partner_readiness_display(),
        request.get_status_display(),
        "yes" if request.is_urgent else "no",
        "yes" if request.is_safety_flagged else "no",
        (assigned.get_full_name() or assigned.get_username()) if assigned else "",
        request.region,
        request.get_session_format_display(),
        request.get_payment_display(),
    ]
    return [_neutralise(str(cell)) for cell in row]


@db_transaction.atomic
def requests_export(
    *,
    requests: Iterable[IntakeRequest],
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> list[list[str]]:
    """The rows of a CSV export (header first), recorded as one export per request.

    Only triage facts leave the system this way: never what people wrote, and
    never their private answers.
    """
    requests = list(requests)
    access_records_create(
        action=AccessRecord.Action.EXPORT,
        user=by,
        references=[r.reference for r in requests],
        ip_address=ip_address,
    )
    return [EXPORT_HEADER, *(_export_row(r) for r in requests)]


@db_transaction.atomic
def requests_purge(*, dry_run: bool = False, now=None) -> list[str]:
    """Delete closed requests past the retention period, with everything attached.

    Returns their references. Access records keep the reference as text, so the
    audit trail survives the request.
    """
    purgeable = IntakeRequest.objects.purgeable(now=now).order_by("closed_at")
    references = list(purgeable.values_list("reference", flat=True))
    if references and not dry_run:
        IntakeRequest.objects.filter(reference__in=references).delete()
    return references


def _rotated(token: str, *, model, field: str, pk) -> str:
    try:
        return crypto.rotate(token)
    except InvalidToken as exc:
        # Name the place, never the value.
        raise ImproperlyConfigured(
            f"{model._meta.label}.{field} of row {pk} cannot be decrypted with any key "
            "in FIELD_ENCRYPTION_KEYS; nothing was changed."
        ) from exc


def _rotate_model(model, fields: Sequence[str], batch_size: int) -> int:
    # The raw column, not the decrypted value: wrapping the column in an
    # expression with a plain TextField skips the field's from_db_value.
    raw = {f: db_models.ExpressionWrapper(db_models.F(f), db_models.TextField()) for f in fields}
    manager = model._base_manager
    rotated = 0
    last_pk = None
    while True:
        rows = manager.order_by("pk")
        if last_pk is not None:
            rows = rows.filter(pk__gt=last_pk)
        rows = rows.annotate(**{f"raw_{f}": e for f, e in raw.items()})
        batch = list(rows.values("pk", *(f"raw_{f}" for f in fields))[:batch_size])
        if not batch:
            return rotated
        last_pk = batch[-1]["pk"]
        updates = {}
        for field in fields:
            whens = [
                db_models.When(
                    pk=row["pk"],
                    then=db_models.Value(
                        _rotated(row[f"raw_{field}"], model=model, field=field, pk=row["pk"]),
                        output_field=db_models.TextField(),
                    ),
                )
                for row in batch
                if row[f"raw_{field}"]
            ]
            if whens:
                rotated += len(whens)
                updates[field] = db_models.Case(
                    *whens, default=db_models.F(field), output_field=db_models.TextField()
                )
        if updates:
            manager.filter(pk__in=[row["pk"] for row in batch]).update(**updates)


@db_transaction.atomic
def encryption_keys_rotate(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted value of every model with the first key.

    Returns the number of values re-encrypted per model ("app_label.Model").
    All or nothing: a value no configured key opens stops the whole run.
    """
    counts = {}
    for model in django_apps.get_models():
        fields = crypto.encrypted_fields(model)
        if fields:
            counts[model._meta.label] = _rotate_model(model, fields, batch_size)
    return counts
