from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language

from articles.models import Article, Author, Page, Topic


class LanguagesSitemap(Sitemap):
    """One <url> per page and language, each naming the page in every language
    it exists in (hreflang alternates, x-default the English one)."""

    i18n = True
    alternates = True
    x_default = True


class _CountedPairs:
    """A sitemap's (item, language) pairs as its paginator reads them: counted
    by the database, since the sitemap index asks for nothing else, and built
    only when a page of them is shown. (Django builds them all to count them,
    which at 10,000 articles took the index from 8 to 180 ms.)"""

    def __init__(self, sitemap: "ArticleSitemap"):
        self.sitemap = sitemap

    def count(self) -> int:
        return self.sitemap.pair_count()

    def __getitem__(self, index):
        return self.sitemap._items()[index]


class ArticleSitemap(LanguagesSitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    @property
    def paginator(self):
        return Paginator(_CountedPairs(self), self.limit)

    def pair_count(self) -> int:
        """How many <url> entries the articles make: one per article, and one
        more for each whose translation is published too."""
        return self._index_figures["entries"]

    def get_latest_lastmod(self):
        # Read in the same query as the count (Django's default loads every article).
        return self._index_figures["latest"]

    @cached_property
    def _index_figures(self):
        """What the sitemap index asks of the articles, in one query that stays
        about as quick with 10,000 articles as with 50: the number of entries
        and the newest change.

        Every published article is an entry of its own, except one whose
        translation is published too: the English one of such a pair makes
        two entries, the other one none. So the entries are the published
        articles, plus the English ends of live pairs, less their other ends.
        The articles are counted from an index alone, and the few linked
        ones are found through the index on `translation`. (Asking for each
        article whether its translation is live took 24 ms at 10,000
        articles, against 0.9 ms at 50.)
        """
        published = Article.objects.published()
        english = Q(language=settings.LANGUAGE_CODE)
        pairs = (
            published.filter(_live_translation())
            .order_by()
            # All pairs in one group: the subquery gives one number.
            .annotate(together=Value(1))
            .values("together")
            .annotate(more=Count("pk", filter=english) - Count("pk", filter=~english))
            .values("more")
        )
        # The newest change from its own index (aggregate() accepts only
        # aggregates, hence the Max of a single value).
        newest = published.order_by("-updated_at").values("updated_at")[:1]
        return published.order_by().aggregate(
            entries=Count("pk") + Coalesce(Subquery(pairs), 0),
            latest=Max(Subquery(newest)),
        )

    def items(self):
        # One item per article and its translation together (the English one
        # stands for the pair), so that no address is listed twice.
        published = Article.objects.published()
        return (
            published.annotate(
                has_counterpart=Case(
                    When(_live_translation(), then=True),
                    default=False,
                    output_field=BooleanField(),
                )
            )
            .filter(Q(language=settings.LANGUAGE_CODE) | Q(has_counterpart=False))
            .select_related("translation")
            .only("slug", "language", "updated_at", "translation__slug", "translation__language")
        )

    def get_languages_for_item(self, article):
        languages = [article.language]
        if article.has_counterpart:
            languages.append(article.translation.language)
        return languages

    def location(self, article):
        if get_language() != article.language and article.has_counterpart:
            return article.translation.get_absolute_url()
        return article.get_absolute_url()

    def lastmod(self, article):
        return article.updated_at


def _live_translation():
    """An article's translation is published and its time has come (read
    through a join on the translation, not a subquery per article)."""
    return Q(
        translation__status=Article.Status.PUBLISHED,
        translation__publish_at__lte=timezone.now(),
    )


class TopicSitemap(LanguagesSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        # Each topic with the languages it has published articles in.
        published = Article.objects.published()
        languages = {
            f"in_{code}": Exists(
                Article.topics.through.objects.filter(
                    topic_id=OuterRef("pk"),
                    article__in=published.filter(language=code),
                )
            )
            for code, _ in settings.LANGUAGES
        }
        in_any = Q()
        for name in languages:
            in_any |= Q(**{name: True})
        return Topic.objects.annotate(**languages).filter(in_any)

    def get_languages_for_item(self, topic):
        return [code for code, _ in settings.LANGUAGES if getattr(topic, f"in_{code}")]


@dataclass(frozen=True)
class PracticePageEntry:
    """One of the practice's pages, with the languages it is published in and
    its newest change in any of them."""

    kind: str
    languages: list[str]
    updated_at: datetime


class PracticePageSitemap(LanguagesSitemap):
    """The practice's pages (fees, privacy, …), each in the languages an editor
    has published it in. The Spanish site shows an English page until there is
    a Spanish one, but that address is not listed: its text is the English
    page's, which its canonical link names."""

    changefreq = "monthly"
    priority = 0.5

    @cached_property
    def _entries(self):
        # A handful of rows: one per kind and language. Read once for the
        # index's count and newest change alike.
        published = {}
        for kind, language, updated_at in Page.objects.published().values_list(
            "kind", "language", "updated_at"
        ):
            published.setdefault(kind, {})[language] = updated_at
        return [
            PracticePageEntry(
                kind=kind,
                languages=[code for code, _ in settings.LANGUAGES if code in versions],
                updated_at=max(versions.values()),
            )
            for kind in Page.Kind.values
            if (versions := published.get(kind))
        ]

    def items(self):
        return self._entries

    def get_languages_for_item(self, entry):
        return entry.languages

    def location(self, entry):
        return reverse(entry.kind)

    def lastmod(self, entry):
        return entry.updated_at


# The team page stands beside the clinicians in their sitemap.
TEAM_PAGE = "team"


class TeamSitemap(LanguagesSitemap):
    """The team page and each clinician's profile, in every language (a bio
    not yet written in Spanish shows in English there)."""

    changefreq = "monthly"
    priority = 0.6

    @cached_property
    def _clinicians(self):
        return list(Author.objects.only("slug"))

    def items(self):
        return [TEAM_PAGE, *self._clinicians]

    def location(self, item):
        return reverse(TEAM_PAGE) if item == TEAM_PAGE else item.get_absolute_url()


class StaticPageSitemap(LanguagesSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["home", "articles:list"]

    def location(self, name):
        return reverse(name)


sitemaps = {
    "articles": ArticleSitemap,
    "topics": TopicSitemap,
    "pages": StaticPageSitemap,
    "practice": PracticePageSitemap,
    "team": TeamSitemap,
}
