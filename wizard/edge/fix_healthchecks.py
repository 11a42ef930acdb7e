"""cf.healthchecks: a Cloudflare health check for each monitoring.urls URL on a proxied host of
the zone, and one notification policy e-mailing monitoring.alert.smtp_to when any of them fails.

Health checks probe the ORIGIN, not the edge (Cloudflare: "the hostname or IP address of the
origin server"): the address is the origin behind the host's proxied record (its A/AAAA, or the
end of its CNAME chain inside the zone, or the outside name it points at), with the host in the
Host header, so the origin's virtual host answers. A DNS-only host has no origin behind the edge
to watch that way: it gets a note (watch it with an external monitor). Health checks are a
Pro-and-higher feature: on a Free zone the plan changes nothing and says what to use instead.

Our objects are found again by name (`launch-ready-<host>-<path>`: Cloudflare allows letters,
digits, - and _ in a health check's name; the URL is in the description), so planning again
after applying gives an empty plan; a field someone changed on one of ours is set back.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from wizard.edge.converge import matches
from wizard.edge.draft import Draft
from wizard.edge.plan import ObjectKind
from wizard.edge.zone_state import has_healthchecks
from wizard.sections import Watch
from wizard.sprint import SprintConfig

PREFIX = "launch-ready-"
POLICY_NAME = "launch-ready health checks"
HEALTH_CHECK_ALERT = "health_check_status_notification"
INTERVAL_S, RETRIES, TIMEOUT_S = 60, 2, 5
EXTERNAL = "use an external monitor (Uptime Kuma, Better Stack, ...)"


def watch_url(config: SprintConfig, watch: Watch) -> str:
    """The full URL of a monitoring.urls entry: a path is on api.base_url, else the canonical host."""
    if not watch.url.startswith("/"):
        return watch.url
    base = config.api.base_url or f"https://{config.target.canonical or config.target.domain}/"
    return urljoin(base.rstrip("/") + "/", watch.url.lstrip("/"))


def check_name(host: str, path: str) -> str:
    return PREFIX + re.sub(r"[^A-Za-z0-9_-]+", "-", f"{host}{path}").strip("-")


def _origin(draft: Draft, host: str) -> str | None:
    """Where the host's proxied records lead: an address, or the outside name a CNAME names."""
    seen = set()
    while host not in seen:
        seen.add(host)
        records = draft.web(host)
        if not records:
            return None
        if records[0]["type"] != "CNAME":
            return records[0]["content"]
        target = records[0]["content"].lower().rstrip(".")
        if not draft.web(target):
            return target
        host = target
    return None


def desired_check(draft: Draft, host: str, path: str, url: str, watch: Watch) -> dict[str, Any] | str:
    """The health check watching `url`, or why there can be none."""
    records = draft.web(host)
    if not records:
        return f"{host} has no A/AAAA/CNAME record"
    if not all(r["proxied"] for r in records):
        return f"{host} is DNS-only (not proxied): no origin sits behind the edge to probe; {EXTERNAL}"
    origin = _origin(draft, host)
    if origin is None:
        return f"{host}'s CNAME chain has no end inside the zone"
    return {
        "name": check_name(host, path), "description": f"launch-ready: {url}", "address": origin,
        "type": "HTTPS", "interval": INTERVAL_S, "retries": RETRIES, "timeout": TIMEOUT_S,
        "suspended": False,
        "http_config": {"method": "GET", "path": path, "port": 443, "expected_codes": [str(watch.status)],
                        "expected_body": watch.keyword or "", "follow_redirects": False,
                        "allow_insecure": False, "header": {"Host": [host]}},
    }


def _put(draft: Draft, fix: str, kind: ObjectKind, wanted: dict[str, Any], note: str) -> None:
    """Create `wanted`, or bring the object of that name to it (other fields kept)."""
    existing = next((o for o in draft.objects[kind] if o["name"] == wanted["name"]), None)
    if existing is None or not matches(wanted, existing):
        draft.put_object(fix, kind, {**(existing or {}), **wanted}, note=note)


def plan_healthchecks(draft: Draft, config: SprintConfig, fix: str) -> None:
    live = draft.live
    urls = [watch_url(config, w) for w in config.monitoring.urls]
    if not urls:
        draft.note(fix, "no monitoring.urls in sprint.yaml: nothing to watch")
        return
    if not has_healthchecks(live.plan):
        draft.note(fix, f"not available on this zone's plan ({live.plan.split()[0]}): {EXTERNAL} "
                        f"for {', '.join(urls)}")
        return
    if live.healthchecks is None:
        draft.note(fix, "the zone's health checks were not read: plan cf.healthchecks again")
        return
    names = []
    for watch, url in zip(config.monitoring.urls, urls, strict=True):
        parts = urlsplit(url)
        host, path = (parts.hostname or "").lower(), parts.path or "/"
        if host != live.name and not host.endswith("." + live.name):
            draft.note(fix, f"{url}: {host} is outside the zone {live.name}; {EXTERNAL}")
            continue
        wanted = desired_check(draft, host, path, url, watch)
        if isinstance(wanted, str):
            draft.note(fix, f"{url}: {wanted}")
            continue
        names.append(wanted["name"])
        _put(draft, fix, "healthcheck", wanted,
             note=f"probes {wanted['address']} (the origin) every {INTERVAL_S} s from Cloudflare, "
                  f"Host {host}; allow Cloudflare's health-check user agent through the origin's firewall")
    emails = config.monitoring.alert.smtp_to
    if not names:
        return
    if not emails:
        draft.note(fix, "no monitoring.alert.smtp_to: the health checks alert nobody; add an "
                        "address (or a notification in the dashboard) and plan again")
        return
    _put(draft, fix, "notification_policy", {
        "name": POLICY_NAME, "description": "launch-ready cf.healthchecks: a watched URL is down",
        "alert_type": HEALTH_CHECK_ALERT, "enabled": True,
        "mechanisms": {"email": [{"id": e} for e in emails]}, "filters": {}, "watches": sorted(names),
    }, note=f"e-mails {', '.join(emails)} when a health check changes state")
