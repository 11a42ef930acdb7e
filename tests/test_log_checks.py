"""logs.sensitive-payloads: logging calls writing prompts, bodies or auth headers found in a
repository (and a clean one passing); the runtime canary and token found in the sandbox product's
log while it logs prompts, and not once it logs lengths only."""

from __future__ import annotations

import dataclasses
import subprocess

import pytest

from stages.checks.logs import LOG_CHECKS, logged_payloads, run_bounded
from wizard.engine import RunContext, run_checks
from wizard.findings import Severity, Status
from wizard.net import NetContext
from wizard.sandbox.demo import API, DOMAIN
from wizard.sandbox.product import SESSIONS_PATH, Behaviours
from wizard.sections import Api, Chat

LEAKY = {
    "app/chat.py": 'import logging\nlogger = logging.getLogger(__name__)\n\n'
                   'def handle(prompt):\n    logger.info(f"prompt={prompt}")\n    return prompt\n',
    "web/server.js": "app.post('/api/chat', (req, res) => {\n  console.log(req.body);\n  res.json({});\n});\n",
    "web/auth.ts": "logger.debug(`auth ${req.headers.authorization}`);\n",
}
CLEAN = {
    "app/chat.py": 'import logging\nlogger = logging.getLogger(__name__)\n\n'
                   'def handle(prompt):\n    logger.info("prompt received, %d chars", len(prompt))\n'
                   '    logger.info("sending the prompt to the model")\n    return prompt\n',
    "web/server.js": "console.log(`chat request ${req.id}, ${req.body.length} bytes`);\n"
                     "console.log('prompt and messages are never logged');\n",
    "tests/test_chat.py": 'print(request.body)\n',  # tests are not the product's logs
}


def git_repo(root, files: dict[str, str]):
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "."], check=True)
    return root


@pytest.fixture
def check_logs(sprint, sandbox, monkeypatch):
    for name, value in sandbox.credentials().items():
        monkeypatch.setenv(name, value)
    config = sprint.load_config()

    async def run(repo=None, logs_command=None):
        config.repo.path = str(repo) if repo else None
        config.api = Api(base_url=f"https://{API}", logs_command=logs_command, chat=Chat(
            new_session=SESSIONS_PATH, body='{"message": "{{prompt}}", "session": "{{session}}"}'))
        async with NetContext(config.network, DOMAIN, sprint.root) as net:
            result = await run_checks(list(LOG_CHECKS), RunContext(config, net))
        return {f.subject: f for f in result.findings}

    return run


def test_logging_calls_are_told_from_strings_and_lengths():
    assert logged_payloads('logger.info(f"prompt={prompt}")', "a.py") == [(1, "prompt or body")]
    assert logged_payloads('logging.debug("headers: %s", request.headers)', "a.py") == [(1, "auth header")]
    assert logged_payloads('log.info(headers["Authorization"])', "a.py") == [(1, "auth header")]
    assert logged_payloads("pino.info({ messages })", "a.js") == [(1, "prompt or body")]
    assert logged_payloads("winston.info(req.body)", "a.ts") == [(1, "prompt or body")]
    for quiet in ('logger.info("the prompt was sent")', 'logger.info("n=%d", len(messages))',
                  "# logger.info(prompt)", "count = prompt_tokens", 'print("done")'):
        assert logged_payloads(quiet, "a.py") == [], quiet
    assert logged_payloads("console.log(`sent ${prompt.length} chars`)", "a.js") == []


async def test_a_repo_logging_prompts_bodies_and_tokens_is_found(check_logs, tmp_path):
    f = (await check_logs(git_repo(tmp_path / "leaky", LEAKY)))[str(tmp_path / "leaky")]
    assert f.status is Status.FAIL and f.severity is Severity.BLOCKER
    assert [(x["path"], x["line"], x["what"]) for x in f.evidence["locations"]] == [
        ("app/chat.py", 5, "prompt or body"), ("web/auth.ts", 1, "auth header"),
        ("web/server.js", 2, "prompt or body")]


async def test_prompts_without_headers_are_a_can_wait_warning(check_logs, tmp_path):
    files = {k: v for k, v in LEAKY.items() if k != "web/auth.ts"}
    f = (await check_logs(git_repo(tmp_path / "r", files)))[str(tmp_path / "r")]
    assert f.status is Status.WARN and f.severity is Severity.CAN_WAIT and "app/chat.py:5" in f.summary


async def test_a_clean_repo_passes_and_no_repo_skips(check_logs, tmp_path):
    assert (await check_logs(git_repo(tmp_path / "clean", CLEAN)))[str(tmp_path / "clean")].status is Status.PASS
    findings = await check_logs()
    assert findings["repo"].status is Status.SKIPPED and findings["runtime"].status is Status.SKIPPED


async def test_the_runtime_canary_is_in_the_product_log_until_fixed(check_logs, sandbox):
    tail = f"tail -n 200 {sandbox.product.log_path}"
    before = sandbox.product.requests.total
    leaky = (await check_logs(logs_command=tail))["runtime"]
    assert leaky.status is Status.FAIL and leaky.severity is Severity.BLOCKER
    assert leaky.evidence["logged"] == ["the full prompt", "the Authorization token"]
    assert leaky.evidence["requests"] == sandbox.product.requests.total - before == 2
    assert "tok-alice" not in leaky.summary
    sandbox.product.behaviours = dataclasses.replace(Behaviours.vulnerable(), logs_prompts=False)
    sandbox.product.log_path.write_text("")  # fixed, and the old logs purged
    fixed = (await check_logs(logs_command=tail))["runtime"]
    assert fixed.status is Status.PASS and fixed.evidence["output_bytes"] > 0


async def test_the_logs_command_is_bounded():
    assert len(await run_bounded("yes", timeout=10, limit=1000)) == 1000
    with pytest.raises(TimeoutError):
        await run_bounded("sleep 5", timeout=0.2)
