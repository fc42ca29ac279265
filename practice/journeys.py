"""The journeys a person can ask for, and how ready their partner is.

Both apps speak this vocabulary: the request form offers it (intake), and an
article's call to action opens the form with a journey already chosen
(articles). It lives here so that articles never imports intake.

The values are a stable interface: calls to action and outside links open the
form with `?journey=…&readiness=…`, and requests store them.
"""

from django.db import models


class Journey(models.TextChoices):
    INDIVIDUAL = "individual", "Individual sessions for me"
    COUPLES = "couples", "Couples sessions"
    INTENSIVE = "intensive", "A couples intensive"
    CONSULT = "consult", "I'm not sure yet: a brief consultation call"


COUPLES_JOURNEYS = (Journey.COUPLES, Journey.INTENSIVE)


class Readiness(models.TextChoices):
    AGREED = "agreed", "My partner wants to come"
    UNSURE = "unsure", "My partner is unsure"
    DECLINED = "declined", "My partner has said no for now"
    NOT_ASKED = "not_asked", "I haven't asked my partner yet"
