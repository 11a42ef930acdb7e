"""The sandbox's Cloudflare edge: what a proxied host's visitors meet, decided on every request
from the zone's live state in the World (a change made through the API shows on the next request).

Order per request (Cloudflare's phase order): zone and proxied record -> SSL off (HTTPS ->
HTTP) / Always Use HTTPS -> redirect rules (first match) -> custom rules (edge_rules.py) ->
rate limiting rules -> cache rules (all matches, later wins) -> cache or origin (by the SSL mode)
-> response header transform rules (on what the cache or origin answered) -> response headers
(cf-ray, server, cf-cache-status, HSTS, HTTPS rewrites).
Rate limiting counts on `Edge.clock` (monotonic seconds, time.monotonic unless given): a test
replaces it (`edge.clock = fake`) to move through windows and mitigations without waiting.
TLS: the ClientHello's SNI picks the zone's certificate (apex + one wildcard level, like
Universal SSL) and a context whose minimum version is the zone's min_tls_version, so OpenSSL
refuses older clients at the handshake with a protocol_version alert (see client_hello.py).

Known differences from Cloudflare:
- IPv4 only, one edge address; HTTP/1.1 only (no HTTP/2 or 3), no compression, no WebSockets,
  request bodies need Content-Length (chunked uploads get 411).
- A handshake whose SNI is in no zone, or has no SNI, is refused (Cloudflare also fails it, but
  with its own alert choice); errors 1001/1003 are therefore seen over HTTP, or over HTTPS for a
  zone host without a proxied record. 1001: host in a zone without a proxied record (530);
  1003: host in no zone or an IP literal (403); 1000: the record points at the edge itself;
  1016: the proxied CNAME chain ends outside the sandbox's zones (530).
- The origin is reached on the same two port numbers as the edge (the sandbox's pair), at the
  proxied record's address (CNAMEs chased through the World's zones), with no connection reuse.
  Connection refused -> 521, connect failure or timeout -> 522, no answer in time -> 524,
  TLS failure -> 525, certificate refused in strict mode -> 526, garbled answer -> 502.
- SSL "off": HTTPS requests get a 301 to http://, and Always Use HTTPS is ignored (as Cloudflare
  refuses to combine them). Strict verifies against the sandbox CA only (not Origin CA certs).
- Redirect rules: only action "redirect" with from_value (status_code, target_url value or
  expression, preserve_query_string); expressions are the subset in expressions.py, and a rule
  whose expression fails to parse or evaluate is skipped (the API emulator refuses them anyway).
  Always Use HTTPS runs before redirect rules, so http://www can take two hops, as on Cloudflare.
- Cache rules: `cache` and `edge_ttl` (modes respect_origin, bypass_by_default, override_origin
  with `default`) are honoured; browser_ttl, cache_key, serve_stale, status_code_ttl and the
  other options are ignored. Statuses cached and default TTLs follow Cloudflare's defaults
  (edge_cache.py); no tiered cache, one location, no Vary, no revalidation (EXPIRED/STALE/
  REVALIDATED never appear), no cache on POST. The cache is not purged when rules change;
  `Edge.cache.purge()` empties it.
- HSTS (security_header) is added to every HTTPS response of a zone host, including redirects and
  error pages; nosniff adds X-Content-Type-Options. Automatic HTTPS rewrites only rewrite
  `http://` URLs whose host is in the same zone, in text/html bodies (no HTTPS Everywhere list).
- cf-ray is 16 hex digits + "-SBX" (a pretend colo); no cf-connecting-ip spoofing checks, no WAF
  managed rules, bot fight mode, Page Rules, request or URL Transform Rules, or Workers.
- Custom rules: block, the three challenges, log and skip (`ruleset: current`, `phases`
  [http_ratelimit is the only one the edge has]; `products` are accepted and change nothing).
  A challenge can never be solved (no browser, no cf_clearance cookie): it is a 403 every time.
- Rate limiting: one colo, so cf.colo.id never splits counters; cf.unique_visitor_id counts by
  the client's address; fixed windows of `period` seconds (Cloudflare approximates a sliding
  window); past requests_per_period the action runs for mitigation_timeout seconds (block: 429,
  Retry-After = seconds left), or with timeout 0 on the requests over the rate until the window
  ends (throttling); counters are per Edge, never shared, and kept when rules change;
  counting_expression is evaluated on request fields only (no response fields).
- Response header transforms: static values and request-field expressions; they apply to
  responses from the cache or the origin, not to the edge's own pages (errors, redirects,
  blocks, challenges).
- tls_1_3 "off" caps the version at TLS 1.2; other zone settings (security_level,
  browser_check among them) are not enforced here.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import re
import secrets
import ssl
import time
from collections.abc import Callable
from typing import Any

from wizard.sandbox.ca import SandboxCA, zone_names
from wizard.sandbox.edge_cache import EdgeCache, edge_ttl, eligible
from wizard.sandbox.edge_errors import (
    DIRECT_IP,
    DNS_RESOLUTION,
    ORIGIN_DNS,
    PROHIBITED_IP,
    EdgeError,
    error_page,
)
from wizard.sandbox.edge_ratelimit import RateCounters
from wizard.sandbox.edge_rules import RateLimiting, custom_rules, evaluate, transform_headers
from wizard.sandbox.edge_upstream import OriginFailed, Upstream
from wizard.sandbox.http_server import Ports, Request, Response, Site
from wizard.sandbox.state import World, Zone

log = logging.getLogger(__name__)

REDIRECT_PHASE = "http_request_dynamic_redirect"
CACHE_PHASE = "http_request_cache_settings"
CUSTOM_PHASE = "http_request_firewall_custom"
RATELIMIT_PHASE = "http_ratelimit"
TRANSFORM_PHASE = "http_response_headers_transform"
MAX_CNAME_CHASE = 8
_HTTP_URL = re.compile(r"http://([a-z0-9.-]+)", re.IGNORECASE)


def new_ray() -> str:
    return f"{secrets.token_hex(8)}-SBX"


@dataclasses.dataclass
class HostView:
    """What the edge needs of a host's zone, copied under the World's lock at request start."""

    zone: str
    settings: dict[str, Any]
    proxied: bool
    origin: str | EdgeError  # the origin address, or why there is none
    redirect_rules: list[dict[str, Any]]
    cache_rules: list[dict[str, Any]]
    custom_rules: list[dict[str, Any]]
    ratelimit_rules: list[dict[str, Any]]
    transform_rules: list[dict[str, Any]]


def _enabled_rules(zone: Zone, phase: str) -> list[dict[str, Any]]:
    return [{"id": r.id, "expression": r.expression, "action": r.action,
             "action_parameters": copy.deepcopy(r.action_parameters),
             "ratelimit": copy.deepcopy(r.ratelimit)}
            for r in zone.rules(phase) if r.enabled]


class Edge:
    """Cloudflare's edge on the World's edge address, HTTP and HTTPS on `ports`.

    The origin is reached at the proxied record's address on the same `ports`; strict SSL
    verifies the origin's certificate against `ca`, which also issues the edge's certificates."""

    def __init__(self, world: World, ca: SandboxCA, ports: Ports, origin_timeout_s: float = 5.0,
                 clock: Callable[[], float] = time.monotonic):
        self.world = world
        self.ca = ca
        self.clock = clock  # rate limiting's time; read on every request, so a test may swap it
        self.rate_counters = RateCounters()
        self.cache = EdgeCache()
        self.upstream = Upstream(ports, ca.client_context(), origin_timeout_s)
        self.site = Site(world.addresses.edge_ipv4, ports, self.handle, self._tls)

    # lifecycle
    def start(self) -> Edge:
        self.site.start()
        return self

    def stop(self) -> None:
        self.site.stop()

    def __enter__(self) -> Edge:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # TLS
    def _tls(self, server_name: str | None) -> ssl.SSLContext | None:
        if server_name is None:
            return None
        with self.world.lock:
            zone = self.world.zone_for(server_name)
            if zone is None:
                return None
            name, settings = zone.name, zone.settings
            minimum = str(settings.get("min_tls_version", "1.0"))
            maximum = "1.3" if settings.get("tls_1_3", "on") != "off" else "1.2"
        return self.ca.context(zone_names(name), minimum=minimum, maximum=maximum)

    # requests
    def handle(self, request: Request) -> Response:
        ray = new_ray()
        view = self._view(request.host)
        response = self._respond(request, view, ray)
        if view is not None:
            self._decorate(request, view, response)
        response.set_header("Server", "cloudflare")
        response.set_header("CF-Ray", ray)
        return response

    def _view(self, host: str) -> HostView | None:
        with self.world.lock:
            zone = self.world.zone_for(host)
            if zone is None:
                return None
            proxied = any(r.proxied and r.proxiable for r in zone.records_named(host))
            return HostView(
                zone=zone.name, settings=copy.deepcopy(zone.settings), proxied=proxied,
                origin=self._origin_address(host) if proxied else DNS_RESOLUTION,
                redirect_rules=_enabled_rules(zone, REDIRECT_PHASE),
                cache_rules=_enabled_rules(zone, CACHE_PHASE),
                custom_rules=_enabled_rules(zone, CUSTOM_PHASE),
                ratelimit_rules=_enabled_rules(zone, RATELIMIT_PHASE),
                transform_rules=_enabled_rules(zone, TRANSFORM_PHASE),
            )

    def _origin_address(self, host: str) -> str | EdgeError:
        """Follow the proxied record (CNAMEs through the World's zones) to an IPv4 address."""
        name = host
        for _ in range(MAX_CNAME_CHASE):
            zone = self.world.zone_for(name)
            if zone is None:
                return ORIGIN_DNS
            if a_records := zone.records_named(name, "A"):
                address = a_records[0].content
                return PROHIBITED_IP if address == self.world.addresses.edge_ipv4 else address
            cnames = zone.records_named(name, "CNAME")
            if not cnames:
                return ORIGIN_DNS
            name = cnames[0].content.lower().rstrip(".")
        return ORIGIN_DNS

    def _respond(self, request: Request, view: HostView | None, ray: str) -> Response:
        if view is None:
            return error_page(DIRECT_IP, request.host, ray)
        if isinstance(view.origin, EdgeError):
            return error_page(view.origin, request.host, ray)
        ssl_mode = view.settings.get("ssl", "full")
        if ssl_mode == "off" and request.scheme == "https":
            return Response.redirect(301, f"http://{request.host}{request.target}")
        if (ssl_mode != "off" and request.scheme == "http"
                and view.settings.get("always_use_https") == "on"):
            return Response.redirect(301, f"https://{request.host}{request.target}")
        fields = {"http.host": request.host, "http.request.uri.path": request.path,
                  "http.request.method": request.method}
        redirect = self._redirect(request, view, fields)
        if redirect is not None:
            return redirect
        blocked, skipped = custom_rules(view.custom_rules, fields, request.host, ray)
        if blocked is not None:
            return blocked
        limiting = RateLimiting(self.rate_counters, self.clock())
        if RATELIMIT_PHASE not in skipped:
            limited = limiting.check(view.ratelimit_rules, request, fields, ray)
            if limited is not None:
                return limited
        response = self._cached_or_fetched(request, view, fields, ray)
        cache_status = response.header("CF-Cache-Status")
        if cache_status is not None:  # the cache or the origin answered, not an edge error page
            if cache_status != "HIT":
                limiting.origin_reached()
            transform_headers(view.transform_rules, fields, response)
        return response

    def _redirect(self, request: Request, view: HostView, fields: dict[str, str]) -> Response | None:
        for rule in view.redirect_rules:
            if rule["action"] != "redirect" or evaluate(rule["expression"], fields) is not True:
                continue
            spec = rule["action_parameters"].get("from_value") or {}
            target = spec.get("target_url") or {}
            url = target.get("value") or evaluate(target.get("expression", ""), fields)
            if not url:
                continue
            if spec.get("preserve_query_string") and request.query:
                url += ("&" if "?" in url else "?") + request.query
            return Response.redirect(int(spec.get("status_code", 301)), url)
        return None

    def _cached_or_fetched(self, request: Request, view: HostView, fields: dict[str, str],
                           ray: str) -> Response:
        settings = self._cache_settings(view, fields)
        decision = eligible(request.method, request.path, settings)
        key = f"{request.scheme}://{request.host}{request.target}"
        if decision:
            hit = self.cache.get(key)
            if hit is not None:
                hit.set_header("CF-Cache-Status", "HIT")
                return hit
            if request.method == "HEAD":  # fill the cache with the whole body, as Cloudflare does
                request = dataclasses.replace(request, method="GET")
        try:
            response = self._fetch(request, view, ray)
        except OriginFailed as exc:
            log.info("%s %s%s: %s", request.method, request.host, request.target, exc)
            return error_page(exc.error, request.host, ray)
        response.set_header("CF-Cache-Status", self._store(key, response, decision, settings))
        return response

    def _store(self, key: str, response: Response, decision: bool | None,
               settings: dict[str, Any] | None) -> str:
        """Store the origin's response when allowed; the cf-cache-status it earns."""
        if decision is None:
            return "DYNAMIC"
        ttl = edge_ttl(response, settings) if decision else None
        if ttl is None:
            return "BYPASS"
        self.cache.put(key, response, ttl)
        return "MISS"

    @staticmethod
    def _cache_settings(view: HostView, fields: dict[str, str]) -> dict[str, Any] | None:
        """Every matching cache rule's parameters, later rules overriding earlier ones."""
        merged: dict[str, Any] | None = None
        for rule in view.cache_rules:
            if rule["action"] == "set_cache_settings" and evaluate(rule["expression"], fields) is True:
                merged = {**(merged or {}), **rule["action_parameters"]}
        return merged

    def _fetch(self, request: Request, view: HostView, ray: str) -> Response:
        forwarded = [
            ("CF-Ray", ray),
            ("CF-Connecting-IP", request.client),
            ("X-Forwarded-For", request.client),
            ("X-Forwarded-Proto", request.scheme),
            ("CF-Visitor", json.dumps({"scheme": request.scheme})),
        ]
        return self.upstream.fetch(request, str(view.origin), view.settings.get("ssl", "full"),
                                   forwarded)

    @staticmethod
    def _decorate(request: Request, view: HostView, response: Response) -> None:
        """HSTS and nosniff on HTTPS; http:// links to the zone rewritten when asked."""
        hsts = view.settings.get("security_header", {}).get("strict_transport_security", {})
        if request.scheme == "https" and hsts.get("enabled"):
            value = f"max-age={int(hsts.get('max_age', 0))}"
            if hsts.get("include_subdomains"):
                value += "; includeSubDomains"
            if hsts.get("preload"):
                value += "; preload"
            response.set_header("Strict-Transport-Security", value)
            if hsts.get("nosniff"):
                response.set_header("X-Content-Type-Options", "nosniff")
        if (view.settings.get("automatic_https_rewrites") == "on"
                and (response.header("Content-Type") or "").startswith("text/html")):
            response.body = _HTTP_URL.sub(
                lambda m: ("https://" if _in_zone(m.group(1), view.zone) else "http://") + m.group(1),
                response.body.decode("utf-8", "replace")).encode()


def _in_zone(host: str, zone: str) -> bool:
    host = host.lower()
    return host == zone or host.endswith("." + zone)
