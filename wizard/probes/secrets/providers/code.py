"""Code hosting, package registries and developer tools: GitHub, GitLab, npm, PyPI, Sentry."""

from __future__ import annotations

from wizard.probes.secrets.base import L, R, rule

_GITLAB_PREFIXES = ("glpat-", "glrt-", "glptt-", "gloas-", "gldt-", "glft-", "glsoat-", "glcbt-",
                    "glimt-", "glagent-", "glffct-")

RULES = (
    rule("github-token", "GitHub", "blocker",
         L + r"(?P<secret>gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{60,100})" + R,
         ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
         "Revoke it at github.com/settings/tokens (or the app's settings) and create a new one."),
    # Every GitLab token type (docs.gitlab.com/security/tokens: token prefixes), the routable
    # forms (`.` + 9 characters) and the runner registration token.
    rule("gitlab-token", "GitLab", "blocker",
         L + r"(?P<secret>(?:gl(?:pat|rt|ptt|oas|dt|ft|soat|cbt|imt|agent|ffct))-[0-9A-Za-z_\-]{20,300}"
         r"(?:\.[0-9a-z]{9})?|GR1348941[0-9A-Za-z_\-]{20})" + R, (*_GITLAB_PREFIXES, "gr1348941"),
         "Revoke it in GitLab (User settings > Access tokens; runner, trigger, deploy and OAuth "
         "tokens: the project's or group's CI/CD and application settings) and create a new one."),
    rule("npm-token", "npm", "blocker", L + r"(?P<secret>npm_[A-Za-z0-9]{36})" + R, ("npm_",),
         "Revoke it at npmjs.com (Access Tokens) or with `npm token revoke`, then create a "
         "granular token."),
    rule("pypi-token", "PyPI", "blocker",
         L + r"(?P<secret>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_\-]{50,})" + R,
         ("pypi-age",), "Remove the token at pypi.org/manage/account/token (or test.pypi.org) and "
         "create a project-scoped one, or use trusted publishing."),
    rule("sentry-token", "Sentry", "blocker",
         L + r"(?P<secret>sntrys_eyJ[A-Za-z0-9+/=]{20,400}_[A-Za-z0-9+/]{43}|sntryu_[a-f0-9]{64})"
         r"(?![A-Za-z0-9+/=_\-])", ("sntrys_", "sntryu_"),
         "Revoke it in Sentry (Settings > Auth Tokens, or Organization Tokens) and create a new one."),
)
