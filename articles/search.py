"""Searching the articles: a worried reader's words, turned into what the database looks for.

The same steps on both databases:

1. `parse` cleans what was typed (control characters, NUL, lone surrogates and
   runaway lengths never reach the database), reads "quoted phrases", mends
   contractions typed without an apostrophe ("wont"), leaves out words too
   common to mean anything ("a", "the"; "la", "de" on the Spanish site) and
   gives each remaining word the words a reader means by it ("husband" also
   finds "partner", "esposo" finds "pareja"): the vocabulary of the site's
   language, articles/search_words.py.
2. The database finds the articles with every term, best match first: a
   phrase as a phrase, any one of a word's synonyms, and the last word also as
   the start of a longer word, since people search before they finish typing.
   PostgreSQL reads the stored search document (Article.search_document, made
   in the article's language);
   SQLite, which `make run` uses, an FTS5 index with the porter stemmer that
   triggers keep current (migration 0007). Neither lets "a" match everything.
3. Only when that finds nothing, misspelt words are corrected against the
   words the articles in the search's language use (PostgreSQL: pg_trgm
   similarity on a trigram-indexed word list of each language; SQLite: difflib
   on the FTS5 vocabulary, then a look-up of the language), and the page says "Did
   you mean …?" with a link to the corrected search, whose articles it shows.
   When fewer than FEW_RESULTS articles have every word, those with only some
   follow them. The common path is one query.
"""

import difflib
import operator
import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Case, F, FloatField, Func, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language

from articles import search_sqlite
from articles.search_words import Vocabulary, plain, vocabulary

# The text-search configuration of the English articles. It is named here
# only: the stored search document, the queries and the ranking all read it.
# PostgreSQL's `english` with accents ignored and no stop words (migration
# 0014): the vocabulary's stop words decide what is too common to look for,
# on both databases, and a phrase keeps its small words ("says no").
SEARCH_CONFIG = "practice_english"
# Each other language's configuration, made the same way from PostgreSQL's:
# its articles are stored and searched with its stemming ("peleas" finds
# "pelear"); the stored document of each article is made in its language's
# (models.SearchDocument, migration 0015). SQLite's FTS5 index (porter,
# English, accents ignored) finds Spanish words as written, and the Spanish
# synonym groups list common forms.
SEARCH_CONFIGS = {"es": "practice_spanish"}

MAX_LENGTH = 200  # characters of a search that are read
MAX_TERMS = 10  # words and phrases looked for; more only make the query slower
FEW_RESULTS = 3  # fewer than this, and articles with only some of the words are added
# How close a word the articles use must be to a misspelt one to replace it:
# pg_trgm similarity ("therpy"/"therapy" 0.5), difflib ratio on SQLite (0.92).
SIMILARITY_MIN = 0.4
CLOSE_MATCH_MIN = 0.8

_PHRASE = re.compile(r'"([^"]*)"?')
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_PLAIN_WORD = re.compile(r"[^\W_]+")
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """The search as it is shown back and read: no control, format or unassigned
    characters, no lone surrogates, single spaces, at most MAX_LENGTH characters."""
    text = unicodedata.normalize("NFKC", text.encode("utf-8", "replace").decode("utf-8"))
    text = "".join(
        " " if char.isspace() else char
        for char in text
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    return _SPACES.sub(" ", text).strip()[:MAX_LENGTH].strip()


@dataclass(frozen=True)
class Term:
    """One thing the articles must contain: a word with its synonyms, or a phrase."""

    typed: str  # as the reader wrote it (a phrase without its quotes)
    variants: tuple[str, ...]  # what is looked for: any one of them will do
    is_phrase: bool = False
    prefix: str = ""  # also a word that starts with this (the last word, as typed)
    is_known_word: bool = False  # one of the synonyms: spelt as the practice would


@dataclass(frozen=True)
class Query:
    """A search, parsed. `pieces` are the words and phrases typed, common words
    included, so that a corrected search reads as the reader wrote it."""

    pieces: tuple[tuple[str, bool], ...]  # (text, is_phrase)
    terms: tuple[Term, ...]
    language: str = "en"  # whose words: the site's language (search_words.vocabulary)
    require_all: bool = True
    speaks_as_asked: bool = False  # the reader is the partner who was asked (Vocabulary.asked)

    @property
    def text(self) -> str:
        return " ".join(f'"{text}"' if is_phrase else text for text, is_phrase in self.pieces)

    def relaxed(self) -> "Query":
        """The same terms, any one of which will do."""
        return replace(self, require_all=False)

    def words_to_check(self) -> list[str]:
        """Typed words that might be misspelt: not phrases, not synonyms, long enough."""
        return [
            term.typed
            for term in self.terms
            if not term.is_phrase
            and not term.is_known_word
            and len(term.typed) >= 4
            and term.typed.isalpha()
        ]

    def corrected(self, corrections: dict[str, str]) -> "Query | None":
        """This search with misspelt words replaced, or None if nothing changes."""
        pieces = [
            (text if is_phrase else corrections.get(text, text), is_phrase)
            for text, is_phrase in self.pieces
        ]
        if tuple(pieces) == self.pieces:
            return None
        text = " ".join(f'"{text}"' if is_phrase else text for text, is_phrase in pieces)
        return parse(text, self.language)


def _pieces(text: str, words: Vocabulary) -> list[tuple[str, bool]]:
    """Words and quoted phrases in order, lower case, contractions mended."""
    pieces = []
    position = 0
    for match in _PHRASE.finditer(text):
        pieces += [(word, False) for word in _words(text[position : match.start()], words)]
        phrase = " ".join(_words(match.group(1), words))
        if phrase:
            pieces.append((phrase, True))
        position = match.end()
    pieces += [(word, False) for word in _words(text[position:], words)]
    return pieces


def _words(text: str, words: Vocabulary) -> list[str]:
    typed = (word.lower().replace("\u2019", "'") for word in _WORD.findall(text))
    return [words.contractions.get(word, word) for word in typed]


def _group(typed: list[str], words: Vocabulary) -> str | None:
    """The synonym group that these words name, allowing a plural or a verb form."""
    key = plain(" ".join(typed))
    if key in words.group_of or len(typed) > 1:
        return words.group_of.get(key)
    forms = [key]
    if key.endswith("s"):
        forms += [key[:-1], key[:-2]]
    if key.endswith("ed"):
        forms += [key[:-1], key[:-2]]
    if key.endswith("ing"):
        forms += [key[:-3], key[:-3] + "e"]
    return next((words.group_of[form] for form in forms if form in words.group_of), None)


def parse(text: str, language: str | None = None) -> Query:
    """What to look for, from what was typed on the site of `language` (default:
    the active one; see the module's docstring)."""
    language = language or get_language()
    words = vocabulary(language)
    pieces = _pieces(clean(text).replace("\u201c", '"').replace("\u201d", '"'), words)
    terms: list[Term] = []
    index = 0
    either = False  # the reader typed "or" between two terms
    while index < len(pieces) and len(terms) < MAX_TERMS:
        piece, is_phrase = pieces[index]
        if is_phrase:
            term, step = Term(typed=piece, variants=(piece,), is_phrase=True), 1
        else:
            term, step = _term(pieces, index, words)
        if term is None and plain(piece) in words.either and terms:
            either = True
        elif term is None and plain(piece) not in words.ignored:
            term = Term(typed=piece, variants=(piece,))
        if term is not None:
            if either:
                previous = terms.pop()
                variants = dict.fromkeys(previous.variants + term.variants)
                term = replace(previous, variants=tuple(variants))
                either = False
            terms.append(term)
        index += step
    # The last word as typed may be unfinished: it also matches longer words.
    # Not when it ends a phrase that is read as another word ("without my
    # partner"): that phrase is complete, and "partner*" would find everything.
    last, is_phrase = pieces[-1] if pieces else ("", True)
    ends_read_as = bool(terms) and terms[-1].typed not in terms[-1].variants
    if terms and not is_phrase and not ends_read_as and terms[-1].typed.split()[-1] == last:
        if len(last) >= 3 and _PLAIN_WORD.fullmatch(last) and plain(last) not in words.ignored:
            terms[-1] = replace(terms[-1], prefix=last)
    return Query(
        pieces=tuple(pieces),
        terms=tuple(terms),
        language=language,
        speaks_as_asked=words.speaks_as_asked([w for text, _ in pieces for w in text.split()]),
    )


def _term(pieces: list[tuple[str, bool]], index: int, words: Vocabulary) -> tuple[Term | None, int]:
    """The synonym group named at `index` (by up to Vocabulary.longest_key words),
    and how many words it took; or (None, 1)."""
    for length in range(min(words.longest_key, len(pieces) - index), 0, -1):
        span = pieces[index : index + length]
        if any(is_phrase for _, is_phrase in span):
            continue
        typed_words = [word for word, _ in span]
        group = _group(typed_words, words)
        if group:
            typed = " ".join(typed_words)
            # A read_as phrase is recognised, not looked for.
            synonyms = words.synonyms[group]
            variants = synonyms if words.is_read_as(typed) else [*synonyms, typed]
            term = Term(typed=typed, variants=tuple(dict.fromkeys(variants)), is_known_word=True)
            return term, length
    return None, 1


def as_query(query: "Query | str") -> Query:
    return parse(query) if isinstance(query, str) else query


# --- What each database is asked --------------------------------------------------

FTS_TABLE = search_sqlite.FTS_TABLE
FTS_VOCABULARY = search_sqlite.VOCABULARY_TABLE
WORD_TABLE = "articles_searchword"  # PostgreSQL: the words the articles use, with counts


def _config(language: str) -> str:
    return SEARCH_CONFIGS.get(language, SEARCH_CONFIG)


def _postgres_query(query: Query) -> SearchQuery:
    config = _config(query.language)

    def one_of(term: Term) -> SearchQuery:
        options = [
            SearchQuery(variant, search_type="phrase", config=config) for variant in term.variants
        ]
        if term.prefix:
            # `raw` is safe here: the prefix is letters and digits only (parse).
            options.append(SearchQuery(f"{term.prefix}:*", search_type="raw", config=config))
        return reduce(operator.or_, options)

    joined = operator.and_ if query.require_all else operator.or_
    return reduce(joined, (one_of(term) for term in query.terms))


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _sqlite_match(query: Query) -> str:
    """An FTS5 query: every value quoted, so nothing typed is read as syntax."""

    def one_of(term: Term) -> str:
        options = [_fts_string(variant) for variant in term.variants]
        if term.prefix:
            options.append(_fts_string(term.prefix) + "*")
        return "(" + " OR ".join(options) + ")"

    joined = " AND " if query.require_all else " OR "
    return joined.join(one_of(term) for term in query.terms)


class _FtsRank(Func):
    """How well an article matches an FTS5 query, higher is better (as PostgreSQL's
    rank), 0 when it does not match: bm25 with a title match worth ten body
    matches and a summary match four."""

    template = (
        # The table name is a constant; the query text goes in as a parameter.
        f"COALESCE((SELECT -bm25({FTS_TABLE}, 10.0, 4.0, 1.0) FROM {FTS_TABLE} "  # nosec B608
        f"WHERE {FTS_TABLE} MATCH %(expressions)s), 0.0)"
    )
    arg_joiner = " AND rowid = "
    output_field = FloatField()

    def __init__(self, match: str):
        super().__init__(Value(match), F("pk"))


def document_filter(query: Query, vendor: str) -> Q:
    """Articles with every term (or any, for a relaxed query), read in the
    configuration of the query's language."""
    if vendor == "postgresql":
        return Q(search_document=_postgres_query(query))
    match = _sqlite_match(query)
    # A constant table name; the match expression is a parameter.
    matches = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (match,))  # nosec B608 B611
    return Q(pk__in=matches)


# Who an article is written to counts as well as its words. Nearly everyone
# who searches the site is the partner who wants help; the articles written to
# the partner who was asked (those the partner page lists) use that reader's
# words too ("partner", "come", "couples therapy"), so on "partner won't come"
# they would stand before the pieces written for someone whose partner will
# not come. An article written to the other partner than the one searching
# counts this share of its match: the asked partner's articles when the reader
# does not speak as them (Query.speaks_as_asked, "my wife wants me to go"),
# and everyone else's when they do. Halving keeps a strong match in the list
# (a title that says what the reader typed still comes first) and lets the
# reader's own articles come first among matches of the same strength.
OTHER_READERS_SHARE = 0.5
# PostgreSQL's weight of a word in the body (C), the summary (B) and the title
# (A), after an unused D: a summary match counts half a title match, as on SQLite.
RANK_WEIGHTS = [0.05, 0.1, 0.5, 1.0]


def rank(query: Query, vendor: str, *, written_to_asked=None):
    """An expression for how well an article matches, higher first; a title
    match counts more than a summary match, which counts more than the body.
    `written_to_asked`, a boolean expression, says which articles are written
    to the partner who was asked (OTHER_READERS_SHARE)."""
    if vendor == "postgresql":
        # Ranked on the terms any one of which will do (the filter has already
        # required all of them): ts_rank then scores each term by the best place
        # it has, title above summary above body, as SQLite's rank below does
        # with the same weights. Ranked on all terms at once, it would score the
        # nearness of every pair of occurrences instead, which favours long
        # articles and costs time with the square of how often the words occur.
        words = SearchRank(
            F("search_document"),
            _postgres_query(query.relaxed()),
            weights=RANK_WEIGHTS,
        )
    else:
        # bm25 gives a word found in more than half of the articles almost no
        # weight, and nearly every article here says "partner" and "therapy": the
        # title would hardly count. The title and the summary are therefore also
        # ranked on their own, among titles and summaries, where such words are rarer.
        any_term = _sqlite_match(query.relaxed())
        words = (
            _FtsRank(f"{{title}} : ({any_term})")
            + 0.5 * _FtsRank(f"{{summary}} : ({any_term})")
            + 0.2 * _FtsRank(_sqlite_match(query))
        )
    if written_to_asked is None:
        return words
    yes, no = (1.0, OTHER_READERS_SHARE) if query.speaks_as_asked else (OTHER_READERS_SHARE, 1.0)
    share = Case(When(written_to_asked, then=Value(yes)), default=Value(no))
    return words * share


# For each typed word that no article of the language uses, the closest word
# that one does. `%` (similarity above pg_trgm's threshold, 0.3) is what the
# trigram index answers; similarity() then orders its few hits.
POSTGRES_CORRECTIONS = """
    SELECT typed, (
        SELECT word FROM articles_searchword
        WHERE word %% typed AND language = %s AND similarity(word, typed) >= %s
        ORDER BY similarity(word, typed) DESC, articles DESC, word
        LIMIT 1
    )
    FROM unnest(%s::text[]) AS typed
    WHERE NOT EXISTS (SELECT 1 FROM articles_searchword WHERE language = %s AND word = typed)
"""
# SQLite: whether an article in the language uses a word (one FTS5 look-up).
SQLITE_WORD_USED = (
    f"SELECT 1 FROM {search_sqlite.WORDS_TABLE} JOIN articles_article "  # nosec B608
    f"ON articles_article.id = {search_sqlite.WORDS_TABLE}.rowid "
    f"WHERE {search_sqlite.WORDS_TABLE} MATCH %s AND articles_article.language = %s LIMIT 1"
)


def spelling_corrections(words: list[str], *, language: str, using: str) -> dict[str, str]:
    """For each word no article in `language` uses, the closest word that one does
    (if any is close): a search on the Spanish site is never offered an English word."""
    if not words:
        return {}
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRES_CORRECTIONS, [language, SIMILARITY_MIN, words, language])
            return {typed: word for typed, word in cursor.fetchall() if word}
        # SQLite (development): the words of similar length, compared in Python,
        # then the closest that an article in the language uses.
        shortest, longest = min(map(len, words)) - 2, max(map(len, words)) + 2
        cursor.execute(
            f"SELECT term FROM {FTS_VOCABULARY} WHERE length(term) BETWEEN %s AND %s",  # nosec B608
            [shortest, longest],
        )
        terms = [term for (term,) in cursor.fetchall()]

        def used(word: str) -> bool:
            cursor.execute(SQLITE_WORD_USED, [_fts_string(word), language])
            return cursor.fetchone() is not None

        corrections = {}
        for word in words:
            if word in terms and used(word):
                continue
            close = difflib.get_close_matches(word, terms, n=5, cutoff=CLOSE_MATCH_MIN)
            corrected = next((candidate for candidate in close if used(candidate)), None)
            if corrected:
                corrections[word] = corrected
    return corrections


# --- One search, as the list page shows it ------------------------------------------


@dataclass
class Found:
    """What a search found, in the order to show it, and what to say about it."""

    ids: list[int] = field(default_factory=list)
    has_more: bool = False  # more articles matched than were ranked
    corrected: str = ""  # nothing had the words as typed: these are the corrected words' articles
    partial: bool = False  # some articles have only some of the words
    only_common_words: bool = False  # nothing was left to look for


def find(articles, text: str, *, limit: int) -> Found:
    """Search `articles` (an ArticleQuerySet) for what a reader typed."""
    query = parse(text)
    if not query.terms:
        return Found(only_common_words=bool(query.pieces))
    ids, has_more = articles.search(query, limit=limit)
    found = Found(ids=ids, has_more=has_more)
    if len(ids) >= FEW_RESULTS:
        return found
    if not ids:
        # Nothing has the words as typed: perhaps one is misspelt.
        checked = spelling_corrections(
            query.words_to_check(), language=query.language, using=articles.db
        )
        corrected = query.corrected(checked)
        if corrected is not None and corrected.terms:
            query = corrected
            ids, has_more = articles.search(query, limit=limit)
            found = Found(ids=ids, has_more=has_more, corrected=query.text)
    if len(found.ids) < FEW_RESULTS and len(query.terms) > 1:
        some, _ = articles.search(query.relaxed(), limit=limit)
        extra = [pk for pk in some if pk not in set(found.ids)][: limit - len(found.ids)]
        if extra:
            found.ids += extra
            found.partial = True
    if not found.ids:
        found.corrected = ""  # the corrected words found nothing either
    return found
