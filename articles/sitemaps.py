from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils.translation import get_language

from articles.models import Article, Topic


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
        counts = self.items().aggregate(
            articles=Count("pk"), translated=Count("pk", filter=Q(has_counterpart=True))
        )
        return counts["articles"] + counts["translated"]

    def items(self):
        # One item per article and its translation together (the English one
        # stands for the pair), so that no address is listed twice.
        published = Article.objects.published()
        counterpart_live = Exists(published.filter(pk=OuterRef("translation_id")))
        return (
            published.annotate(has_counterpart=counterpart_live)
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

    def get_latest_lastmod(self):
        # One aggregate instead of Django's default of loading every article.
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


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
}
