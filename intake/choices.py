"""The answers the request form offers, besides the journey and the partner's
readiness (practice/journeys.py, which article calls to action share)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from practice.journeys import Journey, Readiness

# The journeys and readiness in a word or two, for the staff's queue, where the
# requester's own wording would not fit a column. Staff pages are in English,
# so these are not translated.
JOURNEY_SHORT = {
    Journey.INDIVIDUAL: "Individual",
    Journey.COUPLES: "Couples",
    Journey.INTENSIVE: "Intensive",
    Journey.CONSULT: "Consultation",
}
READINESS_SHORT = {
    Readiness.AGREED: "Wants to come",
    Readiness.UNSURE: "Unsure",
    Readiness.DECLINED: "Said no for now",
    Readiness.NOT_ASKED: "Not asked yet",
}


class NextStep(models.TextChoices):
    """What a requester wants while their partner decides."""

    INDIVIDUAL_NOW = "individual_now", _("Start individual sessions for me now")
    COUPLES_HOLD = "couples_hold", _("Hold a couples consultation until my partner is ready")


class SafetyAnswer(models.TextChoices):
    NO = "no", _("No")
    YES = "yes", _("Yes")
    PREFER_NOT = "prefer_not", _("I'd prefer not to say")


class CrisisAnswer(models.TextChoices):
    NO = "no", _("No")
    YES = "yes", _("Yes")


class ContactMethod(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")


class AgeAnswer(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No, I am under 18")


class SessionFormat(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online (video)")
    EITHER = "either", _("Either is fine")


class Availability(models.TextChoices):
    WEEKDAY_MORNING = "weekday_morning", _("Weekday mornings")
    WEEKDAY_AFTERNOON = "weekday_afternoon", _("Weekday afternoons")
    WEEKDAY_EVENING = "weekday_evening", _("Weekday evenings")
    WEEKEND = "weekend", _("Weekends")


class Payment(models.TextChoices):
    SELF_PAY = "self_pay", _("Self-pay")
    OUT_OF_NETWORK = "out_of_network", _("Out-of-network insurance (I'd like a superbill)")
    UNSURE = "unsure", _("Not sure yet")


class ReferralSource(models.TextChoices):
    SEARCH = "search", _("A web search")
    ARTICLE = "article", _("An article on this site")
    FRIEND = "friend", _("A friend or family member")
    CLINICIAN = "clinician", _("A doctor or another therapist")
    DIRECTORY = "directory", _("A therapist directory")
    OTHER = "other", _("Somewhere else")


class PartnerAnswer(models.TextChoices):
    JOIN = "join", _("I'd like to join")
    QUESTIONS = "questions", _("I have questions first: please contact me")
    NOT_NOW = "not_now", _("Not right now")
