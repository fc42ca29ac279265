from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from articles.models import Article, Author, Topic
from articles.services import (
    article_cover_renditions_make,
    article_publish,
    article_unpublish,
)
from practice.page_cache import content_version_bump


class ContentVersionAdminMixin:
    """Saving or deleting through the admin makes cached public pages stale."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        content_version_bump()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        content_version_bump()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        content_version_bump()


@admin.register(Topic)
class TopicAdmin(ContentVersionAdminMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Author)
class AuthorAdmin(ContentVersionAdminMixin, admin.ModelAdmin):
    list_display = ["name", "credentials", "slug"]
    search_fields = ["name", "credentials"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(ContentVersionAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "status", "publish_at", "author", "is_featured", "visibility"]
    list_filter = ["status", "topics", "author", "is_featured"]
    list_select_related = ["author"]
    search_fields = ["title", "summary", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "publish_at"
    filter_horizontal = ["topics"]
    autocomplete_fields = ["author", "reviewer"]
    actions = ["publish_now", "back_to_draft"]
    readonly_fields = ["rendered_body", "reading_minutes", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "body", "rendered_body"]}),
        ("Publishing", {"fields": ["status", "publish_at", "is_featured"]}),
        ("People and topics", {"fields": ["author", "reviewer", "reviewed_at", "topics"]}),
        ("Cover image", {"fields": ["cover_image", "cover_alt"], "classes": ["collapse"]}),
        ("Call to action", {"fields": ["cta_journey", "cta_readiness"]}),
        ("Record", {"fields": ["reading_minutes", "created_at", "updated_at"]}),
    ]

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")

    # A writer without the publish permission works on drafts only: a published
    # or scheduled article is read-only to them, and so is the status field.
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
            # POST and a revert (through the history) of a published article.
            stored = Article.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
            if change and stored != Article.Status.DRAFT:
                raise PermissionDenied
            obj.status = Article.Status.DRAFT
        super().save_model(request, obj, form, change)
        if "cover_image" in form.changed_data:
            article_cover_renditions_make(article=obj)

    @admin.display(description="on the site")
    def visibility(self, article):
        labels = {"live": "Live", "scheduled": "Scheduled", "draft": "Draft"}
        return labels[article.visibility]

    @admin.display(description="preview")
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
