"""The Cloudflare API emulator: the endpoints launch-ready calls, under /client/v4, driven by the
official SDK, with Cloudflare's envelope, error codes, paging, batch, auth and rate limit.

    api = CloudflareAPI(world, faults).start()   # or: with CloudflareAPI(world) as api:
    Cloudflare(api_token=..., base_url=api.base_url, max_retries=0)
    api.stop()

Where the emulator knowingly differs from Cloudflare:
- Only the endpoints in shared/cloudflare/openapi-subset.json plus the DNS batch; only GET on
  dns_settings; the per-setting endpoints serve eight settings (ssl, always_use_https,
  min_tls_version, automatic_https_rewrites, security_header, tls_1_3, security_level,
  browser_check): any other setting id answers 404 / 7003.
- Rulesets: only the entrypoints of http_request_dynamic_redirect, http_request_cache_settings,
  http_request_firewall_custom, http_ratelimit and http_response_headers_transform (other phases
  404 / 7003); expressions limited to the edge's subset (wizard/sandbox/expressions.py),
  refused with 400 / 1004 naming the unsupported part and a source pointer; rules of a phase take
  only that phase's actions (custom rules: block, managed_challenge, js_challenge, challenge,
  log, skip; rate limiting: the same but skip; transforms: rewrite with headers only, no URI
  rewrite); `dry_run`, `logging`, `exposed_credential_check` and score-based rate limiting are
  not served; an unknown version answers 404 / 10003.
- Plan limits (plans.py, after Cloudflare's availability tables): rule counts per phase, rate
  limiting periods, mitigation timeouts (0 for challenges below Enterprise), characteristics,
  expression fields and counting_expression; a breach answers 400 / 20217 (the code Cloudflare
  gives for ruleset entitlements) naming the plan and the limit, with a source pointer. Block
  custom responses are accepted on every plan.
- DNSSEC (dnssec.py): GET, PATCH status active / disabled, DELETE (disables, answers "");
  enabling makes a real ECDSA P-256 key and DS, status "pending" until
  `dnssec.registrar_has_ds(zone)` (the sandbox has no registrar); disabling is immediate;
  multi-signer, presigned and NSEC3 are refused (1004); the DNS server serves no
  DNSKEY/DS/RRSIG (answers stay unsigned).
- Permission groups for the security phases: Zone WAF Read/Write (custom and rate limiting
  rules), Transform Rules Read/Write; DNSSEC takes Zone Settings Read/Write (as the schema's
  #zone_settings permissions say).
- DNS record types: A, AAAA, CNAME, TXT, MX, NS, CAA; others 400 / 1004 (chain 9000). CAA
  takes data {flags 0-255, tag issue / issuewild / iodef, value} (1004, chain 9101) and its
  content is derived from it (`0 issue "letsencrypt.org"`).
  Names: `@`, a single relative label, or a name inside the zone; Cloudflare appends the zone to
  any other name, the emulator refuses it (1004, chain 9007) so a wrong zone shows up as an error.
  Changing a record's type through PUT/PATCH is refused (Cloudflare only deprecates it).
  TTL must be an integer. No record `settings`, shadowing `meta`, comment/tag timestamps or
  private_routing. Only the filters name / name.exact and type; ordering is fixed (type, name, content).
- Conflicts: 81053 when a CNAME meets an A/AAAA/CNAME at one name, 81054 when it meets another
  type, 81057 for a POST duplicating a record, 81058 for a PUT/PATCH producing a duplicate.
  A failing batch operation answers that operation's error with `deletes[i]: ` (etc.) in front
  of the message; the zone is left untouched.
- Auth: a missing, unknown, disabled or expired token, and any X-Auth-Email / X-Auth-Key header,
  answer 401 / 9109 "Invalid access token" (verify included; Cloudflare answers 1000 there).
  A token lacking the route's permission group answers 403 / 10000; a "... Write" group also
  grants its "... Read".
- Errors Cloudflare words differently or not at all: unknown method on a known path 405 / 7001;
  malformed JSON 400 / 6007; an unknown record id 404 / 81044; setting values 400 / 1007
  (including ssl `origin_pull` below the Enterprise plan: the plan rule is in settings.py).
- Rate limit: a sliding window per token; past it, every call gets 429 / 971 with Retry-After
  for one whole window (Cloudflare's lockout), no RateLimit-* headers.
- Injected faults: 500 answers code 10001; "timeout" holds the request until shutdown (or
  hold_limit_s) then closes the connection; "drop" closes it without an answer.
- Zones: read-only (no create/patch/delete), zone objects carry fixed meta/plan values.
- Bot management: only fight_mode and enable_js (the Free plan's Bot Fight Mode).
- Health checks (healthchecks.py; contract: the SDK's cloudflare.types.healthchecks, the schema
  subset predates them): stored and served, never run: status is "unknown" ("suspended" when
  suspended), failure_reason empty. HTTP and HTTPS only (TCP 400 / 1004); no /preview. Plan
  gating: a zone below Pro answers 403 / 1002 on every health check route (the code is the
  emulator's choice; Cloudflare's is not documented). Names: letters, digits, - and _ (1004).
- Notification policies (alerting.py; contract: cloudflare.types.alerting): an account exists
  when a zone belongs to it; filters.health_check_id of health_check_status_notification must
  name the account's health checks (400 / 1004); webhook and PagerDuty ids are not checked
  against destinations; any lower-case alert_type is accepted; no alert_interval, silences,
  destinations or history.
- Permission groups for those: Health Checks Read/Write, Notifications Read/Write.
"""

from .server import CloudflareAPI, Exchange

__all__ = ["CloudflareAPI", "Exchange"]
