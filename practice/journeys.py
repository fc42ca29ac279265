"""The journeys a person can ask for, and how ready their partner is.

Both apps speak this vocabulary: the request form offers it (intake), and an
article's call to action opens the form with a journey already chosen
(articles). It lives here so that articles never imports intake.

The values are a stable interface: calls to action and outside links open the
form with `?journey=…&readiness=…`, and requests store them.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Journey(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual sessions for me")
    COUPLES = "couples", _("Couples sessions")
    INTENSIVE = "intensive", _("A couples intensive")
    CONSULT = "consult", _("I'm not sure yet: a brief consultation call")


COUPLES_JOURNEYS = (Journey.COUPLES, Journey.INTENSIVE)


class Readiness(models.TextChoices):
    AGREED = "agreed", _("My partner wants to come")
    UNSURE = "unsure", _("My partner is unsure")
    DECLINED = "declined", _("My partner has said no for now")
    NOT_ASKED = "not_asked", _("I haven't asked my partner yet")


class PartnerJourney(models.TextChoices):
    """The couples journeys, as the words for a partner name them."""

    COUPLES = Journey.COUPLES.value, "Weekly couples sessions"
    INTENSIVE = Journey.INTENSIVE.value, "A couples intensive"


class PartnerOutlook(models.TextChoices):
    """Where a partner who gets a link is, as far as what we write to them goes.

    Only "wants to come" differs: a partner who already wants to come is
    offered no words for a reluctant one (how to say not now, why people
    hesitate). Every other readiness answer, "I haven't asked yet" included,
    gets the gentler words.
    """

    HESITANT = "hesitant", "A partner who is not sure yet"
    READY = "ready", "A partner who wants to come"


@dataclass(frozen=True)
class PartnerVariant:
    """What the partner page, and the requester's words about it, depend on:
    four variants in all, never one per request."""

    journey: PartnerJourney
    outlook: PartnerOutlook

    @classmethod
    def of(cls, *, journey: str, readiness: str) -> "PartnerVariant":
        return cls(
            journey=PartnerJourney.INTENSIVE
            if journey == Journey.INTENSIVE
            else PartnerJourney.COUPLES,
            outlook=PartnerOutlook.READY
            if readiness == Readiness.AGREED
            else PartnerOutlook.HESITANT,
        )

    @property
    def is_intensive(self) -> bool:
        return self.journey == PartnerJourney.INTENSIVE

    @property
    def is_ready(self) -> bool:
        return self.outlook == PartnerOutlook.READY
