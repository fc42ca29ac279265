"""SQLite's full-text index of the articles, for development (`make run`).

PostgreSQL computes the search document itself (Article.search_document);
SQLite gets two FTS5 indexes of the title, summary and body, kept current by
triggers on the article table, so that every way of writing an article
(the admin, the services, bulk_create, update(), delete) keeps them right:

- `articles_article_fts`, with the porter stemmer, accents ignored, for
  matching and ranking;
- `articles_article_words`, the words as written (accents kept), read through
  the `articles_article_vocab` table to correct spelling.

Migration 0007 creates them. SQLite loses a table's triggers when Django
rebuilds the table (an AlterField, or an AddField with a default): a later
migration that does that to articles_article must end with
`migrations.RunPython(search_sqlite.install_triggers, migrations.RunPython.noop)`
(tests/articles/test_search.py fails until it does).
"""

FTS_TABLE = "articles_article_fts"
WORDS_TABLE = "articles_article_words"
VOCABULARY_TABLE = "articles_article_vocab"

_TOKENIZERS = {
    FTS_TABLE: "porter unicode61 remove_diacritics 2",
    # Accents kept: a correction is offered as the articles write the word.
    WORDS_TABLE: "unicode61 remove_diacritics 0",
}
_TRIGGERS = {
    # name: (when, remove the old text, add the new text)
    "articles_article_search_insert": ("AFTER INSERT", False, True),
    "articles_article_search_delete": ("AFTER DELETE", True, False),
    "articles_article_search_update": ("AFTER UPDATE OF title, summary, body", True, True),
}


def create(apps, schema_editor):
    """Create the indexes and their triggers, filled from the articles (SQLite only)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for table, tokenize in _TOKENIZERS.items():
        # Only the vocabulary of the words index is read: no positions needed.
        detail = ", detail='none'" if table == WORDS_TABLE else ""
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE {table} USING fts5(title, summary, body, "
            f"content='articles_article', content_rowid='id', tokenize='{tokenize}'{detail})"
        )
    schema_editor.execute(
        f"CREATE VIRTUAL TABLE {VOCABULARY_TABLE} USING fts5vocab({WORDS_TABLE}, 'row')"
    )
    install_triggers(apps, schema_editor)


def install_triggers(apps, schema_editor):
    """(Re)create the triggers and rebuild the indexes from the articles. Safe to repeat."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, (when, remove, add) in _TRIGGERS.items():
        # External-content FTS5: the old text is removed by repeating it with 'delete'.
        body = "".join(
            (
                # Table names are this module's constants.
                f"INSERT INTO {table}({table}, rowid, title, summary, body) "  # nosec B608
                "VALUES ('delete', old.id, old.title, old.summary, old.body);"
                if remove
                else ""
            )
            + (
                f"INSERT INTO {table}(rowid, title, summary, body) "  # nosec B608
                "VALUES (new.id, new.title, new.summary, new.body);"
                if add
                else ""
            )
            for table in _TOKENIZERS
        )
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(f"CREATE TRIGGER {name} {when} ON articles_article BEGIN {body} END")  # nosec B608
    for table in _TOKENIZERS:
        schema_editor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")  # nosec B608


def remake(apps, schema_editor):
    """Drop the indexes and create them again as this module describes them now."""
    drop(apps, schema_editor)
    create(apps, schema_editor)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    for name in _TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in [VOCABULARY_TABLE, *_TOKENIZERS]:
        schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


def triggers_installed(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s "
            "AND name IN (%s, %s, %s)",
            ["articles_article", *_TRIGGERS],
        )
        return cursor.fetchone()[0] == len(_TRIGGERS)
