"""The request form and the partner's form.

Every section renders whether or not it applies (the form works without
JavaScript); answers to sections that do not apply are ignored in clean().
What a value may contain is checked by intake.validators.
"""

import re
import uuid

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from intake import selectors, spam
from intake.choices import (
    AgeAnswer,
    Availability,
    ContactMethod,
    CrisisAnswer,
    NextStep,
    PartnerAnswer,
    Payment,
    ReferralSource,
    SafetyAnswer,
    SessionFormat,
)
from intake.services import safety_flags
from intake.validators import clean_email_address, clean_free_text, clean_line, clean_phone_number
from practice.journeys import COUPLES_JOURNEYS, Journey, Readiness

# What an article's slug may be (articles.Article.slug: a SlugField).
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
MAX_SLUG_LENGTH = 200
MAX_LENGTH_MESSAGE = _(
    "Please shorten this to %(limit_value)s characters or fewer (it has %(show_value)s)."
)
CONTACT_METHODS_REQUIRED = _("Please tell us at least one way it is safe to reach you.")
PARTNER_SAFETY_REQUIRED = _("Please answer this question. “I’d prefer not to say” is fine.")
NAME_REQUIRED = _("Please tell us your name.")
IN_CRISIS_REQUIRED = _("Please answer whether you are in immediate danger.")
CONSENT_REQUIRED = _("Please agree that we may contact you, so we can reply.")


def text(*, label: str, max_length: int, required: bool = False, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={"max_length": MAX_LENGTH_MESSAGE},
        **kwargs,
    )


def long_text(*, label: str, max_length: int, **kwargs) -> forms.CharField:
    field = text(
        label=label,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 5}),
        **kwargs,
    )
    # No maxlength attribute: browsers silently cut pasted text at the limit; the
    # server says so clearly instead, and keeps every word.
    field.widget.attrs.pop("maxlength", None)
    return field


def radios(*, label: str, choices, required: bool = True, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        widget=forms.RadioSelect,
        **kwargs,
    )


def checkboxes(*, label: str, choices, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        **kwargs,
    )


class EmptyValueHiddenInput(forms.HiddenInput):
    """A hidden input that writes value="" when empty, as the blank form's copy
    does (intake/skeleton.py fills the value in per visitor)."""

    def format_value(self, value):
        return "" if value is None else super().format_value(value) or ""


class ArticleSlugField(forms.CharField):
    """A hidden article slug that is never wrong: anything that cannot be one
    (too long, other characters, a NUL) is "", since the person could not fix it."""

    widget = EmptyValueHiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        return from_article_slug(value if isinstance(value, str) else "")


# The two private safety questions, asked the same way of both partners.


def partner_safety_question() -> forms.ChoiceField:
    return radios(
        label=_("Has your partner ever hurt, threatened or frightened you?"),
        choices=SafetyAnswer.choices,
        required=False,
        help_text=_("We ask everyone this, privately. Your partner will never see your answer."),
    )


def crisis_question(*, required: bool) -> forms.ChoiceField:
    return radios(
        label=_("Are you in immediate danger, or having thoughts of harming yourself?"),
        choices=CrisisAnswer.choices,
        required=required,
        help_text=_("If you answer yes, we will show you where to get help straight away."),
    )


class SpamFieldsMixin(forms.Form):
    """The honeypot and the signed time the form was shown (see intake/spam.py),
    and what the page around the form reads: its error summary, and whether the
    crisis help comes first."""

    website = forms.CharField(
        label=_("Leave this empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault(spam.STARTED_FIELD, spam.started_token())

    def says_in_crisis(self) -> bool:
        """Whether the crisis question was answered "yes" in what was sent, valid
        or not: a form shown again then puts the crisis help before its errors."""
        if not self.is_bound:
            return False
        answer = self.data.get("in_crisis")
        if not isinstance(answer, str):
            return False
        return safety_flags(in_crisis=answer, partner_safety="").is_urgent

    def error_links(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary; radios link to their first option."""
        links = []
        for name, errors in self.errors.items():
            if name == NON_FIELD_ERRORS or name not in self.fields:
                anchor = "#form-top"
            else:
                bound = self[name]
                anchor = "#" + (bound.id_for_label or f"{bound.auto_id}_0")
            links.extend((anchor, message) for message in errors)
        return links


def _empty_value(field: forms.Field):
    if isinstance(field, forms.MultipleChoiceField):
        return []
    if isinstance(field, forms.BooleanField):
        return False
    return ""


def _require(form: forms.Form, name: str, message: str) -> None:
    form.add_error(name, ValidationError(message, code="required"))


class ContactFieldsMixin(forms.Form):
    """Who the person is, how it is safe to reach them and when they could come:
    the same questions on the request form and the partner's form.

    Nothing here is required: the request form requires a name and a way to
    reach them of everyone, the partner form only of a partner who joins or
    has questions (check_contact_methods).
    """

    name = text(
        label=_("Your name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = text(
        label=_("Email address (optional)"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = text(
        label=_("Phone number (optional)"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    contact_methods = checkboxes(
        label=_("How is it safe for us to contact you?"),
        choices=ContactMethod.choices,
        help_text=_("Choose every way that is safe. We will only use these."),
    )
    is_voicemail_ok = forms.BooleanField(label=_("We may leave a voicemail"), required=False)
    is_discreet_sender = forms.BooleanField(
        label=_("Please use a discreet sender name on emails and texts"), required=False
    )
    availability = checkboxes(
        label=_("When could you usually come? (optional)"), choices=Availability
    )
    availability_notes = long_text(
        label=_("Anything else about timing? (optional)"),
        max_length=1000,
        help_text=_("Up to 1,000 characters."),
    )

    def clean_name(self):
        return clean_line(self.cleaned_data["name"], what=_("Your name"))

    def clean_email(self):
        return clean_email_address(self.cleaned_data["email"])

    def clean_phone(self):
        return clean_phone_number(self.cleaned_data["phone"])

    def clean_availability_notes(self):
        return clean_free_text(self.cleaned_data["availability_notes"])

    def check_contact_methods(self, data: dict) -> None:
        """At least one safe way to reach the person, with the detail it needs."""
        methods = data.get("contact_methods") or []
        if not methods:
            if "contact_methods" not in self.errors:
                _require(self, "contact_methods", CONTACT_METHODS_REQUIRED)
            return
        if ContactMethod.EMAIL in methods and not data.get("email") and "email" not in self.errors:
            _require(
                self, "email", _("Please give your email address, since email is safe for you.")
            )
        if (
            {ContactMethod.PHONE, ContactMethod.TEXT} & set(methods)
            and not data.get("phone")
            and "phone" not in self.errors
        ):
            _require(
                self, "phone", _("Please give your phone number, since calls or texts are safe.")
            )


COUPLES_FIELDS = (
    "partner_first_name",
    "partner_readiness",
    "wants_now",
    "partner_safety",
    "wants_link_emailed",
    "agrees_confidentiality",
)


class IntakeRequestForm(ContactFieldsMixin, SpamFieldsMixin):
    """One person's request. Field names and values are a stable interface."""

    # The journey; who they are and how to reach them is ContactFieldsMixin's.
    journey = radios(label=_("What would you like help with?"), choices=Journey.choices)
    is_adult = radios(
        label=_("Are you 18 or older?"),
        choices=AgeAnswer.choices,
        help_text=_("We see people under 18 only in some cases; we will tell you how."),
    )

    # Sessions.
    preferred_clinician = forms.ChoiceField(
        label=_("Would you like to see someone in particular? (optional)"),
        required=False,
        help_text=_("We will do our best; if they cannot see you soon, we will tell you."),
    )
    session_format = radios(label=_("How would you like to meet?"), choices=SessionFormat.choices)
    region = forms.ChoiceField(
        label=_("Where do you live?"),
        help_text=_("We can only see clients who live where our clinicians are licensed."),
    )
    online_location_confirmed = forms.BooleanField(
        label=_("I will be in one of these states during online sessions"),
        required=False,
        help_text=_(
            "Our clinicians may only meet you online while you are somewhere they are licensed."
        ),
    )
    payment = radios(label=_("How would you like to pay?"), choices=Payment.choices)
    concerns = long_text(
        label=_("What would you like help with? (optional)"),
        max_length=5000,
        help_text=_(
            "A few sentences are plenty; we will talk more when we meet. Up to 5,000 characters."
        ),
    )
    referral_source = forms.ChoiceField(
        label=_("How did you hear about us? (optional)"),
        choices=[("", _("Choose one"))] + ReferralSource.choices,
        required=False,
    )

    # Couples and intensives.
    partner_first_name = text(label=_("Your partner's first name (optional)"), max_length=60)
    partner_readiness = radios(
        label=_("Where is your partner with the idea of couples sessions?"),
        choices=Readiness.choices,
        required=False,
    )
    wants_now = checkboxes(
        label=_("While your partner decides, what would you like?"),
        choices=NextStep.choices,
        help_text=_("Choose one or both."),
    )
    partner_safety = partner_safety_question()
    wants_link_emailed = forms.BooleanField(
        label=_("Also email me the private link for my partner"),
        required=False,
        help_text=_("It goes to you only, never to your partner. Needs email to be safe for you."),
    )
    agrees_confidentiality = forms.BooleanField(
        label=_("I have read how privacy works between partners, and I agree"),
        required=False,
    )

    # Everyone.
    in_crisis = crisis_question(required=True)
    consent = forms.BooleanField(
        label=_("You may contact me about this request in the ways I chose above"),
        error_messages={"required": CONSENT_REQUIRED},
    )
    acknowledges_not_emergency = forms.BooleanField(
        label=_("I understand this form is not for emergencies"),
        error_messages={
            "required": _("Please confirm that you understand this form is not for emergencies.")
        },
    )
    submission_key = forms.UUIDField(widget=forms.HiddenInput)
    # The slug of the article whose call to action opened the form (?from=…).
    from_article = ArticleSlugField()

    # The order of the page, which the error summary follows (the fields not
    # named here come after, in the order they are declared).
    field_order = [
        "website",
        "started",
        "journey",
        "is_adult",
        "name",
        "email",
        "phone",
        "contact_methods",
        "is_voicemail_ok",
        "is_discreet_sender",
        "preferred_clinician",
        "session_format",
        "region",
        "online_location_confirmed",
        "availability",
        "availability_notes",
    ]
    # What this form asks of everyone that the partner's form asks of some.
    required_fields = ["name", "contact_methods"]
    help_texts = {
        "name": _("Whatever name you would like us to use."),
        "is_discreet_sender": _(
            "Our messages will not mention counseling or therapy on the outside."
        ),
    }
    required_messages = {
        "journey": _("Please choose what you would like help with."),
        "name": NAME_REQUIRED,
        "session_format": _("Please choose how you would like to meet."),
        "region": _("Please choose where you live."),
        "payment": _("Please choose how you would like to pay."),
        "in_crisis": IN_CRISIS_REQUIRED,
        "contact_methods": CONTACT_METHODS_REQUIRED,
        "is_adult": _("Please tell us whether you are 18 or older."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        services = set(settings.PRACTICE_SERVICES)
        offered = [Journey.INDIVIDUAL, Journey.COUPLES]
        offered += [j for j in (Journey.INTENSIVE, Journey.CONSULT) if j.value in services]
        labels = {}
        if "discernment" in services:
            labels[Journey.CONSULT] = _(
                "I'm not sure yet: a brief consultation call (this can include discernment "
                "counseling, when one of you is unsure about the relationship)"
            )
        self.fields["journey"].choices = [(j.value, labels.get(j, j.label)) for j in offered]
        self.choices_from_profiles = selectors.request_choices()
        self.regions = self.choices_from_profiles.regions
        self.fields["region"].choices = [("", _("Choose one"))] + [
            (region, region) for region in self.regions
        ]
        self.fields["online_location_confirmed"].label = _(
            "I will be in %(regions)s during online sessions"
        ) % {"regions": _or_list(self.regions)}
        clinician = self.fields["preferred_clinician"]
        clinician.choices = [("", _("No preference")), *self.choices_from_profiles.clinicians]
        posted = self.data.get("preferred_clinician") if self.is_bound else None
        if not self.choices_from_profiles.is_complete and posted:
            # The database is down: not refused for want of a list, but kept,
            # to be shown back to the person with everything else they typed.
            clinician.choices = [*clinician.choices, (posted, posted)]
        for name in self.required_fields:
            self.fields[name].required = True
        for name, help_text in self.help_texts.items():
            self.fields[name].help_text = help_text
        for name, message in self.required_messages.items():
            self.fields[name].error_messages["required"] = message
        if not self.is_bound:
            self.initial.setdefault("submission_key", uuid.uuid4())

    # The query parameters a link may preselect answers with, and their fields.
    QUERY_PARAMS = {"journey": "journey", "readiness": "partner_readiness"}

    @classmethod
    def initial_from_query(cls, query) -> dict:
        """`?journey=couples&readiness=not_asked` preselects those answers."""
        allowed = {"journey": Journey.values, "readiness": Readiness.values}
        initial = {
            field: query[param]
            for param, field in cls.QUERY_PARAMS.items()
            if query.get(param) in allowed[param]
        }
        # A clinician's profile links here with ?clinician=<slug>.
        clinician = query.get("clinician", "")
        if clinician and clinician in selectors.request_choices().clinician_ids:
            initial["preferred_clinician"] = clinician
        return initial

    # The query parameter an article's call to action names itself with.
    FROM_PARAM = "from"

    @classmethod
    def from_article_in_query(cls, query) -> str:
        """The article slug a link carries (`?from=<slug>`), if it looks like one.

        Whether it names a published article is asked only when the request is
        stored (request_create, in the insert itself): the blank form is the
        site's busiest page, and a slug of no article is simply not stored.
        """
        return from_article_slug(query.get(cls.FROM_PARAM, ""))

    def clean_from_article(self) -> str:
        """The slug of the article the form was opened from, or "" (ArticleSlugField
        empties a malformed one). request_create stores the article only if the
        slug names a published one: an unknown slug or a draft is ignored, with
        no query of its own."""
        return self.cleaned_data["from_article"]

    def clean_partner_first_name(self):
        return clean_line(self.cleaned_data["partner_first_name"], what=_("Your partner's name"))

    def clean_concerns(self):
        return clean_free_text(self.cleaned_data["concerns"])

    def clean(self):
        data = super().clean()
        self.check_contact_methods(data)
        journey = data.get("journey")
        if data.get("session_format") in (SessionFormat.ONLINE, SessionFormat.EITHER) and not (
            data.get("online_location_confirmed")
        ):
            _require(
                self,
                "online_location_confirmed",
                _(
                    "Please confirm you will be in %(regions)s during online sessions, or "
                    "choose to meet in person."
                )
                % {"regions": _or_list(self.regions)},
            )
        # Someone under 18 gets no couples request: like another journey's,
        # their couples answers are not required and only the safety answer is kept.
        if journey in COUPLES_JOURNEYS and data.get("is_adult") != AgeAnswer.NO:
            self._clean_couples(data)
        elif journey:
            # The couples section rendered too (no JavaScript); its answers do not
            # apply to this journey and are not kept, nor can they be wrong. The
            # safety answer is the exception: it is never discarded (DESIGN.md).
            for name in COUPLES_FIELDS:
                self.errors.pop(name, None)
            data.update(
                partner_first_name="",
                partner_readiness="",
                wants_now=[],
                partner_safety=data.get("partner_safety") or "",
                wants_link_emailed=False,
                agrees_confidentiality=False,
            )
        return data

    def _clean_couples(self, data: dict) -> None:
        readiness = data.get("partner_readiness")
        if not readiness:
            _require(
                self, "partner_readiness", _("Please tell us where your partner is with this.")
            )
        elif readiness == Readiness.AGREED:
            data["wants_now"] = []
        elif not data.get("wants_now"):
            _require(
                self,
                "wants_now",
                _(
                    "Please choose individual sessions now, a couples consultation on hold, "
                    "or both."
                ),
            )
        if not data.get("partner_safety"):
            _require(self, "partner_safety", PARTNER_SAFETY_REQUIRED)
        if not data.get("agrees_confidentiality"):
            _require(
                self,
                "agrees_confidentiality",
                _("Please read how privacy works between partners and tick to agree."),
            )
        flags = safety_flags(
            in_crisis=data.get("in_crisis") or "", partner_safety=data.get("partner_safety") or ""
        )
        if flags.is_safety_flagged:
            # No partner link is made, so there is nothing to email.
            data["wants_link_emailed"] = False
        elif data.get("wants_link_emailed") and (
            ContactMethod.EMAIL not in (data.get("contact_methods") or [])
        ):
            self.add_error(
                "wants_link_emailed",
                ValidationError(
                    _(
                        "We can only email the link if you give your email and tick that email "
                        "is safe. You can also copy the link on the next page."
                    ),
                    code="email_not_safe",
                ),
            )

    def request_fields(self) -> dict:
        """The cleaned answers as request_create's keyword arguments."""
        data = self.cleaned_data
        methods = set(data["contact_methods"])
        return {
            "submission_key": data["submission_key"],
            "journey": data["journey"],
            "name": data["name"],
            "email": data["email"],
            "phone": data["phone"],
            "is_email_ok": ContactMethod.EMAIL in methods,
            "is_phone_ok": ContactMethod.PHONE in methods,
            "is_text_ok": ContactMethod.TEXT in methods,
            "is_voicemail_ok": data["is_voicemail_ok"],
            "is_discreet_sender": data["is_discreet_sender"],
            "session_format": data["session_format"],
            "region": data["region"],
            "availability": data["availability"],
            "availability_notes": data["availability_notes"],
            "payment": data["payment"],
            "concerns": data["concerns"],
            "referral_source": data["referral_source"],
            "partner_first_name": data["partner_first_name"],
            "partner_readiness": data["partner_readiness"],
            "wants_individual_now": NextStep.INDIVIDUAL_NOW in data["wants_now"],
            "wants_couples_hold": NextStep.COUPLES_HOLD in data["wants_now"],
            "wants_link_emailed": data["wants_link_emailed"],
            "partner_safety": data["partner_safety"],
            "in_crisis": data["in_crisis"],
            "agrees_confidentiality": data["agrees_confidentiality"],
            "is_adult": data["is_adult"] == AgeAnswer.YES,
            "preferred_clinician_id": self.choices_from_profiles.clinician_ids.get(
                data["preferred_clinician"]
            ),
            "online_location_confirmed": data["session_format"] != SessionFormat.IN_PERSON
            and data["online_location_confirmed"],
            "from_article_slug": data["from_article"],
        }


def from_article_slug(value: str) -> str:
    """`value` (without surrounding spaces) if it could be an article's slug, else ""."""
    value = value.strip()
    if len(value) <= MAX_SLUG_LENGTH and SLUG.fullmatch(value):
        return value
    return ""


def _or_list(items: list[str]) -> str:
    """ "Oregon", "Oregon or Washington", "Idaho, Oregon or Washington"."""
    if len(items) < 2:
        return "".join(items)
    return _("%(first)s or %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


class PartnerResponseForm(ContactFieldsMixin, SpamFieldsMixin):
    """The partner's own answers. Which fields apply depends on `answer`."""

    answer = radios(label=_("What would you like to do?"), choices=PartnerAnswer.choices)
    # Then who they are and how to reach them (ContactFieldsMixin).
    partner_safety = partner_safety_question()
    in_crisis = crisis_question(required=False)
    consent = forms.BooleanField(
        label=_("You may contact me in the ways I chose above"), required=False
    )
    message = long_text(
        label=_("Anything you would like to say or ask? (optional)"),
        max_length=2000,
        help_text=_("Only our clinicians read this. Up to 2,000 characters."),
    )

    # The order of the page, which the error summary follows.
    field_order = ["website", "started", "answer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["answer"].error_messages["required"] = _(
            "Please choose one of the three answers."
        )

    def clean_message(self):
        return clean_free_text(self.cleaned_data["message"])

    def clean(self):
        data = super().clean()
        answer = data.get("answer")
        # Asked of everyone, whatever their answer: "not right now" can be in
        # danger too.
        if answer and not data.get("in_crisis") and "in_crisis" not in self.errors:
            _require(self, "in_crisis", IN_CRISIS_REQUIRED)
        if answer in (PartnerAnswer.JOIN, PartnerAnswer.QUESTIONS):
            if not data.get("name") and "name" not in self.errors:
                _require(self, "name", NAME_REQUIRED)
            self.check_contact_methods(data)
            if not data.get("partner_safety") and "partner_safety" not in self.errors:
                _require(self, "partner_safety", PARTNER_SAFETY_REQUIRED)
        if answer == PartnerAnswer.JOIN:
            if not data.get("consent"):
                _require(self, "consent", CONSENT_REQUIRED)
        # Keep only what the chosen answer asks for, and the safety answers,
        # which are never discarded whatever the answer (DESIGN.md).
        keep = {
            PartnerAnswer.JOIN: {
                "name", "email", "phone", "contact_methods", "is_voicemail_ok",
                "is_discreet_sender", "availability", "availability_notes",
                "consent", "message",
            },
            PartnerAnswer.QUESTIONS: {
                "name", "email", "phone", "contact_methods", "is_voicemail_ok",
                "is_discreet_sender", "message",
            },
            PartnerAnswer.NOT_NOW: {"message"},
        }.get(answer, set()) | {"partner_safety", "in_crisis"}  # fmt: skip
        for name in self.base_fields:
            if name not in keep and name not in ("answer", "website", "started"):
                self.errors.pop(name, None)
                data[name] = _empty_value(self.fields[name])
        return data

    def response_fields(self) -> dict:
        """The cleaned answers as partner_response_record's keyword arguments."""
        data = self.cleaned_data
        # Stored for staff, who read the admin in English, whatever the partner's language.
        with translation.override("en"):
            preferences = [str(ContactMethod(m).label) for m in data["contact_methods"]]
            availability = [str(Availability(a).label) for a in data["availability"]]
        if data["is_voicemail_ok"]:
            preferences.append("voicemail is fine")
        if data["is_discreet_sender"]:
            preferences.append("discreet sender name")
        if data["availability_notes"]:
            availability.append(data["availability_notes"])
        return {
            "answer": data["answer"],
            "name": data["name"],
            "email": data["email"],
            "phone": data["phone"],
            "contact_preferences": "; ".join(preferences),
            "availability": "; ".join(availability),
            "message": data["message"],
            "partner_safety": data["partner_safety"],
            "in_crisis": data["in_crisis"],
            "consented": data["consent"],
        }
