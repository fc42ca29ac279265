"""Control characters a client sends (in a path, a query string, a username) are
escaped in every log line, so that no one can forge a line or drive the terminal
of the person reading the log.

The lines are captured from the handlers the settings configure, as they would
be written, with Python's last-resort handler (which writes messages raw)
captured too: a logger that reached it would show up here unescaped.
"""

import io
import logging
import runpy
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils.log import log_message
from gunicorn.config import Config

from practice.log import escape_for_log

pytestmark = pytest.mark.django_db

# All of C0 (NUL, ESC, CR, LF, ...), DEL, all of C1 (U+0085 among them), the
# Unicode line separators and a right-to-left override.
CONTROL_CHARACTERS = [
    *map(chr, range(0x00, 0x20)),
    "\x7f",
    *map(chr, range(0x80, 0xA0)),
    "\u2028",
    "\u2029",
    "\u202e",
]


def escaped(character: str) -> str:
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


@pytest.fixture
def written():
    """What the configured handlers (and the last-resort one) write, as text."""
    buffer = io.StringIO()
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    assert handlers, "the settings configure no stream handler on the root logger"
    streams = [handler.setStream(buffer) for handler in handlers]
    last_resort = logging.lastResort
    logging.lastResort = logging.StreamHandler(buffer)
    yield buffer
    logging.lastResort = last_resort
    for handler, stream in zip(handlers, streams, strict=True):
        handler.setStream(stream)


def assert_all_escaped(text: str, characters) -> None:
    assert text, "nothing was written: the capture is not working"
    raw = sorted({f"U+{ord(c):04X}" for c in text if c in CONTROL_CHARACTERS and c != "\n"})
    assert not raw, raw
    # Each line ends with the handler's newline and holds no other.
    lines = text.split("\n")
    assert lines[-1] == ""
    missing = [f"U+{ord(c):04X}" for c in characters if escaped(c) not in text]
    assert not missing, missing


def test_every_control_character_is_written_escaped():
    for character in CONTROL_CHARACTERS:
        line = escape_for_log(f"before{character}after")
        assert line == f"before{escaped(character)}after"
    # A backslash a client sent cannot pass for an escape the formatter wrote.
    assert escape_for_log("\\x1b") == "\\\\x1b"
    assert escape_for_log('say "hi"') == 'say \\"hi\\"'


def test_control_characters_in_paths_are_escaped_in_the_request_log(client, written):
    for character in CONTROL_CHARACTERS:
        response = client.get(f"/articles/a{quote(character)}b/")
        assert response.status_code == 404

    assert_all_escaped(written.getvalue(), CONTROL_CHARACTERS)
    assert written.getvalue().count("logger=practice.request") == len(CONTROL_CHARACTERS)


def test_control_characters_in_runservers_request_lines_are_escaped(written):
    # What `manage.py runserver` logs for a 404: the request line, query string and all.
    server = logging.getLogger("django.server")
    for character in CONTROL_CHARACTERS:
        request_line = f"GET /x{character}?q=a{character}b HTTP/1.1"
        log_message(server, '"%s" %s %s', request_line, "404", "179", status_code=404)

    text = written.getvalue()
    # Django escapes these arguments itself, in its own way (\t, \x1b, \x85).
    assert_all_escaped(text, [])
    assert text.count("logger=django.server") == len(CONTROL_CHARACTERS)


def test_control_characters_in_a_username_are_escaped(client, written, settings):
    username = "staff" + "".join(c for c in CONTROL_CHARACTERS if c != "\x00")
    sign_in = {"password": "x" * 12, "otp_token": "123456"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("admin:login"), {**sign_in, "username": username})
    # A NUL is refused by the form itself, without a 500.
    refused = client.post(reverse("admin:login"), {**sign_in, "username": "a\x00b"})

    assert refused.status_code == 200
    text = written.getvalue()
    assert "Locking out" in text
    assert_all_escaped(text, [c for c in CONTROL_CHARACTERS if c != "\x00"])


def test_gunicorns_own_lines_are_escaped_too(capsys):
    conf = runpy.run_path(str(Path(django_settings.BASE_DIR) / "practice" / "gunicorn.conf.py"))
    cfg = Config()
    cfg.set("errorlog", conf["errorlog"])
    cfg.set("logger_class", conf["logger_class"])
    logger = cfg.logger_class(cfg)

    # As gunicorn words a request line it cannot parse (it quotes what was sent).
    for character in CONTROL_CHARACTERS:
        logger.warning("Invalid request from ip=192.0.2.1: Invalid HTTP method: 'G%sT'", character)

    assert_all_escaped(capsys.readouterr().err, CONTROL_CHARACTERS)
