"""factory_boy factories for the project's models."""

import secrets
import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from articles.models import Article, Author, Licence, Page, Topic
from intake.choices import (
    Availability,
    CrisisAnswer,
    PartnerAnswer,
    Payment,
    SafetyAnswer,
    SessionFormat,
)
from intake.models import (
    IntakeRequest,
    Note,
    Notification,
    PartnerInvitation,
    PartnerResponse,
    hash_token,
    new_reference,
)
from practice.journeys import COUPLES_JOURNEYS, Journey, Readiness


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")
    description = "Articles on one theme."


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Clinician {n}")
    slug = factory.Sequence(lambda n: f"clinician-{n}")
    credentials = "LMFT"
    bio = "Works with couples and individuals."


class ArticleFactory(factory.django.DjangoModelFactory):
    """A live article (published a day ago) unless a trait says otherwise.

    Traits: published=True (the default state, said out loud), draft=True,
    scheduled=True (published, but due tomorrow).
    """

    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.Sequence(lambda n: f"article-{n}")
    summary = "A short summary of the article."
    body = "## A heading\n\nA paragraph about relationships and therapy.\n"
    author = factory.SubFactory(AuthorFactory)
    status = Article.Status.PUBLISHED
    publish_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    cta_journey = Journey.COUPLES

    class Params:
        published = factory.Trait(
            status=Article.Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() - timedelta(days=1)),
        )
        draft = factory.Trait(status=Article.Status.DRAFT)
        scheduled = factory.Trait(
            status=Article.Status.PUBLISHED,
            publish_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=1)),
        )

    @factory.post_generation
    def topics(self, create, extracted, **kwargs):
        if create and extracted:
            self.topics.set(extracted)


class LicenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Licence

    author = factory.SubFactory(AuthorFactory)
    region = "Oregon"
    kind = "LMFT"
    number = factory.Sequence(lambda n: f"T{1000 + n}")


class PageFactory(factory.django.DjangoModelFactory):
    """A published page of the practice (fees in English unless told otherwise)."""

    class Meta:
        model = Page
        django_get_or_create = ["kind", "language"]

    kind = Page.Kind.FEES
    language = "en"
    title = "Fees and insurance"
    summary = "What sessions cost."
    body = "## Session fees\n\nA couples session is $230.\n"
    status = Page.Status.PUBLISHED


# --- Intake: requests as the public form stores them, and what hangs off them --


def _is_couples(request) -> bool:
    return request.journey in COUPLES_JOURNEYS


class IntakeRequestFactory(factory.django.DjangoModelFactory):
    """An individual request unless journey says otherwise; a couples journey
    gets the couples answers the form requires, status="closed" a closed time."""

    class Meta:
        model = IntakeRequest

    reference = factory.LazyFunction(new_reference)
    submission_key = factory.LazyFunction(uuid.uuid4)
    journey = Journey.INDIVIDUAL
    status = IntakeRequest.Status.NEW
    name = "Sam Rivera"
    email = "sam@example.com"
    phone = "555-0100"
    is_email_ok = True
    session_format = SessionFormat.ONLINE
    region = "Oregon"
    availability = factory.LazyFunction(lambda: [Availability.WEEKDAY_EVENING])
    payment = Payment.SELF_PAY
    concerns = "We keep having the same argument about my mother."
    in_crisis = CrisisAnswer.NO
    consented_at = factory.LazyFunction(timezone.now)
    acknowledged_not_emergency_at = factory.LazyFunction(timezone.now)
    closed_at = factory.Maybe(
        factory.LazyAttribute(lambda request: request.status == IntakeRequest.Status.CLOSED),
        yes_declaration=factory.LazyFunction(timezone.now),
        no_declaration=None,
    )

    partner_first_name = factory.Maybe(
        factory.LazyAttribute(_is_couples), yes_declaration="Alex", no_declaration=""
    )
    partner_readiness = factory.Maybe(
        factory.LazyAttribute(_is_couples),
        yes_declaration=Readiness.NOT_ASKED,
        no_declaration="",
    )
    wants_individual_now = factory.LazyAttribute(_is_couples)
    partner_safety = factory.Maybe(
        factory.LazyAttribute(_is_couples), yes_declaration=SafetyAnswer.NO, no_declaration=""
    )
    agreed_confidentiality_at = factory.Maybe(
        factory.LazyAttribute(_is_couples),
        yes_declaration=factory.LazyFunction(timezone.now),
        no_declaration=None,
    )


class PartnerInvitationFactory(factory.django.DjangoModelFactory):
    """A usable partner link. The raw token (only its hash is stored) is kept on
    the object as `token`, as only the requester's confirmation page knows it."""

    class Meta:
        model = PartnerInvitation

    intake_request = factory.SubFactory(IntakeRequestFactory, journey=Journey.COUPLES)
    token = factory.LazyFunction(lambda: secrets.token_urlsafe(32))
    token_hash = factory.LazyAttribute(lambda invitation: hash_token(invitation.token))
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=60))

    @classmethod
    def _create(cls, model_class, *args, token, **kwargs):
        invitation = super()._create(model_class, *args, **kwargs)
        invitation.token = token
        return invitation


class PartnerResponseFactory(factory.django.DjangoModelFactory):
    """A partner who joins; their link is used, as the partner page leaves it."""

    class Meta:
        model = PartnerResponse

    intake_request = factory.SubFactory(IntakeRequestFactory, journey=Journey.COUPLES)
    invitation = factory.SubFactory(
        PartnerInvitationFactory,
        intake_request=factory.SelfAttribute("..intake_request"),
        used_at=factory.LazyFunction(timezone.now),
    )
    answer = PartnerAnswer.JOIN
    name = "Alex Kim"
    email = "alex@example.com"
    message = "I am nervous about this but willing to try."
    partner_safety = SafetyAnswer.NO
    in_crisis = CrisisAnswer.NO
    consented_at = factory.LazyFunction(timezone.now)


class NoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Note

    intake_request = factory.SubFactory(IntakeRequestFactory)
    author = None
    body = "Called back; left no voicemail as asked."


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    intake_request = factory.SubFactory(IntakeRequestFactory)
    kind = Notification.Kind.NEW_REQUEST
