"""Stage 4: test abuse paths. See how the chatbot behaves when someone tries to break it."""

from stages.base import Deliverable, ManualItem, Stage

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
    manual=(
        ManualItem("abuse.cost-cap", 4,
                   "The model provider account has a spending cap and an alert",
                   "Set a hard monthly limit and an alert well below it."),
    ),
    deliverables=(
        Deliverable("red-team-checklist", "Red-team checklist with prompts and outcomes", "red-team-checklist.md.j2"),
        Deliverable("guardrail-notes", "Guardrail notes and safe error messages", "guardrail-notes.md.j2"),
    ),
)
