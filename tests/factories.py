"""factory_boy factories for the project's models."""

from datetime import timedelta

import factory
from django.utils import timezone

from articles.models import Article, Author, Journey, Licence, Page, Topic


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
    """A published page of the practice (fees unless told otherwise)."""

    class Meta:
        model = Page
        django_get_or_create = ["kind"]

    kind = Page.Kind.FEES
    title = "Fees and insurance"
    summary = "What sessions cost."
    body = "## Session fees\n\nA couples session is $230.\n"
    status = Page.Status.PUBLISHED
