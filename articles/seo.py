"""What search engines and link previews read: breadcrumbs and JSON-LD structured data."""

from django.conf import settings
from django.urls import reverse

from practice.context_processors import practice_wording
from practice.hours import practice_hours


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


def person(request, author, *, credentials=False):
    """A clinician as schema.org's Person: credentials as letters after the name
    (honorificSuffix), and with `credentials` each licence as a credential."""
    data = {
        "@type": "Person",
        "name": author.name,
        "url": request.build_absolute_uri(author.get_absolute_url()),
    }
    if author.credentials:
        data["honorificSuffix"] = author.credentials
    if credentials:
        data["hasCredential"] = [
            {
                "@type": "EducationalOccupationalCredential",
                "name": f"{licence.kind} licence, {licence.region}",
                "credentialCategory": "license",
                "identifier": licence.number,
                "validIn": {"@type": "AdministrativeArea", "name": licence.region},
            }
            for licence in author.licences.all()
        ]
    return data


def blog_posting(request, article):
    """The article's page and the posting on it, as one graph.

    schema.org defines reviewedBy and lastReviewed on WebPage, not on the
    posting, so the page carries the clinical review and names the posting as
    its main entity.
    """
    url = request.build_absolute_uri(article.get_absolute_url())
    posting = {
        "@type": "BlogPosting",
        "@id": f"{url}#article",
        "headline": article.title,
        "inLanguage": article.language,
        "description": article.summary,
        "url": url,
        "mainEntityOfPage": {"@id": url},
        "datePublished": article.publish_at.isoformat(),
        "dateModified": article.updated_at.isoformat(),
        "author": person(request, article.author),
        "publisher": {
            "@type": "Organization",
            "name": settings.PRACTICE_NAME,
            "url": request.build_absolute_uri(reverse("home")),
        },
        "keywords": [topic.display_name for topic in article.topics.all()],
        "timeRequired": f"PT{article.reading_minutes}M",
    }
    if article.cover_image:
        posting["image"] = request.build_absolute_uri(article.cover_image.url)
    page = {
        "@type": "WebPage",
        "@id": url,
        "url": url,
        "name": article.title,
        "mainEntity": {"@id": posting["@id"]},
    }
    if article.reviewer:
        page["reviewedBy"] = person(request, article.reviewer)
        if article.reviewed_at:
            page["lastReviewed"] = article.reviewed_at.isoformat()
    return {"@context": "https://schema.org", "@graph": [page, posting]}


def profile_page(request, author):
    """A clinician's page: a ProfilePage about the Person, with their licences."""
    url = request.build_absolute_uri(author.get_absolute_url())
    about = person(request, author, credentials=True)
    if author.photo:
        about["image"] = request.build_absolute_uri(author.photo.url)
    if author.display_bio:
        about["description"] = author.display_bio.text
    about["knowsLanguage"] = author.language_list
    if author.approach_list:
        about["knowsAbout"] = author.approach_list
    about["worksFor"] = {
        "@type": "MedicalBusiness",
        "name": settings.PRACTICE_NAME,
        "url": request.build_absolute_uri(reverse("home")),
    }
    return {
        "@context": "https://schema.org",
        "@type": "ProfilePage",
        "url": url,
        "name": author.name_with_credentials,
        "mainEntity": about,
    }


def practice_business(request):
    """The practice as a MedicalBusiness, with its hours: home and contact pages."""
    return {
        "@context": "https://schema.org",
        "@type": "MedicalBusiness",
        "name": settings.PRACTICE_NAME,
        "description": practice_wording()["tagline"],
        "url": request.build_absolute_uri(reverse("home")),
        "telephone": settings.PRACTICE_PHONE,
        "email": settings.PRACTICE_EMAIL,
        "address": settings.PRACTICE_ADDRESS,
        "areaServed": [
            {"@type": "AdministrativeArea", "name": region} for region in settings.PRACTICE_REGIONS
        ],
        "openingHoursSpecification": [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": [f"https://schema.org/{day}" for day in span.days],
                "opens": span.opens.strftime("%H:%M"),
                "closes": span.closes.strftime("%H:%M"),
            }
            for span in practice_hours()
        ],
    }
