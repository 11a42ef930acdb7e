"""The open sprint: its folder and lock, its config and progress, and what a use-case needs from
them, each derived in one place: the zone, the vault, a net context per run, the Cloudflare client.

The CLI builds one per command (`OpenSprint.load`), the TUI keeps one for the session; every
use-case in wizard.application takes it instead of (sprint, config, progress) apart.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property
from typing import TYPE_CHECKING

from wizard.net import NetContext
from wizard.sprint import Progress, Sprint, SprintConfig
from wizard.vault import Vault

if TYPE_CHECKING:
    from cloudflare import Cloudflare


class OpenSprint:
    def __init__(self, sprint: Sprint, config: SprintConfig, progress: Progress | None = None):
        self.sprint = sprint
        self.config = config
        self.progress = progress if progress is not None else Progress()

    @classmethod
    def load(cls, ref: str | Sprint) -> OpenSprint:
        """By name or path (or an already found Sprint): config and progress read and validated;
        a file that cannot be used is SprintFileError (exit 2)."""
        sprint = ref if isinstance(ref, Sprint) else Sprint.find(ref)
        return cls(sprint, sprint.load_config(), sprint.load_progress())

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def zone(self) -> str:
        """The Cloudflare zone the fixes change: cloudflare.zone, else the domain."""
        return self.config.zone

    @cached_property
    def vault(self) -> Vault:
        return Vault(self.config.name, self.sprint.root)

    def net(self) -> NetContext:
        """A fresh net context for one run (its request budget is per run)."""
        return NetContext(self.config.network, self.config.target.domain, self.sprint.root,
                          also=self.config.scope_hosts)

    @asynccontextmanager
    async def cloudflare(self) -> AsyncIterator[tuple[Cloudflare, NetContext]]:
        """The SDK client with the sprint's token (or the line saying what is missing) and the
        net context it spends its requests from."""
        from wizard.edge.client import build_client  # the SDK loads only when a use-case needs it

        secret = self.vault.require("cloudflare-token")
        async with self.net() as net:
            yield build_client(secret.value, net, self.config.cloudflare.api_base_url), net

    def save(self) -> None:
        self.sprint.save_progress(self.progress)

    def save_config(self, config: SprintConfig) -> None:
        self.sprint.save_config(config)
        self.config = config
        self.__dict__.pop("vault", None)  # derived from the config: derive it again
