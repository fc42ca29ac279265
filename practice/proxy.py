"""What the proxies in front of gunicorn say about a request.

The one place the site decides which address a request came from: request rate
limits, sign-in lockouts, access records and the request log all ask here, so
that behind nginx or a load balancer they all name the visitor, never the proxy.
"""

import ipaddress

from django.conf import settings


def client_address(request) -> str:
    """The address the request came from.

    REMOTE_ADDR, unless settings.TRUSTED_PROXY_COUNT proxies stand in front of the
    site: then the right-most X-Forwarded-For entry that none of them added. The
    entries to its left are whatever the client chose to send.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
