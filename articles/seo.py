"""What search engines and link previews read: breadcrumbs and JSON-LD structured data."""

from django.conf import settings
from django.urls import reverse


def canonical_url(request, path, *, page=1):
    """The one address search engines should know a page by: no query, except the page."""
    url = request.build_absolute_uri(path)
    return f"{url}?page={page}" if page > 1 else url


def breadcrumbs(request, *trail):
    """[(name, absolute url), …] from Home to the current page; each of `trail` is (name, path)."""
    crumbs = [(settings.PRACTICE_NAME, reverse("home")), *trail]
    return [(name, request.build_absolute_uri(path)) for name, path in crumbs]


def breadcrumb_list(crumbs):
    return {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": position, "name": name, "item": url}
            for position, (name, url) in enumerate(crumbs, start=1)
        ],
    }


def _person(request, author):
    person = {
        "@type": "Person",
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }
    if author.credentials:
        person["jobTitle"] = author.credentials
        person["honorificSuffix"] = author.credentials
    return person


def blog_posting(request, article):
    url = request.build_absolute_uri(article.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": article.title,
        "description": article.summary,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": article.publish_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": _person(request, article.author),
        "publisher": {
            "@type": "Organization",
            "name": settings.PRACTICE_NAME,
            "url": request.build_absolute_uri(reverse("home")),
        },
        "keywords": [topic.name for topic in article.topics.all()],
        "timeRequired": f"PT{article.reading_minutes}M",
    }
    if article.reviewer:
        data["reviewedBy"] = _person(request, article.reviewer)
        if article.reviewed_at:
            data["lastReviewed"] = article.reviewed_at.isoformat()
    if article.cover_image:
        data["image"] = request.build_absolute_uri(article.cover_image.url)
    return data


def organization(request):
    """The practice itself, for the home page."""
    return {
        "@context": "https://schema.org",
        "@type": "Organization",
        "name": settings.PRACTICE_NAME,
        "description": settings.PRACTICE_TAGLINE,
        "url": request.build_absolute_uri(reverse("home")),
        "telephone": settings.PRACTICE_PHONE,
        "email": settings.PRACTICE_EMAIL,
        "address": settings.PRACTICE_ADDRESS,
        "areaServed": settings.PRACTICE_REGIONS,
    }
