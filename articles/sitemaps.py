from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.urls import reverse

from articles.models import Article, Topic


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Article.objects.published().only("slug", "updated_at")

    def lastmod(self, article):
        return article.updated_at

    def get_latest_lastmod(self):
        # One aggregate instead of Django's default of loading every article.
        return Article.objects.published().aggregate(latest=Max("updated_at"))["latest"]


class TopicSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return Topic.objects.with_published_articles()


class StaticPageSitemap(Sitemap):
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
