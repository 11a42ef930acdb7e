"""`launch-ready api discover`: show what the OpenAPI document gave, ask what it left open (on a
terminal; `--answer` otherwise), and write the api: section only after a yes (or `--yes`)."""

from __future__ import annotations

import asyncio
import sys

from wizard.application.discover_api import (
    as_answers,
    describe,
    propose,
    save,
    unanswered,
)
from wizard.application.open_sprint import OpenSprint
from wizard.errors import UsageError
from wizard.vault import redact

EXIT_OK = 0


def say(text: str = "", end: str = "\n") -> None:
    """stdout, redacted: the document's text (summaries, examples) is the product's, not ours."""
    print(redact(text), end=end)


def discover(args, op: OpenSprint) -> int:
    proposal = asyncio.run(propose(op, args.openapi, base_url=args.base_url,
                                   environment=args.environment))
    proposal.answers.update(as_answers(args.answer))
    for line in describe(proposal, op.config):
        say(line)
    asking = sys.stdin.isatty() and not args.yes
    for question in unanswered(proposal):
        if asking:
            proposal.answers[question.key] = _ask(question)
        else:
            say(f"not answered, left unset: {question.key}: {question.prompt} "
                  f"(--answer '{question.key}=VALUE' to set it)")
    say()
    say(proposal.section_yaml(op.config), end="")
    if not (args.yes or (asking and _confirm(f"Write this api: section to {op.sprint.config_path}?"))):
        say("nothing was written" + ("" if asking else "; re-run with --yes to write it"))
        return EXIT_OK
    save(op, proposal)
    say(f"wrote the api: section to {op.sprint.config_path}; the credentials user-a and user-b "
          f"are still needed: `launch-ready credentials {op.name} set user-a`")
    return EXIT_OK


def _ask(question) -> str:
    """One question: a numbered choice, a free value when there are no choices, or none."""
    say(f"? {question.prompt}")
    for number, choice in enumerate(question.choices, 1):
        say(f"  {number}. {choice}")
    default = question.default or "none"
    answer = input(f"  choose {'1-' + str(len(question.choices)) + ', ' if question.choices else ''}"
                   f"a value or 'none' [{default}]: ").strip()
    if not answer:
        return default
    if answer.isdigit() and question.choices:
        index = int(answer) - 1
        if not 0 <= index < len(question.choices):
            raise UsageError(f"{answer}: choose 1-{len(question.choices)} or 'none'")
        return question.choices[index]
    return answer


def _confirm(prompt: str) -> bool:
    return input(f"{prompt} [y/N] ").strip().lower() in ("y", "yes")
