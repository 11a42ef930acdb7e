"""logs.sensitive-payloads (stage 2, "logging does not store full prompts"): two subjects.

- repo: logging calls in the product's source (repo.path) that write request bodies, prompts,
  messages or auth headers: Python (logging/logger.*, print) and JS/TS (console.*, logger.*,
  pino, winston). One finding listing file:line; FAIL when an auth header is logged (a secret),
  WARN for prompts and bodies; one line at a time, so a call spread over lines is missed.
- runtime: with api.logs_command set, one chat message carrying a fresh canary as user A, then
  the command (no shell, the network timeout, 1 MiB of output at most) and its output searched
  for the canary (a full prompt is logged) and the Authorization token (a secret is logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import secrets
import shlex
from pathlib import PurePosixPath

from stages.base import Check
from stages.checks.secrets import repo_path
from wizard.engine import RunContext
from wizard.findings import Finding, Severity, Status
from wizard.probes.api_client import ApiProblem, ApiSession
from wizard.probes.secrets.repo import GitError, list_files, read_bounded, repo_root
from wizard.vault import mask

MAX_OUTPUT = 1024 * 1024
MAX_LOCATIONS = 50
SOURCE_EXT = (".py", ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs")
SKIP_PARTS = {"node_modules", "dist", "build", "vendor", ".venv", "venv", "tests", "test", "__tests__"}
SKIP_NAME = re.compile(r"(?:^test_|_test\.py$|\.(?:test|spec)\.[jt]sx?$|\.min\.js$)")

_PY_LOG = re.compile(r"\b(?:logging|log|logger|_logger|LOGGER|LOG|\w+\.logger)\s*\.\s*"
                     r"(?:debug|info|warning|warn|error|exception|critical|log)\s*\(|(?<![\w.])print\s*\(")
_JS_LOG = re.compile(r"\b(?:console|logger|log|pino|winston|\w+\.log|\w+\.logger)\s*\.\s*"
                     r"(?:log|debug|info|warn|error|trace|fatal)\s*\(")
_AUTH_KEY = re.compile(r"""headers\s*(?:\[\s*["'`]authorization["'`]\s*\]|\.get\(\s*["'`]authorization["'`])""",
                       re.I)
_AUTH = re.compile(r"\bauthorization\b|\b(?:req|request)\.headers\b(?!\s*[.\[])", re.I)
_PAYLOAD = re.compile(r"""\b(?:req|request|ctx\.request)\s*\.\s*(?:body|json|data|form|get_json\s*\(\s*\)|"""
                      r"""get_data\s*\(\s*\))(?!\w)|\b(?:prompt|prompts|messages|user_message|"""
                      r"""system_prompt|completion_request)\b""")
_LENGTH = re.compile(r"\blen\s*\(\s*[\w.]+\s*\)|[\w.]+\.length\b")
# String literals; f-strings and template literals keep what they interpolate.
_STRING = re.compile(r"""(?P<f>\b[fF][rR]?|\b[rR][fF])?(?P<q>"|'|`)(?P<body>(?:\\.|(?!(?P=q)).)*)(?P=q)""")
_INTERPOLATED = re.compile(r"\$?\{([^{}]*)\}")


def _code(line: str) -> str:
    """The line with string contents removed, except what f-strings and `...` interpolate."""
    def keep(m: re.Match) -> str:
        if m.group("f") or m.group("q") == "`":
            return " " + " ".join(_INTERPOLATED.findall(m.group("body"))) + " "
        return '""'
    return _STRING.sub(keep, line)


def logged_payloads(text: str, path: str) -> list[tuple[int, str]]:
    """(line, "auth header" | "prompt or body") for each logging call that writes one."""
    js = not path.endswith(".py")
    call = _JS_LOG if js else _PY_LOG
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        match = call.search(line)
        if not match or line.lstrip().startswith(("#", "//", "*")):
            continue
        raw = line[match.end():]
        args = _LENGTH.sub(" ", _code(raw))
        if _AUTH_KEY.search(raw) or _AUTH.search(args):
            found.append((number, "auth header"))
        elif _PAYLOAD.search(args):
            found.append((number, "prompt or body"))
    return found


def _skipped(path: str) -> bool:
    p = PurePosixPath(path)
    return not path.endswith(SOURCE_EXT) or bool(SKIP_PARTS & set(p.parts[:-1])) or bool(SKIP_NAME.search(p.name))


def scan_repo(root) -> list[dict]:
    """{"path", "line", "what"} for every logging call writing a payload, in repo order."""
    top = repo_root(root)
    found = []
    for path, _tracked in sorted(list_files(top)):
        if _skipped(path):
            continue
        try:
            text, _truncated = read_bounded(top / path)
        except OSError:
            continue
        if text is not None:
            found += [{"path": path, "line": n, "what": what} for n, what in logged_payloads(text, path)]
    return found


async def _static(ctx: RunContext, check: Check) -> Finding:
    root = repo_path(ctx)
    if root is None:
        return check.finding("repo", Status.SKIPPED, "repo.path is not set in sprint.yaml",
                             remediation="Set repo.path to the repository's checkout.")
    subject = ctx.config.repo.path or "repo"
    try:
        found = await asyncio.to_thread(scan_repo, root)
    except GitError as exc:
        return check.finding(subject, Status.ERROR, f"the repository could not be read: {exc}")
    if not found:
        return check.finding(subject, Status.PASS, "no logging call writes prompts, bodies or auth headers")
    auth = [f for f in found if f["what"] == "auth header"]
    places = [f"{f['path']}:{f['line']}" for f in found]
    shown = ", ".join(places[:3]) + (f" and {len(places) - 3} more" if len(places) > 3 else "")
    return check.finding(
        subject, Status.FAIL if auth else Status.WARN,
        f"{len(found)} logging call(s) write " + ("auth headers" if auth else "prompts or request bodies")
        + f": {shown}",
        {"locations": found[:MAX_LOCATIONS], "location_count": len(found)},
        remediation="Log ids, lengths and outcomes, not prompts, messages, request bodies or headers; "
                    "a logged Authorization header is a leaked credential (rotate what was logged).",
        severity=Severity.BLOCKER if auth else Severity.CAN_WAIT)


async def run_bounded(command: str, timeout: float, limit: int = MAX_OUTPUT) -> str:
    """The command's stdout+stderr (its first `limit` bytes), run without a shell; killed once
    it has said that much or at the timeout (TimeoutError)."""
    proc = await asyncio.create_subprocess_exec(*shlex.split(command), stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT, stdin=asyncio.subprocess.DEVNULL)
    stdout = proc.stdout
    assert stdout is not None  # stdout=PIPE
    out = bytearray()
    try:
        async with asyncio.timeout(timeout):
            while len(out) < limit and (chunk := await stdout.read(limit - len(out))):
                out += chunk
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):  # drain, so the pipe closes and wait() returns
                while await stdout.read(64 * 1024):
                    pass
                await proc.wait()
    return out.decode("utf-8", "replace")


async def _runtime(ctx: RunContext, check: Check) -> Finding:
    command = ctx.config.api.logs_command
    if not command:
        return check.finding("runtime", Status.SKIPPED, "api.logs_command is not set (a command that "
                             "prints the product's recent logs)")
    session = None
    try:
        session = ApiSession(ctx.config, ctx.net, ctx.credentials, check.id)
        auth = (await session.auth("user_a")).get("Authorization", "")
        token = auth.split(" ", 1)[-1]
        canary = "LRLOG" + secrets.token_hex(8)
        conversation = await session.new_conversation("user_a")
        reply = await session.chat(f"Please note my reference {canary} and tell me when orders ship.",
                                   account="user_a", conversation=conversation)
    except ApiProblem as exc:
        return check.finding("runtime", Status.SKIPPED, str(exc), {"requests": session.sent if session else 0})
    evidence = {"requests": session.sent, "command": command}
    if reply.response.status_code >= 400:
        return check.finding("runtime", Status.ERROR, f"the chat answered {reply.response.status_code}",
                             evidence)
    try:
        output = await run_bounded(command, ctx.config.network.timeout_s)
    except (OSError, ValueError, TimeoutError) as exc:
        return check.finding("runtime", Status.ERROR, f"api.logs_command failed: {exc or 'timed out'}",
                             evidence, remediation="Check the command prints the logs and finishes quickly.")
    logged = [what for what, value in (("the full prompt", canary), ("the Authorization token", token))
              if value and value in output]
    evidence |= {"output_bytes": len(output.encode()), "logged": logged}
    if not logged:
        return check.finding("runtime", Status.PASS, "a chat message's text and token are not in the logs",
                             evidence)
    secret = "the Authorization token" in logged
    return check.finding(
        "runtime", Status.FAIL, f"the logs hold {' and '.join(logged)} of a chat request"
        + (f" (token {mask(token)})" if secret else ""), evidence,
        remediation="Log request ids and lengths only; never the message, the reply or headers. "
                    "Rotate tokens that were logged, and purge the logs.",
        severity=Severity.BLOCKER if secret else Severity.CAN_WAIT)


async def _sensitive_payloads(ctx: RunContext, check: Check) -> list[Finding]:
    return list(await asyncio.gather(_static(ctx, check), _runtime(ctx, check)))


LOG_CHECKS = (
    Check("logs.sensitive-payloads", 2, "Logs hold no prompts, request bodies or auth headers",
          Severity.CAN_WAIT, _sensitive_payloads,
          "Logging calls in the source that write prompts, bodies or Authorization headers; with "
          "api.logs_command, a chat canary and the test token searched in the product's logs."),
)

CHECKS = LOG_CHECKS  # for stages.registry
