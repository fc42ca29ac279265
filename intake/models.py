import hashlib
import secrets

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from intake.choices import (
    Availability,
    CrisisAnswer,
    PartnerAnswer,
    Payment,
    ReferralSource,
    SafetyAnswer,
    SessionFormat,
)
from intake.crypto import SEARCHABLE_CONTACT_DETAILS, EncryptedTextField, contact_hashes
from practice.journeys import Journey, Readiness
from practice.languages import language_choices

# No 0/O, 1/I/L: a reference is read aloud on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_LENGTH = 6


def new_reference() -> str:
    return "R-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def hash_token(token: str) -> str:
    """The stored form of a partner token; tokens are random, so SHA-256 suffices."""
    return hashlib.sha256(token.encode()).hexdigest()


def answer_label(choices: type[models.TextChoices], value: str) -> str:
    """The label of a stored answer; an unknown value is shown as it is."""
    if not value:
        return "Not asked"
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _when(moment) -> str:
    # The admin's one date format (practice/formats/en/formats.py).
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


class PrivateAnswersMixin:
    """The two private safety answers in words, for staff: a request and a
    partner's response each have them. (The descriptions are the admin's
    labels, as for the summaries below.)"""

    @property
    @admin.display(description="partner ever hurt, threatened or frightened them")
    def partner_safety_label(self) -> str:
        return answer_label(SafetyAnswer, self.partner_safety)

    @property
    @admin.display(description="in immediate danger or thinking of self-harm")
    def in_crisis_label(self) -> str:
        return answer_label(CrisisAnswer, self.in_crisis)


class IntakeRequestQuerySet(models.QuerySet):
    def waiting(self):
        """Requests still to be dealt with: neither closed nor referred elsewhere."""
        return self.exclude(status__in=IntakeRequest.DONE_STATUSES)

    def in_triage_order(self):
        return self.order_by(*IntakeRequest.TRIAGE_ORDER)

    def quarantined(self):
        """Held as possible spam (the honeypot was filled): nobody was told yet."""
        return self.filter(quarantined_at__isnull=False)

    def not_quarantined(self):
        """Every request the practice has been told of: the queue, exports, counts."""
        return self.filter(quarantined_at__isnull=True)

    def purgeable(self, *, now=None):
        """Closed requests past the retention period, and requests held as
        possible spam for longer than the quarantine period."""
        now = now or timezone.now()
        closed_before = now - timezone.timedelta(days=settings.INTAKE_RETENTION_DAYS)
        held_before = now - timezone.timedelta(days=settings.INTAKE_QUARANTINE_DAYS)
        return self.filter(
            Q(status=IntakeRequest.Status.CLOSED, closed_at__lt=closed_before)
            | Q(quarantined_at__lt=held_before)
        )


class IntakeRequest(PrivateAnswersMixin, models.Model):
    """One person's request for sessions."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_REVIEW = "in_review", "In review"
        CONTACTED = "contacted", "Contacted"
        CONSULTATION_BOOKED = "consultation_booked", "Consultation booked"
        BECAME_CLIENT = "became_client", "Became a client"
        REFERRED = "referred", "Referred elsewhere"
        CLOSED = "closed", "Closed"

    # Requests staff have finished with; the queue hides them unless asked.
    DONE_STATUSES = (Status.CLOSED, Status.REFERRED)
    # Where a request can be before the person became a client: back to one of
    # these, "became a client" was a mistake, and became_client_at is cleared.
    BEFORE_CLIENT_STATUSES = (
        Status.NEW,
        Status.IN_REVIEW,
        Status.CONTACTED,
        Status.CONSULTATION_BOOKED,
    )
    # The queue: urgent first, then safety follow-up, then new ones before those
    # already in hand, oldest first within each.
    TRIAGE_ORDER = (
        F("is_urgent").desc(),
        F("is_safety_flagged").desc(),
        Case(When(status=Status.NEW, then=Value(0)), default=Value(1)).asc(),
        F("created_at").asc(),
    )

    reference = models.CharField(max_length=12, unique=True, editable=False)
    # Set by the form when it is shown: posting the same form twice finds this.
    submission_key = models.UUIDField(unique=True, editable=False)
    created_at = models.DateTimeField("received", default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    journey = models.CharField(max_length=12, choices=Journey)
    language = models.CharField(
        max_length=8,
        choices=language_choices,
        default="en",
        help_text="The site the request was sent from: the requester's emails are in it.",
    )
    status = models.CharField(max_length=20, choices=Status, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_requests",
        verbose_name="assigned clinician",
    )
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When staff first marked them "became a client": kept when the request is
    # later closed or referred, so that it still counts (intake.attribution).
    became_client_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the form came with the honeypot filled (browser autofill does
    # that to people too): kept, but nobody is told until staff release it;
    # cleared on release. Never set on an urgent or safety-flagged request.
    quarantined_at = models.DateTimeField(
        "held as possible spam since", null=True, blank=True, editable=False
    )
    # While held: the partner token for the link email the requester asked for,
    # which only a release sends (as Notification.secret keeps it until sent);
    # wiped on release. The token itself is never stored otherwise.
    held_link_secret = EncryptedTextField(blank=True, editable=False)

    # Flags staff triage by; the answers behind them are encrypted below.
    is_urgent = models.BooleanField("urgent", default=False)
    is_safety_flagged = models.BooleanField(
        "safety follow-up",
        default=False,
        help_text="A partner may not be safe: no couples scheduling, never contact the partner.",
    )

    # Contact details and how it is safe to use them, encrypted like everything
    # told in confidence. Staff find a request by exact name, email or phone
    # through keyed hashes of them (intake.crypto.search_hash), filled on save.
    name = EncryptedTextField()
    email = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    name_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    email_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    phone_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    is_email_ok = models.BooleanField("email is safe", default=False)
    is_phone_ok = models.BooleanField("phone calls are safe", default=False)
    is_text_ok = models.BooleanField("text messages are safe", default=False)
    is_voicemail_ok = models.BooleanField("voicemail may be left", default=False)
    is_discreet_sender = models.BooleanField("use a discreet sender name", default=False)

    is_adult = models.BooleanField(
        "18 or older",
        default=True,
        help_text="No: under 18. No couples request or partner link is made.",
    )
    preferred_clinician = models.ForeignKey(
        "articles.Author",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="preferred clinician",
    )
    session_format = models.CharField(max_length=12, choices=SessionFormat)
    region = models.CharField(max_length=80)
    online_location_confirmed_at = models.DateTimeField(
        "confirmed they will be in a licensed state during online sessions",
        null=True,
        blank=True,
    )
    availability = models.JSONField(default=list, blank=True)
    availability_notes = EncryptedTextField(blank=True)
    payment = models.CharField(max_length=20, choices=Payment)
    concerns = EncryptedTextField("what they would like help with", blank=True)
    referral_source = models.CharField(
        "how they heard of us", max_length=20, choices=ReferralSource, blank=True
    )
    # The article whose call to action they pressed to reach the form, if they
    # did: a link's ?from=<slug>, kept only for a published article. Nothing
    # else about what they read is known (no cookie, no identifier).
    from_article = models.ForeignKey(
        "articles.Article",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="came from the article",
    )

    # Couples journeys.
    partner_first_name = EncryptedTextField(blank=True)
    partner_readiness = models.CharField(max_length=12, choices=Readiness, blank=True)
    wants_individual_now = models.BooleanField("start individual sessions now", default=False)
    wants_couples_hold = models.BooleanField(
        "hold a couples consultation until the partner is ready", default=False
    )
    wants_link_emailed = models.BooleanField("email me the partner link", default=False)

    # Private answers (values of SafetyAnswer and CrisisAnswer), encrypted.
    partner_safety = EncryptedTextField(blank=True)
    in_crisis = EncryptedTextField()

    consented_at = models.DateTimeField("consented to be contacted")
    acknowledged_not_emergency_at = models.DateTimeField()
    agreed_confidentiality_at = models.DateTimeField(
        "agreed to the couples confidentiality policy", null=True, blank=True
    )

    objects = IntakeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "request"
        indexes = [
            models.Index(fields=["status", "-created_at"], name="request_status_created"),
            models.Index(
                fields=["quarantined_at"],
                condition=Q(quarantined_at__isnull=False),
                name="request_quarantined",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(journey__in=["couples", "intensive"])
                | Q(agreed_confidentiality_at__isnull=False),
                name="request_couples_agreed_confidentiality",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_at__isnull=False),
                name="request_closed_has_closed_at",
            ),
        ]
        permissions = [("export_intakerequest", "Can export requests as CSV")]

    def __str__(self):
        return self.reference

    def save(self, *args, **kwargs):
        hashes = contact_hashes(name=self.name, email=self.email, phone=self.phone)
        for field, value in hashes.items():
            setattr(self, field, value)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(SEARCHABLE_CONTACT_DETAILS) & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *hashes}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("admin:intake_intakerequest_change", args=[self.pk])

    @property
    def is_couples(self) -> bool:
        return self.journey in (Journey.COUPLES, Journey.INTENSIVE)

    @property
    def partner_answered(self) -> bool:
        invitation = getattr(self, "invitation", None)
        return bool(invitation and invitation.used_at)

    @property
    @admin.display(description="safe ways to contact them")
    def safe_contact_summary(self) -> str:
        """How it is safe to contact them, in one line."""
        ways = [
            label
            for label, ok in [
                ("email", self.is_email_ok),
                ("phone calls", self.is_phone_ok),
                ("text messages", self.is_text_ok),
            ]
            if ok
        ]
        return "; ".join(
            [
                "Safe: " + (", ".join(ways) if ways else "none chosen"),
                "voicemail may be left" if self.is_voicemail_ok else "no voicemail",
                "use a discreet sender name" if self.is_discreet_sender else "sender name as usual",
            ]
        )

    @property
    @admin.display(description="availability")
    def availability_summary(self) -> str:
        return ", ".join(answer_label(Availability, value) for value in self.availability) or "-"

    @property
    @admin.display(description="what they want now")
    def wants_now_summary(self) -> str:
        """What a couples requester wants while their partner decides."""
        wanted = [
            field.verbose_name.capitalize()
            for field in (
                self._meta.get_field("wants_individual_now"),
                self._meta.get_field("wants_couples_hold"),
            )
            if getattr(self, field.attname)
        ]
        return "; ".join(wanted) or "-"

    @property
    def partner_link_state(self) -> str:
        """The partner's side in a word, for the queue: "-" for no couples journey,
        "No link" when none was made (safety follow-up), then Yes (answered),
        Revoked, Expired or Not yet."""
        if not self.is_couples:
            return "-"
        invitation = getattr(self, "invitation", None)
        if invitation is None:
            return "No link"
        return {
            "answered": "Yes",
            "revoked": "Revoked",
            "expired": "Expired",
            "active": "Not yet",
        }[invitation.state]

    @property
    @admin.display(description="partner link")
    def partner_link_summary(self) -> str:
        invitation = getattr(self, "invitation", None)
        return invitation.summary if invitation else "No partner link"


class InvitationNotUsable(Exception):
    """The partner link was answered, revoked or expired in the meantime."""


class PartnerInvitationQuerySet(models.QuerySet):
    def usable(self, *, now=None):
        return self.filter(
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now or timezone.now(),
        )


class PartnerInvitation(models.Model):
    """The private link a requester passes to their partner. Only its hash is kept."""

    intake_request = models.OneToOneField(
        IntakeRequest, on_delete=models.CASCADE, related_name="invitation"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = PartnerInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "partner invitation"

    def __str__(self):
        return f"Partner link for {self.intake_request.reference}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.used_at:
            return "answered"
        if self.expires_at <= timezone.now():
            return "expired"
        return "active"

    @property
    def summary(self) -> str:
        """Its state and since (or until) when, for staff."""
        state = self.state
        if state == "active":
            return f"Active: works until {_when(self.expires_at)}"
        if state == "answered":
            return f"Answered on {_when(self.used_at)}"
        if state == "revoked":
            by = f" by {self.revoked_by.get_username()}" if self.revoked_by else ""
            return f"Revoked on {_when(self.revoked_at)}{by}"
        return f"Expired on {_when(self.expires_at)}"


class PartnerResponse(PrivateAnswersMixin, models.Model):
    """The partner's own answers. Never shown to the requester."""

    invitation = models.OneToOneField(
        PartnerInvitation, on_delete=models.CASCADE, related_name="response"
    )
    intake_request = models.ForeignKey(
        IntakeRequest, on_delete=models.CASCADE, related_name="partner_responses"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    answer = models.CharField(max_length=12, choices=PartnerAnswer)
    name = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    contact_preferences = EncryptedTextField(blank=True)
    availability = EncryptedTextField(blank=True)
    message = EncryptedTextField(blank=True)
    partner_safety = EncryptedTextField(blank=True)
    in_crisis = EncryptedTextField(blank=True)
    consented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "partner response"

    def __str__(self):
        return f"Partner response to {self.intake_request.reference}"


class AttributionReport(IntakeRequest):
    """Which articles lead people to ask for help: the admin's report of counts
    per article and month (intake.attribution). It shows no request, so editors
    may see it too; its one permission is its own."""

    class Meta:
        proxy = True
        verbose_name = "requests per article"
        verbose_name_plural = "requests per article"
        default_permissions = ()
        permissions = [("view_attribution_report", "Can view the requests per article report")]


class Note(models.Model):
    """An internal note by staff on a request."""

    intake_request = models.ForeignKey(
        IntakeRequest, on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    body = EncryptedTextField()

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"Note on {self.intake_request.reference}"


class AccessRecord(models.Model):
    """The audit trail: who opened, searched, changed or exported what, and
    staff sign-ins."""

    class Action(models.TextChoices):
        VIEW = "view", "Opened a request"
        SEARCH = "search", "Searched requests"
        CHANGE = "change", "Changed a request"
        EXPORT = "export", "Exported requests"
        REVOKE = "revoke", "Revoked a partner link"
        REPLACE_LINK = "replace_link", "Sent a replacement partner link"
        RELEASE = "release", "Released a request held as possible spam"
        DISCARD = "discard", "Deleted a request held as possible spam"
        LOGIN = "login", "Signed in"
        LOGIN_FAILED = "login_failed", "Failed sign-in"
        LOGOUT = "logout", "Signed out"

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept as text so the record survives the account and the request.
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=16, choices=Action)
    reference = models.CharField(max_length=12, blank=True, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # A search: never its words, only their keyed hash (intake.crypto.search_hash,
    # the same as the request's own email_hash, phone_hash or name_hash for an
    # exact detail), and how many requests it found.
    search_hash = models.CharField(max_length=64, blank=True, db_index=True)
    result_count = models.PositiveIntegerField("results", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "access record"

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.action} {self.reference}"


class Notification(models.Model):
    """An email to send, recorded with the change that causes it (an outbox).

    It is sent after the commit; a failure leaves it unsent for the retry.
    """

    class Kind(models.TextChoices):
        NEW_REQUEST = "new_request", "New request (to the practice)"
        PARTNER_ANSWER = "partner_answer", "Partner answered (to the practice)"
        RECEIPT = "receipt", "Receipt (to the requester)"
        PARTNER_LINK = "partner_link", "Partner link (to the requester)"
        NEW_PARTNER_LINK = "new_partner_link", "Replacement partner link (to the requester)"

    intake_request = models.ForeignKey(
        IntakeRequest, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=16, choices=Kind)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    # Only the partner-link email needs a secret (the token); it is wiped once sent.
    secret = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="notification_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for {self.intake_request.reference}"


# The emails that carry a partner link (and so a token, until sent).
PARTNER_LINK_KINDS = (Notification.Kind.PARTNER_LINK, Notification.Kind.NEW_PARTNER_LINK)
