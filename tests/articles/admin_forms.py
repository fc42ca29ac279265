from django.utils import timezone


def admin_form_data(article, **changes):
    data = {
        "title": article.title,
        "slug": article.slug,
        "summary": article.summary,
        "body": article.body,
        "status": article.status,
        "publish_at_0": timezone.localtime(article.publish_at).strftime("%Y-%m-%d"),
        "publish_at_1": timezone.localtime(article.publish_at).strftime("%H:%M:%S"),
        "is_featured": "on" if article.is_featured else "",
        "author": article.author_id,
        "reviewer": article.reviewer_id or "",
        "reviewed_at": "",
        "cover_alt": article.cover_alt,
        "cta_journey": article.cta_journey,
        "cta_readiness": article.cta_readiness,
        "language": article.language,
        "translation": article.translation_id or "",
        **changes,
    }
    if "topics" not in data:
        data["topics"] = [topic.pk for topic in article.topics.all()]
    return {key: value for key, value in data.items() if value != ""}


def page_form(page, **changes):
    """What the admin's page form posts back for `page`, with `changes`."""
    return {
        "kind": page.kind,
        "language": page.language,
        "title": page.title,
        "summary": page.summary,
        "body": page.body,
        "status": page.status,
        **changes,
    }
