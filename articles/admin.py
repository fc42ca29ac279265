from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from articles.models import Article, ArticleImage, ArticleReads, Author, Licence, Page, Topic
from articles.reads import RECENT_MONTHS, recent_since, this_month
from articles.services import (
    article_cover_renditions_make,
    article_image_renditions_make,
    article_publish,
    article_translation_link,
    article_unpublish,
    author_photo_renditions_make,
)
from practice.page_cache import content_version_bump


class ContentVersionAdminMixin:
    """Saving or deleting through the admin makes cached public pages stale."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        content_version_bump()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        content_version_bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_version_bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        content_version_bump()


class MarkdownEditorMixin:
    """A body box large enough to write in: full width, 30 rows or more."""

    markdown_fields = ["body"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in self.markdown_fields:
            kwargs["widget"] = forms.Textarea(
                attrs={"rows": 30, "class": "vLargeTextField markdown-editor"}
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="preview")
    def preview_link(self, obj):
        """One click from the change page to the page as readers will see it."""
        if obj is None or obj.pk is None:
            return "Save a draft to preview it on the site."
        label = "View on the site" if obj.is_public else "Preview on the site (not published)"
        return format_html(
            '<a class="button" href="{}" target="_blank" rel="noopener">{}</a>',
            obj.get_absolute_url(),
            label,
        )


class HistoryAdmin(SimpleHistoryAdmin):
    """Revisions kept and listed, readable and revertible only by those who may
    change the object as it stands now (publish rules included, where a mixin
    adds them to has_change_permission).

    django-simple-history lets anyone who may view an object open, and post,
    the revert form of an old version: a view-only Clinician could change a
    draft or a clinician's profile that way.
    """

    # The library passes the old version here; the current object is checked
    # by _check_may_change.
    def has_view_history_or_change_history_permission(self, request, obj=None):
        return self.has_change_permission(request)

    def history_view(self, request, object_id, extra_context=None):
        self._check_may_change(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The library checks the old version it shows, not the object it saves over.
        self._check_may_change(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _check_may_change(self, request, object_id):
        current = self.get_object(request, unquote(object_id))
        if not self.has_change_permission(request, current):
            raise PermissionDenied


class PublishPermissionMixin:
    """Writers without the publish permission work on drafts only: a published
    one is read-only to them, and so is the status field."""

    publish_permission = ""

    def has_publish_permission(self, request):
        return request.user.has_perm(self.publish_permission)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.status != Article.Status.DRAFT:
            if not self.has_publish_permission(request):
                return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.status != Article.Status.DRAFT:
            if not self.has_publish_permission(request):
                return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not self.has_publish_permission(request):
            readonly = [*readonly, "status"]
        return readonly

    def save_model(self, request, obj, form, change):
        if not self.has_publish_permission(request):
            # The form has no status field for them; this also refuses a forged
            # POST and a revert (through the history) of a published one.
            stored = type(obj).objects.filter(pk=obj.pk).values_list("status", flat=True).first()
            if change and stored != Article.Status.DRAFT:
                raise PermissionDenied
            obj.status = Article.Status.DRAFT
        super().save_model(request, obj, form, change)


@admin.register(Topic)
class TopicAdmin(ContentVersionAdminMixin, admin.ModelAdmin):
    list_display = ["name", "name_es", "slug", "is_sensitive"]
    list_filter = ["is_sensitive"]
    search_fields = ["name", "description", "name_es", "description_es"]
    prepopulated_fields = {"slug": ["name"]}


class LicenceInline(admin.TabularInline):
    model = Licence
    extra = 1


@admin.register(Author)
class AuthorAdmin(ContentVersionAdminMixin, MarkdownEditorMixin, HistoryAdmin):
    list_display = [
        "name",
        "credentials",
        "is_accepting_clients",
        "has_spanish_bio",
        "team_position",
        "slug",
    ]
    list_editable = ["team_position"]
    search_fields = ["name", "credentials"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LicenceInline]
    markdown_fields = ["long_bio", "long_bio_es"]
    readonly_fields = ["preview_link"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "credentials", "pronouns", "preview_link"]}),
        ("Photo", {"fields": ["photo", "photo_alt"]}),
        (
            "Practice",
            {
                "fields": [
                    "is_accepting_clients",
                    "is_in_person",
                    "is_online",
                    "languages",
                    "approaches",
                    "team_position",
                ]
            },
        ),
        ("About", {"fields": ["bio", "long_bio"]}),
        (
            "About, in Spanish",
            {
                "fields": ["bio_es", "long_bio_es"],
                "description": "For the Spanish site. Left empty, it shows the English "
                "bio, marked as English.",
            },
        ),
    ]

    @admin.display(description="bio in Spanish", boolean=True)
    def has_spanish_bio(self, author):
        return bool(author.bio_es and author.long_bio_es)

    @admin.display(description="profile")
    def preview_link(self, author):
        if author is None or author.pk is None:
            return "Save to see the profile on the site."
        return format_html(
            '<a class="button" href="{}" target="_blank" rel="noopener">View the profile</a>',
            author.get_absolute_url(),
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "photo" in form.changed_data:
            author_photo_renditions_make(author=obj)


@admin.register(ArticleImage)
class ArticleImageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "markdown_to_use", "uploaded_at"]
    search_fields = ["alt"]
    readonly_fields = ["markdown_to_use", "uploaded_at"]
    fields = ["image", "alt", "markdown_to_use", "uploaded_at"]

    @admin.display(description="Markdown to use")
    def markdown_to_use(self, image):
        if image is None or image.pk is None:
            return "Save the image: you will get the Markdown to paste into a text."
        return format_html("<code>{}</code>", image.markdown())

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "image" in form.changed_data:
            article_image_renditions_make(image=obj)


@admin.register(Article)
class ArticleAdmin(
    ContentVersionAdminMixin, PublishPermissionMixin, MarkdownEditorMixin, HistoryAdmin
):
    list_display = [
        "title",
        "language",
        "status",
        "publish_at",
        "author",
        "is_featured",
        "visibility",
        "reads_this_month",
        "reads_recently",
    ]
    list_filter = ["language", "status", "topics", "author", "is_featured"]
    list_select_related = ["author"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "publish_at"
    filter_horizontal = ["topics"]
    autocomplete_fields = ["author", "reviewer", "translation"]
    actions = ["publish_now", "back_to_draft"]
    publish_permission = "articles.publish_article"
    readonly_fields = [
        "preview_link",
        "rendered_body",
        "reading_minutes",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["preview_link", "title", "slug", "summary", "body", "rendered_body"]}),
        ("Language", {"fields": ["language", "translation"]}),
        ("Publishing", {"fields": ["status", "publish_at", "is_featured"]}),
        ("People and topics", {"fields": ["author", "reviewer", "reviewed_at", "topics"]}),
        ("Cover image", {"fields": ["cover_image", "cover_alt"], "classes": ["collapse"]}),
        ("Call to action", {"fields": ["cta_journey", "cta_readiness"]}),
        ("On the partner page", {"fields": ["partner_journey", "partner_outlook"]}),
        ("Record", {"fields": ["reading_minutes", "created_at", "updated_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "cover_image" in form.changed_data:
            article_cover_renditions_make(article=obj)
        if "translation" in form.changed_data:
            article_translation_link(article=obj)

    def get_queryset(self, request):
        # The read counts of every listed article, in the list's one query.
        reads = ArticleReads.objects.filter(article=OuterRef("pk")).values("article")
        return (
            super()
            .get_queryset(request)
            .annotate(
                reads_this_month=_reads_total(reads.filter(month__gte=this_month())),
                reads_recently=_reads_total(reads.filter(month__gte=recent_since())),
            )
        )

    @admin.display(description="reads this month", ordering="reads_this_month")
    def reads_this_month(self, article):
        return article.reads_this_month

    @admin.display(
        description=f"reads, this and the last {RECENT_MONTHS} months", ordering="reads_recently"
    )
    def reads_recently(self, article):
        return article.reads_recently

    @admin.display(description="on the site")
    def visibility(self, article):
        labels = {"live": "Live", "scheduled": "Scheduled", "draft": "Draft"}
        return labels[article.visibility]

    @admin.display(description="rendered body")
    def rendered_body(self, article):
        if not article.body_html:
            return "Save the article to see its body as readers will."
        # body_html was sanitised against an allow-list (nh3) when the article was saved.
        safe_body = mark_safe(article.body_html)  # nosec
        return format_html('<div class="article-preview">{}</div>', safe_body)

    @admin.action(description="Publish now", permissions=["publish"])
    def publish_now(self, request, queryset):
        published = sum(article_publish(article=article) for article in queryset)
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", published) % published,
            messages.SUCCESS,
        )

    @admin.action(description="Back to draft", permissions=["publish"])
    def back_to_draft(self, request, queryset):
        unpublished = sum(article_unpublish(article=article) for article in queryset)
        self.message_user(
            request,
            ngettext(
                "%d article moved back to draft.", "%d articles moved back to draft.", unpublished
            )
            % unpublished,
            messages.SUCCESS,
        )


def _reads_total(reads):
    """The sum of these ArticleReads rows' counts (0 for none), as a subquery."""
    return Coalesce(Subquery(reads.annotate(total=Sum("count")).values("total")), 0)


@admin.register(Page)
class PageAdmin(
    ContentVersionAdminMixin, PublishPermissionMixin, MarkdownEditorMixin, HistoryAdmin
):
    list_display = ["title", "kind", "language", "status", "updated_at"]
    list_filter = ["language", "kind", "status"]
    publish_permission = "articles.publish_page"
    readonly_fields = ["preview_link", "updated_at"]
    fields = [
        "preview_link",
        "kind",
        "language",
        "title",
        "summary",
        "body",
        "status",
        "updated_at",
    ]
