"""gunicorn settings; each can be overridden by the GUNICORN_* variables below."""

import os

from gunicorn.glogging import Logger

wsgi_app = "practice.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
# Recycle workers now and then so that a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = 500
# The proxy in front terminates TLS and sets X-Forwarded-Proto.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Two servers on one machine must not fight over ~/.gunicorn/.
control_socket_disable = True
# Django logs each request itself (practice/log.py), without query strings and
# with partner tokens removed; gunicorn's access log would print both.
accesslog = None
errorlog = "-"


def worker_exit(server, worker):
    """A worker stopped on purpose (a reload, max_requests, a shutdown) writes
    the article reads it counted since its last write (articles/reads.py);
    only one that is killed loses them. gunicorn also calls this in the master
    process, which has not loaded the site (nor counted anything)."""
    from django.apps import apps

    if apps.ready:
        from articles.reads import reads_flush

        reads_flush()


class KeyValueLogger(Logger):
    """gunicorn's own lines in the site's key=value shape.

    Some of them quote what a client sent ("Invalid request from ip=…: Invalid
    HTTP request line: '…'"), so they go through the same escaping as Django's.
    """

    def setup(self, cfg):
        super().setup(cfg)
        # Imported here: the project is importable once gunicorn has loaded its
        # configuration and moved to the project's folder.
        from practice.log import KeyValueFormatter

        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(KeyValueFormatter())


logger_class = KeyValueLogger
