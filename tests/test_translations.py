"""Every word a visitor reads can be translated, and is translated into Spanish.

Three checks, none of which needs GNU gettext or a compiled catalog:

- the templates: text outside {% translate %} / {% blocktranslate %}, in the page
  or in an attribute a person reads or hears (alt, title, aria-label, …), fails;
- the code and the templates name the messages they use (Django's own template
  parser and Python's ast find them); each must be in the Spanish catalog with a
  translation that is neither empty nor fuzzy, so a new string that nobody ran
  makemessages for fails here too;
- a translation keeps its message's placeholders, so that filling one in can
  never raise (a 500 for a Spanish visitor only).
"""

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.template.base import Lexer, TokenType
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

BASE_DIR = Path(settings.BASE_DIR)
TEMPLATES = BASE_DIR / "templates"
CATALOG = BASE_DIR / "locale" / "es" / "LC_MESSAGES" / "django.po"
# What only staff read stays in English: the admin's pages (the admin is not
# under /es/) and the practice's own notifications of a new request or a
# partner's answer (intake.emails sends them in English whatever the request's
# language).
NOT_TRANSLATED = (
    "admin/",
    "intake/email/new_request.txt",
    "intake/email/new_request_subject.txt",
    "intake/email/partner_answer.txt",
    "intake/email/partner_answer_subject.txt",
)
PYTHON_APPS = ("practice", "articles", "intake")
GETTEXT_FUNCTIONS = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
}
# Attributes that a person reads or hears, and the <meta> whose content they see
# (in search results and link previews).
READ_ATTRIBUTES = {"alt", "title", "aria-label", "aria-description", "placeholder"}
READ_META = {
    "description",
    "og:title",
    "og:description",
    "og:image:alt",
    "twitter:title",
    "twitter:description",
}
# Arguments to {% include … with %} that end up as visible text.
READ_INCLUDE_ARGUMENTS = {"og_title", "og_description", "og_image_alt", "alt", "title"}
LETTER = re.compile(r"[^\W\d_]")
SCRIPT_MESSAGE = re.compile(r"data-[\w-]+-message")
# A string in a tag that reads like a word ("Articles", "The clinicians of "):
# template names, URL names, date formats and compared values are lower case or
# single letters.
WORDY_LITERAL = re.compile(r"""(?<!_\()(["'])(?P<text>[^"']*[A-Z][a-z]+[^"']*)\1""")
INCLUDE_ARGUMENT = re.compile(r"""\b(?P<key>\w+)=(["'])(?P<text>[^"']*)\2""")
TRANSLATED_LITERAL = re.compile(r"""_\((["'])(?P<text>.*?)\1\)""")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")


def translated_templates():
    for path in sorted(TEMPLATES.rglob("*")):
        name = path.relative_to(TEMPLATES).as_posix()
        if path.is_file() and not name.startswith(NOT_TRANSLATED):
            yield name


class _ReadText(HTMLParser):
    """Collects what a person would read in an HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for attribute, value in attrs:
            # data-…-message: words a script shows (static/js reads them from the page).
            is_read = attribute in READ_ATTRIBUTES or SCRIPT_MESSAGE.fullmatch(attribute)
            if is_read and value and LETTER.search(value):
                self.found.append(f'{tag} {attribute}="{value}"')
        meta = values.get("name") or values.get("property")
        if tag == "meta" and meta in READ_META and LETTER.search(values.get("content") or ""):
            self.found.append(f'meta {meta} content="{values["content"]}"')
        if tag in ("input", "button") and LETTER.search(values.get("value") or ""):
            if values.get("type") in ("submit", "button", "reset"):
                self.found.append(f'{tag} value="{values["value"]}"')

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and LETTER.search(data):
            self.found.append(" ".join(data.split()))


def untranslated_text(source: str) -> list[str]:
    """The text of a template a person would read that no translation tag holds.

    Translated messages and variables become "0" (something, but no word), other
    tags and comments disappear; what is left is parsed as HTML.
    """
    markup = []
    found = []
    inside = None  # the end tag of a block whose text is not markup
    for token in Lexer(source).tokenize():
        contents = token.contents
        tag = contents.split()[0] if token.token_type == TokenType.BLOCK and contents else ""
        if inside:
            if tag == inside:
                inside = None
            continue
        if token.token_type == TokenType.TEXT:
            markup.append(contents)
        elif token.token_type == TokenType.VAR:
            markup.append("0")
            found += [m["text"] for m in WORDY_LITERAL.finditer(contents)]
        elif token.token_type == TokenType.BLOCK:
            if tag in ("blocktranslate", "blocktrans"):
                inside = "end" + tag
                if " asvar " not in f" {contents} ":
                    markup.append("0")
            elif tag in ("translate", "trans"):
                if " as " not in contents:
                    markup.append("0")
            elif tag == "comment":
                inside = "endcomment"
            else:
                found += [m["text"] for m in WORDY_LITERAL.finditer(contents)]
                if tag == "include":
                    found += [
                        m["text"]
                        for m in INCLUDE_ARGUMENT.finditer(contents)
                        if m["key"] in READ_INCLUDE_ARGUMENTS and LETTER.search(m["text"])
                    ]
    parser = _ReadText()
    parser.feed("".join(markup))
    parser.close()
    return found + parser.found


@pytest.mark.parametrize("name", list(translated_templates()))
def test_template_has_no_text_outside_translation_tags(name):
    source = (TEMPLATES / name).read_text()
    assert untranslated_text(source) == [], f"{name}: mark this text for translation"


@pytest.mark.parametrize(
    "source",
    [
        "<p>Hello there</p>",
        '<img src="x.png" alt="A calm room">',
        '<nav aria-label="Main"></nav>',
        '<link rel="alternate" title="{{ practice.name }}: articles">',
        '<meta name="description" content="About us">',
        '<p data-copied-message="Link copied"></p>',
        '{% include "seo.html" with og_title="Articles" %}',
        '{% include "seo.html" with og_description="The team of "|add:practice.name %}',
        "{% if a %}Preview{% endif %}",
        "{% load i18n %}{% translate 'Fine' %} and not this",
        "{% blocktranslate %}Fine{% endblocktranslate %}, then not fine",
    ],
)
def test_the_template_check_finds_unmarked_text(source):
    assert untranslated_text(source)


@pytest.mark.parametrize(
    "source",
    [
        "{% load i18n %}<p>{% translate 'Hello there' %}</p>",
        "{% load i18n %}<p>{% blocktranslate trimmed %}Hi {{ name }}{% endblocktranslate %}</p>",
        '{% load i18n %}<nav aria-label="{% translate "Main" %}"></nav>',
        '<img src="{{ src }}" alt="{{ alt }}"> · © — &amp; 2026',
        '{% include "articles/includes/cover.html" with sizes="100vw" loading="lazy" %}',
        '{% include "seo.html" with og_title=_("Articles") %}{{ d|date:_("F j, Y") }}',
        "{# A comment for developers #}{% comment %}Also for developers{% endcomment %}",
        '<meta name="color-scheme" content="light dark">',
    ],
)
def test_the_template_check_passes_marked_text(source):
    assert untranslated_text(source) == []


# --- The messages the code uses, and the Spanish catalog ---------------------


def template_messages(name: str):
    """(context, msgid, plural) for each message a template uses, as Django sees it."""
    source = (TEMPLATES / name).read_text()
    template = engines["django"].engine.from_string(source)
    for node in template.nodelist.get_nodes_by_type(TranslateNode):
        # {% translate "…" %}: a literal; {% translate some_variable %} names no message.
        literal = getattr(node.filter_expression.var, "literal", None)
        if isinstance(literal, str):
            context = node.message_context.var if node.message_context else None
            yield context, literal, None
    for node in template.nodelist.get_nodes_by_type(BlockTranslateNode):
        singular, _vars = node.render_token_list(node.singular)
        plural = node.render_token_list(node.plural)[0] if node.plural else None
        context = node.message_context.var if node.message_context else None
        yield context, singular, plural
    # _("…") in a tag's or a variable's arguments.
    for token in Lexer(source).tokenize():
        if token.token_type in (TokenType.VAR, TokenType.BLOCK):
            for match in TRANSLATED_LITERAL.finditer(token.contents):
                yield None, match["text"], None


def python_messages(path: Path):
    """(context, msgid, plural) for each gettext call with literal arguments."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_FUNCTIONS:
            continue
        context_index, message_index = GETTEXT_FUNCTIONS[name]
        args = [a.value if isinstance(a, ast.Constant) else None for a in node.args]
        if len(args) <= message_index or not isinstance(args[message_index], str):
            continue
        context = args[context_index] if context_index is not None else None
        plural = args[message_index + 1] if name.startswith("ngettext") else None
        yield context, args[message_index], plural


def used_messages() -> set[tuple]:
    messages = set()
    for name in translated_templates():
        messages.update(template_messages(name))
    for app in PYTHON_APPS:
        for path in sorted((BASE_DIR / app).rglob("*.py")):
            if "migrations" not in path.parts:
                messages.update(python_messages(path))
    return messages


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def read_catalog(path: Path) -> dict:
    """{(context, msgid): {"plural", "msgstr": [..], "fuzzy"}} from a .po file."""
    entries = {}
    for block in path.read_text().split("\n\n"):
        lines = [line for line in block.splitlines() if line and not line.startswith("#~")]
        fields, current, flags = {}, None, ""
        for line in lines:
            if line.startswith("#,"):
                flags += line
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                fields[current].append(line)
            else:
                current, _, rest = line.partition(" ")
                fields[current] = [rest]
        if "msgid" not in fields:
            continue
        msgid = _unquote(fields["msgid"])
        if not msgid:
            continue  # the header
        context = _unquote(fields["msgctxt"]) if "msgctxt" in fields else None
        strings = [_unquote(v) for k, v in sorted(fields.items()) if k.startswith("msgstr")]
        entries[(context, msgid)] = {
            "plural": _unquote(fields["msgid_plural"]) if "msgid_plural" in fields else None,
            "msgstr": strings,
            "fuzzy": "fuzzy" in flags,
        }
    return entries


@pytest.fixture(scope="module")
def catalog():
    return read_catalog(CATALOG)


def test_every_message_the_site_uses_is_in_the_spanish_catalog(catalog):
    missing = sorted(
        msgid for context, msgid, _plural in used_messages() if (context, msgid) not in catalog
    )
    assert missing == [], "run makemessages -l es (see README) and translate these"


def test_every_spanish_message_is_translated_and_not_fuzzy(catalog):
    untranslated = [msgid for (_c, msgid), entry in catalog.items() if not all(entry["msgstr"])]
    fuzzy = [msgid for (_c, msgid), entry in catalog.items() if entry["fuzzy"]]
    assert untranslated == []
    assert fuzzy == []


def test_spanish_messages_keep_their_placeholders(catalog):
    wrong = []
    for (_context, msgid), entry in catalog.items():
        expected = sorted(PLACEHOLDER.findall(msgid))
        for msgstr in entry["msgstr"]:
            if msgstr and sorted(PLACEHOLDER.findall(msgstr)) != expected:
                wrong.append((msgid, msgstr))
    assert wrong == []


def test_the_catalog_check_reads_an_untranslated_and_a_fuzzy_message(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        '#: templates/base.html:1\nmsgid "Articles"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Hello %(name)s"\nmsgstr "Hola %(name)s"\n\n'
        'msgctxt "menu"\nmsgid "Long"\n"er"\nmsgstr "Más "\n"largo"\n'
    )
    entries = read_catalog(po)
    assert entries[(None, "Articles")]["msgstr"] == [""]
    assert entries[(None, "Hello %(name)s")]["fuzzy"]
    assert entries[("menu", "Longer")]["msgstr"] == ["Más largo"]
