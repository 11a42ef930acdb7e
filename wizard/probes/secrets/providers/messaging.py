"""Messaging and email: Slack, Discord, Telegram, Twilio, SendGrid, Resend, Postmark, Mailgun."""

from __future__ import annotations

import base64
import binascii
import re

from wizard.probes.secrets.base import NAMED, UUID_RE, Candidate, L, R, rule


def _twilio_token(c: Candidate) -> str | None:
    window = c.around(2000)
    if "twilio" in window.lower() or re.search(r"AC[0-9a-f]{32}", window):
        return "blocker"
    return None


def _discord(c: Candidate) -> str | None:
    """A bot token's first part is the bot's user id (17 to 20 digits) in base64."""
    head = c.secret.split(".", 1)[0]
    try:
        user_id = base64.b64decode(head + "=" * (-len(head) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        user_id = b""
    if user_id.isdigit() and 17 <= len(user_id) <= 20:
        return "blocker"
    return "blocker" if c.group("name") else None


RULES = (
    rule("slack-token", "Slack", "blocker",
         L + r"(?P<secret>xox[abprse]-[0-9A-Za-z\-]{10,}|xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,}"
         r"|xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]+)" + R, ("xox", "xapp-"),
         "Revoke the token at api.slack.com/apps (OAuth & Permissions > revoke; app-level and "
         "configuration tokens: Basic Information) and reinstall."),
    # Incoming webhooks (services), Workflow Builder webhooks (workflows) and triggers, over
    # https or http.
    rule("slack-webhook", "Slack", "blocker",
         r"hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>T[A-Z0-9]{6,}/"
         r"(?:B[A-Z0-9]{6,}|A[A-Z0-9]{6,}/\d{6,}|\d{6,})/[A-Za-z0-9]{20,})",
         ("hooks.slack.com/",), "Remove the webhook in the Slack app (Incoming Webhooks, or the "
         "workflow's trigger) and create a new URL."),
    rule("discord-bot-token", "Discord", "blocker",
         r"(?:(?P<name>(?i:discord)[\w\-]{0,30}+)" + NAMED + r"|(?<![A-Za-z0-9])(?i:bot)\s{1,3}+)"
         r"(?P<secret>[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,40})" + R,
         ("discord", "bot "), "Reset the token in the Discord Developer Portal (the application's "
         "Bot page > Reset Token) and update the bot.", validate=_discord),
    # Bot id, a colon, 35 characters starting with A. Found next to a Telegram name, in a Bot
    # API URL, or bare when the secret starts with AA (the keyword `:aa`, 8 to 10 digits back).
    rule("telegram-bot-token", "Telegram", "blocker",
         r"(?:(?i:telegram)[\w\-]{0,30}+" + NAMED + r"|(?i:api\.telegram\.org/bot)"
         r"|(?<![0-9A-Za-z_:]))(?P<secret>\d{5,16}:A[A-Za-z0-9_\-]{34})" + R,
         ("telegram", "api.telegram.org/bot", ":aa"),
         "Revoke the token with @BotFather (/revoke) and update the bot with the new one.",
         offsets=(0, 8, 9, 10)),
    rule("twilio-api-key", "Twilio", "blocker", L + r"(?P<secret>SK[0-9a-f]{32})" + R, ("sk",),
         "Delete the API key in the Twilio console (Account > API keys) and create a new one."),
    rule("twilio-auth-token", "Twilio", "blocker",
         r"(?i:twilio\w{0,20}|auth_?token)" + NAMED + r"(?P<secret>[0-9a-fA-F]{32})(?![0-9a-fA-F])",
         ("twilio", "auth_token", "authtoken"),
         "Rotate the auth token in the Twilio console (Account > API keys & tokens).",
         validate=_twilio_token),
    rule("sendgrid-api-key", "SendGrid", "blocker",
         L + r"(?P<secret>SG\.[A-Za-z0-9_\-]{22}\.[A-Za-z0-9_\-]{43})" + R, ("sg.",),
         "Delete it in SendGrid (Settings > API Keys) and create a new restricted key."),
    rule("resend-api-key", "Resend", "blocker",
         L + r"(?P<secret>re_[A-Za-z0-9]{8,10}_[A-Za-z0-9]{20,32})" + R, ("re_",),
         "Delete the key at resend.com/api-keys and create a new one (sending access only, if "
         "that is all it needs)."),
    # Postmark's server and account tokens are UUIDs: found next to a Postmark name, in the
    # X-Postmark-Server-Token header, or given to the client's constructor.
    rule("postmark-token", "Postmark", "blocker",
         r"(?:(?i:postmark)[\w\-]{0,30}+" + NAMED
         + r"""|(?i:postmark\.(?:Server|Account)?Client)\(\s{0,3}+["'])(?P<secret>""" + UUID_RE + ")" + R,
         ("postmark",), "Reset the token in Postmark (the server's API Tokens tab, or Account > "
         "API Tokens) and update the app."),
    rule("mailgun-api-key", "Mailgun", "blocker",
         r"(?:(?i:mailgun|mg[_\-])[\w\-]{0,30}+" + NAMED + "|" + L + r")"
         r"(?P<secret>key-[0-9a-z]{32}|[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})" + R,
         ("key-", "mailgun", "mg_", "mg-"),
         "Delete or rotate the key in Mailgun (API Security > API keys, or the domain's sending "
         "keys) and update the app."),
)
