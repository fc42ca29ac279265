import math
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from articles.markdown import render_markdown
from intake.choices import COUPLES_JOURNEYS, Journey, Readiness


class Topic(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})


class Author(models.Model):
    """A clinician who writes or reviews articles."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    credentials = models.CharField(max_length=120, blank=True, help_text="For example: PhD, LMFT.")
    bio = models.TextField("short bio", blank=True)
    photo = models.ImageField(upload_to="authors/", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name_with_credentials

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})

    @property
    def name_with_credentials(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


def search_vector():
    """What PostgreSQL's full-text search reads: title first, then summary, then body.

    The GIN index in Article.Meta is built on this very expression, so that the
    planner can use it; change both together (a migration follows).
    """
    return (
        SearchVector("title", weight="A", config="english")
        + SearchVector("summary", weight="B", config="english")
        + SearchVector("body", weight="C", config="english")
    )


def search_index():
    return GinIndex(search_vector(), name="article_search")


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles the public may read: published, and their time has come."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=timezone.now())

    def for_listing(self):
        """What a list of articles shows: byline and topics without extra queries."""
        return self.select_related("author").prefetch_related("topics")

    def in_topic(self, slug):
        return self.filter(topics__slug=slug)

    def search(self, terms):
        """Articles matching the reader's words, best match first where the database can rank.

        PostgreSQL ranks with its full-text search; other databases (SQLite in
        development) fall back to every word appearing in the title, summary or body.
        """
        terms = terms.strip()
        if not terms:
            return self
        if connections[self.db].vendor == "postgresql":
            query = SearchQuery(terms, search_type="websearch", config="english")
            return (
                self.alias(search=search_vector())
                .filter(search=query)
                .annotate(rank=SearchRank(search_vector(), query))
                .order_by("-rank", "-publish_at", "-pk")
            )
        matches = Q()
        for word in terms.split():
            matches &= (
                Q(title__icontains=word) | Q(summary__icontains=word) | Q(body__icontains=word)
            )
        return self.filter(matches)

    def related_to(self, article):
        """Other articles sharing a topic with this one, those sharing most first."""
        topic_ids = [topic.pk for topic in article.topics.all()]
        return (
            self.filter(topics__in=topic_ids)
            .exclude(pk=article.pk)
            .annotate(shared_topics=Count("topics"))
            .order_by("-shared_topics", "-publish_at", "-pk")
        )

    def scheduled(self):
        """Published articles whose time has not come yet."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    summary = models.TextField(
        max_length=300, help_text="One or two sentences, shown in lists and search results."
    )
    body = models.TextField(
        help_text="Markdown. Start sections with ## (the title is the page's heading)."
    )
    body_html = models.TextField(editable=False, blank=True)
    cover_image = models.ImageField(upload_to="covers/", blank=True)
    cover_alt = models.CharField(
        "cover image description",
        max_length=250,
        blank=True,
        help_text="Describe the image for people who cannot see it. Required with a cover image.",
    )
    # Resized copies of the cover made at upload (articles.services), largest
    # last: [{"width", "height", "webp", "jpeg"}, …] with storage names.
    cover_renditions = models.JSONField(default=list, blank=True, editable=False)
    topics = models.ManyToManyField(Topic, related_name="articles", blank=True)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="articles")
    reviewer = models.ForeignKey(
        Author,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_articles",
        verbose_name="clinical reviewer",
    )
    reviewed_at = models.DateField("last reviewed", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        "publish at",
        default=timezone.now,
        help_text="A published article appears on the site from this time on.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_featured = models.BooleanField("featured", default=False)
    cta_journey = models.CharField(
        "call to action: journey",
        max_length=12,
        choices=Journey,
        default=Journey.COUPLES,
    )
    cta_readiness = models.CharField(
        "call to action: partner readiness",
        max_length=12,
        choices=Readiness,
        blank=True,
        help_text="Optional; only used with couples and intensive journeys.",
    )
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)

    objects = ArticleQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["body_html", "cover_renditions"])

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-publish_at"], name="article_status_publish"),
            # The GIN index for full-text search (search_index()) exists on PostgreSQL
            # only, so a migration creates it there rather than listing it here.
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(cover_image="") | ~Q(cover_alt=""),
                name="article_cover_has_alt_text",
            ),
        ]
        permissions = [("publish_article", "Can publish articles")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.body_html = render_markdown(self.body)
        self.reading_minutes = max(1, math.ceil(len(self.body.split()) / 220))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html", "reading_minutes"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        if self.cover_image and not self.cover_alt.strip():
            raise ValidationError(
                {"cover_alt": "Describe the cover image for people who cannot see it."},
                code="cover_alt_required",
            )

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def visibility(self):
        """ "live", "scheduled" or "draft": what the public sees of this article now."""
        if self.status == self.Status.DRAFT:
            return "draft"
        return "live" if self.publish_at <= timezone.now() else "scheduled"

    @property
    def was_updated(self):
        """True when the article changed a day or more after it went out.

        An article entered after its publish date (imported, or backdated) counts
        from when it was entered.
        """
        return self.updated_at - max(self.publish_at, self.created_at) >= timedelta(days=1)

    def cta_url(self):
        """The request form with this article's journey already chosen."""
        query = {"journey": self.cta_journey}
        if self.cta_readiness and self.cta_journey in COUPLES_JOURNEYS:
            query["readiness"] = self.cta_readiness
        return f"{reverse('intake:request')}?{urlencode(query)}"

    def absolute_url(self):
        return settings.SITE_URL + self.get_absolute_url()
