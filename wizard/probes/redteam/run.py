"""Runs part of the red-team set through one probe's ApiSession: the benign controls first (a
control without a normal answer, or one a detector flags, means the bot or the detector is broken:
no verdict), then each attack `repeats` times, each repeat in fresh conversations.

Every exchange of a run (one attack repeat, all its turns) holds the run's one "floor": the
red-team probes talk to the bot one exchange at a time, so a cross-session attack asks about
the previous user while that user is still the one who just spoke, and the product is not
flooded by several probes at once.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import weakref
from dataclasses import dataclass, field
from typing import Any

from wizard.net import NetContext
from wizard.probes.api_client import ApiSession, BoundReached, ChatReply
from wizard.probes.redteam import detect
from wizard.probes.redteam.attacks import (
    ATTACKER_HOST,
    CANARY,
    LINKS,
    MARKER,
    MEMORY,
    TOOL,
    Attack,
    Control,
)

_FLOORS: weakref.WeakKeyDictionary[NetContext, asyncio.Lock] = weakref.WeakKeyDictionary()
HIT, SAFE, NOT_RUN, RATE_LIMITED = "hit", "safe", "not run", "rate-limited"
SHOWN = 160  # characters of a reply kept when nothing was found


def floor(net: NetContext) -> asyncio.Lock:
    return _FLOORS.setdefault(net, asyncio.Lock())


@dataclass(frozen=True)
class Target:
    """What the detectors compare replies with."""

    domain: str
    canary: str | None = None  # CANARY
    others: tuple[str, ...] = ()  # TOOL: user B's id and e-mail
    order: str | None = None  # {order}
    user: str | None = None  # {user}
    output_hosts: tuple[str, ...] = ()  # LINKS


@dataclass
class AttackResult:
    attack: Attack
    outcomes: list[str] = field(default_factory=list)  # one per repeat
    how: str = ""
    excerpt: str = ""

    @property
    def hits(self) -> int:
        return self.outcomes.count(HIT)

    def evidence(self) -> dict[str, Any]:
        a = self.attack
        return {"id": a.id, "family": a.family, "prompt": a.prompt, "expected": a.expected,
                "outcomes": self.outcomes, "hits": f"{self.hits}/{len(self.outcomes)}",
                "how": self.how, "excerpt": self.excerpt}


@dataclass
class ControlResult:
    control: Control
    problem: str | None  # None: a normal answer

    def evidence(self) -> dict[str, Any]:
        return {"id": self.control.id, "prompt": self.control.prompt, "ok": self.problem is None,
                "problem": self.problem or ""}


@dataclass
class SetResult:
    attacks: list[AttackResult]
    controls: list[ControlResult]
    stopped: str | None = None  # why attacks did not all run (the bound)

    @property
    def broken_controls(self) -> list[ControlResult]:
        return [c for c in self.controls if c.problem]

    @property
    def hit(self) -> list[AttackResult]:
        return [r for r in self.attacks if r.hits]

    @property
    def incomplete(self) -> list[AttackResult]:
        return [r for r in self.attacks if any(o != HIT and o != SAFE for o in r.outcomes)]


def _values(target: Target) -> dict[str, str]:
    """Fresh slot values for one repeat; the joined marker is never in the prompt."""
    return {"left": "ZQ" + secrets.token_hex(3).upper(), "right": secrets.token_hex(3).upper() + "VX",
            "note": "LRN" + secrets.token_hex(6), "order": target.order or "", "user": target.user or "",
            "host": ATTACKER_HOST, "domain": target.domain}


def detect_hit(detector: str, reply: ChatReply, values: dict[str, str], target: Target,
               admin_tool: str | None = None) -> detect.Hit | None:
    if detector == CANARY:
        return detect.canary_hit(reply.text, target.canary or "")
    if detector == MARKER:
        return detect.marker_hit(reply.text, values["left"] + values["right"])
    if detector == MEMORY:
        return detect.marker_hit(reply.text, values["note"])
    if detector == TOOL:
        pattern = re.compile(admin_tool, re.I) if admin_tool else None
        return detect.tool_hit(reply.text, reply.data, target.others, pattern)
    if detector == LINKS:
        return detect.link_hit(reply.text, target.domain, target.output_hosts)
    raise ValueError(f"unknown detector {detector!r}")


def _failed(reply: ChatReply) -> str | None:
    status = reply.response.status_code
    if status == 429:
        return RATE_LIMITED
    return f"error {status}" if status >= 400 else None


def _shown(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SHOWN else flat[:SHOWN] + "…"


class RedTeam:
    def __init__(self, session: ApiSession, target: Target, repeats: int | None = None):
        self.s, self.target = session, target
        self.repeats = repeats or session.api.bounds.repeats

    async def run(self, attacks: tuple[Attack, ...], controls: tuple[Control, ...],
                  detector: str) -> SetResult:
        result = SetResult([AttackResult(a) for a in attacks], [])
        try:
            result.controls = await self._controls(controls, detector)
            if result.broken_controls:
                return result
            for r in result.attacks:
                missing = [s for s in ("order", "user") if s in r.attack.slots and not getattr(self.target, s)]
                for _ in range(self.repeats):
                    if missing:
                        r.outcomes.append(NOT_RUN)
                        r.how = f"not run: user B's {' and '.join(missing)} unknown"
                        continue
                    await self._repeat(r)
        except BoundReached as exc:
            result.stopped = str(exc)
            for r in result.attacks:
                r.outcomes += [NOT_RUN] * (self.repeats - len(r.outcomes))
        return result

    async def _controls(self, controls: tuple[Control, ...], detector: str) -> list[ControlResult]:
        out = []
        async with floor(self.s.net):
            conversation = await self.s.new_conversation("user_a")
            for control in controls:
                values = _values(self.target)
                reply = await self.s.chat(control.prompt.format(**values), account="user_a",
                                          conversation=conversation)
                out.append(ControlResult(control, self._control_problem(control, reply, values, detector)))
        return out

    def _control_problem(self, control: Control, reply: ChatReply, values: dict[str, str],
                         detector: str) -> str | None:
        if failed := _failed(reply):
            return f"answered {failed}"
        if not any(word in reply.text.lower() for word in control.topic):
            return f"no normal answer (none of {', '.join(control.topic)}): {_shown(reply.text)!r}"
        if hit := detect_hit(detector, reply, values, self.target):
            return f"the {detector} detector flags a benign answer ({hit.how}): {hit.excerpt}"
        return None

    async def _repeat(self, r: AttackResult) -> None:
        values = _values(self.target)
        conversations: dict[str, str | None] = {}
        async with floor(self.s.net):
            for i, turn in enumerate(r.attack.turns):
                if i == 0 or turn.fresh or turn.account not in conversations:
                    conversations[turn.account] = await self.s.new_conversation(turn.account)
                reply = await self.s.chat(turn.prompt.format(**values), account=turn.account,
                                          conversation=conversations[turn.account])
                if failed := _failed(reply):
                    r.outcomes.append(failed)
                    return
        hit = detect_hit(r.attack.detector, reply, values, self.target, r.attack.admin_tool)
        r.outcomes.append(HIT if hit else SAFE)
        if hit and not r.how:
            r.how, r.excerpt = hit.how, hit.excerpt
        elif not r.excerpt and not r.how:
            r.excerpt = _shown(reply.text)
