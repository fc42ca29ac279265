import pytest
from django.core.checks import run_checks
from django.utils.csp import CSP

from practice.checks import check_persistent_connections

pytestmark = pytest.mark.django_db


def deploy_warning_ids():
    return {message.id for message in run_checks(include_deployment_checks=True)}


@pytest.fixture
def deployed(settings):
    """Settings as a deployer following the README sets them."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    settings.PRACTICE_NOTIFY_EMAIL = ["office@harbor-hearth.test"]
    settings.DEFAULT_FROM_EMAIL = "Harbor & Hearth <no-reply@harbor-hearth.test>"
    settings.SITE_URL = "https://www.harbor-hearth.test"
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ADMIN_URL = "staff-7f3a/"
    return settings


def test_project_settings_pass_the_project_deploy_checks(deployed):
    assert not {i for i in deploy_warning_ids() if i.startswith("practice.")}


@pytest.mark.parametrize(
    "address",
    [
        "office@localhost",
        "office@mail.localhost",
        "office@example.org",
        "office@mail.example.com",
        "office@harborandhearth.example",
        "office",
    ],
)
def test_notification_address_at_localhost_or_an_example_domain_fails(deployed, address):
    deployed.PRACTICE_NOTIFY_EMAIL = ["owner@harbor-hearth.test", address]
    assert "practice.E010" in deploy_warning_ids()


def test_no_notification_address_fails(deployed):
    deployed.PRACTICE_NOTIFY_EMAIL = []
    assert "practice.E010" in deploy_warning_ids()


@pytest.mark.parametrize(
    "sender",
    ["Harbor & Hearth <no-reply@localhost>", "no-reply@example.net", "webmaster@EXAMPLE.ORG."],
)
def test_sender_address_at_localhost_or_an_example_domain_fails(deployed, sender):
    deployed.DEFAULT_FROM_EMAIL = sender
    assert "practice.E011" in deploy_warning_ids()


def test_addresses_on_a_real_domain_that_mentions_example_pass(deployed):
    deployed.PRACTICE_NOTIFY_EMAIL = ["office@example-counseling.com"]
    deployed.DEFAULT_FROM_EMAIL = "Practice <no-reply@examplepractice.org>"
    assert not {"practice.E010", "practice.E011"} & deploy_warning_ids()


@pytest.mark.parametrize(
    "url", ["http://www.harbor-hearth.test", "http://127.0.0.1:8000", "https://"]
)
def test_site_url_that_is_not_https_fails(deployed, url):
    deployed.SITE_URL = url
    assert "practice.E012" in deploy_warning_ids()


def test_no_trusted_proxy_while_trusting_the_proxy_header_fails(deployed):
    deployed.TRUSTED_PROXY_COUNT = 0
    assert "practice.E013" in deploy_warning_ids()


def test_no_trusted_proxy_without_the_proxy_header_passes(deployed):
    deployed.TRUSTED_PROXY_COUNT = 0
    deployed.SECURE_PROXY_SSL_HEADER = None
    assert "practice.E013" not in deploy_warning_ids()


@pytest.mark.parametrize("admin_url", ["admin/", "/", "staff-CHANGE-ME/"])
def test_the_default_or_placeholder_admin_url_fails(deployed, admin_url):
    deployed.ADMIN_URL = admin_url
    assert "practice.E014" in deploy_warning_ids()


@pytest.mark.parametrize("source", [CSP.UNSAFE_INLINE, CSP.UNSAFE_EVAL])
def test_csp_allowing_unsafe_sources_is_reported(settings, source):
    settings.SECURE_CSP = {**settings.SECURE_CSP, "script-src": [CSP.SELF, source]}
    assert "practice.W002" in deploy_warning_ids()


def test_missing_csp_is_reported(settings):
    settings.SECURE_CSP = {}
    assert "practice.W001" in deploy_warning_ids()


def test_short_minimum_password_length_is_reported(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 8},
        },
        {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    ]
    assert "practice.W003" in deploy_warning_ids()


def test_missing_common_password_check_is_reported(settings):
    settings.AUTH_PASSWORD_VALIDATORS = [
        {
            "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
            "OPTIONS": {"min_length": 12},
        },
    ]
    assert "practice.W004" in deploy_warning_ids()


def test_long_sessions_are_reported(settings):
    settings.SESSION_COOKIE_AGE = 14 * 24 * 3600
    assert "practice.W005" in deploy_warning_ids()


def test_persistent_connections_without_health_checks_are_reported(settings):
    database = {**settings.DATABASES["default"], "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": False}
    settings.DATABASES = {**settings.DATABASES, "default": database}
    warnings = check_persistent_connections(app_configs=None)
    assert [w.id for w in warnings] == ["practice.W006"]


def test_smtp_without_timeout_is_reported(settings):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "mail.example.org"},
        }
    }
    assert "practice.W007" in deploy_warning_ids()


def test_per_process_cache_is_reported(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "practice.W008" in deploy_warning_ids()


def test_development_encryption_key_is_reported(settings):
    settings.FIELD_ENCRYPTION_DEVELOPMENT_KEY = True
    assert "practice.W009" in {m.id for m in run_checks()}


def test_real_encryption_key_is_not_reported(settings):
    settings.FIELD_ENCRYPTION_DEVELOPMENT_KEY = False
    assert "practice.W009" not in {m.id for m in run_checks()}
