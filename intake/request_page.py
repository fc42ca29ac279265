"""A request's own page in the admin: the summary staff triage from, the
one-click steps, the partner-link buttons (revoke, send a new link), and for a
request held as possible spam, release into the queue or delete.

IntakeRequestAdmin takes these views from RequestPageMixin; every step goes
through intake.staff or intake.services and leaves an access record, and every
page here that shows a request records that it was opened. The markup is in
templates/admin/intake/intakerequest/.
"""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from intake import selectors, services, staff
from intake.choices import JOURNEY_SHORT
from intake.models import AccessRecord, IntakeRequest
from practice.proxy import client_address


@dataclass(frozen=True)
class TriageStep:
    slug: str
    label: str
    # The status the step sets; None for "Assign to me".
    status: str | None


# One click each, no confirmation: each can be undone from the same page.
TRIAGE_STEPS = [
    TriageStep("assign", "Assign to me", None),
    TriageStep("contacted", "Mark contacted", IntakeRequest.Status.CONTACTED),
    TriageStep("booked", "Consultation booked", IntakeRequest.Status.CONSULTATION_BOOKED),
    TriageStep("close", "Close", IntakeRequest.Status.CLOSED),
]
_STEPS = {step.slug: step for step in TRIAGE_STEPS}


class RequestPageMixin:
    change_form_template = "admin/intake/intakerequest/change_form.html"

    def get_urls(self):
        def view(function, suffix, route):
            return path(
                f"<path:object_id>/{route}",
                self.admin_site.admin_view(function),
                name=f"intake_intakerequest_{suffix}",
            )

        return [
            view(self.triage_step_view, "triage", "triage/<slug:step>/"),
            view(self.revoke_partner_link_view, "revoke", "revoke-partner-link/"),
            view(self.replace_partner_link_view, "replace_link", "new-partner-link/"),
            view(self.release_view, "release", "release/"),
            view(self.discard_view, "discard", "delete-as-spam/"),
            *super().get_urls(),
        ]

    # --- The audit: every page that shows a request is recorded -----------------

    def record_opening(self, request, response, obj: IntakeRequest | None):
        """One VIEW record for a page that shows `obj`, whatever the method."""
        if obj is not None and response.status_code == 200:
            staff.access_records_create(
                action=AccessRecord.Action.VIEW,
                user=request.user,
                references=[obj.reference],
                ip_address=client_address(request),
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        # A GET, or a POST with a mistake, shows the whole request again.
        shown = getattr(response, "context_data", None) or {}
        return self.record_opening(request, response, shown.get("original"))

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        shown = getattr(response, "context_data", None) or {}
        return self.record_opening(request, response, shown.get("object"))

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        shown = getattr(response, "context_data", None) or {}
        return self.record_opening(request, response, shown.get("object"))

    # --- The summary above the form ----------------------------------------------

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["summary"] = self.request_summary(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def request_summary(self, request, obj: IntakeRequest) -> dict:
        """What the first screen answers: is it urgent, is it safe to call, who has it."""
        may_change = self.has_change_permission(request, obj)
        may_revoke = self.has_revoke_permission(request)
        invitation = getattr(obj, "invitation", None)
        if obj.quarantined_at is not None:
            # Held as possible spam: release or delete it before anything else.
            return {
                "journey": JOURNEY_SHORT.get(obj.journey, obj.journey),
                "assigned": "",
                "is_mine": False,
                "steps": [],
                "can_revoke": False,
                "can_replace": False,
                "can_release": may_change,
                "quarantine_days": settings.INTAKE_QUARANTINE_DAYS,
            }
        return {
            "journey": JOURNEY_SHORT.get(obj.journey, obj.journey),
            "assigned": selectors.staff_name(obj.assigned_to) if obj.assigned_to else "",
            "is_mine": obj.assigned_to_id == request.user.pk,
            "steps": [
                step
                for step in TRIAGE_STEPS
                if may_change
                and step.status != obj.status
                and not (step.status is None and obj.assigned_to_id == request.user.pk)
            ],
            "can_revoke": may_revoke and invitation is not None and invitation.state == "active",
            "can_replace": may_revoke
            and services.invitation_replacement_refusal(intake_request=obj) is None,
        }

    # --- One-click steps ---------------------------------------------------------

    def _request_or_404(self, request, object_id) -> IntakeRequest:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such request.")
        return obj

    def triage_step_view(self, request, object_id, step):
        obj = self._request_or_404(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if step not in _STEPS:
            raise Http404("No such step.")
        chosen = _STEPS[step]
        address = client_address(request)
        if chosen.status is None:
            staff.request_assign(
                intake_request=obj, to=request.user, by=request.user, ip_address=address
            )
            self.message_user(request, f"{obj.reference} is assigned to you.", messages.SUCCESS)
        else:
            staff.request_status_set(
                intake_request=obj, status=chosen.status, by=request.user, ip_address=address
            )
            label = IntakeRequest.Status(chosen.status).label.lower()
            self.message_user(request, f"{obj.reference} is marked {label}.", messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(obj))

    def _change_url(self, obj):
        return reverse("admin:intake_intakerequest_change", args=[obj.pk])

    # --- Possible spam: release (one click) or delete (confirmed first) ----------

    def _changing_request(self, request, object_id) -> IntakeRequest:
        obj = self._request_or_404(request, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        return obj

    def release_view(self, request, object_id):
        obj = self._changing_request(request, object_id)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        released = services.request_release(
            intake_request=obj, by=request.user, ip_address=client_address(request)
        )
        if released:
            self.message_user(
                request,
                f"{obj.reference} is in the queue now; the practice and the requester are told.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, f"{obj.reference} is not held as possible spam.")
        return HttpResponseRedirect(self._change_url(obj))

    def discard_view(self, request, object_id):
        """Deleting possible spam takes the change right, as releasing it does:
        whoever triages decides. Any other request is deleted only by the
        retention purge or with the delete right, never here."""
        obj = self._changing_request(request, object_id)
        if request.method == "POST":
            deleted = staff.request_discard(
                intake_request=obj, by=request.user, ip_address=client_address(request)
            )
            if not deleted:
                self.message_user(
                    request,
                    f"{obj.reference} is not held as possible spam: it was not deleted.",
                    messages.ERROR,
                )
                return HttpResponseRedirect(self._change_url(obj))
            self.message_user(request, f"{obj.reference} is deleted.", messages.SUCCESS)
            changelist = reverse("admin:intake_intakerequest_changelist")
            return HttpResponseRedirect(f"{changelist}?queue=spam")
        return self._confirmation(
            request,
            obj,
            template="discard_confirmation.html",
            title="Delete this possible spam?",
            is_held=obj.quarantined_at is not None,
        )

    # --- Partner links: each cannot be undone, so each is confirmed first ---------

    def _partner_link_request(self, request, object_id) -> IntakeRequest:
        obj = self._request_or_404(request, object_id)
        if not (self.has_view_permission(request, obj) and self.has_revoke_permission(request)):
            raise PermissionDenied
        return obj

    def _confirmation(self, request, obj, *, template, title, **context):
        page = TemplateResponse(
            request,
            f"admin/intake/intakerequest/{template}",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.opts,
                "original": obj,
                "change_url": self._change_url(obj),
                **context,
            },
        )
        return self.record_opening(request, page, obj)

    def revoke_partner_link_view(self, request, object_id):
        obj = self._partner_link_request(request, object_id)
        invitation = getattr(obj, "invitation", None)
        if invitation is None:
            raise Http404("This request has no partner link.")
        if request.method == "POST":
            staff.invitation_revoke(
                invitation=invitation, by=request.user, ip_address=client_address(request)
            )
            self.message_user(request, f"The partner link of {obj.reference} no longer works.")
            return HttpResponseRedirect(self._change_url(obj))
        return self._confirmation(
            request,
            obj,
            template="revoke_confirmation.html",
            title="Revoke the partner link?",
            invitation_summary=invitation.summary,
        )

    def replace_partner_link_view(self, request, object_id):
        obj = self._partner_link_request(request, object_id)
        if request.method == "POST":
            try:
                services.invitation_replace(
                    intake_request=obj, by=request.user, ip_address=client_address(request)
                )
            except services.InvitationNotReplaceable as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"A new partner link for {obj.reference} is on its way to the requester's "
                    "own email address. The old link no longer works.",
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(self._change_url(obj))
        return self._confirmation(
            request,
            obj,
            template="new_partner_link_confirmation.html",
            title="Send a new partner link?",
            refusal=services.invitation_replacement_refusal(intake_request=obj),
        )
