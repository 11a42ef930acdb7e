"""Payments and commerce (Stripe, Square, Shopify), and Clerk, whose secret keys share Stripe's
`sk_live_`/`sk_test_` prefixes: Clerk's rule comes first and claims a key only when Clerk is the
nearer name, or, with neither name near, when its length is Clerk's (43 characters after the
prefix; Stripe's are 24 or 99)."""

from __future__ import annotations

from wizard.probes.secrets.base import Candidate, L, R, nearest, rule


def _clerk(c: Candidate) -> str | None:
    window = c.around(2048)
    anchor = min(c.start, 2048)
    clerk = nearest(window, anchor, ("clerk",))
    stripe = nearest(window, anchor, ("stripe",))
    body = len(c.secret) - len("sk_live_")
    if clerk is not None and (stripe is None or clerk <= stripe):
        pass
    elif stripe is not None or not 40 <= body <= 46:
        return None
    return "blocker" if c.secret.startswith("sk_live_") else "can-wait"


RULES = (
    rule("clerk-secret-key", "Clerk", "blocker",
         L + r"(?P<secret>sk_(?:live|test)_[A-Za-z0-9]{40,60})" + R, ("sk_live_", "sk_test_"),
         "Roll the secret key in the Clerk dashboard (API keys) and update the server; a test "
         "key (sk_test_) reaches the development instance's users.", validate=_clerk),
    rule("stripe-live-secret", "Stripe", "blocker",
         L + r"(?P<secret>(?:sk|rk)_live_[A-Za-z0-9]{24,})" + R, ("sk_live_", "rk_live_"),
         "Roll the key in the Stripe dashboard (Developers > API keys > Roll key)."),
    rule("stripe-test-secret", "Stripe", "info",
         L + r"(?P<secret>(?:sk|rk)_test_[A-Za-z0-9]{24,})" + R, ("sk_test_", "rk_test_"),
         "A test-mode key moves no money; roll it in the dashboard if it was shared widely."),
    rule("stripe-publishable", "Stripe", "info",
         L + r"(?P<secret>pk_live_[A-Za-z0-9]{24,})" + R, ("pk_live_",),
         "Publishable keys are public by design; nothing to rotate."),
    rule("square-token", "Square", "blocker",
         L + r"(?P<secret>EAAA[A-Za-z0-9_\-]{60}|sq0csp-[A-Za-z0-9_\-]{43}|sq0atp-[A-Za-z0-9_\-]{22})"
         r"(?![A-Za-z0-9_\-+/=])",  # not the start of a base64 run
         ("eaaa", "sq0csp-", "sq0atp-"),
         "Revoke the access token or replace the application secret in the Square Developer "
         "Dashboard (the application's Credentials and OAuth pages), then update the app."),
    rule("shopify-token", "Shopify", "blocker",
         L + r"(?P<secret>shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32})" + R,
         ("shpat_", "shpss_", "shpca_", "shppa_"),
         "Rotate it in the Shopify admin (Settings > Apps and sales channels > Develop apps > the "
         "app's API credentials) or the Partner Dashboard, then update the app."),
)
