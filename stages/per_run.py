"""Work shared by several checks of one run (the zone state, the mail policy), done once.

Keyed on the run's NetContext (one per run): the first check to ask starts the work, the others
await the same task. The task is shielded, so one check timing out does not cancel it for the rest.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import TypeVar

from wizard.net import NetContext

T = TypeVar("T")

_RUNS: weakref.WeakKeyDictionary[NetContext, dict[str, asyncio.Future]] = weakref.WeakKeyDictionary()


async def once(net: NetContext, key: str, work: Callable[[], Awaitable[T]]) -> T:
    slots = _RUNS.setdefault(net, {})
    task = slots.get(key)
    if task is None:
        task = slots[key] = asyncio.ensure_future(work())
    return await asyncio.shield(task)
