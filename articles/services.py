"""Writes with side effects for articles: publishing, and telling caches that content changed."""

import hashlib
import io
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from articles.models import Article, Author, Topic
from practice.page_cache import content_version_bump


@transaction.atomic
def article_publish(*, article: Article) -> bool:
    """Make an article live now; an article that is already live keeps its date.

    Returns whether anything changed.
    """
    if article.visibility == "live":
        return False
    article.status = Article.Status.PUBLISHED
    article.publish_at = timezone.now()
    article._change_reason = "Published now"
    article.save()
    content_version_bump()
    return True


@transaction.atomic
def article_unpublish(*, article: Article) -> bool:
    """Take an article back to draft. Returns whether anything changed."""
    if article.status == Article.Status.DRAFT:
        return False
    article.status = Article.Status.DRAFT
    article._change_reason = "Back to draft"
    article.save()
    content_version_bump()
    return True


COVER_WIDTHS = (480, 960, 1440)


def article_cover_renditions_make(*, article: Article) -> list[dict]:
    """Resize the cover to a few widths, as WebP and JPEG, for `srcset`.

    Called when a cover is uploaded or changed; the page then offers each
    reader the smallest file that fills their screen, with its width and
    height known in advance so that nothing jumps while it loads.
    """
    from PIL import Image, ImageOps

    renditions = []
    if article.cover_image:
        with article.cover_image.open("rb") as source:
            original = ImageOps.exif_transpose(Image.open(source))
            original.load()
        stem = hashlib.sha256(article.cover_image.name.encode()).hexdigest()[:12]
        # The standard widths below the original's, then the largest useful one;
        # a cover is never enlarged.
        widths = [w for w in COVER_WIDTHS if w < original.width]
        if min(original.width, COVER_WIDTHS[-1]) not in widths:
            widths.append(min(original.width, COVER_WIDTHS[-1]))
        for width in widths:
            height = round(original.height * width / original.width)
            image = original.resize((width, height), Image.Resampling.LANCZOS)
            rendition = {"width": width, "height": height}
            for kind, fmt, options in (
                ("webp", "WEBP", {"quality": 80, "method": 4}),
                ("jpeg", "JPEG", {"quality": 82, "optimize": True, "progressive": True}),
            ):
                buffer = io.BytesIO()
                image.convert("RGB").save(buffer, fmt, **options)
                name = f"covers/renditions/{article.pk}-{stem}-{width}.{kind}"
                default_storage.delete(name)
                rendition[kind] = default_storage.save(name, ContentFile(buffer.getvalue()))
            renditions.append(rendition)
    # An update, not a save: making files is not an edit worth a revision.
    Article.objects.filter(pk=article.pk).update(cover_renditions=renditions)
    article.cover_renditions = renditions
    content_version_bump()
    return renditions


@dataclass
class DemoContentResult:
    topics: int
    authors: int
    articles: int
    changed: int


HEADER_KEYS = {
    "title", "slug", "summary", "topics", "author", "reviewer", "featured",
    "cta_journey", "cta_readiness", "days_ago",
}  # fmt: skip
REQUIRED_KEYS = {"title", "slug", "summary", "topics", "author", "cta_journey", "days_ago"}


class DemoContentError(ValueError):
    pass


def _parse_article_file(path: Path) -> tuple[dict[str, str], str]:
    header, separator, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not separator:
        raise DemoContentError(f"{path.name}: no '---' line between the header and the body")
    fields = {}
    for line in header.splitlines():
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or key not in HEADER_KEYS:
            raise DemoContentError(f"{path.name}: unexpected header line {line!r}")
        fields[key] = value.strip()
    missing = REQUIRED_KEYS - fields.keys()
    if missing:
        raise DemoContentError(f"{path.name}: missing {', '.join(sorted(missing))}")
    return fields, body.strip() + "\n"


def _save_if_changed(model, *, slug: str, values: dict) -> tuple[object, bool]:
    """update_or_create, without a save (and a revision) when nothing differs."""
    obj = model.objects.filter(slug=slug).first()
    if obj is None:
        return model.objects.create(slug=slug, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save()
    return obj, bool(changed)


@transaction.atomic
def demo_content_load(*, folder: Path) -> DemoContentResult:
    """Create or update the demo topics, clinicians and articles found in `folder`.

    Idempotent: objects are matched by slug, and loading the same folder twice
    on the same day changes nothing. Publish dates are "days_ago" days before
    today's local midnight, so the demo always looks recent.
    """
    people = tomllib.loads((folder / "people.toml").read_text(encoding="utf-8"))
    changed = 0
    topics = {}
    for entry in people.get("topics", []):
        topic, was_changed = _save_if_changed(
            Topic,
            slug=entry["slug"],
            values={"name": entry["name"], "description": entry.get("description", "")},
        )
        topics[topic.slug] = topic
        changed += was_changed
    authors = {}
    for entry in people.get("authors", []):
        author, was_changed = _save_if_changed(
            Author,
            slug=entry["slug"],
            values={
                "name": entry["name"],
                "credentials": entry.get("credentials", ""),
                "bio": entry.get("bio", ""),
            },
        )
        authors[author.slug] = author
        changed += was_changed

    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    article_count = 0
    for path in sorted(folder.glob("*.md")):
        fields, body = _parse_article_file(path)
        try:
            author = authors[fields["author"]]
            reviewer = authors[fields["reviewer"]] if fields.get("reviewer") else None
            article_topics = [topics[slug.strip()] for slug in fields["topics"].split(",")]
        except KeyError as error:
            raise DemoContentError(f"{path.name}: unknown slug {error}") from None
        publish_at = today - timedelta(days=int(fields["days_ago"]))
        article, was_changed = _save_if_changed(
            Article,
            slug=fields["slug"],
            values={
                "title": fields["title"],
                "summary": fields["summary"],
                "body": body,
                "author": author,
                "reviewer": reviewer,
                "reviewed_at": timezone.localdate(publish_at) if reviewer else None,
                "status": Article.Status.PUBLISHED,
                "publish_at": publish_at,
                "is_featured": fields.get("featured", "").lower() == "yes",
                "cta_journey": fields["cta_journey"],
                "cta_readiness": fields.get("cta_readiness", ""),
            },
        )
        if {topic.pk for topic in article.topics.all()} != {t.pk for t in article_topics}:
            article.topics.set(article_topics)
            was_changed = True
        changed += was_changed
        article_count += 1

    content_version_bump()
    return DemoContentResult(
        topics=len(topics), authors=len(authors), articles=article_count, changed=changed
    )
