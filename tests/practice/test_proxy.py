from django.test import RequestFactory

from practice.proxy import client_address


def test_client_address_is_remote_addr_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert client_address(request) == "10.0.0.5"


def test_client_address_is_the_rightmost_untrusted_forwarded_entry(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7",
    )
    assert client_address(request) == "198.51.100.7"

    settings.TRUSTED_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/",
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7, 10.0.0.9",
    )
    assert client_address(request) == "198.51.100.7"


def test_a_short_or_garbled_forwarded_header_falls_back_to_remote_addr(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    short = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    garbled = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-ip, 10.0.0.9"
    )

    assert client_address(short) == "10.0.0.5"
    assert client_address(garbled) == "10.0.0.5"
