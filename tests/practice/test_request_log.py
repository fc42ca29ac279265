import logging
import re

import pytest

pytestmark = pytest.mark.django_db


def test_each_request_is_logged_once_with_its_id(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/articles/?q=private-words")
    lines = [r for r in caplog.records if r.name == "practice.request"]
    assert len(lines) == 1
    assert re.fullmatch(r"[0-9a-f]{32}", lines[0].request_id)
    assert lines[0].request_id == response["X-Request-ID"]
    # The path only: query strings can carry what people searched for.
    assert "private-words" not in lines[0].getMessage()


def test_djangos_own_warning_lines_carry_the_request_id(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/no-such-page/")
    warning = next(r for r in caplog.records if r.name == "django.request")
    assert warning.request_id == response["X-Request-ID"]


def test_proxy_request_id_is_kept_when_well_formed(client):
    response = client.get("/", HTTP_X_REQUEST_ID="edge-1234abcd")
    assert response["X-Request-ID"] == "edge-1234abcd"
    response = client.get("/", HTTP_X_REQUEST_ID="bad id\r\ninjected")
    assert response["X-Request-ID"] != "bad id\r\ninjected"


def test_the_log_names_the_client_behind_a_trusted_proxy_not_the_proxy(client, caplog, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    with caplog.at_level(logging.INFO):
        client.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    line = next(r for r in caplog.records if r.name == "practice.request").getMessage()
    assert "client=203.0.113.7" in line
    assert "10.0.0.2" not in line
