"""AI providers (and the Google key family): OpenAI, DeepSeek, Anthropic, Google AI / Gemini,
Firebase web config, Groq, Hugging Face, Replicate, OpenRouter, Azure OpenAI, LangSmith, Pinecone.

Mistral (32 characters, no prefix) and Cohere (40 characters, no prefix) keys have no
distinctive format: they are caught by the generic rule when assigned to a name such as
MISTRAL_API_KEY or COHERE_API_KEY, not by a rule of their own.
"""

from __future__ import annotations

import re

from wizard.probes.secrets.base import NAMED, UUID_RE, Candidate, L, R, nearest, rule

_ASSIGNED_NAME = re.compile(r"""([\w$.\-]{1,60})["'`]?\s{0,3}(?:[:=]|:=|=>)\s{0,3}["'`]?$""")


def _deepseek(c: Candidate) -> str | None:
    """DeepSeek keys are `sk-` + 32 hex, a shape OpenAI's legacy keys can take too. DeepSeek's
    when the name it is assigned to says so, else when "deepseek" (a name, api.deepseek.com) is
    on its line (OpenAI's SDK is how DeepSeek is called: `OpenAI(api_key=..., base_url=deepseek)`),
    else when "deepseek" is nearer to it than "openai"."""
    name = _ASSIGNED_NAME.search(c.before(100))
    assigned = name.group(1).lower() if name else ""
    if "deepseek" in assigned:
        return "blocker"
    if "openai" in assigned:
        return None
    start = c.text.rfind("\n", max(0, c.start - 300), c.start) + 1 or max(0, c.start - 300)
    stop = c.text.find("\n", c.end, c.end + 300)
    if "deepseek" in c.text[start:stop if stop >= 0 else c.end + 300].lower():
        return "blocker"
    window = c.around(2048)
    anchor = min(c.start, 2048)
    deepseek = nearest(window, anchor, ("deepseek",))
    openai = nearest(window, anchor, ("openai",))
    if deepseek is None or (openai is not None and openai < deepseek):
        return None
    return "blocker"


_FIREBASE_MARKERS = ("authdomain", "firebaseapp.com", "messagingsenderid", "firebaseconfig",
                     "initializeapp", "firebasestorage.app", "storagebucket")


def _firebase(c: Candidate) -> str | None:
    """A Google API key that is a Firebase web config's `apiKey` (next to authDomain,
    messagingSenderId, initializeApp...) or a variable named FIREBASE_...: public by design."""
    name = _ASSIGNED_NAME.search(c.before(100))
    if name is None:
        return None
    assigned = name.group(1).lower()
    if "firebase" in assigned:
        return "info"
    if assigned.rsplit(".", 1)[-1] not in ("apikey", "api_key"):
        return None
    window = c.around(600).lower()
    return "info" if any(marker in window for marker in _FIREBASE_MARKERS) else None


_AZURE_ENDPOINTS = ("openai.azure.com", "cognitiveservices.azure.com", "cognitive.microsoft.com",
                    "services.ai.azure.com")
_AZURE_ROTATION = ("Regenerate the key in the Azure portal (the resource's Keys and Endpoint: "
                   "regenerate the key in use after moving the app to the other one), or use "
                   "Entra ID instead of keys.")


def _azure_openai(c: Candidate) -> str | None:
    """32 hex is also a hash: an Azure key when an Azure AI endpoint is near, or its name says
    Azure and OpenAI."""
    if any(endpoint in c.around().lower() for endpoint in _AZURE_ENDPOINTS):
        return "blocker"
    name = c.group("name").lower()
    return "blocker" if "azure" in name and "openai" in name else None


RULES = (
    rule("deepseek-api-key", "DeepSeek", "blocker",
         L + r"(?P<secret>sk-[0-9a-f]{32})" + R, ("sk-",),
         "Delete it at platform.deepseek.com/api_keys and create a new one.", validate=_deepseek),
    rule("openai-api-key", "OpenAI", "blocker",
         L + r"(?P<secret>sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_\-]{40,}|[A-Za-z0-9]{32,}))" + R,
         ("sk-",), "Revoke it at platform.openai.com/api-keys, create a new project key, store it "
         "server-side only."),
    rule("anthropic-api-key", "Anthropic", "blocker",
         L + r"(?P<secret>sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_\-]{80,120})" + R, ("sk-ant-",),
         "Delete it in console.anthropic.com (Settings > API keys) and create a new one."),
    # Firebase before Google: the same key format, claimed first when it is a web config's.
    rule("firebase-web-api-key", "Firebase (web config)", "info",
         L + r"(?P<secret>AIza[0-9A-Za-z_\-]{35})" + R, ("aiza",),
         "Firebase web API keys are public by design (they name the project, access is decided "
         "by Security Rules): nothing to rotate, but restrict the key in Google Cloud console > "
         "Credentials to your HTTP referrers and to the Firebase APIs it needs (so it cannot call "
         "Gemini or other paid APIs), and enforce App Check and Security Rules.",
         validate=_firebase),
    rule("google-api-key", "Google AI / Gemini", "blocker",
         L + r"(?P<secret>AIza[0-9A-Za-z_\-]{35})" + R, ("aiza",),
         "Delete or regenerate it in Google Cloud console > APIs & Services > Credentials (or AI "
         "Studio); restrict the new key to its APIs and referrers."),
    rule("groq-api-key", "Groq", "blocker", L + r"(?P<secret>gsk_[A-Za-z0-9]{52})" + R,
         ("gsk_",), "Delete it at console.groq.com/keys and create a new one."),
    rule("huggingface-token", "Hugging Face", "blocker",
         L + r"(?P<secret>hf_[A-Za-z0-9]{34,40}|api_org_[A-Za-z0-9]{34})" + R, ("hf_", "api_org_"),
         "Invalidate it at huggingface.co/settings/tokens (an org token: the organization's "
         "settings) and create a fine-grained token."),
    rule("replicate-api-token", "Replicate", "blocker",
         L + r"(?P<secret>r8_[A-Za-z0-9]{37})" + R, ("r8_",),
         "Disable it at replicate.com/account/api-tokens and create a new one."),
    rule("openrouter-api-key", "OpenRouter", "blocker",
         L + r"(?P<secret>sk-or-v1-[0-9a-f]{64})" + R, ("sk-or-v1-",),
         "Delete it at openrouter.ai/settings/keys and create a new one (set a credit limit)."),
    rule("azure-openai-key", "Azure OpenAI", "blocker",
         r"(?P<name>(?i:azure[\w\-]{0,40}?(?:key|token)\d?))" + NAMED
         + r"(?P<secret>[0-9a-f]{32})" + R, ("azure",), _AZURE_ROTATION, validate=_azure_openai),
    # The same key under a plain name (api_key, the api-key header), in a text that names an
    # Azure AI endpoint (the validator wants it within CONTEXT of the key).
    rule("azure-openai-endpoint-key", "Azure OpenAI", "blocker",
         r"""(?i:api[_\-]?key|ocp-apim-subscription-key)["']?\s{0,3}+[:=]\s{0,3}+["']?"""
         r"(?P<secret>[0-9a-f]{32})" + R, ("api_key", "api-key", "apikey", "ocp-apim-subscription-key"),
         _AZURE_ROTATION, validate=_azure_openai, requires=_AZURE_ENDPOINTS),
    # Azure AI services' 84-character keys carry the signature JQQJ99 at character 52.
    rule("azure-ai-services-key", "Azure OpenAI", "blocker",
         r"(?<![A-Za-z0-9])(?P<secret>[A-Za-z0-9]{52}JQQJ99[A-Za-z0-9]{26})(?![A-Za-z0-9])",
         ("jqqj99",),
         _AZURE_ROTATION, offsets=(52,)),
    rule("langsmith-api-key", "LangSmith", "blocker",
         L + r"(?P<secret>lsv2_(?:pt|sk)_(?P<body>[a-z0-9]{32}_[a-z0-9]{10}))" + R, ("lsv2_",),
         "Delete the key in LangSmith (Settings > API Keys) and create a new one."),
    rule("pinecone-api-key", "Pinecone", "blocker",
         r"(?:(?i:pinecone)[\w\-]{0,30}+" + NAMED + r"|" + L + r")"
         r"(?P<secret>pcsk_(?P<body>[A-Za-z0-9]{4,8}_[A-Za-z0-9]{40,90})|" + UUID_RE + r")" + R,
         ("pcsk_", "pinecone"),
         "Delete the key in the Pinecone console (API Keys) and create a new one."),
)
