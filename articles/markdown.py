"""Markdown to safe HTML, once, when an article is saved."""

import markdown
import nh3

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em",
    "h2", "h3", "h4", "hr", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto", "tel"}


def render_markdown(text: str) -> str:
    """Render Markdown and keep only an allow-list of tags, attributes and URL schemes.

    Raw HTML in the source is escaped by nh3's cleaning rather than trusted;
    links get rel="noopener noreferrer" so that a reader's visit is not reported
    to the site they follow a link to.
    """
    html = markdown.markdown(
        text,
        extensions=["extra", "sane_lists", "smarty"],
        output_format="html",
    )
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
