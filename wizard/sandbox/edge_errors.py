"""Cloudflare's own error pages, with the status codes and error numbers checks look for.

The body carries "Error <code>", the title and the Ray ID, like Cloudflare's pages, so a probe
can tell an edge error (521 origin down) from the origin's own 5xx.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from wizard.sandbox.http_server import Response


@dataclass(frozen=True)
class EdgeError:
    status: int
    code: int
    title: str
    explanation: str


PROHIBITED_IP = EdgeError(403, 1000, "DNS points to prohibited IP",
                          "The record's origin address is Cloudflare's own.")
DNS_RESOLUTION = EdgeError(530, 1001, "DNS resolution error",
                           "The host is in a Cloudflare zone but has no proxied record.")
DIRECT_IP = EdgeError(403, 1003, "Direct IP access not allowed",
                      "The host is not in any Cloudflare zone, or was addressed by IP.")
ORIGIN_DNS = EdgeError(530, 1016, "Origin DNS error",
                       "The proxied record's target does not resolve to an address.")
WEB_SERVER_DOWN = EdgeError(521, 521, "Web server is down",
                            "The origin refused the connection.")
CONNECTION_TIMED_OUT = EdgeError(522, 522, "Connection timed out",
                                 "The origin did not accept the connection in time.")
TIMEOUT_OCCURRED = EdgeError(524, 524, "A timeout occurred",
                             "The origin accepted the connection but did not answer in time.")
HANDSHAKE_FAILED = EdgeError(525, 525, "SSL handshake failed",
                             "The TLS handshake with the origin failed.")
INVALID_CERTIFICATE = EdgeError(526, 526, "Invalid SSL certificate",
                                "The origin's certificate is expired, for another name, or not "
                                "signed by a trusted authority (SSL mode Full (strict)).")
BAD_GATEWAY = EdgeError(502, 502, "Bad gateway", "The origin sent an invalid response.")

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | {host} | Cloudflare</title></head>
<body><h1>Error {code}</h1><h2>{title}</h2><p>{explanation}</p>
<p>Cloudflare Ray ID: <strong>{ray}</strong></p></body></html>
"""


def error_page(error: EdgeError, host: str, ray: str) -> Response:
    body = _PAGE.format(code=error.code, title=escape(error.title), host=escape(host),
                        explanation=escape(error.explanation), ray=escape(ray))
    return Response.html(error.status, body, [("Cache-Control", "private, max-age=0, no-store, no-cache")])
