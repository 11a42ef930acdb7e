"""Stage 4: test abuse paths. See how the chatbot behaves when someone tries to break it."""

from stages.ai_checks import AI_CHECKS
from stages.api_abuse_checks import API_STAGE4_CHECKS, BURST_CHECKS
from stages.base import Deliverable, ManualItem, Stage
from wizard.findings import Severity

STAGE = Stage(
    number=4,
    short="Abuse paths",
    title="Test abuse paths",
    goal="See how the chatbot behaves when someone tries to break it.",
    failure_signals=(
        "A prompt makes the bot reveal its system prompt, other users' data or internal tools.",
        "One client can send unlimited chat requests and run up the model bill.",
        "Errors show stack traces, keys or raw provider messages to users.",
    ),
    checks=(*API_STAGE4_CHECKS, *AI_CHECKS, *BURST_CHECKS),
    manual=(
        ManualItem("abuse.prompt-injection", 4,
                   "Prompt-injection attempts were tried and their outcomes noted",
                   "Ask it to ignore its instructions, reveal the system prompt, call tools it should not.",
                   Severity.BLOCKER),
        ManualItem("abuse.rate-limits", 4,
                   "The chat endpoint has per-user and per-IP limits",
                   "Limit by account and by address; return 429 with a friendly message.",
                   Severity.BLOCKER),
        ManualItem("abuse.cost-cap", 4,
                   "The model provider account has a spending cap and an alert",
                   "Set a hard monthly limit and an alert well below it."),
        ManualItem("abuse.safe-errors", 4,
                   "Error messages shown to users reveal nothing internal",
                   "No stack traces, prompts, keys or provider error bodies in responses."),
    ),
    deliverables=(
        Deliverable("red-team-checklist", "Red-team checklist with prompts and outcomes", "red-team-checklist.md.j2"),
        Deliverable("guardrail-notes", "Guardrail notes and safe error messages", "guardrail-notes.md.j2"),
    ),
)
