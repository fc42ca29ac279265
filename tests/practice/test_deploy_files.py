"""deploy/: the files a deployer copies agree with the settings and with each other."""

import configparser
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
ENV_FILE_EXAMPLE = UNITS / "practice.env.example"
NGINX_CONF = DEPLOY / "nginx" / "practice.conf"
FERNET_KEY = "lfPCn8xlXjHP3Y_UO0FVCji5NtAo2C7taaGMIx7_wJI="


def settings_read_from_the_environment() -> set[str]:
    names = set(
        re.findall(
            r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]*)"', (ROOT / "practice/settings.py").read_text()
        )
    )
    names |= set(
        re.findall(
            r'os\.environ\.get\(\s*"([A-Z][A-Z0-9_]*)"',
            (ROOT / "practice/gunicorn.conf.py").read_text(),
        )
    )
    return names


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile reads them (no quotes used)."""
    values = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def read_unit(path: Path) -> configparser.ConfigParser:
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str
    unit.read(path)
    return unit


def check_deploy(environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """manage.py check --deploy with only these settings, as systemd would start it.

    Some of Django's checks ask the database server its version: a SQLite file
    stands in for the PostgreSQL server the example names.
    """
    database = {"DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}"}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], **environment, **database},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_setting_read_from_the_environment_is_in_env_example():
    listed = set(read_env_file(ROOT / ".env.example"))
    assert settings_read_from_the_environment() - listed == set()


def test_the_environment_file_example_names_only_real_settings():
    assert set(read_env_file(ENV_FILE_EXAMPLE)) - settings_read_from_the_environment() == set()


def test_the_environment_file_example_passes_check_deploy_once_its_placeholders_are_filled(
    tmp_path,
):
    environment = {
        key: value.replace("example.org", "harbor-hearth.test").replace("CHANGE-ME", "x7f3a")
        for key, value in read_env_file(ENV_FILE_EXAMPLE).items()
    }
    environment.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), FIELD_ENCRYPTION_KEYS=FERNET_KEY
    )

    result = check_deploy(environment, tmp_path)

    assert result.returncode == 0, result.stderr + result.stdout


def test_the_environment_file_example_as_shipped_is_refused_by_check_deploy(tmp_path):
    environment = read_env_file(ENV_FILE_EXAMPLE)
    assert environment["DJANGO_SECRET_KEY"] == environment["FIELD_ENCRYPTION_KEYS"] == ""
    environment.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50), FIELD_ENCRYPTION_KEYS=FERNET_KEY
    )

    result = check_deploy(environment, tmp_path)

    assert result.returncode != 0
    for check in ("practice.E010", "practice.E011", "practice.E014"):
        assert check in result.stderr


@pytest.mark.parametrize("path", sorted(UNITS.glob("*.service")), ids=lambda p: p.name)
def test_every_service_runs_hardened_as_the_practice_user_with_the_environment_file(path):
    service = read_unit(path)["Service"]

    assert service["User"] == service["Group"] == "practice"
    assert service["EnvironmentFile"] == "/etc/practice/practice.env"
    assert service["WorkingDirectory"] == "/srv/practice"
    assert service["ProtectSystem"] == "strict"
    assert service["PrivateTmp"] == service["NoNewPrivileges"] == "yes"
    assert service["CapabilityBoundingSet"] == ""
    assert service["ExecStart"].startswith("/srv/practice/.venv/bin/")


def test_the_web_and_worker_services_restart_on_failure():
    for name in ("practice-web.service", "practice-worker.service"):
        assert read_unit(UNITS / name)["Service"]["Restart"] == "on-failure"
    web = read_unit(UNITS / "practice-web.service")["Service"]
    assert web["ExecStart"].endswith("gunicorn --config practice/gunicorn.conf.py")
    assert web["ReadWritePaths"] == read_env_file(ENV_FILE_EXAMPLE)["MEDIA_ROOT"]


def test_timers_send_unsent_mail_every_few_minutes_and_purge_daily():
    notify = read_unit(UNITS / "practice-notify.timer")["Timer"]
    purge = read_unit(UNITS / "practice-purge.timer")["Timer"]

    assert notify["OnUnitActiveSec"] == "5min"
    assert purge["OnCalendar"] == "daily"
    assert read_unit(UNITS / "practice-notify.service")["Service"]["ExecStart"].endswith(
        "manage.py send_notifications"
    )
    assert read_unit(UNITS / "practice-purge.service")["Service"]["ExecStart"].endswith(
        "manage.py purge_requests"
    )


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_accepts_every_unit(tmp_path):
    # The units name /srv/practice; here the code is in ROOT.
    for path in [*UNITS.glob("*.service"), *UNITS.glob("*.timer")]:
        text = path.read_text().replace("/srv/practice", str(ROOT))
        (tmp_path / path.name).write_text(text)

    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0
    # Unknown or misspelt options are only warned about: there must be none.
    assert result.stdout + result.stderr == ""


def test_nginx_refuses_bodies_larger_than_django_accepts():
    conf = NGINX_CONF.read_text()
    limit = re.search(r"^    client_max_body_size (\d+)k;", conf, re.M)

    assert limit and int(limit.group(1)) * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_nginx_finds_gunicorn_the_static_files_and_the_uploads_where_the_units_put_them():
    conf = NGINX_CONF.read_text()
    environment = read_env_file(ENV_FILE_EXAMPLE)
    web = read_unit(UNITS / "practice-web.service")["Service"]
    static_root = Path(web["WorkingDirectory"]) / settings.STATIC_ROOT.relative_to(ROOT)

    assert f"server {environment['GUNICORN_BIND']} " in conf
    assert f"alias {static_root}/;" in conf
    assert f"alias {environment['MEDIA_ROOT']}/;" in conf
    assert f"location /{environment['ADMIN_URL']} " in conf
    assert "proxy_cache " not in conf
