import hashlib

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.generic import DetailView, ListView

from articles import seo
from articles.models import Article, Author, Topic
from articles.services import content_version


def can_preview(user):
    """Staff who may read articles in the admin may also preview them on the site."""
    return user.is_staff and user.has_perm("articles.view_article")


def visible_articles(user):
    """The articles whose page this person may open: all of them for staff, else the published."""
    return Article.objects.all() if can_preview(user) else Article.objects.published()


class PublishedArticlesMixin:
    """The public's articles, with what a list shows fetched in a fixed number of queries."""

    paginate_by = 10
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().for_listing()

    def breadcrumb_trail(self):
        return [("Articles", reverse("articles:list"))]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        crumbs = seo.breadcrumbs(self.request, *self.breadcrumb_trail())
        page = context["page_obj"].number if context["is_paginated"] else 1
        context.update(
            breadcrumbs=crumbs,
            structured_data=[seo.breadcrumb_list(crumbs)],
            canonical_url=seo.canonical_url(self.request, self.request.path, page=page),
        )
        return context


class ArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/article_list.html"

    def get_queryset(self):
        return super().get_queryset().search(self.search_terms)

    @property
    def search_terms(self):
        return self.request.GET.get("q", "").strip()[:200]

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            q=self.search_terms,
            topics=Topic.objects.filter(articles__in=Article.objects.published()).distinct(),
            **kwargs,
        )


class TopicArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/topic_detail.html"

    def get_queryset(self):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return super().get_queryset().in_topic(self.topic.slug)

    def breadcrumb_trail(self):
        return [*super().breadcrumb_trail(), (self.topic.name, self.topic.get_absolute_url())]

    def get_context_data(self, **kwargs):
        return super().get_context_data(topic=self.topic, **kwargs)


class AuthorArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().filter(author=self.author)

    def breadcrumb_trail(self):
        return [*super().breadcrumb_trail(), (self.author.name, self.author.get_absolute_url())]

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return (
            visible_articles(self.request.user)
            .select_related("author", "reviewer")
            .prefetch_related("topics")
        )

    def get_context_data(self, **kwargs):
        article = self.object
        published = Article.objects.published()
        same_time = Q(publish_at=article.publish_at)
        crumbs = seo.breadcrumbs(
            self.request,
            ("Articles", reverse("articles:list")),
            (article.title, article.get_absolute_url()),
        )
        return super().get_context_data(
            is_preview=not article.is_public,
            related=published.related_to(article)[:3],
            previous_article=published.filter(
                Q(publish_at__lt=article.publish_at) | (same_time & Q(pk__lt=article.pk))
            ).first(),
            next_article=published.filter(
                Q(publish_at__gt=article.publish_at) | (same_time & Q(pk__gt=article.pk))
            )
            .order_by("publish_at", "pk")
            .first(),
            breadcrumbs=crumbs,
            structured_data=[seo.blog_posting(self.request, article), seo.breadcrumb_list(crumbs)],
            canonical_url=seo.canonical_url(self.request, article.get_absolute_url()),
            og_image=(
                self.request.build_absolute_uri(article.cover_image.url)
                if article.cover_image
                else ""
            ),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            # A draft must never sit in a shared cache or a browser's history cache.
            patch_cache_control(response, private=True, no_store=True)
        return response


def _article_validators(request, slug):
    """(ETag, Last-Modified) of the article page, or (None, None) when it is not visible.

    Looked up once per request, although `condition` asks twice.
    """
    if not hasattr(request, "_article_validators"):
        dates = (
            visible_articles(request.user)
            .filter(slug=slug)
            .values_list("updated_at", "publish_at")
            .first()
        )
        if dates is None:
            request._article_validators = (None, None)
        else:
            updated_at, publish_at = dates
            # The page also shows related and neighbouring articles, which the
            # content version covers.
            seed = f"{slug}:{updated_at.isoformat()}:{publish_at.isoformat()}:{content_version()}"
            request._article_validators = (
                hashlib.sha256(seed.encode()).hexdigest()[:32],
                max(updated_at, publish_at),
            )
    return request._article_validators


def article_etag(request, slug):
    return _article_validators(request, slug)[0]


def article_last_modified(request, slug):
    return _article_validators(request, slug)[1]
