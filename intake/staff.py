"""What staff do to requests, and the audit trail of it.

Triage (status, assignment), internal notes, revoking a partner link, deleting
a request held as possible spam, CSV export and the retention purge; each
opening, change, export, revocation or deletion of a request leaves an
AccessRecord, as do staff sign-ins (intake/apps.py).
"""

import ipaddress
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from intake.crypto import search_hash, term_kind
from intake.models import AccessRecord, IntakeRequest, Note, PartnerInvitation
from intake.selectors import staff_name
from practice.proxy import client_address

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
    # Last, so that the columns of an export made before it stay where they were.
    "Language",
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
    search_hash: str = "",
    result_count: int | None = None,
) -> list[AccessRecord]:
    """Record who did what to which requests, from where: one record per reference.

    The username is kept as text so that the record outlives the account.
    """
    if user is not None and not username:
        username = user.get_username()
    now = timezone.now()
    return AccessRecord.objects.bulk_create(
        AccessRecord(
            created_at=now,
            user=user if user is not None and user.pk else None,
            username=username[:150],
            action=action,
            reference=reference,
            ip_address=_valid_address(ip_address),
            search_hash=search_hash,
            result_count=result_count,
        )
        for reference in references
    )


def requests_search_record(
    *, term: str, result_count: int, by: AbstractBaseUser, ip_address: str | None = None
) -> AccessRecord:
    """Record a search of the requests: who, when, how many it found, and the
    keyed hash of what was searched for (never the words themselves)."""
    term = term.strip()
    (record,) = access_records_create(
        action=AccessRecord.Action.SEARCH,
        user=by,
        ip_address=ip_address,
        search_hash=search_hash(term_kind(term), term),
        result_count=result_count,
    )
    return record


def _address(request) -> str | None:
    # The same client address as sign-in limits and rate limits (TRUSTED_PROXY_COUNT).
    return (client_address(request) or None) if request is not None else None


# Receivers of Django's auth signals (connected in IntakeConfig.ready): the one
# place sign-ins can be seen.


def record_login(sender, request, user, **kwargs):
    access_records_create(action=AccessRecord.Action.LOGIN, user=user, ip_address=_address(request))


def record_logout(sender, request, user, **kwargs):
    # user is None when the session had already ended.
    access_records_create(
        action=AccessRecord.Action.LOGOUT, user=user, ip_address=_address(request)
    )


def record_login_failed(sender, credentials, request=None, **kwargs):
    # Only the name that was tried: Django has already masked the password, and
    # nothing else of the credentials is kept.
    username = str(credentials.get(get_user_model().USERNAME_FIELD) or "")
    access_records_create(
        action=AccessRecord.Action.LOGIN_FAILED, username=username, ip_address=_address(request)
    )


@transaction.atomic
def request_triage_save(
    *,
    intake_request: IntakeRequest,
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> IntakeRequest:
    """Save what staff may change on a request (status, assignment).

    closed_at follows the status: set when a request is closed, kept while it
    stays closed, cleared when it is reopened. became_client_at is set when a
    request is marked "became a client", kept when it is then closed or
    referred, and cleared when it goes back to an earlier status.
    """
    now = timezone.now()
    status = intake_request.status
    if status == IntakeRequest.Status.CLOSED:
        intake_request.closed_at = intake_request.closed_at or now
    else:
        intake_request.closed_at = None
    if status == IntakeRequest.Status.BECAME_CLIENT:
        intake_request.became_client_at = intake_request.became_client_at or now
    elif status in IntakeRequest.BEFORE_CLIENT_STATUSES:
        intake_request.became_client_at = None
    intake_request.save(
        update_fields=["status", "assigned_to", "closed_at", "became_client_at", "updated_at"]
    )
    access_records_create(
        action=AccessRecord.Action.CHANGE,
        user=by,
        references=[intake_request.reference],
        ip_address=ip_address,
    )
    return intake_request


def request_status_set(
    *,
    intake_request: IntakeRequest,
    status: str,
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> IntakeRequest:
    intake_request.status = status
    return request_triage_save(intake_request=intake_request, by=by, ip_address=ip_address)


def request_assign(
    *,
    intake_request: IntakeRequest,
    to: AbstractBaseUser | None,
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> IntakeRequest:
    intake_request.assigned_to = to
    return request_triage_save(intake_request=intake_request, by=by, ip_address=ip_address)


@transaction.atomic
def note_create(*, intake_request: IntakeRequest, author: AbstractBaseUser, body: str) -> Note:
    return Note.objects.create(
        intake_request=intake_request, author=author, body=body, created_at=timezone.now()
    )


@transaction.atomic
def invitation_revoke(
    *,
    invitation: PartnerInvitation,
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> PartnerInvitation:
    """Stop a partner link from working. Revoking twice keeps the first time."""
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.revoked_by = by
        invitation.save(update_fields=["revoked_at", "revoked_by"])
    access_records_create(
        action=AccessRecord.Action.REVOKE,
        user=by,
        references=[invitation.intake_request.reference],
        ip_address=ip_address,
    )
    return invitation


def _neutralise(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_PREFIXES) else cell


def _export_row(intake_request: IntakeRequest) -> list[str]:
    assigned = intake_request.assigned_to
    row = [
        intake_request.reference,
        timezone.localtime(intake_request.created_at).strftime("%Y-%m-%d %H:%M"),
        intake_request.get_journey_display(),
        intake_request.get_partner_readiness_display(),
        intake_request.get_status_display(),
        "yes" if intake_request.is_urgent else "no",
        "yes" if intake_request.is_safety_flagged else "no",
        staff_name(assigned) if assigned else "",
        intake_request.region,
        intake_request.get_session_format_display(),
        intake_request.get_payment_display(),
        intake_request.get_language_display(),
    ]
    return [_neutralise(str(cell)) for cell in row]


@transaction.atomic
def requests_export(
    *,
    requests: Iterable[IntakeRequest],
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> list[list[str]]:
    """The rows of a CSV export (header first), recorded as one export per request.

    Only triage facts leave the system this way: never what people wrote, and
    never their private answers; and no request held as possible spam, which
    counts nowhere until it is released.
    """
    requests = [r for r in requests if r.quarantined_at is None]
    access_records_create(
        action=AccessRecord.Action.EXPORT,
        user=by,
        references=[r.reference for r in requests],
        ip_address=ip_address,
    )
    return [EXPORT_HEADER, *(_export_row(r) for r in requests)]


@transaction.atomic
def request_discard(
    *,
    intake_request: IntakeRequest,
    by: AbstractBaseUser,
    ip_address: str | None = None,
) -> bool:
    """Delete a request held as possible spam, with everything attached (its
    partner link and any partner answer), as the purge does. True if it was
    deleted; a request in the queue is never deleted here. The access record
    keeps its reference."""
    held = IntakeRequest.objects.select_for_update().quarantined().filter(pk=intake_request.pk)
    if not held.exists():
        return False
    held.delete()
    access_records_create(
        action=AccessRecord.Action.DISCARD,
        user=by,
        references=[intake_request.reference],
        ip_address=ip_address,
    )
    return True


@transaction.atomic
def requests_purge(*, dry_run: bool = False, now=None) -> list[str]:
    """Delete closed requests past the retention period, and requests held as
    possible spam past the quarantine period, with everything attached.

    Returns their references. Access records keep the reference as text, so the
    audit trail survives the request.
    """
    purgeable = IntakeRequest.objects.purgeable(now=now).order_by("created_at")
    references = list(purgeable.values_list("reference", flat=True))
    if references and not dry_run:
        IntakeRequest.objects.filter(reference__in=references).delete()
    return references
