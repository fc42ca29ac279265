"""Markdown to safe HTML, once, when an article, a page or a profile is saved.

Besides Markdown itself: headings get stable ids (for links into a long page
and its table of contents), and images are kept only when they come from the
site's own media. An uploaded image is written `![description](image:12)` and
becomes a responsive <picture> made from its renditions; an image from another
site is left out, because showing it would tell that site who reads what.
"""

import html
import re
from dataclasses import dataclass, field

# Python-Markdown's own tree type: elements are built here, no XML is parsed.
from xml.etree import ElementTree  # nosec B405

import markdown
import nh3
from django.apps import apps
from django.conf import settings
from django.utils.text import slugify
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "hr", "img", "li", "ol", "p", "picture", "pre", "source",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "img": {"src", "srcset", "sizes", "alt", "width", "height", "loading", "decoding"},
    "source": {"type", "srcset", "sizes"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}

# Ids the site's own templates use around a body: a heading must not take one.
RESERVED_IDS = {
    "about-heading", "article-search", "articles-by-heading", "confidentiality-policy",
    "contact-details-heading", "content-main", "contents", "crisis-heading", "crisis-help",
    "cta-heading",
    "error-summary", "error-summary-heading", "facts-heading", "featured-heading",
    "footer-contact", "footer-crisis", "form-top", "home-cta-heading", "latest-heading",
    "login-form", "main", "minors-heading", "partner-link", "partner-link-heading",
    "privacy-heading", "reading-heading", "related-heading", "safety-heading",
    "suggested-heading", "topics-heading",
}  # fmt: skip
# How an inline image fills the reading column (see .prose in site.css).
IMAGE_SIZES = "(min-width: 48rem) 44rem, 100vw"
# Articles longer than this get a table of contents.
TOC_MIN_WORDS = 1200
UPLOADED_IMAGE = re.compile(r"^image:(\d+)$")
RAW_REMOTE_IMAGE = re.compile(r"<img\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:[a-z]+:)?//", re.I)


@dataclass
class Rendered:
    html: str
    # [{"id", "name", "children": [...]}] for h2 and h3, empty when the text is short.
    toc: list = field(default_factory=list)
    words: int = 0
    # What an editor must hear about: images that were left out, and why.
    problems: list[str] = field(default_factory=list)


def render_markdown(text: str) -> str:
    """Markdown rendered and sanitised (see render)."""
    return render(text).html


def render(text: str) -> Rendered:
    """Render Markdown and keep only an allow-list of tags, attributes and URL schemes.

    Raw HTML in the source is cleaned by nh3 rather than trusted; links get
    rel="noopener noreferrer" so that a reader's visit is not reported to the
    site they follow a link to.
    """
    images = _Images()
    md = markdown.Markdown(
        extensions=[
            "extra",
            "sane_lists",
            "smarty",
            TocExtension(slugify=_heading_id, toc_depth="2-3", marker=""),
            _ImageExtension(images),
        ],
        output_format="html",
    )
    rendered = md.convert(text)
    problems = images.problems
    if RAW_REMOTE_IMAGE.search(text):
        problems.append(
            "An <img> element points at another website and was left out: upload the "
            "image under Articles › Images and use the Markdown it gives you."
        )
    words = len(text.split())
    return Rendered(
        html=_sanitise(rendered),
        toc=_toc(md.toc_tokens) if words > TOC_MIN_WORDS else [],
        words=words,
        problems=problems,
    )


def _heading_id(value, separator):
    slug = slugify(value) or "section"
    if slug in RESERVED_IDS:
        slug += "-section"
    return slug


def _toc(tokens):
    return [
        {
            "id": token["id"],
            "name": html.unescape(token["name"]),
            "children": _toc(token["children"]),
        }
        for token in tokens
    ]


def _is_local(url):
    """Whether a URL is a path under the site's media, and nothing else."""
    prefix = settings.MEDIA_URL
    return url.startswith(prefix) and ".." not in url and "//" not in url[len(prefix) - 1 :]


class _Images:
    """Looks up uploaded images, and keeps the problems found on the way."""

    def __init__(self):
        self.problems = []

    def find(self, pk):
        ArticleImage = apps.get_model("articles", "ArticleImage")
        return ArticleImage.objects.filter(pk=pk).first()

    def find_by_path(self, url):
        ArticleImage = apps.get_model("articles", "ArticleImage")
        return ArticleImage.objects.filter(image=url[len(settings.MEDIA_URL) :]).first()


class _ImageTreeprocessor(Treeprocessor):
    def __init__(self, md, images):
        super().__init__(md)
        self.images = images

    def run(self, root):
        for parent in list(root.iter()):
            for index, element in enumerate(list(parent)):
                if element.tag == "img":
                    replacement = self.replace(element)
                    parent.remove(element)
                    if replacement is not None:
                        replacement.tail = element.tail
                        parent.insert(index, replacement)
                    elif element.tail:
                        # Keep the text that followed the image.
                        self._append_text(parent, index, element.tail)

    @staticmethod
    def _append_text(parent, index, text):
        if index == 0:
            parent.text = (parent.text or "") + text
        else:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + text

    def replace(self, element):
        src = element.get("src", "").strip()
        alt = element.get("alt", "").strip()
        uploaded = UPLOADED_IMAGE.match(src)
        if uploaded:
            image = self.images.find(int(uploaded.group(1)))
            if image is None:
                self.images.problems.append(
                    f"There is no uploaded image number {uploaded.group(1)} (“{src}”): "
                    "check the number under Articles › Images."
                )
                return None
            return _picture(image, alt or image.alt)
        if _is_local(src):
            image = self.images.find_by_path(src)
            if image is not None:
                return _picture(image, alt or image.alt)
            if not alt:
                self.images.problems.append(
                    f"The image “{src}” has no description: write one between the "
                    "square brackets, ![like this](…), for people who cannot see it."
                )
                return None
            return element
        self.images.problems.append(
            f"The image “{src[:80]}” is not on this site and was left out: upload it "
            "under Articles › Images and use the Markdown it gives you."
        )
        return None


def _picture(image, alt):
    """<picture> with the image's renditions, or a plain <img> until they exist."""
    prefix = settings.MEDIA_URL
    if not image.renditions:
        return ElementTree.Element(
            "img", src=image.image.url, alt=alt, loading="lazy", decoding="async"
        )
    largest = image.renditions[-1]
    picture = ElementTree.Element("picture")
    ElementTree.SubElement(
        picture,
        "source",
        type="image/webp",
        sizes=IMAGE_SIZES,
        srcset=", ".join(f"{prefix}{r['webp']} {r['width']}w" for r in image.renditions),
    )
    ElementTree.SubElement(
        picture,
        "img",
        src=f"{prefix}{largest['jpeg']}",
        sizes=IMAGE_SIZES,
        srcset=", ".join(f"{prefix}{r['jpeg']} {r['width']}w" for r in image.renditions),
        width=str(largest["width"]),
        height=str(largest["height"]),
        alt=alt,
        loading="lazy",
        decoding="async",
    )
    return picture


class _ImageExtension(Extension):
    def __init__(self, images):
        super().__init__()
        self.images = images

    def extendMarkdown(self, md):  # noqa: N802 (Markdown's name)
        # After inline patterns (20), which make the <img> elements.
        md.treeprocessors.register(_ImageTreeprocessor(md, self.images), "local_images", 15)


def _only_local_images(element, attribute, value):
    # The last word on images, raw HTML included: every address in src or
    # srcset must be the site's own media, or the attribute goes.
    if element in ("img", "source") and attribute in ("src", "srcset"):
        urls = [part.strip().split(" ")[0] for part in value.split(",")]
        if not all(_is_local(url) for url in urls):
            return None
    return value


_IMG_TAG = re.compile(r"<img\b[^>]*>")
_EMPTY_PICTURE = re.compile(r"<picture>\s*(<source\b[^>]*>\s*)*</picture>")
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")


def _sanitise(rendered):
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
        attribute_filter=_only_local_images,
    )
    # An image whose address went, or that never had a description, is no image.
    cleaned = _IMG_TAG.sub(
        lambda m: m.group(0) if ' src="' in m.group(0) and ' alt="' in m.group(0) else "",
        cleaned,
    )
    return _EMPTY_PARAGRAPH.sub("", _EMPTY_PICTURE.sub("", cleaned))
