"""nginx in front of gunicorn, as deploy/nginx/practice.conf has it, on loopback ports.

- `nginx_binary`: Debian's nginx, installed with apt-get when it is missing;
- `LocalCA`: a throwaway certificate authority and a certificate for the
  site's name, made with openssl under bench/results/;
- `render`: practice.conf with its ports, paths and names changed for the run.
  Each change must find the text it changes, so that an edited practice.conf
  fails loudly here instead of going untested;
- `Nginx`: the process, with its own prefix, pid, logs and temporary files
  under bench/results/, as an unprivileged user (www-data when started by
  root). The system's nginx, if one runs, is never touched.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import ssl
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from harness import RESULTS, ROOT, Endpoint, free_port, out, stop_process_group

PRACTICE_CONF = ROOT / "deploy" / "nginx" / "practice.conf"
# The site's name in the run: a name every client here resolves to 127.0.0.1
# (wrk looks the URL's host up; nothing may be added to /etc/hosts).
SITE_NAME = "localhost"
NGINX_USER = "www-data"
INSTALL_HINT = "apt-get update && apt-get install -y nginx"


def two_free_ports() -> tuple[int, int]:
    """Two different free ports, for nginx's HTTPS and plain HTTP servers."""
    first = second = free_port()
    while second == first:
        second = free_port()
    return first, second


def nginx_binary() -> str:
    """The nginx executable; Debian's package is installed first when missing."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit(f"nginx is not installed, and installing it needs root: {INSTALL_HINT}")
    out("nginx is not installed: installing Debian's package ...")
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    command = ["apt-get", "install", "-y", "-qq", "nginx"]
    if subprocess.run(command, env=environment, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=environment, capture_output=True)
        subprocess.run(command, env=environment, capture_output=True, check=True)
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if not found:
        raise SystemExit(f"nginx is still missing after apt-get: {INSTALL_HINT}")
    return found


def _openssl(*args: str, cwd: Path) -> None:
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"openssl {args[0]} failed: {result.stderr[-1000:]}")


@dataclass
class LocalCA:
    """A certificate authority that exists for one run, and the site's certificate."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def site_cert(self) -> Path:
        return self.directory / "site.pem"

    @property
    def site_key(self) -> Path:
        return self.directory / "site.key"

    @classmethod
    def create(cls, directory: Path, name: str = SITE_NAME) -> LocalCA:
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
        curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        _openssl(
            "req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=Practice drill CA (throwaway)",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            cwd=directory,
        )  # fmt: skip
        _openssl(
            "req", *curve, "-keyout", "site.key", "-out", "site.csr", "-subj", f"/CN={name}",
            cwd=directory,
        )  # fmt: skip
        (directory / "site.ext").write_text(
            f"subjectAltName=DNS:{name}\n"
            "basicConstraints=critical,CA:FALSE\n"
            "keyUsage=critical,digitalSignature\n"
            "extendedKeyUsage=serverAuth\n"
            "subjectKeyIdentifier=hash\n"
            "authorityKeyIdentifier=keyid,issuer\n"
        )
        _openssl(
            "x509", "-req", "-in", "site.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "site.pem", "-days", "2", "-extfile", "site.ext",
            cwd=directory,
        )  # fmt: skip
        return cls(directory)

    def client_context(self) -> ssl.SSLContext:
        """What a browser that trusts this CA does: verify the chain and the name."""
        return ssl.create_default_context(cafile=str(self.ca_cert))


def render(
    *,
    https_port: int,
    http_port: int,
    gunicorn_port: int,
    ca: LocalCA,
    media_root: Path,
    admin_url: str,
    run_dir: Path,
) -> str:
    """deploy/nginx/practice.conf for a loopback run (IPv4 only)."""
    text = PRACTICE_CONF.read_text()
    replacements = [
        ("/etc/letsencrypt/live/www.example.org/fullchain.pem", str(ca.site_cert)),
        ("/etc/letsencrypt/live/www.example.org/privkey.pem", str(ca.site_key)),
        ("www.example.org", SITE_NAME),
        ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{gunicorn_port} "),
        ("/srv/practice/staticfiles/", f"{ROOT / 'staticfiles'}/"),
        ("/var/lib/practice/media/", f"{media_root}/"),
        ("/staff-CHANGE-ME/", f"/{admin_url}"),
        ("/var/log/nginx/practice.access.log", str(run_dir / "access.log")),
        ("root /var/www/html;", f"root {run_dir / 'acme'};"),
    ]
    patterns = [
        (r"^\s*listen \[::\]:\d+[^;]*;\n", ""),
        (r"\blisten 443\b", f"listen 127.0.0.1:{https_port}"),
        (r"\blisten 80\b", f"listen 127.0.0.1:{http_port}"),
    ]
    for old, new in replacements:
        if old not in text:
            raise SystemExit(
                f"{PRACTICE_CONF.name} no longer contains {old!r}: update bench/nginx.py"
            )
        text = text.replace(old, new)
    for pattern, new in patterns:
        text, count = re.subn(pattern, new, text, flags=re.M)
        if not count:
            raise SystemExit(f"{PRACTICE_CONF.name}: nothing matches {pattern!r}")
    return text


def _main_conf(run_dir: Path) -> str:
    """nginx.conf around practice.conf, with what Debian's own sets, and every
    path nginx writes inside run_dir."""
    temp = run_dir / "tmp"
    return f"""\
worker_processes 2;
pid {run_dir / "nginx.pid"};
error_log {run_dir / "error.log"} warn;
daemon off;
events {{
    worker_connections 4096;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    client_body_temp_path {temp / "client_body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    access_log {run_dir / "other-access.log"};
    include {run_dir / "practice.conf"};
}}
"""


def _wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        time.sleep(0.1)
    return False


class Nginx:
    """nginx with a rendered practice.conf, in front of gunicorn on `gunicorn_port`.

    Use as a context manager; everything it started is stopped on the way out.
    """

    def __init__(
        self,
        *,
        gunicorn_port: int,
        https_port: int,
        http_port: int,
        media_root: Path,
        admin_url: str,
        name: str,
    ):
        self.https_port = https_port
        self.http_port = http_port
        self.run_dir = RESULTS / f"{name}-nginx"
        self.binary = nginx_binary()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        (self.run_dir / "tmp").mkdir(parents=True)
        (self.run_dir / "acme").mkdir()
        self.ca = LocalCA.create(self.run_dir / "tls")
        (self.run_dir / "practice.conf").write_text(
            render(
                https_port=https_port,
                http_port=http_port,
                gunicorn_port=gunicorn_port,
                ca=self.ca,
                media_root=media_root,
                admin_url=admin_url,
                run_dir=self.run_dir,
            )
        )
        (self.run_dir / "nginx.conf").write_text(_main_conf(self.run_dir))
        self.proc: subprocess.Popen | None = None

    @property
    def access_log(self) -> Path:
        return self.run_dir / "access.log"

    def endpoint(self, *, source: str | None = None) -> Endpoint:
        """Where a visitor (from the loopback address `source`) reaches the site."""
        return Endpoint(
            self.https_port, host=SITE_NAME, tls=self.ca.client_context(), source=source
        )

    def _command(self, *extra: str) -> list[str]:
        command = [
            self.binary,
            "-p", f"{self.run_dir}/",
            "-c", str(self.run_dir / "nginx.conf"),
            "-e", str(self.run_dir / "error.log"),
            *extra,
        ]  # fmt: skip
        if os.geteuid() == 0:
            # Never as root: the files it must write are handed to www-data.
            user = pwd.getpwnam(NGINX_USER)
            for path in [self.run_dir, *self.run_dir.rglob("*")]:
                os.chown(path, user.pw_uid, user.pw_gid)
            command = [
                "setpriv",
                f"--reuid={user.pw_uid}",
                f"--regid={user.pw_gid}",
                "--clear-groups",
                *command,
            ]
        return command

    def start(self, timeout: float = 15) -> Nginx:
        test = subprocess.run(self._command("-t", "-q"), capture_output=True, text=True)
        if test.returncode != 0:
            raise SystemExit(f"nginx -t refused the rendered practice.conf:\n{test.stderr}")
        log = (self.run_dir / "nginx.out").open("wb")
        self.proc = subprocess.Popen(
            self._command(),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        if not _wait_for_port(self.https_port, timeout) or self.proc.poll() is not None:
            self.stop()
            error_log = self.run_dir / "error.log"
            tail = error_log.read_text()[-2000:] if error_log.exists() else ""
            raise SystemExit(f"nginx did not start:\n{tail}")
        return self

    def stop(self) -> None:
        stop_process_group(self.proc, grace=10)

    def __enter__(self) -> Nginx:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
