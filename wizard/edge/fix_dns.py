"""DNS fixes: the apex/www pair (cf.dns-apex, cf.dns-www) and the proxy (cf.proxy).

The pair has a source, the canonical host of the two (the apex unless canonical is www): the
other one should be a CNAME to it (Cloudflare flattens a CNAME at the apex), so the origin's
address lives in one place. A missing source is created as a copy of what the other host points
at. A non-source host with A/AAAA records that differ from the source's is a stale record: it is
replaced (delete + create, which the apply sends in one batch), never edited into a CNAME.
"""

from __future__ import annotations

from wizard.edge.draft import AUTO_TTL, Draft
from wizard.edge.fix_mail import spf_hosts
from wizard.sprint import SprintConfig

MAX_CNAME_CHASE = 8
# Conventional names of mail and autoconfiguration hosts: never proxied (Cloudflare proxies HTTP only)
MAIL_LABELS = frozenset({"mail", "smtp", "imap", "pop", "pop3", "mx", "autodiscover", "autoconfig",
                         "webmail", "email"})


def pair(config: SprintConfig) -> tuple[str, str]:
    """(source, other) of the apex/www pair."""
    apex, www = config.target.domain, f"www.{config.target.domain}"
    return (www, apex) if config.target.canonical == www else (apex, www)


def partner(config: SprintConfig, host: str) -> str | None:
    """The other host of the apex/www pair, or None for any other host."""
    source, other = pair(config)
    return {source: other, other: source}.get(host)


def plan_pair_host(draft: Draft, config: SprintConfig, host: str, fix: str) -> None:
    if host not in config.target.hosts:
        draft.note(fix, f"{host} is not in target.hosts; nothing planned for it")
        return
    source, other = pair(config)
    if host == source:
        _ensure_source(draft, source, other, fix)
    else:
        _point_at(draft, host, source, fix)


def _ensure_source(draft: Draft, source: str, other: str, fix: str) -> None:
    if draft.web(source):
        return
    copied = draft.web(other)
    if not copied or any(r["type"] == "CNAME" and r["content"] == source for r in copied):
        draft.note(fix, f"neither {source} nor {other} has a record to copy: create {source} "
                        "pointing at your origin (A record), then re-plan")
        return
    for r in copied:
        draft.create_record(fix, r["type"], source, r["content"], proxied=True,
                            note=f"{source} copies {other} ({r['type']} {r['content']})")


def _point_at(draft: Draft, host: str, source: str, fix: str) -> None:
    records = draft.web(host)
    if not draft.web(source):
        draft.note(fix, f"{source} has no record yet, so {host} cannot point at it: plan the "
                        f"{'cf.dns-apex' if source == draft.live.name else 'cf.dns-www'} fix with it")
        return
    flat = " (Cloudflare flattens a CNAME at the apex)" if host == draft.live.name else ""
    if not records:
        draft.create_record(fix, "CNAME", host, source, proxied=True, note=f"{host} follows {source}{flat}")
        return
    cnames = [r for r in records if r["type"] == "CNAME"]
    if cnames:
        target = cnames[0]["content"].lower().rstrip(".")
        if target == source:
            return
        if _in_zone(draft, target) and not draft.at(target):
            draft.update_record(fix, cnames[0], note=f"{host} pointed at {target}, which does not exist",
                                content=source)
            return
        draft.note(fix, f"{host} is a CNAME to {target}, not to {source}; left as it is (it may be "
                        "your hosting provider's target)")
        return
    addresses = {r["content"] for r in records}
    if addresses == {r["content"] for r in draft.web(source) if r["type"] != "CNAME"}:
        return
    stale = ", ".join(sorted(addresses))
    for r in records:
        draft.delete_record(fix, r, note=f"stale {r['type']} record ({r['content']}) replaced by a CNAME to {source}")
    draft.create_record(fix, "CNAME", host, source, proxied=True,
                        note=f"replaces {stale}: {host} follows {source}{flat}")


def _in_zone(draft: Draft, name: str) -> bool:
    return name == draft.live.name or name.endswith("." + draft.live.name)


def mail_or_verification(draft: Draft, name: str) -> str | None:
    """Why a name must never be proxied, or None: the proxy passes HTTP only, so mail servers,
    and the records services read to verify the domain, break behind it."""
    if name in {r["content"].lower().rstrip(".") for r in draft.records if r["type"] == "MX"}:
        return "a mail server (an MX target)"
    if name in spf_hosts(draft) and name != draft.live.name:
        return "a mail server (named in SPF)"
    labels = name.split(".")
    if any(label.startswith("_") for label in labels):
        return "a service or verification name (_dmarc, _domainkey, _acme-challenge, ...)"
    if labels[0] in MAIL_LABELS and name != draft.live.name:
        return "a mail host by its name"
    return None


def plan_proxy(draft: Draft, config: SprintConfig, fix: str) -> None:
    """Proxy every A/AAAA/CNAME record of the web hosts in target.hosts."""
    for host in config.target.hosts:
        why = mail_or_verification(draft, host)
        if why:
            draft.note(fix, f"{host} is {why}: not proxied")
            continue
        records = draft.web(host)
        if not records:
            draft.note(fix, f"{host} has no A, AAAA or CNAME record to proxy"
                            + (" (cf.dns-www / cf.dns-apex creates it)" if partner(config, host) else ""))
        spf = (f"; SPF authorises {host} by its A record, which will then give Cloudflare's "
               "addresses: replace that `a` with ip4:<your mail server>") if host in spf_hosts(draft) else ""
        for r in records:
            if not r["proxied"]:
                draft.update_record(fix, r, note=f"{host}'s origin address stops being public; "
                                    f"firewall the origin to Cloudflare's addresses next{spf}",
                                    proxied=True, ttl=AUTO_TTL)


def origin_address(draft: Draft, host: str) -> tuple[str | None, str]:
    """(the origin IP a proxied host's traffic reaches, how it was found): in-zone CNAMEs are
    chased (bounded), an out-of-zone target cannot be followed without leaving the scope."""
    name = host
    for _ in range(MAX_CNAME_CHASE):
        records = draft.web(name)
        addresses = [r["content"] for r in records if r["type"] in ("A", "AAAA")]
        if addresses:
            return sorted(addresses)[0], f"{name} {addresses[0]}"
        cnames = [r for r in records if r["type"] == "CNAME"]
        if not cnames:
            return None, f"{name} has no record"
        name = cnames[0]["content"].lower().rstrip(".")
        if not _in_zone(draft, name):
            return None, f"{host} is a CNAME to {name}, outside the zone"
    return None, f"{host}: more than {MAX_CNAME_CHASE} CNAMEs"
