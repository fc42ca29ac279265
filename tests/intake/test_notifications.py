"""Emails: who gets them, what they (never) say, and that none is lost."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from intake import notifications
from intake.models import IntakeRequest, Notification
from intake.notifications import notification_send
from tests.intake.journeys import (
    AVAILABILITY_NOTES,
    CONCERNS,
    PARTNER_AVAILABILITY,
    PARTNER_FIRST_NAME,
    PARTNER_MESSAGE,
    PARTNER_NAME,
    REQUESTER_NAME,
    couples_request_with_token,
    latest_request,
    partner_post,
    partner_url,
    request_post,
    send_request,
)

pytestmark = pytest.mark.django_db

FAILING_MAILERS = {"default": {"BACKEND": "tests.intake.mail_backends.FailingEmailBackend"}}
WORKING_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
SENSITIVE = (
    CONCERNS,
    AVAILABILITY_NOTES,
    PARTNER_FIRST_NAME,
    REQUESTER_NAME,
    PARTNER_NAME,
    PARTNER_MESSAGE,
    PARTNER_AVAILABILITY,
    "(555) 010-3030",
    "555 010 4040",
    "alex@example.com",
    "prefer_not",
    "money",
)


@pytest.fixture(autouse=True)
def _practice_inbox(settings):
    settings.PRACTICE_NOTIFY_EMAIL = ["office@practice.example", "lead@practice.example"]
    settings.SITE_URL = "https://practice.example"


def whole(message) -> str:
    """Subject, headers and body, as the mail server would see them."""
    return message.message().as_string() + message.subject + message.body


def send(client, django_capture_on_commit_callbacks, journey="couples", **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        response = send_request(client, journey, **overrides)
    return response


def by_recipient(mailoutbox) -> dict:
    return {tuple(m.to): m for m in mailoutbox}


def test_new_request_notifies_the_practice_and_sends_a_receipt(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    send(client, django_capture_on_commit_callbacks, "individual")

    saved = latest_request()
    assert len(mailoutbox) == 2
    mails = by_recipient(mailoutbox)
    practice = mails[("office@practice.example", "lead@practice.example")]
    assert saved.reference in practice.subject
    assert "Individual sessions for me" in practice.body
    assert (
        f"https://practice.example/admin/intake/intakerequest/{saved.pk}/change/" in practice.body
    )
    assert "urgent" not in whole(practice).lower()
    receipt = mails[("jordan@example.com",)]
    assert saved.reference in receipt.subject
    assert saved.reference in receipt.body
    assert "within two business days" in receipt.body
    assert "988" in receipt.body
    assert "Harbor & Hearth" in receipt.from_email
    assert Notification.objects.filter(sent_at__isnull=False).count() == 2


def test_urgent_request_says_urgent_to_the_practice_only(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    send(client, django_capture_on_commit_callbacks, "individual", in_crisis="yes")

    mails = by_recipient(mailoutbox)
    practice = mails[("office@practice.example", "lead@practice.example")]
    assert "URGENT" in practice.subject
    assert "urgent" not in whole(mails[("jordan@example.com",)]).lower()


def test_no_receipt_without_a_safe_email(client, mailoutbox, django_capture_on_commit_callbacks):
    send(
        client,
        django_capture_on_commit_callbacks,
        "individual",
        contact_methods=["phone"],
    )

    assert [m.to for m in mailoutbox] == [["office@practice.example", "lead@practice.example"]]
    assert not Notification.objects.filter(kind=Notification.Kind.RECEIPT).exists()


def test_partner_link_email_goes_to_the_requester_only(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    response = send(client, django_capture_on_commit_callbacks, wants_link_emailed="on")

    token = response.context["done"]["token"]
    link_mails = [m for m in mailoutbox if token in m.body]
    assert len(link_mails) == 1
    assert link_mails[0].to == ["jordan@example.com"]
    assert f"https://practice.example{partner_url(token)}" in link_mails[0].body
    assert all(token not in whole(m) for m in mailoutbox if m is not link_mails[0])
    assert all("alex" not in ",".join(m.to + m.cc + m.bcc).lower() for m in mailoutbox)
    link = Notification.objects.get(kind=Notification.Kind.PARTNER_LINK)
    assert link.sent_at is not None
    assert link.secret == ""
    assert "in the email we send you" in response.content.decode()


def test_no_partner_link_email_unless_asked(client, mailoutbox, django_capture_on_commit_callbacks):
    response = send(client, django_capture_on_commit_callbacks)

    token = response.context["done"]["token"]
    assert all(token not in whole(m) for m in mailoutbox)
    assert not Notification.objects.filter(kind=Notification.Kind.PARTNER_LINK).exists()


def test_discreet_sender_hides_the_practice_name(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.PRACTICE_DISCREET_SENDER_NAME = "HH Office"
    send(
        client,
        django_capture_on_commit_callbacks,
        is_discreet_sender="on",
        wants_link_emailed="on",
    )

    to_requester = [m for m in mailoutbox if m.to == ["jordan@example.com"]]
    assert len(to_requester) == 2
    for message in to_requester:
        assert message.from_email.startswith("HH Office <")
        headers = message.message()
        assert "Harbor" not in headers["From"]
        assert "therapy" not in message.subject.lower()
        assert "couples" not in message.subject.lower()


@pytest.mark.parametrize("journey", ["individual", "couples", "intensive", "consult"])
def test_no_email_carries_what_people_told_us(
    client, mailoutbox, django_capture_on_commit_callbacks, journey
):
    response = send(
        client,
        django_capture_on_commit_callbacks,
        journey,
        in_crisis="yes",
        wants_link_emailed="on" if journey in ("couples", "intensive") else None,
    )
    if journey in ("couples", "intensive"):
        token = response.context["done"]["token"]
        with django_capture_on_commit_callbacks(execute=True):
            client.post(partner_url(token), partner_post("join", partner_safety="prefer_not"))

    assert mailoutbox
    for message in mailoutbox:
        text = whole(message)
        for value in SENSITIVE:
            assert value not in text, (message.subject, value)


def test_safety_answers_change_nothing_in_any_email(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    send(client, django_capture_on_commit_callbacks, "couples", partner_safety="no")
    send(client, django_capture_on_commit_callbacks, "couples", partner_safety="yes")
    first, second = [m for m in mailoutbox if m.to == ["jordan@example.com"]]
    practice_first, practice_second = [m for m in mailoutbox if "office" in m.to[0]]
    ref_first, ref_second = IntakeRequest.objects.order_by("created_at").values_list(
        "reference", flat=True
    )

    assert first.body.replace(ref_first, "REF") == second.body.replace(ref_second, "REF")
    assert (
        practice_first.body.replace(ref_first, "REF").split("https://")[0]
        == (practice_second.body.replace(ref_second, "REF").split("https://")[0])
    )


def test_partner_answer_notifies_the_practice_without_the_answer(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    intake_request, token = couples_request_with_token(client)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(partner_url(token), partner_post("not_now"))

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["office@practice.example", "lead@practice.example"]
    assert intake_request.reference in message.subject
    assert "not_now" not in whole(message) and "Not right now" not in whole(message)
    assert PARTNER_MESSAGE not in whole(message)
    assert Notification.objects.get(kind=Notification.Kind.PARTNER_ANSWER).sent_at


def test_every_email_is_marked_automatic_with_a_message_id_on_the_sites_domain(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        intake_request, token = couples_request_with_token(client, wants_link_emailed="on")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(partner_url(token), partner_post("not_now"))

    kinds = set(Notification.objects.filter(sent_at__isnull=False).values_list("kind", flat=True))
    # A replacement partner link is sent only when staff ask for one
    # (tests/intake/test_new_partner_link.py checks its headers).
    assert kinds == set(Notification.Kind.values) - {Notification.Kind.NEW_PARTNER_LINK}
    assert len(mailoutbox) == len(kinds)
    message_ids = set()
    for message in mailoutbox:
        sent = message.message()
        assert sent["Auto-Submitted"] == "auto-generated"
        assert sent["Message-ID"].endswith("@practice.example>")
        message_ids.add(sent["Message-ID"])
    assert len(message_ids) == len(mailoutbox)


def test_failing_mail_server_loses_nothing_and_the_retry_sends_once(
    client, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.MAILERS = FAILING_MAILERS
    response = send(client, django_capture_on_commit_callbacks, wants_link_emailed="on")

    assert response.status_code == 200
    saved = latest_request()
    assert saved.reference in response.content.decode()
    unsent = Notification.objects.filter(intake_request=saved)
    assert unsent.count() == 3
    for notification in unsent:
        assert notification.sent_at is None
        assert notification.attempts == 1
        assert notification.last_error == "ConnectionRefusedError"
    assert Notification.objects.get(kind=Notification.Kind.PARTNER_LINK).secret

    settings.MAILERS = WORKING_MAILERS
    call_command("send_notifications")
    call_command("send_notifications")

    assert len(mailoutbox) == 3
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert Notification.objects.get(kind=Notification.Kind.PARTNER_LINK).secret == ""


def test_sending_twice_sends_once(client, mailoutbox, django_capture_on_commit_callbacks):
    send(client, django_capture_on_commit_callbacks, "individual")
    mailoutbox.clear()

    for notification in Notification.objects.all():
        assert notification_send(notification=notification) is False

    assert mailoutbox == []


def test_partner_link_that_stopped_working_is_never_emailed(client, mailoutbox, settings):
    settings.MAILERS = FAILING_MAILERS
    intake_request, token = couples_request_with_token(client, wants_link_emailed="on")
    intake_request.invitation.used_at = intake_request.created_at
    intake_request.invitation.save()
    settings.MAILERS = WORKING_MAILERS

    call_command("send_notifications")

    link = Notification.objects.get(kind=Notification.Kind.PARTNER_LINK)
    assert link.sent_at is None
    assert link.secret == ""
    assert all(token not in m.body for m in mailoutbox)


def test_confirmation_page_does_not_wait_for_the_mail(client, settings):
    settings.MAILERS = FAILING_MAILERS

    response = client.post(
        reverse("intake:request"),
        request_post(),
    )

    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_database_task_backend_sends_when_the_worker_runs(client, mailoutbox, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    response = client.post(reverse("intake:request"), request_post())

    assert response.status_code == 302
    assert mailoutbox == []
    assert Notification.objects.filter(sent_at__isnull=True).count() == 2

    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    assert len(mailoutbox) == 2
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_partner_link_waiting_to_be_sent_is_encrypted(client, settings):
    settings.MAILERS = FAILING_MAILERS
    _intake_request, token = couples_request_with_token(client, wants_link_emailed="on")

    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM intake_notification WHERE kind = 'partner_link'")
        (secret,) = cursor.fetchone()

    assert secret and token not in secret
    assert Notification.objects.get(kind=Notification.Kind.PARTNER_LINK).secret == token


DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued_notification_ids() -> set[int]:
    from django_tasks_db.models import DBTaskResult

    return {
        task.args_kwargs["kwargs"]["notification_id"]
        for task in DBTaskResult.objects.filter(task_path="intake.notifications.send_notification")
    }


def test_database_queue_gets_the_tasks_with_the_request_in_one_go(
    client, settings, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    settings.TASKS = DATABASE_TASKS

    # The clinicians and their licences (the form's choices), the request, two
    # notifications, their two tasks, and the savepoint around them.
    with django_capture_on_commit_callbacks() as waiting, django_assert_max_num_queries(8):
        response = client.post(reverse("intake:request"), request_post())

    assert response.status_code == 302
    assert waiting == []
    notifications = set(Notification.objects.values_list("pk", flat=True))
    assert len(notifications) == 2
    assert queued_notification_ids() == notifications


def test_a_post_reads_the_clinicians_once_per_content_version(
    client, settings, django_assert_num_queries
):
    settings.TASKS = DATABASE_TASKS
    client.post(reverse("intake:request"), request_post())

    # The request, two notifications, their two tasks, and the savepoint
    # around them: the form's regions and clinicians are kept in the process
    # until a profile changes (test_practice_choices).
    with django_assert_num_queries(6) as queries:
        response = client.post(reverse("intake:request"), request_post())

    assert response.status_code == 302
    assert IntakeRequest.objects.count() == 2
    assert not any("articles_author" in query["sql"] for query in queries.captured_queries)


def test_request_that_cannot_be_stored_queues_nothing(client, settings, monkeypatch):
    from django.db import OperationalError

    settings.TASKS = DATABASE_TASKS
    enqueue = notifications._notification_enqueue
    calls = []

    def enqueue_then_fail(notification_id):
        enqueue(notification_id)
        calls.append(notification_id)
        if len(calls) == 2:
            raise OperationalError("the database went away")

    monkeypatch.setattr(notifications, "_notification_enqueue", enqueue_then_fail)

    response = client.post(reverse("intake:request"), request_post())

    assert response.status_code == 503
    assert CONCERNS in response.content.decode()
    assert not IntakeRequest.objects.exists()
    assert not Notification.objects.exists()
    assert queued_notification_ids() == set()


def test_partner_answer_is_queued_with_the_answer(client, settings):
    intake_request, token = couples_request_with_token(client)
    settings.TASKS = DATABASE_TASKS

    client.post(partner_url(token), partner_post("questions"))

    answer = Notification.objects.get(kind=Notification.Kind.PARTNER_ANSWER)
    assert answer.pk in queued_notification_ids()
