"""The environment a test run needs, set before pytest-django reads the settings.

Tests run with debug off, as production does, and the settings then refuse to load
without a secret key and a field encryption key. These are for tests only. Loaded
as a plugin by pyproject.toml (`-p tests.environment`), so plain `pytest`, `make test`
and editors' test runners all run the same way.
"""

import os

import pytest

TEST_ENVIRONMENT = {
    "DJANGO_SECRET_KEY": "test-secret-key-that-is-long-enough-for-checks-0123456789",
    "FIELD_ENCRYPTION_KEYS": "lfPCn8xlXjHP3Y_UO0FVCji5NtAo2C7taaGMIx7_wJI=",
    # The test client and the live server speak plain http.
    "DJANGO_SECURE_SSL_REDIRECT": "0",
}


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests():
    # tryfirst: pytest-django loads the settings in its own implementation of
    # this hook, and conftest.py files are read only after both.
    os.environ.update(TEST_ENVIRONMENT)
