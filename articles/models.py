import math
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.conf.locale import LANG_INFO
from django.contrib.postgres.search import SearchVector, SearchVectorExact
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import (
    get_language,
    get_language_info,
    gettext,
    gettext_lazy,
    override,
)
from simple_history.models import HistoricalRecords

from articles import search
from articles.markdown import render, render_markdown
from articles.placeholders import placeholders_help, placeholders_unknown
from practice.journeys import (
    COUPLES_JOURNEYS,
    Journey,
    PartnerJourney,
    PartnerOutlook,
    PartnerVariant,
    Readiness,
)
from practice.languages import language_choices


class AuthorQuerySet(models.QuerySet):
    def for_team(self):
        """What the team page shows of each clinician: their licences, in one more query."""
        return self.prefetch_related("licences")


class TopicQuerySet(models.QuerySet):
    def with_published_articles(self):
        """Topics that at least one published article in the active language is in."""
        # "The id of one such article", a subquery with LIMIT 1, stops at the
        # first one found; PostgreSQL plans an EXISTS clause as a join over all
        # of the topic's articles instead.
        one_article = Article.topics.through.objects.filter(
            topic_id=OuterRef("pk"), article__in=Article.objects.published().in_language()
        ).values("article_id")[:1]
        return self.alias(one_article=Subquery(one_article)).filter(one_article__isnull=False)


class Topic(models.Model):
    """A subject articles are filed under, in both languages: one topic, one
    address (its slug), a name and a description for each language."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    name_es = models.CharField(
        "name in Spanish", max_length=80, blank=True, help_text="Shown on the Spanish site."
    )
    description_es = models.TextField("description in Spanish", blank=True)
    is_sensitive = models.BooleanField(
        "about conflict, safety or partners",
        default=False,
        help_text=(
            'The topic\'s page and every article in it show the "Leave this site" button, '
            "which takes a reader to a neutral website at once."
        ),
    )

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:topic", kwargs={"slug": self.slug})

    @property
    def display_name(self):
        """The name in the active language (the English one where none was given)."""
        if get_language() == "es" and self.name_es:
            return self.name_es
        return self.name

    @property
    def display_description(self):
        if get_language() == "es" and self.description_es:
            return self.description_es
        return self.description


class Author(models.Model):
    """A clinician: the byline of the articles they write or review, and their
    profile on the team page."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    credentials = models.CharField(
        max_length=120,
        blank=True,
        help_text="Letters after the name in a byline, for example: PhD, LMFT.",
    )
    pronouns = models.CharField(max_length=40, blank=True, help_text="Optional: she/her.")
    bio = models.TextField(
        "short bio", blank=True, help_text="Two or three sentences, for the team page."
    )
    long_bio = models.TextField(
        "long bio", blank=True, help_text="Markdown, for the clinician's own page."
    )
    long_bio_html = models.TextField(editable=False, blank=True)
    bio_es = models.TextField(
        "short bio in Spanish",
        blank=True,
        help_text="Shown on the Spanish site; without it, the English one is (marked as English).",
    )
    long_bio_es = models.TextField(
        "long bio in Spanish",
        blank=True,
        help_text="Markdown, for the clinician's page on the Spanish site; without it, "
        "the English one is shown there (marked as English).",
    )
    long_bio_es_html = models.TextField(editable=False, blank=True)
    photo = models.ImageField(upload_to="authors/", blank=True)
    photo_alt = models.CharField(
        "photo description",
        max_length=250,
        blank=True,
        help_text="Describe the photo for people who cannot see it. Required with a photo.",
    )
    # Resized copies of the photo, as Article.cover_renditions.
    photo_renditions = models.JSONField(default=list, blank=True, editable=False)
    is_in_person = models.BooleanField("sees clients in person", default=True)
    is_online = models.BooleanField("sees clients online", default=True)
    languages = models.CharField(
        max_length=200, default="English", help_text="Comma-separated: English, Spanish."
    )
    approaches = models.CharField(
        max_length=300,
        blank=True,
        help_text="Comma-separated: Emotionally Focused Therapy, discernment counseling.",
    )
    is_accepting_clients = models.BooleanField("accepting new clients", default=True)
    team_position = models.PositiveSmallIntegerField(
        "position on the team page", default=100, help_text="Lower numbers come first."
    )

    objects = AuthorQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["long_bio_html", "long_bio_es_html", "photo_renditions"]
    )

    class Meta:
        ordering = ["team_position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(photo="") | ~Q(photo_alt=""), name="author_photo_has_alt_text"
            ),
        ]

    def __str__(self):
        return self.name_with_credentials

    def save(self, *args, **kwargs):
        self.long_bio_html = render_markdown(self.long_bio)
        self.long_bio_es_html = render_markdown(self.long_bio_es)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("clinician", kwargs={"slug": self.slug})

    def clean(self):
        if self.photo and not self.photo_alt.strip():
            raise ValidationError(
                {"photo_alt": "Describe the photo for people who cannot see it."},
                code="photo_alt_required",
            )

    @property
    def display_bio(self) -> "Localized":
        """The short bio in the active language, or the English one, marked as such."""
        return _localized(self.bio, self.bio_es)

    @property
    def display_long_bio_html(self) -> "Localized":
        return _localized(self.long_bio_html, self.long_bio_es_html)

    @property
    def name_with_credentials(self):
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    @property
    def language_list(self):
        return _comma_list(self.languages)

    @property
    def approach_list(self):
        return _comma_list(self.approaches)

    def spoken_languages(self) -> str:
        """The languages the clinician works in, named in the reader's language:
        "English, Spanish" reads "Inglés, español" on the Spanish site. A name
        Django does not know (say, "ASL") is shown as written."""
        names = [spoken_language_name(item) for item in self.language_list]
        return capfirst(", ".join(names))

    def session_formats(self):
        """ "in person and online", "online only", …: how this clinician meets clients."""
        if self.is_in_person and self.is_online:
            return gettext("In person and online")
        if self.is_in_person:
            return gettext("In person only")
        return gettext("Online only") if self.is_online else ""

    def request_url(self):
        """The request form with this clinician chosen as the person's preference."""
        return f"{reverse('intake:request')}?{urlencode({'clinician': self.slug})}"


def spoken_language_name(name: str) -> str:
    """A language's name, as an editor wrote it in English, in the active language."""
    code = _LANGUAGE_CODES.get(name.casefold())
    if code is None:
        return name
    translated = str(get_language_info(code)["name_translated"])
    # English capitalises the names of languages; Spanish, like most, does not.
    return translated if get_language() == "en" else translated.lower()


# "spanish" -> "es", from the names Django gives the languages it knows.
_LANGUAGE_CODES = {
    info["name"].casefold(): code for code, info in LANG_INFO.items() if "name" in info
}


def _comma_list(text):
    return [item.strip() for item in text.split(",") if item.strip()]


@dataclass(frozen=True)
class Localized:
    """A text to show, and `lang`: the language it is written in when that is not
    the page's (a template puts it in a lang attribute), else ""."""

    text: str
    lang: str = ""

    def __bool__(self):
        return bool(self.text)

    def __str__(self):
        return self.text


def _localized(english: str, spanish: str) -> Localized:
    """On the Spanish site the Spanish text, or the English one marked as English."""
    if get_language() != "es":
        return Localized(english)
    if spanish:
        return Localized(spanish)
    return Localized(english, lang="en" if english else "")


class Licence(models.Model):
    """A licence to practise in one state or region: a clinician may hold several."""

    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="licences")
    region = models.CharField(
        "state or region",
        max_length=80,
        help_text="As the request form names it, for example: Oregon.",
    )
    kind = models.CharField("licence type", max_length=40, help_text="For example: LMFT.")
    number = models.CharField("licence number", max_length=40)

    class Meta:
        ordering = ["region", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["author", "region", "kind"], name="licence_one_per_kind_and_region"
            ),
        ]

    def __str__(self):
        return f"{self.kind} in {self.region} ({self.number})"


# How many matching articles a search ranks, at most: the newest ones. Ranking
# reads each candidate's stored search document, so a word that nearly every
# article contains ("partner") would otherwise cost time in proportion to the
# whole archive. The price: an older article that matches well is left out when
# more than this many match, and the page then asks the visitor to add words.
SEARCH_RESULTS_MAX = 200


class SearchDocumentField(models.Field):
    """PostgreSQL's `tsvector`; other databases have no such type and store nothing in it."""

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"


SearchDocumentField.register_lookup(SearchVectorExact)


class SearchDocument(models.Func):
    """What PostgreSQL's full-text search reads: title first, then summary, then body,
    in the text-search configuration of the article's language.

    Computed by the database itself (Article.search_document is generated from
    it), so every way of writing an article keeps it current, bulk_create and
    update() included. Other databases store NULL: SQLite (development) has
    an FTS5 index of its own, kept current by triggers (migration 0007).
    """

    template = "%(expressions)s"
    output_field = SearchDocumentField()

    def __init__(self, config, languages=None):
        # The configurations are arguments, not read from articles.search, so
        # that each migration keeps the document it made. `config` is the one
        # of the articles in a language that `languages` does not name.
        def document(config):
            return (
                SearchVector("title", weight="A", config=config)
                + SearchVector("summary", weight="B", config=config)
                + SearchVector("body", weight="C", config=config)
            )

        if not languages:
            super().__init__(document(config))
            return
        # Each branch names its configuration as a constant: the column's
        # expression must be immutable, which a configuration chosen by name
        # at run time is not.
        by_language = [
            models.When(language=language, then=document(other))
            for language, other in sorted(languages.items())
        ]
        super().__init__(
            models.Case(*by_language, default=document(config), output_field=SearchDocumentField())
        )

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return "NULL", ()
        return super().as_sql(compiler, connection, **extra_context)


# Articles written to the partner who was sent a link; the partner page lists
# them (ArticleQuerySet.for_partners), and the search ranks them for that
# reader (articles.search.rank).
FOR_PARTNERS_TOPIC = "for-partners"
# Articles for the person asking while their partner is not ready; the
# requester's confirmation lists them when the partner is not sure yet.
PARTNER_NOT_READY_TOPIC = "when-your-partner-is-not-ready"


def _is_in_topic(slug):
    """Whether the article of the outer query is in the topic (an EXISTS)."""
    return Exists(
        Article.topics.through.objects.filter(article_id=OuterRef("pk"), topic__slug=slug)
    )


# How many articles must have been read lately before the search page lists
# the most read ones (ArticleQuerySet.suggested); it shows three.
MOST_READ_MIN = 3


class RowCount(Subquery):
    """The number of rows of a queryset, as a subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS counted)"
    output_field = models.IntegerField()


class ArticleQuerySet(models.QuerySet):
    def published(self):
        """Articles the public may read: published, and their time has come."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__lte=timezone.now())

    def in_language(self, language=None):
        """Articles written in `language` (default: the active one, which the
        page's address chose): each site lists only its own language's articles."""
        return self.filter(language=language or get_language())

    def for_listing(self):
        """What a list of articles shows: byline and topics without extra queries."""
        return self.select_related("author").prefetch_related("topics")

    def for_cards(self):
        """Without the text: related and neighbouring articles show a title and a summary."""
        return self.defer("body", "body_html")

    def in_topic(self, slug):
        # A semi-join rather than a join: the newest articles of a topic are
        # found by walking the publish date index, without sorting the topic's
        # whole archive, and no article appears twice.
        return self.filter(_is_in_topic(slug))

    def for_partners(self, variant: PartnerVariant):
        """The articles written to a partner who was sent a link (topic
        FOR_PARTNERS_TOPIC) that fit their page: those written for any partner,
        and those written for this journey or this outlook only."""
        return self.in_topic(FOR_PARTNERS_TOPIC).filter(
            Q(partner_journey="") | Q(partner_journey=variant.journey),
            Q(partner_outlook="") | Q(partner_outlook=variant.outlook),
        )

    def matching(self, query):
        """Articles with every word or phrase of a search (a string or a parsed
        articles.search.Query), synonyms and word forms included: "intensive"
        also finds "intensives". A search of only common words finds nothing."""
        query = search.as_query(query)
        if not query.terms:
            return self.none()
        return self.filter(search.document_filter(query, connections[self.db].vendor))

    def ranked_for(self, query):
        """Best match first (a title match above a summary match above a body
        match; articles written to the partner who was asked lower, unless the
        reader speaks as them: articles.search.rank), then newest first."""
        query = search.as_query(query)
        if not query.terms:
            return self.order_by("-publish_at", "-pk")
        rank = search.rank(
            query,
            connections[self.db].vendor,
            written_to_asked=_is_in_topic(FOR_PARTNERS_TOPIC),
        )
        return self.annotate(rank=rank).order_by("-rank", "-publish_at", "-pk")

    def suggested(self, *, since):
        """Where to start reading when a search finds nothing: the most read of
        these articles since the date `since` (ArticleReads), once at least
        MOST_READ_MIN of them have been read; until then (a new site) the
        articles editors feature, then the newest. Each row says which list it
        belongs to (`is_most_read`) and how often it was read (`recent_reads`).

        One query: the candidates are the articles read since then and the
        first few featured or newest ones, and the number of articles read is
        a subquery the database runs once. Take the first few rows (`[:3]`).
        """
        reads = ArticleReads.objects.filter(month__gte=since)
        featured_or_newest = self.order_by("-is_featured", "-publish_at", "-pk")
        recent_reads = (
            reads.filter(article=OuterRef("pk"))
            .values("article")
            .annotate(total=Sum("count"))
            .values("total")
        )
        articles_read = self.filter(pk__in=reads.values("article")).order_by().values("pk")
        return (
            self.filter(
                Q(pk__in=reads.values("article"))
                | Q(pk__in=featured_or_newest.values("pk")[:MOST_READ_MIN])
            )
            .alias(articles_read=RowCount(articles_read))
            .annotate(
                recent_reads=Coalesce(Subquery(recent_reads), 0),
                is_most_read=ExpressionWrapper(
                    Q(articles_read__gte=MOST_READ_MIN), output_field=models.BooleanField()
                ),
            )
            .order_by(
                Case(When(is_most_read=True, then="recent_reads"), default=0).desc(),
                *featured_or_newest.query.order_by,
            )
        )

    def search(self, query, *, limit):
        """The ids of the best matches among the `limit` newest ones, best first, and
        whether more than `limit` articles matched. One query, however many match.

        The search page asks articles.search.find, which also corrects spelling
        and adds partial matches when this finds few.
        """
        query = search.as_query(query)
        newest = self.matching(query).order_by("-publish_at", "-pk").values("pk")
        # One more than is ranked, to tell whether some were left out.
        rows = list(
            self.filter(pk__in=newest[: limit + 1])
            .ranked_for(query)
            .values_list("pk", "publish_at")
        )
        if len(rows) <= limit:
            return [pk for pk, _ in rows], False
        oldest = min(rows, key=lambda row: (row[1], row[0]))
        return [pk for pk, publish_at in rows if (pk, publish_at) != oldest], True

    def related_to(self, article):
        """Other articles sharing a topic with this one, those sharing most first."""
        topic_ids = [topic.pk for topic in article.topics.all()]
        return (
            self.filter(topics__in=topic_ids)
            .exclude(pk=article.pk)
            .annotate(shared_topics=Count("topics"))
            .order_by("-shared_topics", "-publish_at", "-pk")
        )

    def around(self, article):
        """The article just before and the one just after `article` in publishing
        order (up to two rows, in one query); ties on the date go by id."""
        # The plain bound on publish_at lets the database start its index scan
        # at the article instead of filtering its way there from one end.
        when = article.publish_at
        earlier = self.filter(
            Q(publish_at__lt=when) | Q(pk__lt=article.pk), publish_at__lte=when
        ).order_by("-publish_at", "-pk")
        later = self.filter(
            Q(publish_at__gt=when) | Q(pk__gt=article.pk), publish_at__gte=when
        ).order_by("publish_at", "pk")
        return self.filter(
            Q(pk=Subquery(earlier.values("pk")[:1])) | Q(pk=Subquery(later.values("pk")[:1]))
        )

    def scheduled(self):
        """Published articles whose time has not come yet."""
        return self.filter(status=Article.Status.PUBLISHED, publish_at__gt=timezone.now())


class ArticleManager(models.Manager.from_queryset(ArticleQuerySet)):
    def get_queryset(self):
        # The search document is the database's own, for search; loading it with
        # every article would only cost time.
        return super().get_queryset().defer("search_document")


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
    partner_journey = models.CharField(
        "for partners asked to",
        max_length=12,
        choices=PartnerJourney,
        blank=True,
        help_text="Only for articles in the topic for partners: leave blank when the "
        "article suits a partner asked to either; otherwise the partner page lists it "
        "only for that journey.",
    )
    partner_outlook = models.CharField(
        "for partners who are",
        max_length=12,
        choices=PartnerOutlook,
        blank=True,
        help_text="Only for articles in the topic for partners: leave blank when the "
        "article suits any partner. An article about hesitating or saying not now is "
        "for a partner who is not sure yet, and is not offered to one who wants to come.",
    )
    language = models.CharField(
        max_length=8,
        choices=language_choices,
        default="en",
        help_text="The site that lists it: English at /, Spanish under /es/.",
    )
    # A foreign key rather than a one-to-one: relinking an article to a new
    # counterpart must not trip over the old pair (articles.services keeps
    # each pair pointing at each other, and nobody else at them).
    translation = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="translation",
        help_text=(
            "The same article in the other language, if there is one: the language "
            "switcher leads there. Linked both ways when saved."
        ),
    )
    reading_minutes = models.PositiveSmallIntegerField(editable=False, default=1)
    # The body's h2 and h3 headings, for a long article's table of contents.
    toc = models.JSONField(default=list, blank=True, editable=False)
    search_document = models.GeneratedField(
        expression=SearchDocument(config=search.SEARCH_CONFIG, languages=search.SEARCH_CONFIGS),
        output_field=SearchDocumentField(),
        db_persist=True,
    )

    objects = ArticleManager()
    history = HistoricalRecords(
        excluded_fields=["body_html", "cover_renditions", "search_document", "toc"]
    )

    class Meta:
        ordering = ["-publish_at", "-pk"]
        indexes = [
            # Lists, newest first: the page of articles, and counts, from the index alone.
            models.Index(fields=["status", "-publish_at", "-id"], name="article_status_publish_id"),
            # ... and each language's lists, which is what the public pages show.
            models.Index(
                fields=["language", "status", "-publish_at", "-id"],
                name="article_language_publish_id",
            ),
            # The sitemap's "last modified": the newest change, without a scan.
            models.Index(fields=["-updated_at"], name="article_updated"),
            # The GIN index on search_document exists on PostgreSQL only, so a
            # migration (0004) creates it there rather than listing it here.
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
        rendered = render(self.body)
        self.body_html, self.toc = rendered.html, rendered.toc
        self.reading_minutes = max(1, math.ceil(rendered.words / 220))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html", "toc", "reading_minutes"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # On the site of the article's own language, wherever it is linked from.
        with override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.cover_image and not self.cover_alt.strip():
            errors["cover_alt"] = ValidationError(
                "Describe the cover image for people who cannot see it.",
                code="cover_alt_required",
            )
        problems = body_problems(self.body)
        if problems:
            errors["body"] = problems
        if self.translation_id is not None:
            if self.translation_id == self.pk:
                errors["translation"] = ValidationError(
                    "An article cannot be its own translation.", code="translation_self"
                )
            elif self.translation.language == self.language:
                errors["translation"] = ValidationError(
                    "Choose an article in the other language.", code="translation_same_language"
                )
        if errors:
            raise ValidationError(errors)

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.publish_at <= timezone.now()

    @property
    def has_quick_exit(self):
        """Whether its page shows "Leave this site": it is in a topic about
        conflict, safety or partners (reads the topics, prefetched or not)."""
        return any(topic.is_sensitive for topic in self.topics.all())

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
        """The request form with this article's journey already chosen, naming
        this article (`from`), which the request records: only that the button
        was pressed here, nothing else about the reader."""
        query = {"journey": self.cta_journey}
        if self.cta_readiness and self.cta_journey in COUPLES_JOURNEYS:
            query["readiness"] = self.cta_readiness
        query["from"] = self.slug
        # A reader of a Spanish article gets the Spanish form.
        with override(self.language):
            return f"{reverse('intake:request')}?{urlencode(query)}"


class ArticleReads(models.Model):
    """How many times an article's page was read in a month: a number, and
    nothing about who read it (articles.reads explains what counts)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reads")
    # The first day of the month, in the practice's time zone.
    month = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "article reads"
        verbose_name_plural = "article reads"
        constraints = [
            # What articles.reads adds its counts to (INSERT … ON CONFLICT).
            models.UniqueConstraint(fields=["article", "month"], name="articlereads_one_per_month"),
        ]

    def __str__(self):
        return f"{self.article_id} in {self.month:%Y-%m}: {self.count}"


def body_problems(text):
    """What an editor must fix before a body is saved: images that would be left out."""
    return [ValidationError(problem, code="image_left_out") for problem in render(text).problems]


class ArticleImage(models.Model):
    """An image uploaded for use inside an article's or a page's text."""

    image = models.ImageField(upload_to="articles/images/")
    alt = models.CharField(
        "description",
        max_length=250,
        help_text="Describe the image for people who cannot see it.",
    )
    # As Article.cover_renditions.
    renditions = models.JSONField(default=list, blank=True, editable=False)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = "image"
        constraints = [
            models.CheckConstraint(condition=~Q(alt=""), name="articleimage_has_alt_text"),
        ]

    def __str__(self):
        return f"Image {self.pk}: {self.alt[:60]}"

    def markdown(self):
        """What to write in a body to show this image."""
        return f"![{self.alt}](image:{self.pk})"


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Page.Status.PUBLISHED)

    def versions(self, kind) -> dict[str, "Page"]:
        """This kind of page in each language it is written in: {language: page}.
        One query; a row per language at most."""
        return {page.language: page for page in self.filter(kind=kind)}


class Page(models.Model):
    """One of the practice's own pages (fees, privacy, …): text that editors keep,
    once per language. A site shows its own language's page, or, until an editor
    has written one, the page in settings.LANGUAGE_CODE (English), marked as such."""

    class Kind(models.TextChoices):
        # Each value is also the page's URL name; the labels are the pages'
        # names in the site's navigation, in each language.
        FEES = "fees", gettext_lazy("Fees and insurance")
        PRIVACY = "privacy", gettext_lazy("Privacy")
        ACCESSIBILITY = "accessibility", gettext_lazy("Accessibility")
        CONTACT = "contact", gettext_lazy("Contact and directions")

    Status = Article.Status

    kind = models.CharField(max_length=20, choices=Kind)
    language = models.CharField(
        max_length=8,
        choices=language_choices,
        default="en",
        help_text=(
            "The site that shows it: English at /, Spanish under /es/. Until a page "
            "has a published Spanish version, the Spanish site shows the English one, "
            "with a note that it is not translated yet."
        ),
    )
    title = models.CharField(max_length=200)
    summary = models.TextField(
        max_length=300, help_text="One or two sentences, for search engines and link previews."
    )
    body = models.TextField(help_text=placeholders_help())
    body_html = models.TextField(editable=False, blank=True)
    toc = models.JSONField(default=list, blank=True, editable=False)
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PageQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["body_html", "toc"])

    class Meta:
        ordering = ["kind", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "language"], name="page_one_per_kind_and_language"
            ),
        ]
        permissions = [("publish_page", "Can publish pages")]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        rendered = render(self.body)
        self.body_html, self.toc = rendered.html, rendered.toc
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        # On the site of the page's own language, as an article's.
        with override(self.language):
            return reverse(self.kind)

    def clean(self):
        errors = body_problems(self.body)
        unknown = placeholders_unknown(self.body)
        if unknown:
            names = ", ".join(f"[[{name}]]" for name in unknown)
            errors.append(
                ValidationError(
                    f"Unknown placeholder {names}: see the list under the text box.",
                    code="unknown_placeholder",
                )
            )
        if errors:
            raise ValidationError({"body": errors})

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED
