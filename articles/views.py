import hashlib
import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.functional import cached_property
from django.utils.http import http_date
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from articles import reads, search, seo
from articles.models import SEARCH_RESULTS_MAX, Article, Author, Page, Topic
from articles.placeholders import placeholders_fill
from practice.hours import practice_hours
from practice.page_cache import content_memo, content_version_cached


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
        # Each site lists the articles written in its language.
        return Article.objects.published().in_language().for_listing()

    def breadcrumb_trail(self):
        return [(_("Articles"), reverse("articles:list"))]

    def in_every_language(self):
        """This list's published articles in all languages (a view narrows them
        to its topic or clinician, as its get_queryset does)."""
        return Article.objects.published()

    def language_pages(self):
        """How many pages this list has in each language: the language switcher
        keeps a reader on page 2 only where there is a page 2. One query."""
        counts = dict(
            self.in_every_language().order_by().values_list("language").annotate(Count("pk"))
        )
        per_page = self.get_paginate_by(None)
        return {
            code: max(1, math.ceil(counts.get(code, 0) / per_page))
            for code, _name in settings.LANGUAGES
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        crumbs = seo.breadcrumbs(self.request, *self.breadcrumb_trail())
        page = context["page_obj"].number if context["is_paginated"] else 1
        if context["is_paginated"]:
            # The pages next to this one and at both ends, not one link per page.
            context["page_numbers"] = context["paginator"].get_elided_page_range(page)
        if page > 1 and not getattr(self, "search_terms", ""):
            # (Search results differ between languages: the switcher starts
            # the other language's results from their first page.)
            context["language_pages"] = self.language_pages()
        context.update(
            breadcrumbs=crumbs,
            structured_data=[seo.breadcrumb_list(crumbs)],
            canonical_url=seo.canonical_url(self.request, self.request.path, page=page),
        )
        return context


class ArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/article_list.html"

    def get_queryset(self):
        articles = super().get_queryset()
        self.found = None
        if not self.search_terms:
            return articles
        # Search results are paginated as a list of ids, best match first (no
        # count query); only the shown page's articles are fetched.
        self.found = search.find(articles, self.search_terms, limit=SEARCH_RESULTS_MAX)
        return self.found.ids

    def paginate_queryset(self, queryset, page_size):
        paginator, page, articles, is_paginated = super().paginate_queryset(queryset, page_size)
        if self.search_terms:
            found = super().get_queryset().in_bulk(page.object_list)
            page.object_list = articles = [found[pk] for pk in page.object_list if pk in found]
        return paginator, page, articles, is_paginated

    @cached_property
    def search_terms(self):
        return search.clean(self.request.GET.get("q", ""))

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            q=self.search_terms,
            found=self.found,
            search_results_max=SEARCH_RESULTS_MAX,
            topics=Topic.objects.with_published_articles(),
            suggested=SuggestedReading(),
            **kwargs,
        )


class SuggestedReading:
    """Three articles to start from when a search finds nothing: the most read
    lately, or the featured and newest ones while too few have been read.
    Fetched only if the template asks (a search that finds something never does)."""

    def __init__(self):
        self.since = reads.recent_since()

    @cached_property
    def articles(self):
        return list(
            Article.objects.published().in_language().for_listing().suggested(since=self.since)[:3]
        )

    @property
    def is_most_read(self):
        return bool(self.articles) and self.articles[0].is_most_read


class TopicArticleListView(PublishedArticlesMixin, ListView):
    template_name = "articles/topic_detail.html"

    def get_queryset(self):
        self.topic = get_object_or_404(Topic, slug=self.kwargs["slug"])
        return super().get_queryset().in_topic(self.topic.slug)

    def in_every_language(self):
        return super().in_every_language().in_topic(self.topic.slug)

    def breadcrumb_trail(self):
        return [
            *super().breadcrumb_trail(),
            (self.topic.display_name, self.topic.get_absolute_url()),
        ]

    def get_context_data(self, **kwargs):
        # The topic's page in each language, which exists where it has articles.
        languages = set(
            Article.objects.published()
            .in_topic(self.topic.slug)
            .values_list("language", flat=True)
            .distinct()
        )
        language_urls = {}
        for code, _name in settings.LANGUAGES:
            with override(code):
                if code in languages or code == get_language():
                    language_urls[code] = (self.topic.get_absolute_url(), code in languages)
                else:
                    language_urls[code] = (reverse("articles:list"), False)
        return super().get_context_data(topic=self.topic, language_urls=language_urls, **kwargs)


class TeamView(ListView):
    """The clinicians, with what a prospective client asks first."""

    template_name = "articles/team.html"
    context_object_name = "clinicians"

    def get_queryset(self):
        return Author.objects.for_team()

    def get_context_data(self, **kwargs):
        crumbs = seo.breadcrumbs(self.request, (_("Our team"), reverse("team")))
        return super().get_context_data(
            nav="team",
            breadcrumbs=crumbs,
            structured_data=[seo.breadcrumb_list(crumbs)],
            canonical_url=seo.canonical_url(self.request, reverse("team")),
            **kwargs,
        )


class ClinicianView(PublishedArticlesMixin, ListView):
    """A clinician's profile, and the articles they wrote (paginated)."""

    template_name = "articles/clinician.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author.objects.for_team(), slug=self.kwargs["slug"])
        return super().get_queryset().filter(author=self.author)

    def in_every_language(self):
        return super().in_every_language().filter(author=self.author)

    def breadcrumb_trail(self):
        return [
            (_("Our team"), reverse("team")),
            (self.author.name, self.author.get_absolute_url()),
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(author=self.author, nav="team", **kwargs)
        context["structured_data"].insert(0, seo.profile_page(self.request, self.author))
        return context


def author_moved(request, slug):
    """The old author pages, now the clinician's profile (page numbers kept)."""
    author = get_object_or_404(Author, slug=slug)
    url = author.get_absolute_url()
    page = request.GET.get("page", "")
    if page.isdigit():
        url += f"?page={page}"
    return HttpResponsePermanentRedirect(url)


class PracticePageView(DetailView):
    """One of the practice's own pages (fees, privacy, …), kept by editors in
    each language: the site's own language's page, or else the English one,
    marked as not yet translated (lang="en" on its text)."""

    template_name = "articles/page.html"
    context_object_name = "page"
    kind = None

    def get_object(self, queryset=None):
        pages = Page.objects.all() if can_preview(self.request.user) else Page.objects.published()
        self.versions = pages.versions(self.kind)
        page = self.versions.get(get_language()) or self.versions.get(settings.LANGUAGE_CODE)
        if page is None:
            raise Http404
        return page

    def get_template_names(self):
        return [f"articles/page_{self.kind}.html", self.template_name]

    def language_urls(self):
        """The page in each language: there whenever that site shows it (its
        own or the English one), named as an alternate only where an editor
        published one in that language."""
        published = {code for code, page in self.versions.items() if page.is_public}
        urls = {}
        for code, _name in settings.LANGUAGES:
            with override(code):
                if published & {code, settings.LANGUAGE_CODE}:
                    urls[code] = (reverse(self.kind), code in published)
                else:
                    urls[code] = (reverse("home"), False)
        return urls

    def get_context_data(self, **kwargs):
        page = self.object
        untranslated = page.language != get_language()
        # The crumb names the page in the reader's language, even when its text
        # is not; its address is this one (the canonical URL names the page
        # whose text this is).
        name = page.get_kind_display() if untranslated else page.title
        crumbs = seo.breadcrumbs(self.request, (name, reverse(self.kind)))
        structured = [seo.breadcrumb_list(crumbs)]
        if page.kind == Page.Kind.CONTACT:
            structured.insert(0, seo.practice_business(self.request))
        return super().get_context_data(
            nav=page.kind,
            is_preview=not page.is_public,
            # The language of the page's text where it is not the site's.
            text_lang=page.language if untranslated else "",
            language_urls=self.language_urls(),
            body_html=placeholders_fill(page.body_html, language=page.language),
            hours=practice_hours() if page.kind == Page.Kind.CONTACT else [],
            breadcrumbs=crumbs,
            structured_data=structured,
            canonical_url=seo.canonical_url(self.request, page.get_absolute_url()),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if context["is_preview"]:
            # A draft must never sit in a shared cache or a browser's history cache.
            patch_cache_control(response, private=True, no_store=True)
        return response


class ArticleDetailView(DetailView):
    """An article, with ETag and Last-Modified computed from the article itself.

    A browser revalidating its copy gets 304 Not Modified after the one query
    that fetches the article; the page is rendered only when it changed.

    What the page shows around the article (ArticleSurroundings) is worked out
    once per content version in each process: a page rendered again for a
    visitor the page cache does not serve (one with a session cookie) then
    fetches the article alone.
    """

    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        queryset = visible_articles(self.request.user)
        if self.kept_surroundings is None:
            # Byline, review and language switcher in the article's own query.
            queryset = queryset.select_related("author", "reviewer", "translation")
        return queryset

    @cached_property
    def kept_surroundings(self):
        return content_memo.peek(_surroundings_key(self.kwargs[self.slug_url_kwarg]))

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.language != get_language():
            # An article lives on the site of its language: /es/articles/<an
            # English article>/ (a guessed or old link) leads to it there.
            return HttpResponseRedirect(self.object.get_absolute_url())
        etag, last_modified = article_validators(self.object)
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            response = self.render_to_response(self.get_context_data(object=self.object))
            if self.object.is_public:
                # The page cache keeps the article's id with the page, and
                # counts a read each time it serves it.
                setattr(response, reads.READ_ARTICLE_ATTRIBUTE, self.object.pk)
                if not request.user.is_staff:
                    reads.read_count(request, response, self.object.pk)
        response.headers.setdefault("Last-Modified", http_date(last_modified))
        response.headers.setdefault("ETag", etag)
        return response

    def get_context_data(self, **kwargs):
        article = self.object
        # Worked out only for a page that is rendered, not for a 304.
        around = self.kept_surroundings
        if around is not None and around.is_for(article):
            around.attach_to(article)
        else:
            stamp = content_memo.stamp(until_next_publish=True)
            around = ArticleSurroundings.of(article)
            if article.is_public:
                content_memo.put(_surroundings_key(article.slug), around, stamp)
        crumbs = seo.breadcrumbs(
            self.request,
            (_("Articles"), reverse("articles:list")),
            (article.title, article.get_absolute_url()),
        )
        return super().get_context_data(
            is_preview=not article.is_public,
            language_urls=around.language_urls,
            related=around.related,
            previous_article=around.previous_article,
            next_article=around.next_article,
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


def _surroundings_key(slug):
    return ("article-surroundings", slug)


@dataclass(frozen=True)
class ArticleSurroundings:
    """What an article's page shows besides the article's own fields: its
    author, reviewer and topics, where the language switcher leads, the
    articles before and after it and related ones. All of it changes only with
    published content (a content version) or when a scheduled article goes
    live, so a process keeps it (practice.page_cache.ContentMemo), for the
    article as it was when it was worked out (`is_for`)."""

    article_id: int
    updated_at: datetime
    author: Author
    reviewer: Author | None
    translation: Article | None
    topics: QuerySet
    language_urls: dict
    previous_article: Article | None
    next_article: Article | None
    related: list

    @classmethod
    def of(cls, article):
        """Worked out from an article fetched with its author, reviewer and
        translation: three queries (topics, neighbours, related articles)."""
        prefetch_related_objects([article], "topics")
        # Neighbours and related articles from the article's own language.
        published = Article.objects.published().in_language(article.language).for_cards()
        previous_article = next_article = None
        for neighbour in published.around(article):
            if (neighbour.publish_at, neighbour.pk) < (article.publish_at, article.pk):
                previous_article = neighbour
            else:
                next_article = neighbour
        return cls(
            article_id=article.pk,
            updated_at=article.updated_at,
            author=article.author,
            reviewer=article.reviewer,
            translation=article.translation,
            topics=article.topics.all(),
            language_urls=article_language_urls(article),
            previous_article=previous_article,
            next_article=next_article,
            related=list(published.related_to(article)[:3]),
        )

    def is_for(self, article):
        return (self.article_id, self.updated_at) == (article.pk, article.updated_at)

    def attach_to(self, article):
        """Give an article fetched alone what its templates read through it."""
        article.author = self.author
        article.reviewer = self.reviewer
        article.translation = self.translation
        # As prefetch_related_objects leaves them, so article.topics.all() reads them.
        article._prefetched_objects_cache = {"topics": self.topics}


def article_language_urls(article):
    """Where the language switcher leads from an article: its published
    translation, or else the other language's list of articles."""
    urls = {}
    for code, _name in settings.LANGUAGES:
        if code == article.language:
            urls[code] = (article.get_absolute_url(), True)
            continue
        translation = article.translation
        if translation is not None and translation.language == code and translation.is_public:
            urls[code] = (translation.get_absolute_url(), True)
        else:
            with override(code):
                urls[code] = (reverse("articles:list"), False)
    return urls


def article_validators(article):
    """(ETag, Last-Modified as a timestamp) of an article's page."""
    # The page also shows related and neighbouring articles, which the content
    # version covers.
    seed = ":".join(
        [
            article.slug,
            article.updated_at.isoformat(),
            article.publish_at.isoformat(),
            str(content_version_cached()),
        ]
    )
    etag = f'"{hashlib.sha256(seed.encode()).hexdigest()[:32]}"'
    return etag, int(max(article.updated_at, article.publish_at).timestamp())
