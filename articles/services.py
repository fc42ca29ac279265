"""Writes with side effects for articles: publishing, and telling caches that content changed."""

import hashlib
import io
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleImage, Author, Licence, Page, Topic
from practice.journeys import PartnerJourney, PartnerOutlook
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


@transaction.atomic
def article_translation_link(*, article: Article) -> None:
    """Make the link between an article and its translation go both ways.

    After an editor sets (or clears) `article.translation` and saves: its
    translation points back at it, and any article that pointed at either of
    them before lets go, so that the language switcher of each side leads to
    the other and to nothing else.
    """
    pair = [article.pk] + ([article.translation_id] if article.translation_id else [])
    Article.objects.filter(translation_id__in=pair).exclude(pk__in=pair).update(translation=None)
    if article.translation_id:
        Article.objects.filter(pk=article.translation_id).update(translation=article)
    content_version_bump()


COVER_WIDTHS = (480, 960, 1440)


def image_renditions_make(*, image, folder: str, key: str, widths=COVER_WIDTHS) -> list[dict]:
    """Resize an uploaded image to a few widths, as WebP and JPEG, for `srcset`.

    The page then offers each reader the smallest file that fills their
    screen, with its width and height known in advance so that nothing jumps
    while it loads. Returns [{"width", "height", "webp", "jpeg"}, …] with
    storage names, largest last; [] without an image.
    """
    from PIL import Image, ImageOps

    renditions = []
    if not image:
        return renditions
    with image.open("rb") as source:
        original = ImageOps.exif_transpose(Image.open(source))
        original.load()
    stem = hashlib.sha256(image.name.encode()).hexdigest()[:12]
    # The standard widths below the original's, then the largest useful one;
    # an image is never enlarged.
    chosen = [w for w in widths if w < original.width]
    if min(original.width, widths[-1]) not in chosen:
        chosen.append(min(original.width, widths[-1]))
    for width in chosen:
        height = round(original.height * width / original.width)
        resized = original.resize((width, height), Image.Resampling.LANCZOS)
        rendition = {"width": width, "height": height}
        for kind, fmt, options in (
            ("webp", "WEBP", {"quality": 80, "method": 4}),
            ("jpeg", "JPEG", {"quality": 82, "optimize": True, "progressive": True}),
        ):
            buffer = io.BytesIO()
            resized.convert("RGB").save(buffer, fmt, **options)
            name = f"{folder}/renditions/{key}-{stem}-{width}.{kind}"
            default_storage.delete(name)
            rendition[kind] = default_storage.save(name, ContentFile(buffer.getvalue()))
        renditions.append(rendition)
    return renditions


def article_cover_renditions_make(*, article: Article) -> list[dict]:
    """Make the cover's renditions (called when a cover is uploaded or changed)."""
    renditions = image_renditions_make(
        image=article.cover_image, folder="covers", key=str(article.pk)
    )
    # An update, not a save: making files is not an edit worth a revision.
    Article.objects.filter(pk=article.pk).update(cover_renditions=renditions)
    article.cover_renditions = renditions
    content_version_bump()
    return renditions


PHOTO_WIDTHS = (160, 320, 640)


def author_photo_renditions_make(*, author: Author) -> list[dict]:
    """Make a clinician's photo renditions (called when a photo is uploaded or changed)."""
    renditions = image_renditions_make(
        image=author.photo, folder="authors", key=str(author.pk), widths=PHOTO_WIDTHS
    )
    Author.objects.filter(pk=author.pk).update(photo_renditions=renditions)
    author.photo_renditions = renditions
    content_version_bump()
    return renditions


def article_image_renditions_make(*, image: ArticleImage) -> list[dict]:
    """Make the renditions of an image used inside texts (called at upload).

    Texts that already show the image keep the HTML they were saved with
    until they are saved again.
    """
    renditions = image_renditions_make(image=image.image, folder="images", key=str(image.pk))
    ArticleImage.objects.filter(pk=image.pk).update(renditions=renditions)
    image.renditions = renditions
    return renditions


@dataclass
class DemoContentResult:
    topics: int
    authors: int
    articles: int
    pages: int
    changed: int


HEADER_KEYS = {
    "title", "slug", "summary", "topics", "author", "reviewer", "featured",
    "cta_journey", "cta_readiness", "days_ago", "partner_journey", "partner_outlook",
    "language", "translation",
}  # fmt: skip
REQUIRED_KEYS = {"title", "slug", "summary", "topics", "author", "cta_journey", "days_ago"}
PAGE_KEYS = {"kind", "title", "summary"}
PAGE_OPTIONAL_KEYS = {"language"}


class DemoContentError(ValueError):
    pass


def _parse_file(path: Path, *, keys=HEADER_KEYS, required=REQUIRED_KEYS):
    """(header fields, body) of a demo file: `key: value` lines, a '---' line, Markdown."""
    header, separator, body = path.read_text(encoding="utf-8").partition("\n---\n")
    if not separator:
        raise DemoContentError(f"{path.name}: no '---' line between the header and the body")
    fields = {}
    for line in header.splitlines():
        if not line.strip():
            continue
        key, colon, value = line.partition(":")
        key = key.strip()
        if not colon or key not in keys:
            raise DemoContentError(f"{path.name}: unexpected header line {line!r}")
        fields[key] = value.strip()
    missing = required - fields.keys()
    if missing:
        raise DemoContentError(f"{path.name}: missing {', '.join(sorted(missing))}")
    return fields, body.strip() + "\n"


def _choice(path: Path, fields: dict, key: str, choices) -> str:
    value = fields.get(key, "")
    if value and value not in choices.values:
        raise DemoContentError(f"{path.name}: {key} is one of {', '.join(choices.values)}")
    return value


def _save_if_changed(model, *, values: dict, **key) -> tuple[object, bool]:
    """update_or_create, without a save (and a revision) when nothing differs."""
    obj = model.objects.filter(**key).first()
    if obj is None:
        return model.objects.create(**key, **values), True
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
            values={
                "name": entry["name"],
                "description": entry.get("description", ""),
                "name_es": entry.get("name_es", ""),
                "description_es": entry.get("description_es", ""),
                "is_sensitive": entry.get("sensitive", False),
            },
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
                "pronouns": entry.get("pronouns", ""),
                "bio": entry.get("bio", ""),
                "long_bio": entry.get("long_bio", "").strip(),
                "bio_es": entry.get("bio_es", ""),
                "long_bio_es": entry.get("long_bio_es", "").strip(),
                "is_in_person": entry.get("in_person", True),
                "is_online": entry.get("online", True),
                "languages": ", ".join(entry.get("languages", ["English"])),
                "approaches": ", ".join(entry.get("approaches", [])),
                "is_accepting_clients": entry.get("accepting_new_clients", True),
                "team_position": entry.get("position", 100),
            },
        )
        changed += was_changed | _licences_sync(author, entry.get("licences", []))
        authors[author.slug] = author
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    article_count = 0
    # Each article's counterpart in the other language, linked once all exist.
    translations = {}
    for path in sorted(folder.glob("*.md")):
        fields, body = _parse_file(path)
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
                "partner_journey": _choice(path, fields, "partner_journey", PartnerJourney),
                "partner_outlook": _choice(path, fields, "partner_outlook", PartnerOutlook),
                "language": fields.get("language", "en"),
            },
        )
        if fields.get("translation"):
            translations[article] = fields["translation"]
        if {topic.pk for topic in article.topics.all()} != {t.pk for t in article_topics}:
            article.topics.set(article_topics)
            was_changed = True
        changed += was_changed
        article_count += 1
    for article, slug in translations.items():
        counterpart = Article.objects.filter(slug=slug).first()
        if counterpart is None:
            raise DemoContentError(f"{article.slug}: no article {slug!r} to be its translation")
        if article.translation_id != counterpart.pk or counterpart.translation_id != article.pk:
            article.translation = counterpart
            article.save(update_fields=["translation"])
            article_translation_link(article=article)
            changed += 1

    pages = 0
    for path in sorted((folder / "pages").glob("*.md")):
        fields, body = _parse_file(path, keys=PAGE_KEYS | PAGE_OPTIONAL_KEYS, required=PAGE_KEYS)
        if fields["kind"] not in Page.Kind.values:
            raise DemoContentError(f"{path.name}: unknown kind {fields['kind']!r}")
        language = fields.get("language", settings.LANGUAGE_CODE)
        if language not in dict(settings.LANGUAGES):
            raise DemoContentError(f"{path.name}: unknown language {language!r}")
        _, was_changed = _save_if_changed(
            Page,
            kind=fields["kind"],
            language=language,
            values={
                "title": fields["title"],
                "summary": fields["summary"],
                "body": body,
                "status": Page.Status.PUBLISHED,
            },
        )
        changed += was_changed
        pages += 1

    content_version_bump()
    return DemoContentResult(
        topics=len(topics),
        authors=len(authors),
        articles=article_count,
        pages=pages,
        changed=changed,
    )


def _licences_sync(author: Author, entries: list[dict]) -> bool:
    """Give `author` exactly these licences; whether anything changed."""
    wanted = {(e["region"], e["kind"], e["number"]) for e in entries}
    held = set(author.licences.values_list("region", "kind", "number"))
    if wanted == held:
        return False
    author.licences.all().delete()
    Licence.objects.bulk_create(
        Licence(author=author, region=region, kind=kind, number=number)
        for region, kind, number in sorted(wanted)
    )
    return True
