"""One clearly labelled test alert through the sprint's alert route (`monitoring.alert`), so a
person can confirm it reached them: a Slack or Discord incoming webhook, a generic JSON webhook,
or e-mail over SMTP (STARTTLS, TLS from the start, or plain).

The webhook URL is a secret (the keyring's alert-webhook) and usually lives outside the sprint's
domain, so it goes through `NetContext.post_alert`, the one request allowed outside the scope;
it is never shown, only masked. SMTP runs smtplib in a thread with the network timeout on every
socket wait; the server's name is resolved and routed like every other connection (the sprint's
resolver and connect_to), and TLS verifies that name against the sprint's trust store.
"""

from __future__ import annotations

import asyncio
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import httpx

from wizard.net import NetContext
from wizard.sections import Alert
from wizard.sprint import SprintConfig
from wizard.vault import Vault, mask


class AlertNotConfigured(Exception):
    """monitoring.alert or its credential is incomplete: nothing was sent."""


class AlertFailed(Exception):
    """The route refused the alert or could not be reached; the message names why, never the URL."""


@dataclass(frozen=True)
class SentAlert:
    route: str  # slack, discord, webhook or smtp
    sent_at: datetime
    text: str
    detail: dict[str, Any] = field(default_factory=dict)  # what the route answered, where it went


def alert_text(sprint: str, at: datetime) -> str:
    return f"launch-ready test alert for {sprint} — no action needed, {at:%Y-%m-%d %H:%M} UTC"


def webhook_payload(kind: str, text: str, sprint: str, at: datetime) -> dict[str, Any]:
    """The JSON each webhook kind takes: Slack's `text`, Discord's `content`, or a generic event."""
    if kind == "slack":
        return {"text": text}
    if kind == "discord":
        return {"content": text}
    return {"text": text, "source": "launch-ready", "kind": "test", "sprint": sprint,
            "sent_at": at.isoformat(timespec="seconds")}


async def send_test_alert(config: SprintConfig, net: NetContext, vault: Vault) -> SentAlert:
    """Send one test alert through monitoring.alert; raises AlertNotConfigured or AlertFailed."""
    alert = config.monitoring.alert
    if alert.kind is None:
        raise AlertNotConfigured("no alert route: set monitoring.alert.kind (slack, discord, webhook or smtp)")
    at = datetime.now(UTC)
    text = alert_text(config.name, at)
    if alert.kind == "smtp":
        detail = await _send_mail(config, alert, net, vault, text)
    else:
        detail = await _post(config, alert.kind, net, vault, text, at)
    return SentAlert(alert.kind, at, text, detail)


async def _post(config: SprintConfig, kind: str, net: NetContext, vault: Vault, text: str,
                at: datetime) -> dict[str, Any]:
    secret = vault.get("alert-webhook")
    if secret is None:
        raise AlertNotConfigured(
            f"no alert-webhook credential: run `launch-ready credentials {config.name} set "
            "alert-webhook`, or set LAUNCH_READY_ALERT_WEBHOOK")
    where = {"webhook": secret.masked, "credential_from": secret.source}
    name = {"slack": "the Slack webhook", "discord": "the Discord webhook"}.get(kind, "the alert webhook")
    try:
        response = await net.post_alert(secret.value, webhook_payload(kind, text, config.name, at))
    except httpx.InvalidURL:
        raise AlertFailed(f"the alert-webhook credential ({secret.masked}) is not a URL") from None
    except httpx.TimeoutException:
        raise AlertFailed(f"{name} did not answer within {net.timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        reason = (str(exc) or type(exc).__name__).replace(secret.value, secret.masked)
        raise AlertFailed(f"{name} could not be reached: {reason}") from None
    if not 200 <= response.status_code < 300:
        raise AlertFailed(f"{name} answered {response.status_code} "
                          f"{response.text[:80].strip()!r}".rstrip())
    return {**where, "status": response.status_code}


# ---------------------------------------------------------------- SMTP


class _Routed:
    """Connects to `address` (resolved and routed by the net context) while the SMTP session,
    and so TLS's server name and verification, keep the configured host name."""

    address: str | None = None

    def _get_socket(self, host, port, timeout):
        self._host = host  # smtplib's server name for TLS (only set when the constructor connects)
        return super()._get_socket(self.address or host, port, timeout)  # type: ignore[misc]


class _RoutedSMTP(_Routed, smtplib.SMTP):
    pass


class _RoutedSMTPS(_Routed, smtplib.SMTP_SSL):
    pass


def _message(config: SprintConfig, alert: Alert, text: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = f"launch-ready test alert for {config.name}"
    message["From"] = alert.smtp_from or alert.smtp_user or f"launch-ready@{config.target.domain}"
    message["To"] = ", ".join(alert.smtp_to)
    message["X-Launch-Ready"] = "test-alert"
    message.set_content(text + "\n\nSent by launch-ready to check that alerts reach you.\n")
    return message


async def _send_mail(config: SprintConfig, alert: Alert, net: NetContext, vault: Vault,
                     text: str) -> dict[str, Any]:
    if not alert.smtp_host or not alert.smtp_to:
        raise AlertNotConfigured("smtp alerts need monitoring.alert.smtp_host and smtp_to")
    password = None
    if alert.smtp_user:
        secret = vault.get("smtp-password")
        if secret is None:
            raise AlertNotConfigured(
                f"no smtp-password credential for {alert.smtp_user}: run `launch-ready credentials "
                f"{config.name} set smtp-password`, or set LAUNCH_READY_SMTP_PASSWORD")
        password = secret.value
    host, port = alert.smtp_host, alert.smtp_port
    net.budget.spend(f"SMTP test alert via {host}:{port}")
    target, target_port = net.route(host, port)
    try:
        address = (await net.addresses(target))[0]
    except Exception as exc:  # httpcore's errors from the resolver
        raise AlertFailed(f"the SMTP server {host} could not be found: {exc}") from None
    message = _message(config, alert, text)

    def send() -> str:
        client = (_RoutedSMTPS(timeout=net.timeout_s, context=net.ssl_context) if alert.smtp_tls == "tls"
                  else _RoutedSMTP(timeout=net.timeout_s))
        client.address = address
        with client:
            client.connect(host, target_port)
            client.ehlo()
            if alert.smtp_tls == "starttls":
                client.starttls(context=net.ssl_context)
                client.ehlo()
            if alert.smtp_user and password is not None:
                client.login(alert.smtp_user, password)
            refused = client.send_message(message)
        return ", ".join(refused) if refused else ""

    try:
        async with asyncio.timeout(net.timeout_s * 6):  # connect, greet, TLS, login, send, quit
            refused = await asyncio.to_thread(send)
    except TimeoutError:
        raise AlertFailed(f"the SMTP server {host}:{port} did not finish within {net.timeout_s * 6:g} s") from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if password:
            reason = reason.replace(password, mask(password))
        raise AlertFailed(f"the SMTP server {host}:{port} refused the alert: {reason}") from None
    detail: dict[str, Any] = {"server": f"{host}:{port}", "tls": alert.smtp_tls, "to": list(alert.smtp_to),
                              "connected_to": f"{address}:{target_port}"}
    if refused:
        detail["refused_recipients"] = refused
    return detail
