"""Cloud and hosting platforms: AWS, Cloudflare, DigitalOcean, Vercel, Netlify, Supabase."""

from __future__ import annotations

import base64
import json
from typing import Any

from wizard.probes.secrets.base import NAMED, Candidate, L, R, rule

_CF_ROTATION = ("Roll or delete it in the Cloudflare dashboard (My Profile > API Tokens, or the "
                "account's API Tokens); the Global API Key: My Profile > API Tokens > Global API "
                "Key > Change. Prefer scoped tokens to the global key.")


def jwt_payload(token: str) -> dict[str, Any] | None:
    try:
        part = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def _supabase(c: Candidate) -> str | None:
    payload = jwt_payload(c.secret)
    if payload is None:
        return None
    if payload.get("iss") == "supabase-demo":
        return "info"  # the CLI's local development keys: the same for everyone, published
    role = payload.get("role")
    if role == "service_role":
        return "blocker"
    if role == "anon":
        return "info"
    return None


def _aws_key_id(c: Candidate) -> str | None:
    """A key id in a presigned URL's X-Amz-Credential is there by design (the URL is signed and
    expires): info. Anywhere else it is half of a key pair."""
    return "info" if c.before(40).lower().endswith("x-amz-credential=") else "blocker"


RULES = (
    rule("aws-access-key-id", "AWS", "blocker",
         L + r"(?P<secret>A(?:KIA|SIA|BIA|CCA)[A-Z0-9]{16})" + R, ("akia", "asia", "abia", "acca"),
         "Deactivate and delete the access key in IAM (Security credentials), create a new one, "
         "check CloudTrail for its use (in a presigned URL the key id is expected: check the URL "
         "was meant to be shared and expires).", validate=_aws_key_id),
    rule("aws-secret-access-key", "AWS", "blocker",
         r"(?i:aws_?secret_?(?:access_?)?key|secret_?access_?key)" + NAMED
         + r"(?P<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])",
         ("secret_access", "secretaccess", "aws_secret", "awssecret"),
         "Deactivate and delete the access key pair in IAM, create a new one, check CloudTrail."),
    rule("cloudflare-api-token", "Cloudflare", "blocker",
         r"(?i:(?:cloudflare|cf)[\w\-]{0,24}(?:token|key))" + NAMED
         + r"(?P<secret>[A-Za-z0-9_\-]{40})(?![A-Za-z0-9_\-])", ("cloudflare", "cf_", "cf-"),
         _CF_ROTATION),
    # The scannable formats (2026): cfk_ global key, cfut_ user token, cfat_ account token.
    rule("cloudflare-scannable-token", "Cloudflare", "blocker",
         L + r"(?P<secret>cf(?:k|ut|at)_[A-Za-z0-9]{40,50})" + R, ("cfk_", "cfut_", "cfat_"),
         _CF_ROTATION),
    # The Global API Key before 2026: 37 to 45 lower-case hex, next to a Cloudflare name or in
    # the X-Auth-Key header.
    rule("cloudflare-global-api-key", "Cloudflare", "blocker",
         r"(?:(?i:(?:cloudflare|cf)[\w\-]{0,24}(?:key|auth))" + NAMED
         + r"""|(?i:x-auth-key)["']?\s{0,3}+[:=,]\s{0,3}+["']?)"""
         r"(?P<secret>[0-9a-f]{37,45})(?![0-9A-Za-z_\-])", ("cloudflare", "cf_", "cf-", "x-auth-key"),
         _CF_ROTATION),
    rule("cloudflare-origin-ca-key", "Cloudflare", "blocker",
         L + r"(?P<secret>v1\.0-[0-9a-f]{24}-[0-9a-f]{146})" + R, ("v1.0-",),
         "Change the Origin CA key in the Cloudflare dashboard (My Profile > API Tokens > Origin "
         "CA Key > Change)."),
    rule("digitalocean-token", "DigitalOcean", "blocker",
         L + r"(?P<secret>do[por]_v1_[a-f0-9]{64})" + R, ("dop_v1_", "doo_v1_", "dor_v1_"),
         "Delete the token in the DigitalOcean control panel (API > Tokens) and create a new one; "
         "OAuth tokens: revoke them in the application's settings."),
    rule("vercel-token", "Vercel", "blocker",
         L + r"(?P<secret>vc[pikar]_[A-Za-z0-9]{24,80})" + R, ("vcp_", "vci_", "vck_", "vca_", "vcr_"),
         "Delete it at vercel.com/account/tokens (or the team's or integration's settings), create "
         "a new one, and rotate the environment variables it could read."),
    rule("netlify-token", "Netlify", "blocker",
         L + r"(?P<secret>nf[pcoub]_[A-Za-z0-9_\-]{36})" + R, ("nfp_", "nfc_", "nfo_", "nfu_", "nfb_"),
         "Revoke it in Netlify (User settings > Applications > Personal access tokens) and create "
         "a new one."),
    rule("supabase-jwt", "Supabase", "blocker",
         L + r"(?P<secret>eyJ[A-Za-z0-9_\-]{10,}\.eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{10,})" + R,
         ("eyj",), "Rotate the JWT secret (Project settings > API; or move to the new API keys) and "
         "use the service_role key only on the server.", validate=_supabase, random=False),
    rule("supabase-secret-key", "Supabase", "blocker",
         L + r"(?P<secret>sb_secret_[A-Za-z0-9_\-]{20,80})" + R, ("sb_secret_",),
         "Delete the secret key in the Supabase dashboard (Project settings > API Keys) and create "
         "a new one; use it only on the server."),
    rule("supabase-access-token", "Supabase", "blocker",
         L + r"(?P<secret>sbp_[a-f0-9]{40})" + R, ("sbp_",),
         "Revoke the access token at supabase.com/dashboard/account/tokens and create a new one."),
)
