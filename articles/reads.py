"""How often each article is read, counted without knowing who reads it.

What is stored is ArticleReads: per article and month, a number. Nothing about
a reader is stored or kept in memory: no cookie, no identifier, no address, no
browser name, not the time of a read; counts are only ever added together.

What counts as a read: an article's published page sent in full (200) in
answer to a GET from what looks like a person's browser, whether the view
rendered it or the page cache served it from memory (the stored page carries
its article's id, practice.page_cache). Not counted: staff, previews of drafts
and scheduled articles, pages not found, HEAD requests, and 304 Not Modified
(a browser that checks its own copy again: the reader was counted when it
fetched the page). Requests without an Accept-Language header, or whose
User-Agent is not a browser's or names a robot, are skipped: robots rarely
send the first, and the second is only looked at, never kept.

How: each process adds reads to a tally in memory (a dict under a lock: no
input or output on the request's path). The first request to finish once
settings.ARTICLE_READS_FLUSH_SECONDS have passed since the last write adds the
tally to the database in one statement, after its response has gone out
(request_finished). If the database cannot take it, the tally stays in memory
and is tried again after the same interval; it holds one number per article,
up to MAX_ARTICLES of them, so an outage cannot grow it without bound. Each
gunicorn worker has its own tally: a worker that is killed loses the reads of
its last interval (a minute by default); one that is stopped or recycled
writes them first (practice/gunicorn.conf.py). A read is filed under the month
in which its tally is written, so the last minute of a month may count in the
next one.
"""

import logging
import threading
import time
from datetime import date

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from articles.models import Article, ArticleReads

logger = logging.getLogger(__name__)

# The attribute an article's view sets on its page's response: the page cache
# keeps it with the stored page, and counts a read each time it serves it.
READ_ARTICLE_ATTRIBUTE = "read_article_id"

# Distinct articles a process keeps counts for between writes. A practice
# publishes hundreds; reads of an article beyond this are dropped (and logged)
# rather than grow a worker's memory while the database is away.
MAX_ARTICLES = 10_000

# How far back the search page's "most read" looks: this month and the three
# before it (90 to 121 days).
RECENT_MONTHS = 3

# Every browser's User-Agent starts with this; scripts (curl, Python, Java,
# Go), link previewers (WhatsApp, Facebook) and feed fetchers name themselves.
BROWSER_PREFIX = "Mozilla/"
# Words that robots dressed as browsers put in theirs, and browsers do not
# ("http": most robots name a page about themselves).
ROBOT_WORDS = ("bot", "crawl", "spider", "http", "headless", "lighthouse", "preview")


class ReadTally:
    """One process's reads not yet written, per article id."""

    def __init__(self, max_articles=MAX_ARTICLES):
        self.max_articles = max_articles
        self._counts: dict[int, int] = {}
        self._dropped = 0
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        # Due at once: the first request to finish sets the interval going.
        self._next_write_at = 0.0

    def add(self, article_id: int, reads: int = 1) -> None:
        with self._lock:
            self._add(article_id, reads)

    def _add(self, article_id, reads):
        counts = self._counts
        if article_id in counts:
            counts[article_id] += reads
        elif len(counts) < self.max_articles:
            counts[article_id] = reads
        else:
            self._dropped += reads

    def pending(self) -> dict[int, int]:
        """The reads not yet written, per article id (a copy)."""
        with self._lock:
            return dict(self._counts)

    def is_due(self) -> bool:
        return time.monotonic() >= self._next_write_at

    def write(self, *, using=DEFAULT_DB_ALIAS) -> int:
        """Add the tally to the database in one statement; the number of reads
        written. Never raises: on failure the reads stay in the tally. Another
        thread of this process writing meanwhile makes this a no-op."""
        if not self._writing.acquire(blocking=False):
            return 0
        try:
            self._next_write_at = time.monotonic() + settings.ARTICLE_READS_FLUSH_SECONDS
            with self._lock:
                counts, self._counts = self._counts, {}
                dropped, self._dropped = self._dropped, 0
            if dropped:
                logger.warning(
                    "article reads: %d reads not counted (more than %d articles pending)",
                    dropped,
                    self.max_articles,
                )
            if not counts:
                return 0
            try:
                reads_add(counts, month=this_month(), using=using)
            except Exception as error:
                # The page was served; the counts wait for the next attempt.
                logger.warning(
                    "article reads: %d reads kept in memory, the database refused them (%s)",
                    sum(counts.values()),
                    type(error).__name__,
                )
                with self._lock:
                    for article_id, reads in counts.items():
                        self._add(article_id, reads)
                return 0
            return sum(counts.values())
        finally:
            self._writing.release()

    def forget(self) -> None:
        """Drop what is pending and start the interval again (for tests)."""
        with self._lock:
            self._counts.clear()
            self._dropped = 0
            self._next_write_at = time.monotonic() + settings.ARTICLE_READS_FLUSH_SECONDS


tally = ReadTally()


def read_count(request, response, article_id: int) -> None:
    """Count one read of the article if this response is one (see the module's
    docstring). Called for each page the article view renders for a visitor who
    is not staff, and for each one the page cache serves."""
    if response.status_code != 200 or request.method != "GET":
        return
    meta = request.META
    if "HTTP_ACCEPT_LANGUAGE" not in meta:
        return
    agent = meta.get("HTTP_USER_AGENT")
    if not agent or _looks_automated(agent):
        return
    tally.add(article_id)


def _looks_automated(agent: str) -> bool:
    # Plain substring tests, on every page a reader opens: a regular
    # expression of such words, case ignored, costs a hundred times more.
    if not agent.startswith(BROWSER_PREFIX):
        return True
    agent = agent.lower()
    for word in ROBOT_WORDS:
        if word in agent:
            return True
    return False


def reads_flush() -> int:
    """Write this process's pending reads now (tests, and a worker on its way out)."""
    return tally.write()


def reads_flush_when_due(**kwargs) -> None:
    """request_finished: the response has gone out; write the tally if it is time."""
    if tally.is_due():
        tally.write()


def reads_forget() -> None:
    tally.forget()


def reads_add(counts: dict[int, int], *, month: date, using=DEFAULT_DB_ALIAS) -> None:
    """Add `counts` (reads per article id) to the month's ArticleReads, in one
    statement: INSERT … ON CONFLICT DO UPDATE adds to the stored count (which
    bulk_create(update_conflicts=True) cannot: it replaces it). Articles
    deleted meanwhile are left out."""
    connection = connections[using]
    quote = connection.ops.quote_name
    table = quote(ArticleReads._meta.db_table)
    article_id = quote(ArticleReads._meta.get_field("article").column)
    count = quote("count")
    month_column = quote("month")
    rows = ", ".join(["(%s, %s, %s)"] * len(counts))
    params = [value for article, reads in counts.items() for value in (article, month, reads)]
    # Names come from the models, values go in as parameters. SQLite needs the
    # WHERE to read ON CONFLICT as the upsert rather than part of a join.
    sql = (
        f"WITH counted (article_id, month, reads) AS (VALUES {rows}) "  # nosec B608
        f"INSERT INTO {table} ({article_id}, {month_column}, {count}) "
        f"SELECT article_id, month, reads FROM counted "
        f"WHERE article_id IN (SELECT id FROM {quote(Article._meta.db_table)}) "
        f"ON CONFLICT ({article_id}, {month_column}) "
        f"DO UPDATE SET {count} = {table}.{count} + excluded.{count}"
    )
    # A savepoint when called inside a transaction (a test's), so that a
    # failure leaves that transaction usable.
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(sql, params)


def this_month() -> date:
    return timezone.localdate().replace(day=1)


def recent_since(today: date | None = None) -> date:
    """The first day of the oldest month that counts as recent."""
    today = today or timezone.localdate()
    months = today.year * 12 + today.month - 1 - RECENT_MONTHS
    return date(months // 12, months % 12 + 1, 1)
