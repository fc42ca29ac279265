"""The outbox: every email intake sends is first a Notification row.

The row is written in the transaction that causes the email (a request, a
partner's answer), a task sends it once that transaction has committed, and
`manage.py send_notifications` retries whatever failed. A mail failure so never
undoes or loses the change that caused it.

The task is defined here, beside what it runs, so that queueing it needs no
import back from another module.
"""

import logging
from collections.abc import Mapping, Sequence
from functools import partial

from django.db import router, transaction
from django.tasks import task
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from intake.emails import notification_email
from intake.models import IntakeRequest, InvitationNotUsable, Notification

logger = logging.getLogger(__name__)

# A notification that failed this many times waits for staff (the admin lists
# unsent notifications) rather than being retried forever.
NOTIFICATION_MAX_ATTEMPTS = 10


def notification_queue(
    *, intake_request: IntakeRequest, kind: str, secret: str = ""
) -> Notification:
    """Record an email to send; see notifications_queue."""
    return notifications_queue(
        intake_request=intake_request, kinds=[kind], secret_for={kind: secret}
    )[0]


def notifications_queue(
    *, intake_request: IntakeRequest, kinds: Sequence[str], secret_for: Mapping[str, str | None]
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
            Notification(
                intake_request=intake_request, kind=kind, secret=secret_for.get(kind) or ""
            )
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


def notifications_withdraw(*, intake_request: IntakeRequest, kind: str, reason: str) -> int:
    """Give up the request's unsent emails of one kind (a link they carry was
    replaced): their secret is wiped and no retry will send them. Returns how many."""
    unsent = Notification.objects.filter(
        intake_request=intake_request, kind=kind, sent_at__isnull=True
    )
    # Wiping the secret, not setting one (bandit reads "secret" as a password).
    return unsent.update(
        secret="",  # nosec B106
        attempts=NOTIFICATION_MAX_ATTEMPTS,
        last_error=reason[:200],
    )


def _notification_enqueue(notification_id: int) -> None:
    send_notification.enqueue(notification_id=notification_id)


def _tasks_share_the_database() -> bool:
    """Whether queueing a notification's task only writes a row beside it."""
    return isinstance(send_notification.get_backend(), DatabaseBackend) and (
        router.db_for_write(DBTaskResult) == router.db_for_write(Notification)
    )


def notification_send(*, notification: Notification) -> bool:
    """Send one notification unless it has been sent. True if it went out now.

    A failure never reaches the caller: the attempt is counted, the exception's
    class name (nothing from the message, which may quote an address) is kept,
    and notifications_retry tries again later.
    """
    with transaction.atomic():
        # The row lock keeps a worker and the retry command from both sending it.
        current = (
            Notification.objects.select_for_update(skip_locked=True)
            .select_related("intake_request")
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


@task
def send_notification(notification_id: int) -> bool:
    """The background half of the outbox: by default (ImmediateBackend) it runs
    in the web process right after the commit that queued it; in production
    TASKS_BACKEND is django_tasks_db.DatabaseBackend and `manage.py db_worker`
    runs it."""
    notification = Notification.objects.filter(pk=notification_id).first()
    if notification is None:
        # Deleted meanwhile (the request was purged): nothing to send.
        return False
    return notification_send(notification=notification)


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
