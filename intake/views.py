import logging
import time
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from intake import skeleton, spam
from intake.choices import Payment
from intake.csrf import csrf_protect_no_referrer
from intake.forms import IntakeRequestForm, PartnerResponseForm
from intake.models import InvitationNotUsable
from intake.selectors import (
    invitation_find,
    not_ready_articles,
    partner_articles,
    partner_variant,
    partner_variant_find,
)
from intake.services import partner_response_record, request_create
from practice.journeys import COUPLES_JOURNEYS, Journey, PartnerVariant
from practice.page_cache import content_version_cached, next_article_publish_at

logger = logging.getLogger(__name__)

DONE_SESSION_KEY = "intake_done"
# The submission keys of the last few requests this session sent: only their
# sender is told "you already sent this" when one comes again.
SENT_SESSION_KEY = "intake_sent"
SENT_KEYS_KEPT = 10
PARTNER_DONE_SESSION_KEY = "intake_partner_done"
OUTAGE_MESSAGE = _(
    "Sorry, we could not save your request just now because of a problem on our side. "
    "Everything you typed is still here: please press the button again in a minute."
)
STALE_FORM_MESSAGE = _(
    "Sorry, we could not send that just yet. Please check your answers and press the button again."
)


SEND_AGAIN_MESSAGE = _("Please check your answers and press Send again.")
RATE_LIMIT_MESSAGE = _(
    "Please wait a little: we have had several requests from your connection in a short "
    "time. Everything you typed is still here and nothing has been sent yet. Press Send "
    "again in a while, or call us."
)


@dataclass(frozen=True)
class SpamCheck:
    # The form to go on with, or to show again when shown_again.
    form: Any
    shown_again: bool
    # The honeypot was filled: a valid request goes into quarantine.
    is_possible_spam: bool


def spam_check(request, form_class) -> SpamCheck:
    """The form of a post, and whether it must be shown again.

    Sent too fast, or with a missing or forged start time: shown again with
    everything typed and a start time accepted at once, so that a second send
    goes through. Nothing is stored and nothing is confirmed then: a person
    pressing Enter early, a phone's Go key, Back and resend all look like this,
    and none of them may be told "we have it" for something that was not stored.

    With the honeypot filled (autofill does it to people too) a valid form goes
    on, marked as possible spam: the request is stored in quarantine, which is
    a store, so its confirmation is honest. An invalid one is shown again as
    above, the honeypot emptied.
    """
    is_honeypot = spam.is_honeypot_filled(request.POST)
    age = spam.form_age(request.POST.get(spam.STARTED_FIELD))
    is_in_time = age is not None and not spam.is_too_fast(age)
    if is_in_time and not is_honeypot:
        return SpamCheck(form=form_class(request.POST), shown_again=False, is_possible_spam=False)
    data = request.POST.copy()
    # An autofilled honeypot would only fill itself in again.
    data[spam.HONEYPOT_FIELD] = ""
    if is_in_time:
        form = form_class(data)
        if form.is_valid():
            return SpamCheck(form=form, shown_again=False, is_possible_spam=True)
        logger.info("intake: a post with the honeypot filled and a mistake was shown again")
    elif age is not None:
        logger.info("intake: a post sent too fast was shown again")
    data[spam.STARTED_FIELD] = spam.reconfirmed_token()
    form = form_class(data)
    form.is_valid()
    if age is None:
        # A missing or forged start time, as on a page kept open across a key change.
        form.add_error(None, ValidationError(STALE_FORM_MESSAGE, code="stale_form"))
    else:
        form.add_error(None, ValidationError(SEND_AGAIN_MESSAGE, code="send_again"))
    return SpamCheck(form=form, shown_again=True, is_possible_spam=is_honeypot)


def _request_form_page(request, form, *, status=200):
    return render(
        request,
        "intake/request_form.html",
        {"form": form, "nav": "request", "error_links": form.error_links()},
        status=status,
    )


def _partner_context(variant):
    """What the partner page says besides its form: the words and the reading
    that fit the variant, and nothing the requester told us."""
    return {
        "is_intensive": variant.is_intensive,
        "is_ready": variant.is_ready,
        "articles": partner_articles(variant),
    }


def _partner_page(request, form, *, variant, status=200):
    response = render(
        request,
        "intake/partner.html",
        {"form": form, "error_links": form.error_links()} | _partner_context(variant),
        status=status,
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


def _partner_link_gone(request):
    """One page for a link that was answered, has expired, was revoked or never
    existed: nothing on it tells which, so it is the same page for all four."""
    # The switcher leads to the other language's home page, not to this address:
    # the page is the same whatever token was asked for.
    homes = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            homes[code] = (reverse("home"), False)
    response = render(
        request, "intake/partner_link_gone.html", {"language_urls": homes}, status=404
    )
    response["Referrer-Policy"] = "no-referrer"
    return response


def _over_the_limit(request, form, *, page):
    """The form again, everything typed kept, with a 429: nothing was stored."""
    form.add_error(None, ValidationError(RATE_LIMIT_MESSAGE, code="rate_limited"))
    response = page(request, form, status=429)
    response["Retry-After"] = "3600"
    return response


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def request_form(request):
    if request.method != "POST":
        return _blank_request_form(request)

    checked = spam_check(request, IntakeRequestForm)
    form = checked.form
    if not checked.shown_again and form.is_valid():
        if spam.rate_limit_exceeded(request, scope="request"):
            return _over_the_limit(request, form, page=_request_form_page)
        try:
            # The language of the page it was sent from (the address chose it).
            created = request_create(
                **form.request_fields(),
                language=get_language(),
                is_possible_spam=checked.is_possible_spam,
            )
        except (OperationalError, InterfaceError):
            # Nothing was stored (request_create is one transaction): show the
            # form again with everything typed, and ask for another try.
            logger.warning("intake: database unavailable, request not stored")
            form.add_error(None, ValidationError(OUTAGE_MESSAGE, code="unavailable"))
            response = _request_form_page(request, form, status=503)
            response["Retry-After"] = "30"
            return response
        intake_request = created.intake_request
        if intake_request.quarantined_at is not None:
            logger.info("intake: a request with the honeypot filled was held as possible spam")
        elif checked.is_possible_spam:
            logger.info(
                "intake: a request with the honeypot filled was not held (urgent, safety, repeat)"
            )
        key = str(intake_request.submission_key)
        sent = request.session.get(SENT_SESSION_KEY, [])
        if created.is_new:
            request.session[SENT_SESSION_KEY] = [*sent, key][-SENT_KEYS_KEPT:]
        elif key not in sent:
            # The sender's own form, from a browser with no record of sending
            # it: most often the answer to the first send was lost on the way
            # (a dropped connection, a restarted worker) with the session
            # cookie it carried, and Send was pressed again. The person must
            # learn that it arrived, or they would type it all again. Whoever
            # holds this post knows all it says; its reference (enough to ask
            # the practice about the request) and partner link stay with the
            # browser that sent it first.
            request.session[DONE_SESSION_KEY] = {
                "reference": None,
                "journey": intake_request.journey,
                "in_crisis": created.flags.is_urgent,
                "safety_concern": created.flags.is_safety_flagged,
                "is_minor": not intake_request.is_adult,
                "is_repeat": True,
                "sent_at": time.time(),
            }
            return redirect("intake:done")
        previous = request.session.get(DONE_SESSION_KEY) or {}
        if not created.is_new and previous.get("reference") == created.intake_request.reference:
            # The same form again: show the first confirmation, link and all,
            # with the resources for any safety answer this send added.
            # After its first view only a neutral page is left, unless this
            # send brings a safety answer: its resources are shown once more.
            if created.flags.is_urgent or created.flags.is_safety_flagged:
                previous |= {
                    "in_crisis": previous.get("in_crisis") or created.flags.is_urgent,
                    "shown": False,
                    "is_repeat": True,
                }
            if created.flags.is_safety_flagged:
                previous |= {"safety_concern": True, "token": None, "link_emailed": False}  # nosec B105
            request.session[DONE_SESSION_KEY] = previous
            return redirect("intake:done")
        request.session[DONE_SESSION_KEY] = {
            "reference": intake_request.reference,
            "journey": intake_request.journey,
            "readiness": intake_request.partner_readiness,
            "in_crisis": created.flags.is_urgent,
            "safety_concern": created.flags.is_safety_flagged,
            "is_minor": not intake_request.is_adult,
            "self_pay": intake_request.payment == Payment.SELF_PAY,
            "token": created.token,
            "expires_at": created.invitation.expires_at.isoformat() if created.invitation else None,
            "link_emailed": bool(created.token) and intake_request.wants_link_emailed,
            "is_repeat": not created.is_new,
            "sent_at": time.time(),
        }
        return redirect("intake:done")
    return _request_form_page(request, form)


def _blank_request_form(request):
    """The same for every visitor but for the answers a link may preselect and
    the article it came from."""
    initial = IntakeRequestForm.initial_from_query(request.GET)

    def render_blank():
        form = IntakeRequestForm(initial=initial | skeleton.FORM_INITIAL)
        context = {"form": form, "nav": "request"} | skeleton.CONTEXT
        return render_to_string("intake/request_form.html", context, request)

    # The regions and clinicians offered come from the clinicians' profiles,
    # which the content version follows.
    key = ("request", content_version_cached(), *sorted(initial.items()))
    from_article = IntakeRequestForm.from_article_in_query(request.GET)
    return skeleton.blank_page(
        request, key=key, render=render_blank, values={skeleton.FROM_ARTICLE: from_article}
    )


def _first_view(request, key):
    """What a confirmation shows, for its first view only: the session keeps
    just enough after it (a reference) for a neutral page, so a reload, Back or
    the next person on a shared device sees nothing about safety, crisis or a
    partner. None when there is nothing, or it is older than INTAKE_DONE_SECONDS
    (SESSION_SAVE_EVERY_REQUEST renews the session itself on every page)."""
    done = request.session.pop(key, None)
    if done is None or time.time() - done.get("sent_at", 0) > settings.INTAKE_DONE_SECONDS:
        return None
    kept = {name: done[name] for name in ("reference", "journey", "sent_at") if name in done}
    request.session[key] = kept | {"shown": True}
    return done


def _seen_again(request, *, reference, is_request):
    context = {"reference": reference, "is_request": is_request}
    response = render(request, "intake/done_again.html", context)
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
@require_safe
def request_done(request):
    done = _first_view(request, DONE_SESSION_KEY)
    if not done:
        return redirect("intake:request")
    if done.get("shown"):
        return _seen_again(request, reference=done.get("reference"), is_request=True)
    context = {
        "done": done,
        "journey_label": Journey(done["journey"]).label,
        "is_couples": done["journey"] in COUPLES_JOURNEYS,
        "nav": "request",
    }
    if done.get("token"):
        # The words about the partner's page fit what that page says.
        variant = PartnerVariant.of(journey=done["journey"], readiness=done.get("readiness", ""))
        context |= {
            "partner_url": request.build_absolute_uri(
                reverse("intake:partner", kwargs={"token": done["token"]})
            ),
            "expires_at": datetime.fromisoformat(done["expires_at"]),
            "is_intensive": variant.is_intensive,
            "is_ready": variant.is_ready,
            "articles": partner_articles(variant),
            "articles_for_you": [] if variant.is_ready else not_ready_articles(),
        }
    return render(request, "intake/request_done.html", context)


@csrf_protect_no_referrer
@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def partner(request, token):
    if request.method != "POST":
        # Showing the page needs the variant alone, not the invitation.
        variant = partner_variant_find(token=token)
        if variant is None:
            return _partner_link_gone(request)
        response = _blank_partner_page(request, variant)
        response["Referrer-Policy"] = "no-referrer"
        return response
    invitation = invitation_find(token=token)
    if invitation is None:
        return _partner_link_gone(request)
    variant = partner_variant(invitation)
    checked = spam_check(request, PartnerResponseForm)
    form = checked.form
    page = partial(_partner_page, variant=variant)
    if not checked.shown_again and form.is_valid():
        if checked.is_possible_spam:
            # Recorded like any answer: only the requester's confirmation page
            # ever showed this link, so it is as trustworthy as its request,
            # which is held or not on its own (and holds this answer's email
            # with it). A partner's answer, safety answer above all, is never
            # lost to their browser's autofill.
            logger.info("intake: a partner answer with the honeypot filled was recorded")
        if spam.rate_limit_exceeded(request, scope="partner"):
            return _over_the_limit(request, form, page=page)
        try:
            recorded = partner_response_record(invitation=invitation, **form.response_fields())
        except InvitationNotUsable:
            # Answered, revoked or expired since the page was shown.
            return _partner_link_gone(request)
        request.session[PARTNER_DONE_SESSION_KEY] = {
            "answer": recorded.response.answer,
            "in_crisis": recorded.flags.is_urgent,
            "safety_concern": recorded.flags.is_safety_flagged,
            "sent_at": time.time(),
        }
        return redirect("intake:partner-done")
    return page(request, form)


def _blank_partner_page(request, variant):
    """The same for every partner of a variant (journey and outlook: four pages
    in all); the articles it lists change with the content."""

    def render_blank():
        context = {
            "form": PartnerResponseForm(initial=skeleton.FORM_INITIAL),
            "error_links": [],
            # The switcher's link holds this partner's token: filled in per visitor.
            "language_urls": {
                code: (skeleton.page_path(code), True) for code, _name in settings.LANGUAGES
            },
        } | _partner_context(variant)
        return render_to_string("intake/partner.html", context | skeleton.CONTEXT, request)

    token = request.resolver_match.kwargs["token"]
    paths = {}
    for code, _name in settings.LANGUAGES:
        with override(code):
            paths[skeleton.page_path(code)] = reverse("intake:partner", kwargs={"token": token})
    return skeleton.blank_page(
        request,
        key=("partner", variant, content_version_cached()),
        render=render_blank,
        valid_until=next_article_publish_at,
        values=paths,
    )


@never_cache
@require_safe
def partner_done(request):
    done = _first_view(request, PARTNER_DONE_SESSION_KEY)
    if done is None:
        return redirect("home")
    if done.get("shown"):
        return _seen_again(request, reference=None, is_request=False)
    response = render(request, "intake/partner_done.html", {"done": done})
    response["Referrer-Policy"] = "no-referrer"
    return response


# Everything a session holds about intake: confirmations, sent forms, a partner's answer.
INTAKE_SESSION_KEYS = (DONE_SESSION_KEY, SENT_SESSION_KEY, PARTNER_DONE_SESSION_KEY)


def _is_same_origin(request) -> bool:
    """Whether a post comes from a page of this site, by the browser's own word.

    Sec-Fetch-Site is set by the browser and cannot be set by a page; browsers
    too old to send it send Origin with a post. The partner page's
    Referrer-Policy makes that Origin "null", which is refused, as is a post
    with neither header.
    """
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    return request.headers.get("Origin") == f"{request.scheme}://{request.get_host()}"


@csrf_exempt
@never_cache
@require_POST
def leave(request):
    """Forget this browser's intake session. "Leave this site" asks for it on
    its way to the neutral site: a beacon from static/js/quick_exit.js, or
    without JavaScript the link's ping (in browsers that send pings).
    Afterwards the confirmation pages show nothing, not even "has reached us".

    Exempt from the CSRF token check and checked for the same origin instead:
    the pages that carry the link are the same for every visitor (cached
    articles, the intake skeletons), a ping cannot carry a token, and all this
    can do is forget the caller's own session; the session cookie is
    SameSite=Lax, so another site's post would not even carry it.
    """
    if not _is_same_origin(request):
        return HttpResponseForbidden()
    session = request.session
    for key in INTAKE_SESSION_KEYS:
        session.pop(key, None)
    if not session.keys():
        # Nothing else in it (no one signed in): gone from the cache, and the
        # cookie with its sealed copy (practice/sessions.py) is deleted.
        session.flush()
    return HttpResponse(status=204)
