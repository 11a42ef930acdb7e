"""launch-ready: a terminal wizard for a two-day launch sprint of an AI chatbot product."""

__version__ = "0.1.0"
