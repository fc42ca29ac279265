"""The answers the request form offers, besides the journey and the partner's
readiness (practice/journeys.py, which article calls to action share)."""

from django.db import models

from practice.journeys import Journey, Readiness

# The journeys and readiness in a word or two, for the staff's queue, where the
# requester's own wording would not fit a column.
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

    INDIVIDUAL_NOW = "individual_now", "Start individual sessions for me now"
    COUPLES_HOLD = "couples_hold", "Hold a couples consultation until my partner is ready"


class SafetyAnswer(models.TextChoices):
    NO = "no", "No"
    YES = "yes", "Yes"
    PREFER_NOT = "prefer_not", "I'd prefer not to say"


class CrisisAnswer(models.TextChoices):
    NO = "no", "No"
    YES = "yes", "Yes"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"


class AgeAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No, I am under 18"


class SessionFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online (video)"
    EITHER = "either", "Either is fine"


class Availability(models.TextChoices):
    WEEKDAY_MORNING = "weekday_morning", "Weekday mornings"
    WEEKDAY_AFTERNOON = "weekday_afternoon", "Weekday afternoons"
    WEEKDAY_EVENING = "weekday_evening", "Weekday evenings"
    WEEKEND = "weekend", "Weekends"


class Payment(models.TextChoices):
    SELF_PAY = "self_pay", "Self-pay"
    OUT_OF_NETWORK = "out_of_network", "Out-of-network insurance (I'd like a superbill)"
    UNSURE = "unsure", "Not sure yet"


class ReferralSource(models.TextChoices):
    SEARCH = "search", "A web search"
    ARTICLE = "article", "An article on this site"
    FRIEND = "friend", "A friend or family member"
    CLINICIAN = "clinician", "A doctor or another therapist"
    DIRECTORY = "directory", "A therapist directory"
    OTHER = "other", "Somewhere else"


class PartnerAnswer(models.TextChoices):
    JOIN = "join", "I'd like to join"
    QUESTIONS = "questions", "I have questions first: please contact me"
    NOT_NOW = "not_now", "Not right now"
