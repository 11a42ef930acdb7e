"""The product's abuse behaviours, each switchable between vulnerable (True) and fixed (False)
while the sandbox runs, so a probe can be seen failing and then passing against the same server.

- jwt_alg_none: unsigned JWTs (alg "none") are accepted.
- jwt_expired_ok: expired JWTs are accepted.
- bola: any signed-in user reads, renames and deletes any chat or workspace (fixed: 404 for
  others' objects).
- user_enumeration: log-in answers 404 "no such account" for an unknown e-mail and 401 "wrong
  password" for a known one; sign-up answers 409 for a taken e-mail (fixed: 401 "invalid
  credentials" for both; sign-up 202 "check your e-mail" for both).
- mass_assignment: a user's own record and sign-up take any body field (role, is_admin, admin:
  the user becomes an admin), and new chats and workspaces take owner_id, user_id or owner from
  the body (fixed: only email/name, title and name/description are read).
- account_takeover: any signed-in user changes any user's record and password (fixed: only
  their own; 404 for others).
- data_exposure: user records carry every stored field (the password hash too), any signed-in
  user reads any user, and a chat names its owner's e-mail (fixed: id, email, name and role of
  the caller only).
- sql_errors: search pastes the query into its SQL, so a quote fails with 500 and the query can
  be rewritten (fixed: a parameterised query).
- admin_by_header: `X-Role: admin` or `?admin=true` makes a user an admin (fixed: 403).
- no_rate_limit: login, chat and the webhook are unlimited (fixed: 429 past the limit).
- no_body_limit: bodies of any size are read; over 1 MiB the app fails with 500 (fixed: 413).
- malformed_500: malformed JSON or wrong types fail with 500 (fixed: 400 / 422).
- debug_errors: 500s carry a traceback, a framework debug marker and a provider error
  (fixed: a generic error and a request id).
- webhook_unsigned: unsigned or wrongly signed billing webhooks are accepted.
- webhook_replay: stale or repeated webhook deliveries are accepted.
- leaks_system_prompt: the model repeats, translates or encodes its system prompt when asked.
- follows_injection: the model obeys instructions inside user content or documents it reads.
- tool_misuse: the model's tools act for whoever is named, not for the caller.
- cross_session_memory: the model remembers across sessions and users, and any caller may
  chat in any session.
- unsafe_markdown: the model writes images and links to any host.
- logs_prompts: the chat log holds full prompts and Authorization headers.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class Behaviours:
    jwt_alg_none: bool = True
    jwt_expired_ok: bool = True
    bola: bool = True
    user_enumeration: bool = True
    mass_assignment: bool = True
    account_takeover: bool = True
    data_exposure: bool = True
    sql_errors: bool = True
    admin_by_header: bool = True
    no_rate_limit: bool = True
    no_body_limit: bool = True
    malformed_500: bool = True
    debug_errors: bool = True
    webhook_unsigned: bool = True
    webhook_replay: bool = True
    leaks_system_prompt: bool = True
    follows_injection: bool = True
    tool_misuse: bool = True
    cross_session_memory: bool = True
    unsafe_markdown: bool = True
    logs_prompts: bool = True

    @classmethod
    def vulnerable(cls) -> Behaviours:
        """Every blocker on: the demo's default."""
        return cls()

    @classmethod
    def fixed(cls) -> Behaviours:
        return cls(**{f.name: False for f in fields(cls)})
