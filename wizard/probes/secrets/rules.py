"""Our rules, in the order they claim characters: every provider's rules (providers/), the
credentials that are no provider's token (credentials), then the generic rules (generic), which
report only what no specific rule claimed. What a rule is: base; what is not a secret although
it looks like one: placeholders.

Providers (providers/): AI (OpenAI, DeepSeek, Anthropic, Google AI / Gemini, Firebase web
config, Groq, Hugging Face, Replicate, OpenRouter, Azure OpenAI, LangSmith, Pinecone), cloud
(AWS, Cloudflare, DigitalOcean, Vercel, Netlify, Supabase), code (GitHub, GitLab, npm, PyPI,
Sentry), messaging (Slack, Discord, Telegram, Twilio, SendGrid, Resend, Postmark, Mailgun),
payments (Clerk, Stripe, Square, Shopify), services (Algolia, Mapbox). Credentials: database
URLs, connection strings, PEM keys, GCP service accounts. Generic: secret-looking names, bearer
tokens.

`Rule`, `RULES`, `RULES_BY_ID` and `is_placeholder` are imported from here.
"""

from __future__ import annotations

from wizard.probes.secrets import credentials, generic
from wizard.probes.secrets.base import Rule
from wizard.probes.secrets.placeholders import is_placeholder
from wizard.probes.secrets.providers import ai, cloud, code, messaging, payments, services

RULES: tuple[Rule, ...] = (
    *ai.RULES, *cloud.RULES, *code.RULES, *messaging.RULES, *payments.RULES, *services.RULES,
    *credentials.RULES, *generic.RULES,
)

RULES_BY_ID = {rule.id: rule for rule in RULES}
if len(RULES_BY_ID) != len(RULES):
    raise ValueError("two rules share an id")

__all__ = ["RULES", "RULES_BY_ID", "Rule", "is_placeholder"]
