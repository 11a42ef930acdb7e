"""Mail fixes: SPF (cf.email-spf) and DMARC (cf.email-dmarc), on the zone's own TXT records.

SPF: a missing record is created (`v=spf1 mx ~all`, or `v=spf1 -all` when the domain sends no
mail); one record ending in +all (or ?all) gets its `all` tightened in place; one over the limit
of 10 DNS lookups is NOT edited: only the user knows which senders are still needed, and
flattening includes into addresses silently breaks when a provider changes them. The plan is
empty and its note says what each term costs and what to remove. Two records are never merged
automatically, and a second one is never added.

DMARC: a missing record is created at p=none with aggregate reports to dmarc@<domain> (p=reject
when the domain sends no mail); an existing one is never changed: the next step (quarantine,
then reject) needs the reports a person reads first, so the plan notes it.
"""

from __future__ import annotations

import re

from wizard.edge.draft import Draft
from wizard.sprint import SprintConfig

MAX_SPF_LOOKUPS = 10
MAX_SPF_DEPTH = 10
LOOKUP_TERMS = re.compile(r"^[+?~-]?(a|mx|ptr|exists|include)([:/]|$)|^redirect=", re.IGNORECASE)
_ALL = re.compile(r"^([+?~-]?)all$", re.IGNORECASE)


def _text(content: str) -> str:
    """TXT content without the quotes Cloudflare may show around (each part of) it."""
    content = content.strip()
    if content.startswith('"'):
        return "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', content))
    return content


def _tagged(draft: Draft, name: str, prefix: str) -> list[dict]:
    return [r for r in draft.at(name, "TXT") if _text(r["content"]).lower().startswith(prefix.lower())]


def spf_hosts(draft: Draft) -> set[str]:
    """The hosts the zone's SPF records authorise by address (`a` for the record's own name,
    `a:host`): their A records must keep giving the mail server's address."""
    found = set()
    for r in draft.records:
        text = _text(r["content"]) if r["type"] == "TXT" else ""
        if text.lower().startswith("v=spf1"):
            for term in text.lower().split()[1:]:
                match = re.match(r"^[+?~-]?a(:([^/]+))?(/|$)", term)
                if match:
                    found.add((match.group(2) or r["name"]).rstrip("."))
    return found


def spf_costs(draft: Draft, record: str, depth: int = 0) -> list[tuple[str, int | None]]:
    """(term, DNS lookups it costs, includes counted through) for each term of an SPF record;
    None for an include outside the zone, which is not looked up here (it costs at least 1)."""
    costs: list[tuple[str, int | None]] = []
    for term in record.split()[1:]:
        if not LOOKUP_TERMS.match(term):
            continue
        cost: int | None = 1
        target = term.split(":", 1)[1] if term.lower().lstrip("+?~-").startswith("include:") else (
            term.split("=", 1)[1] if term.lower().startswith("redirect=") else None)
        if target is not None:
            cost = _included_cost(draft, target.lower().rstrip("."), depth)
        costs.append((term, cost))
    return costs


def _included_cost(draft: Draft, name: str, depth: int) -> int | None:
    if not (name == draft.live.name or name.endswith("." + draft.live.name)) or depth >= MAX_SPF_DEPTH:
        return None
    found = _tagged(draft, name, "v=spf1")
    inner = spf_costs(draft, _text(found[0]["content"]), depth + 1) if len(found) == 1 else []
    total = 1
    for _, cost in inner:
        if cost is None:
            return None
        total += cost
    return total


def plan_spf(draft: Draft, config: SprintConfig, fix: str) -> None:
    domain, sends = draft.live.name, config.email.sends_mail
    records = _tagged(draft, domain, "v=spf1")
    if not records:
        content = "v=spf1 mx ~all" if sends else "v=spf1 -all"
        why = ("lets the domain's MX servers send; add each mail provider's include: (and keep the "
               "total under 10 DNS lookups)" if sends else "says the domain sends no mail")
        draft.create_record(fix, "TXT", domain, content, proxied=False, note=why)
        return
    if len(records) > 1:
        draft.note(fix, f"{domain} has {len(records)} SPF records: receivers reject both; merge them "
                        "into one by hand (the plan will not guess which senders to keep)")
        return
    record = _text(records[0]["content"])
    costs = spf_costs(draft, record)
    known = sum(c or 1 for _, c in costs)
    if known > MAX_SPF_LOOKUPS:
        listed = ", ".join(f"{t} {c if c is not None else '1+ (outside the zone, not counted)'}" for t, c in costs)
        draft.note(fix, f"the SPF record needs {'at least ' if None in dict(costs).values() else ''}{known} "
                        f"DNS lookups (limit {MAX_SPF_LOOKUPS}): {listed}. Nothing is changed: remove "
                        "the includes of services that no longer send for you, or replace a/mx with "
                        "the ip4:/ip6: addresses they stand for; flattening every include would break "
                        "silently when a provider changes its addresses")
        return
    terms = record.split()
    last = _ALL.match(terms[-1]) if len(terms) > 1 else None
    wanted = "~all" if sends else "-all"
    if not sends and len(terms) > 2:
        draft.note(fix, f"email.sends_mail is false but SPF lists senders ({record}); replace it with "
                        "v=spf1 -all once you are sure nothing sends as the domain")
    elif last and last.group(1) not in (("~", "-") if sends else ("-",)):
        content = " ".join([*terms[:-1], wanted])
        draft.update_record(fix, records[0], content=content,
                            note=f"{terms[-1]} becomes {wanted}: servers the record does not list are no "
                                 "longer vouched for")


def plan_dmarc(draft: Draft, config: SprintConfig, fix: str) -> None:
    domain, sends = draft.live.name, config.email.sends_mail
    name = f"_dmarc.{domain}"
    records = _tagged(draft, name, "v=DMARC1")
    if not records:
        if sends:
            draft.create_record(fix, "TXT", name, f"v=DMARC1; p=none; rua=mailto:dmarc@{domain}", proxied=False,
                                note=f"monitoring only; make sure dmarc@{domain} receives mail")
            draft.note(fix, "p=none only collects reports: after two to four weeks of reports showing "
                            "your own senders pass SPF/DKIM, move to p=quarantine (pct=25 then 100), "
                            "then to p=reject")
        else:
            draft.create_record(fix, "TXT", name, "v=DMARC1; p=reject", proxied=False,
                                note="the domain sends no mail: receivers refuse mail claiming to be from it")
        return
    if len(records) > 1:
        draft.note(fix, f"{name} has {len(records)} DMARC records, so receivers ignore them: keep one by hand")
        return
    tags = dict(t.strip().split("=", 1) for t in _text(records[0]["content"]).split(";") if "=" in t)
    policy = tags.get("p", "").strip().lower()
    if sends and policy == "none":
        draft.note(fix, "DMARC is at p=none (monitoring): once the aggregate reports show your own "
                        "senders pass, change it to p=quarantine, then p=reject; left unchanged here")
    elif not sends and policy != "reject":
        draft.note(fix, f"DMARC is at p={policy or '?'} although the domain sends no mail: set p=reject; "
                        "an existing DMARC record is left for a person to change")
