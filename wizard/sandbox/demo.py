"""The demo product's starting state: a zone with the launch blockers a real two-day sprint meets.

Blockers on purpose: www missing; the apex not proxied (the origin's address is public); SSL
flexible; always-use-https off; no HSTS; minimum TLS 1.0; a cache-everything rule on the app host
that caches the private /api/me; SPF reaching 12 DNS lookups through includes; no DMARC.
Fixing each through the API turns the live behaviour healthy.
"""

from __future__ import annotations

from wizard.sandbox.state import DnsRecord, Rule, Ruleset, World, new_id

DOMAIN = "acme.example"
APP = f"app.{DOMAIN}"
API = f"api.{DOMAIN}"  # the product's API: proxied, no cache rule (the API probes' base URL)
DEMO_TOKEN = "sandbox-demo-token-0000000000000000000000"  # accepted by the emulator only

# SPF: 12 lookups (a, mx, 3 includes; 2 + 2 + 2 + 1 below them), past the limit of 10. The
# "providers" live inside the zone because the sandbox has no other authoritative servers.
_SPF = {
    DOMAIN: "v=spf1 a mx include:_spf.crm.acme.example include:_spf.mailer.acme.example "
            "include:_spf.support.acme.example ~all",
    f"_spf.crm.{DOMAIN}": "v=spf1 a:out1.crm.acme.example a:out2.crm.acme.example ~all",
    f"_spf.mailer.{DOMAIN}": "v=spf1 include:_spf-eu.mailer.acme.example mx:acme.example ~all",
    f"_spf-eu.mailer.{DOMAIN}": "v=spf1 a:eu1.mailer.acme.example a:eu2.mailer.acme.example ~all",
    f"_spf.support.{DOMAIN}": "v=spf1 a:out.support.acme.example ~all",
}
_MAIL_HOSTS = ["mail", "out1.crm", "out2.crm", "eu1.mailer", "eu2.mailer", "out.support"]


def build_world(world: World | None = None) -> World:
    """A World holding the demo zone in its starting (unfixed) state and the demo token."""
    world = world or World()
    origin = world.addresses.origin_ipv4
    with world.lock:
        zone = world.add_zone(DOMAIN)

        def record(rtype: str, name: str, content: str, **kw) -> None:
            r = DnsRecord(id=new_id(), type=rtype, name=name, content=content, **kw)
            zone.records[r.id] = r

        record("A", DOMAIN, origin, proxied=False)
        record("CNAME", APP, DOMAIN, proxied=True)
        record("CNAME", API, DOMAIN, proxied=True)
        record("MX", DOMAIN, f"mail.{DOMAIN}", priority=10)
        for host in _MAIL_HOSTS:
            record("A", f"{host}.{DOMAIN}", origin)
        for name, text in _SPF.items():
            record("TXT", name, text)

        zone.settings.update({
            "ssl": "flexible",
            "always_use_https": "off",
            "min_tls_version": "1.0",
            "automatic_https_rewrites": "off",
        })
        zone.rulesets["http_request_cache_settings"] = Ruleset(
            id=new_id(), phase="http_request_cache_settings",
            rules=[Rule(id=new_id(), expression=f'(http.host eq "{APP}")', action="set_cache_settings",
                        action_parameters={"cache": True, "edge_ttl": {"mode": "override_origin", "default": 3600,
                                                                  "status_code_ttl": []}},
                        description="Cache everything on the app (speeds up the demo)")],
        )
        world.add_token(DEMO_TOKEN)
    return world
