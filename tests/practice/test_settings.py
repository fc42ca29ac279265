import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def start_django(**environment):
    clean = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        **environment,
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=REPO,
        env=clean,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_the_site_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = start_django(FIELD_ENCRYPTION_KEYS=os.environ["FIELD_ENCRYPTION_KEYS"])
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_the_site_starts_with_a_secret_key():
    result = start_django(
        DJANGO_SECRET_KEY="a-secret-key-long-enough-to-be-accepted-here-0123456789",
        FIELD_ENCRYPTION_KEYS=os.environ["FIELD_ENCRYPTION_KEYS"],
    )
    assert result.returncode == 0, result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = start_django(DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
