from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from articles.models import Article
from practice.context_processors import practice_wording


class LatestArticlesFeed(Feed):
    def title(self):
        return _("%(practice)s: articles") % {"practice": settings.PRACTICE_NAME}

    def description(self):
        return practice_wording()["tagline"]

    def link(self):
        return reverse("articles:list")

    def feed_url(self):
        return reverse("articles:feed")

    def items(self):
        # The active language's articles: /articles/feed/ English, /es/articles/feed/ Spanish.
        return Article.objects.published().in_language().for_listing()[:20]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return item.author.name_with_credentials

    def item_categories(self, item):
        return [topic.display_name for topic in item.topics.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description()

    def feed_url(self):
        return reverse("articles:atom")
