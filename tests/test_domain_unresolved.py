"""A domain that does not resolve (a typo, not registered yet) or a resolver that does not answer
(no network) gives one clear finding on dns.nameservers; the checks of names under the domain say
"not checked" with that cause instead of false failures, without asking DNS themselves."""

from __future__ import annotations

import json
import socket

from stages.checks import bundle as bundle_checks
from stages.checks import email as email_checks
from stages.checks import web as web_checks
from stages.checks.dns_resolves import DNS_RESOLVES
from wizard.cli import main
from wizard.engine import RunContext, run_checks
from wizard.findings import Finding, Severity, Status
from wizard.net import NetContext
from wizard.sprint import Email, Sprint, SprintConfig, Target

TYPO = "acme.exmaple"  # the sandbox's resolver answers NXDOMAIN for it, as the internet would
CHECKS = [*web_checks.STAGE1_CHECKS, *email_checks.STAGE1_CHECKS, *bundle_checks.BUNDLE_CHECKS, DNS_RESOLVES,
          *web_checks.STAGE3_CHECKS]


def closed_port() -> str:
    """A loopback UDP port where nothing listens."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


async def run(sprint: Sprint, config: SprintConfig) -> tuple[dict[str, Finding], int]:
    """Each check's one finding, and how many requests (DNS and HTTP) the whole run sent."""
    async with NetContext(config.network, config.target.domain, sprint.root) as net:
        result = await run_checks(CHECKS, RunContext(config, net))
    by_id = {f.id: f for f in result.findings}
    assert len(by_id) == len(result.findings) == len(CHECKS), result.findings
    return by_id, net.budget.used


async def test_a_domain_that_does_not_exist_is_one_failing_blocker(sprint):
    config = SprintConfig(name="typo", target=Target(domain=TYPO, hosts=[TYPO, f"www.{TYPO}"],
                                                     pages=[f"https://{TYPO}/"]),
                          email=Email(dkim_selectors=["s1"]), network=sprint.load_config().network)
    found, sent = await run(sprint, config)
    owner = found.pop("dns.nameservers")
    assert (owner.status, owner.severity) == (Status.FAIL, Severity.BLOCKER)
    assert owner.summary == (f"{TYPO} does not exist in DNS (NXDOMAIN): check target.domain for a "
                             "typo, or register it")
    for f in found.values():
        assert f.status is Status.SKIPPED, f
        assert f.summary == f"not checked: {TYPO} does not exist in DNS (NXDOMAIN); see dns.nameservers"
    everything = json.dumps([f.model_dump(mode="json") for f in [owner, *found.values()]])
    assert "no SPF record" not in everything and "no DMARC record" not in everything
    assert sent == 1  # the apex's NS question, asked once for every check


async def test_an_unreachable_resolver_is_one_error_the_others_do_not_wait_for(sprint):
    config = sprint.load_config()
    resolver = closed_port()
    config.network.nameservers, config.network.timeout_s = [resolver], 1
    found, sent = await run(sprint, config)
    cause = f"the resolver is unreachable (no answer from {resolver} within 1 s)"
    owner = found.pop("dns.nameservers")
    assert (owner.status, owner.severity) == (Status.ERROR, Severity.BLOCKER)
    assert owner.summary == f"{cause}: no network, or network.nameservers is wrong"
    for f in found.values():
        assert (f.status, f.summary) == (Status.ERROR, f"not checked: {cause}; see dns.nameservers"), f
    assert sent == 1  # no check sent a DNS question (or an HTTP request) of its own


def test_check_still_prints_the_report_when_the_resolver_is_unreachable(sprint, capsys):
    config = sprint.load_config()
    config.network.nameservers, config.network.timeout_s = [closed_port()], 1
    sprint.save_config(config)
    main(["check", "acme", "--only", "dns.*", "--only", "email.*", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    owner = next(f for f in report["findings"] if f["id"] == "dns.nameservers")
    assert (owner["status"], owner["severity"]) == ("error", "blocker")
    assert "the resolver is unreachable" in owner["summary"]
