"""The sprint's credentials as both faces use them: storing one (a Global API Key refused) and
verifying the Cloudflare token against what the sprint needs."""

from __future__ import annotations

from dataclasses import dataclass

from wizard.application.open_sprint import OpenSprint
from wizard.edge.access import (
    NOT_NEEDED,
    TokenReport,
    check_token,
    looks_like_global_key,
    reads,
    token_recipe,
)
from wizard.errors import UsageError
from wizard.vault import Secret

__all__ = ["NOT_NEEDED", "WRITES_NEEDED", "TokenCheck", "store", "verify_token"]

# What a read-only verification cannot prove; the fixes need these.
WRITES_NEEDED = "DNS, Zone Settings, Dynamic Redirect, Cache Rules and Bot Management · Edit"


def store(op: OpenSprint, name: str, value: str) -> None:
    """Keep a credential in the keyring; a Global API Key is refused (UsageError, exit 2)."""
    if name == "cloudflare-token" and looks_like_global_key(value):
        raise UsageError("that is a Global API Key, which can do anything in every zone; "
                         "launch-ready only uses API tokens. " + token_recipe(op.zone))
    op.vault.set(name, value)


@dataclass(frozen=True)
class TokenCheck:
    secret: Secret
    report: TokenReport
    recipe: str  # the least-privilege token to create, for this sprint's zone and needs
    monitoring: bool

    @property
    def headline(self) -> str:
        status = self.report.status or "unknown to the user-token endpoint (an account token?)"
        expiry = f", expires {self.report.expires_on}" if self.report.expires_on else ", no expiry"
        return f"token {self.secret.masked} from {self.secret.source}: {status}{expiry}"

    def rows(self) -> list[tuple[str, str, str]]:
        """(permission, purpose, state) for each read the sprint needs."""
        return [(permission, purpose, self.report.reads.get(permission, "not checked"))
                for permission, purpose in reads(self.monitoring)]


async def verify_token(op: OpenSprint) -> TokenCheck:
    """The token's status and each read the sprint needs, tried once. No token: the vault's line
    on what is missing (exit 2 or 3)."""
    secret = op.vault.require("cloudflare-token")
    monitoring = bool(op.config.monitoring.urls)  # health checks: ops.monitoring, cf.healthchecks
    async with op.net() as net:
        report = await check_token(secret.value, op.zone, net, op.config.cloudflare.api_base_url,
                                   monitoring)
    return TokenCheck(secret, report, token_recipe(op.zone, monitoring), monitoring)
