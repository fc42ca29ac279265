"""The staff side: a triage queue of requests, notes, partner links and the audit.

What a person wrote is shown to staff but never rewritten by them: only the
status and the assigned clinician change here, through intake.staff, and each
opening or export of a request leaves an AccessRecord.
"""

import csv

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpResponse, HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import ngettext

from intake import attribution, selectors, services, staff
from intake.choices import JOURNEY_SHORT, READINESS_SHORT
from intake.crypto import search_hash, term_kind
from intake.models import (
    AccessRecord,
    AttributionReport,
    IntakeRequest,
    Note,
    Notification,
    PartnerInvitation,
    PartnerResponse,
)
from intake.notifications import notification_send
from intake.request_page import RequestPageMixin
from practice.proxy import client_address


class AppendOnlyMixin:
    """What is stored here stays as it was: nothing is changed or deleted in the
    admin, whatever a user's permissions say."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(AppendOnlyMixin):
    """Shown only: nothing is added, changed or deleted in the admin."""

    def has_add_permission(self, request, obj=None):
        return False


class IntakeRequestReferenceMixin:
    """The reference of the request a row belongs to, as a column."""

    @admin.display(description="request", ordering="intake_request__reference")
    def request_reference(self, obj):
        return obj.intake_request.reference


class PartnerLinkRevokingMixin:
    """Revoking partner links, for those who may change them, through intake.staff."""

    def has_revoke_permission(self, request):
        return request.user.has_perm("intake.change_partnerinvitation")

    def revoke_invitations(self, request, invitations) -> None:
        count = 0
        for invitation in invitations.filter(revoked_at__isnull=True, used_at__isnull=True):
            staff.invitation_revoke(
                invitation=invitation, by=request.user, ip_address=client_address(request)
            )
            count += 1
        self.message_user(
            request,
            ngettext("Revoked %d partner link.", "Revoked %d partner links.", count) % count,
        )


class NoteInline(AppendOnlyMixin, admin.StackedInline):
    """Notes are added, never edited or deleted: existing ones show read-only."""

    model = Note
    extra = 1
    fields = ["body", "written_by", "written_at"]
    readonly_fields = ["written_by", "written_at"]
    verbose_name = "internal note"
    verbose_name_plural = "internal notes (staff only)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    # A new note's author and time are whoever saves it, and when.
    @admin.display(description="author")
    def written_by(self, obj):
        if obj.pk is None:
            return "You"
        return selectors.staff_name(obj.author) if obj.author else "-"

    @admin.display(description="written")
    def written_at(self, obj):
        if obj.pk is None:
            return "When saved"
        return date_format(timezone.localtime(obj.created_at), "DATETIME_FORMAT")


class PartnerResponseInline(ReadOnlyMixin, admin.StackedInline):
    """The partner's own answers: for staff only, never for the requester."""

    model = PartnerResponse
    fk_name = "intake_request"
    extra = 0
    fields = [
        "answer",
        "created_at",
        "name",
        "email",
        "phone",
        "contact_preferences",
        "availability",
        "message",
        "partner_safety_label",
        "in_crisis_label",
        "consented_at",
    ]
    readonly_fields = fields
    verbose_name_plural = "partner's answers (never shown to the requester)"


class QueueFilter(admin.SimpleListFilter):
    """The queue shows requests still to deal with unless another view is chosen
    (or a status is, which then decides). Requests held as possible spam are
    in none of these views but their own, with their count."""

    title = "queue"
    parameter_name = "queue"
    SPAM = "spam"

    def lookups(self, request, model_admin):
        held = model_admin.get_queryset(request).quarantined().count()
        return [
            ("done", "Closed or referred"),
            ("all", "All requests"),
            (self.SPAM, f"Possible spam ({held})"),
        ]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Open (still to deal with)",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == self.SPAM:
            return queryset.quarantined()
        queryset = queryset.not_quarantined()
        if self.value() == "done":
            return queryset.filter(status__in=IntakeRequest.DONE_STATUSES)
        if self.value() == "all" or "status__exact" in request.GET:
            return queryset
        return queryset.waiting()


@admin.register(IntakeRequest)
class IntakeRequestAdmin(RequestPageMixin, PartnerLinkRevokingMixin, admin.ModelAdmin):
    # Fits 1280 pixels (static/css/admin-requests.css): short labels, one line each.
    list_display = [
        "reference",
        "received",
        "journey_short",
        "readiness_short",
        "status",
        "urgent",
        "safety",
        "under_18",
        "assigned",
        "partner_answered",
    ]
    ordering = IntakeRequest.TRIAGE_ORDER
    list_filter = [
        QueueFilter,
        "status",
        "journey",
        "language",
        "partner_readiness",
        "is_urgent",
        "is_safety_flagged",
        "is_adult",
        ("assigned_to", admin.RelatedOnlyFieldListFilter),
    ]
    # Names, emails and phone numbers are encrypted: found by exact value only
    # (get_search_results), and every search is recorded.
    search_fields = ["reference"]
    search_help_text = "A reference, or a person's exact email address, phone number or full name."
    list_select_related = ["assigned_to", "invitation", "preferred_clinician"]
    # get_absolute_url is this very page; a "view on site" link would lead here.
    view_on_site = False
    fieldsets = [
        (
            "Triage",
            {"fields": ["reference", "status", "assigned_to", "urgent", "safety", "under_18"]},
        ),
        (
            "Contact and safe contact",
            {"fields": ["name", "email", "phone", "safe_contact_summary", "referral_source"]},
        ),
        (
            "Sessions",
            {
                "fields": [
                    "journey",
                    "language",
                    "preferred_clinician",
                    "session_format",
                    "region",
                    "online_location_confirmed_at",
                    "availability_summary",
                    "availability_notes",
                    "payment",
                ]
            },
        ),
        ("What they'd like help with", {"fields": ["concerns"]}),
        (
            "Couples",
            {
                "fields": [
                    "partner_first_name",
                    "partner_readiness",
                    "wants_now_summary",
                    "link_emailed",
                    "agreed_confidentiality_at",
                    "partner_link_summary",
                ]
            },
        ),
        ("Private answers", {"fields": ["partner_safety_label", "in_crisis_label"]}),
        (
            "Consent and timestamps",
            {
                # Rarely needed in triage: folded away, a click to open.
                "classes": ["collapse"],
                "fields": [
                    "consented_at",
                    "acknowledged_not_emergency_at",
                    "created_at",
                    "updated_at",
                    "closed_at",
                ],
            },
        ),
    ]
    inlines = [PartnerResponseInline, NoteInline]
    actions = [
        "assign_to_me",
        "mark_contacted",
        "close",
        "revoke_partner_links",
        "export_csv",
        "release",
    ]

    # --- Columns and read-only fields ------------------------------------------

    # Flags are words, not colours or icons alone.
    @admin.display(description="urgent", ordering="is_urgent")
    def urgent(self, obj):
        return format_html("<strong>{}</strong>", "Urgent") if obj.is_urgent else "-"

    @admin.display(description="safety", ordering="is_safety_flagged")
    def safety(self, obj):
        return (
            format_html("<strong>{}</strong>", "Safety follow-up") if obj.is_safety_flagged else "-"
        )

    @admin.display(description="age", ordering="is_adult")
    def under_18(self, obj):
        return "-" if obj.is_adult else format_html("<strong>{}</strong>", "Under 18")

    @admin.display(description="received", ordering="created_at")
    def received(self, obj):
        return date_format(timezone.localtime(obj.created_at), "DATETIME_FORMAT")

    @admin.display(description="journey", ordering="journey")
    def journey_short(self, obj):
        journey = JOURNEY_SHORT.get(obj.journey, obj.journey)
        # The language when it is not the practice's own: "Couples (ES)". In
        # this column rather than one of its own, which the queue has no room for.
        if obj.language != settings.LANGUAGE_CODE:
            return f"{journey} ({obj.language.upper()})"
        return journey

    @admin.display(description="readiness", ordering="partner_readiness")
    def readiness_short(self, obj):
        return READINESS_SHORT.get(obj.partner_readiness, "-")

    @admin.display(description="assigned", ordering="assigned_to")
    def assigned(self, obj):
        return selectors.staff_name(obj.assigned_to) if obj.assigned_to else "-"

    @admin.display(description="partner answered")
    def partner_answered(self, obj):
        return obj.partner_link_state

    class Media:
        css = {"all": ["css/admin-requests.css"]}

    @admin.display(description="asked for the partner link by email")
    def link_emailed(self, obj):
        return "Yes" if obj.wants_link_emailed else "No"

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not obj.is_couples:
            # Nothing to see for an individual request: folded away.
            return [
                (name, {**options, "classes": ["collapse"]} if name == "Couples" else options)
                for name, options in fieldsets
            ]
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        # Staff change the status and the assigned clinician (through
        # intake.staff); what a person told us is shown, never edited. A
        # request held as possible spam is released or deleted first.
        editable = () if obj is not None and obj.quarantined_at else ("status", "assigned_to")
        return [name for name in flatten_fieldsets(self.fieldsets) if name not in editable]

    # --- Permissions -------------------------------------------------------------

    def has_add_permission(self, request):
        # Requests come from the public form only.
        return False

    def has_export_permission(self, request):
        return request.user.has_perm("intake.export_intakerequest")

    # --- The change form ---------------------------------------------------------

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "assigned_to" in form.base_fields:
            field = form.base_fields["assigned_to"]
            field.queryset = selectors.clinicians(keeping=obj.assigned_to_id if obj else None)
            field.label_from_instance = selectors.staff_name
        return form

    def get_search_results(self, request, queryset, search_term):
        return selectors.requests_matching(queryset, search_term), False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and changelist.query.strip():
            staff.requests_search_record(
                term=changelist.query,
                result_count=changelist.result_count,
                by=request.user,
                ip_address=client_address(request),
            )
        return response

    def save_model(self, request, obj, form, change):
        staff.request_triage_save(
            intake_request=obj, by=request.user, ip_address=client_address(request)
        )

    def save_formset(self, request, form, formset, change):
        if formset.model is not Note:
            return super().save_formset(request, form, formset, change)
        # Only new notes get here (existing ones cannot change); the author and
        # time are the person saving and now, whatever the form says.
        for note in formset.save(commit=False):
            if note._state.adding:
                staff.note_create(intake_request=form.instance, author=request.user, body=note.body)

    # --- Actions -----------------------------------------------------------------

    @admin.action(description="Assign to me", permissions=["change"])
    def assign_to_me(self, request, queryset):
        for obj in queryset:
            staff.request_assign(
                intake_request=obj,
                to=request.user,
                by=request.user,
                ip_address=client_address(request),
            )
        count = len(queryset)
        self.message_user(
            request,
            ngettext("Assigned %d request to you.", "Assigned %d requests to you.", count) % count,
        )

    def _set_status(self, request, queryset, status):
        for obj in queryset:
            staff.request_status_set(
                intake_request=obj,
                status=status,
                by=request.user,
                ip_address=client_address(request),
            )
        label = IntakeRequest.Status(status).label.lower()
        count = len(queryset)
        message = ngettext(
            "Marked %(count)d request as %(status)s.",
            "Marked %(count)d requests as %(status)s.",
            count,
        )
        self.message_user(request, message % {"count": count, "status": label})

    @admin.action(description="Mark contacted", permissions=["change"])
    def mark_contacted(self, request, queryset):
        self._set_status(request, queryset, IntakeRequest.Status.CONTACTED)

    @admin.action(description="Close", permissions=["change"])
    def close(self, request, queryset):
        self._set_status(request, queryset, IntakeRequest.Status.CLOSED)

    @admin.action(description="Revoke partner link", permissions=["revoke"])
    def revoke_partner_links(self, request, queryset):
        self.revoke_invitations(
            request,
            PartnerInvitation.objects.filter(intake_request__in=queryset).select_related(
                "intake_request"
            ),
        )

    @admin.action(description="Release into the queue (possible spam)", permissions=["change"])
    def release(self, request, queryset):
        count = sum(
            services.request_release(
                intake_request=obj, by=request.user, ip_address=client_address(request)
            )
            for obj in queryset.quarantined()
        )
        self.message_user(
            request,
            ngettext(
                "Released %d request into the queue; the practice and the requester are told.",
                "Released %d requests into the queue; the practice and the requesters are told.",
                count,
            )
            % count
            if count
            else "None of the selected requests was held as possible spam.",
        )

    @admin.action(description="Export selected as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        rows = staff.requests_export(
            requests=queryset.select_related("assigned_to").order_by("created_at"),
            by=request.user,
            ip_address=client_address(request),
        )
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        filename = f"requests-{timezone.localtime():%Y%m%d-%H%M}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        response["Cache-Control"] = "no-store"
        csv.writer(response).writerows(rows)
        return response


class SentListFilter(admin.SimpleListFilter):
    title = "sent"
    parameter_name = "sent"

    def lookups(self, request, model_admin):
        return [("no", "Not sent yet"), ("yes", "Sent")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(sent_at__isnull=False)
        return queryset


@admin.register(Notification)
class NotificationAdmin(ReadOnlyMixin, IntakeRequestReferenceMixin, admin.ModelAdmin):
    """The outbox, read-only: unsent first, so a stuck email is noticed."""

    list_display = ["kind", "request_reference", "created_at", "attempts", "last_error", "sent_at"]
    list_filter = [SentListFilter, "kind"]
    list_select_related = ["intake_request"]
    ordering = [F("sent_at").desc(nulls_first=True), "-created_at"]
    # Never `secret`: it holds a partner token until the email is sent.
    fields = ["kind", "request_reference", "created_at", "attempts", "last_error", "sent_at"]
    readonly_fields = fields
    actions = ["retry_now"]

    @admin.action(description="Retry sending now", permissions=["view"])
    def retry_now(self, request, queryset):
        unsent = list(queryset.filter(sent_at__isnull=True))
        sent = sum(notification_send(notification=n) for n in unsent)
        if sent < len(unsent):
            self.message_user(
                request,
                f"Sent {sent} of {len(unsent)}; the others failed again (see last error).",
                messages.WARNING,
            )
        else:
            self.message_user(
                request, ngettext("Sent %d notification.", "Sent %d notifications.", sent) % sent
            )


@admin.register(PartnerInvitation)
class PartnerInvitationAdmin(
    ReadOnlyMixin, IntakeRequestReferenceMixin, PartnerLinkRevokingMixin, admin.ModelAdmin
):
    """Partner links. The token's hash is never shown."""

    list_display = [
        "request_reference",
        "state",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
    ]
    list_select_related = ["intake_request", "revoked_by"]
    search_fields = ["intake_request__reference"]
    fields = [*list_display, "revoked_by"]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.action(description="Revoke partner link", permissions=["revoke"])
    def revoke(self, request, queryset):
        self.revoke_invitations(request, queryset)


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The audit trail: superusers read it; nobody changes or deletes it here."""

    list_display = ["created_at", "username", "action", "reference", "result_count", "ip_address"]
    list_filter = ["action", "created_at"]
    search_fields = ["username", "reference"]
    search_help_text = (
        "A username or reference; or a person's exact email address, phone number or "
        "full name, to find the searches made for them."
    )
    date_hierarchy = "created_at"
    fields = list_display
    readonly_fields = list_display

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            found |= queryset.filter(search_hash=search_hash(term_kind(term), term))
        return found, may_have_duplicates

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(AttributionReport)
class AttributionReportAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Requests per article and month: counts only, small ones hidden
    (intake.attribution). One page, no request on it: for anyone with
    intake.view_attribution_report, editors included."""

    def get_urls(self):
        view = self.admin_site.admin_view(self.report_view)
        return [path("", view, name="intake_attributionreport_changelist")]

    def has_view_permission(self, request, obj=None):
        return obj is None and request.user.has_perm("intake.view_attribution_report")

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        return TemplateResponse(
            request,
            "admin/intake/attribution_report.html",
            {
                **self.admin_site.each_context(request),
                "title": "Requests per article",
                "opts": self.opts,
                "headings": attribution.HEADINGS,
                "rows": attribution.report_rows(selectors.attribution_counts()),
                "time_zone": timezone.get_current_timezone_name(),
                "small": attribution.SMALL,
                "withheld": attribution.WITHHELD,
            },
        )
