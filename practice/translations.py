"""The translation catalogs, compiled from their sources without GNU gettext.

The repository keeps each language's messages as text (locale/<language>/
LC_MESSAGES/django.po); Django reads the compiled form (.mo) next to it.
Compiled files are not committed: `make run`, `make test` (and plain pytest,
through tests/conftest.py) and a deployment's `manage.py compile_translations`
write them, with polib, which the project installs, so that a fresh machine
needs no gettext tools. A .mo is written again only when its .po is newer, and
replaced in one step, so that a process reading it never sees half a file.

Imports nothing of Django: the test run compiles before Django starts.
"""

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

import polib


def catalogs(locale_dirs: Iterable[Path]) -> list[tuple[Path, Path]]:
    """(source, compiled) for every catalog under the given locale folders."""
    found = []
    for folder in locale_dirs:
        for source in sorted(Path(folder).glob("*/LC_MESSAGES/*.po")):
            found.append((source, source.with_suffix(".mo")))
    return found


def catalogs_stale(locale_dirs: Iterable[Path]) -> list[Path]:
    """The sources whose compiled file is missing or older than they are."""
    return [
        source
        for source, compiled in catalogs(locale_dirs)
        if not compiled.exists() or compiled.stat().st_mtime < source.stat().st_mtime
    ]


def catalogs_compile(locale_dirs: Iterable[Path], *, force: bool = False) -> list[Path]:
    """Compile each catalog whose .mo is missing or stale (every one with
    `force`). Returns the .mo files written. Fuzzy and obsolete entries are
    left out, as msgfmt leaves them out: a guess is never shown as a translation."""
    locale_dirs = list(locale_dirs)
    stale = (
        {source for source, _ in catalogs(locale_dirs)}
        if force
        else set(catalogs_stale(locale_dirs))
    )
    written = []
    for source, compiled in catalogs(locale_dirs):
        if source not in stale:
            continue
        handle, temporary = tempfile.mkstemp(dir=compiled.parent, suffix=".mo.tmp")
        os.close(handle)
        try:
            polib.pofile(str(source)).save_as_mofile(temporary)
            # mkstemp makes it private to this user; the site (perhaps another user) reads it.
            os.chmod(temporary, 0o644)
            os.replace(temporary, compiled)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        written.append(compiled)
    return written


if __name__ == "__main__":
    # `python -m practice.translations`: a deployment's build step, run where the
    # code is written (no settings or secrets needed).
    for written in catalogs_compile([Path(__file__).resolve().parent.parent / "locale"]):
        print(f"compiled {written}")  # noqa: T201
