"""Credentials that are not one provider's token: database URLs and connection strings with a
password, PEM private keys, and Google Cloud service-account files (also as an escaped string)."""

from __future__ import annotations

import re

from wizard.probes.secrets.base import CONTEXT, Candidate, rule
from wizard.probes.secrets.placeholders import LOCAL_HOSTS, is_placeholder

_TRIVIAL = ("password", "pass", "pwd", "secret", "postgres", "root", "admin", "mysql", "redis",
            "guest", "test", "user")
# In documentation a database password naming itself is an illustration.
_DOC_PASSWORD_WORDS = ("pass", "secret", "example", "your", "changeme", "admin", "user", "test",
                       "demo", "sample", "mydb", "db_")
_DB_ROTATION = ("Change the database user's password (or create a new user), update the app's "
                "environment, and restrict network access to the database.")


def _chosen_password(c: Candidate) -> bool:
    """A real password, not a placeholder, a variable, a trivial default, or in docs an
    illustration."""
    secret = c.secret
    lowered = secret.lower()
    if is_placeholder(secret) or lowered in _TRIVIAL:
        return False
    return not (c.doc and any(word in lowered for word in _DOC_PASSWORD_WORDS))


def _database(c: Candidate) -> str | None:
    if not _chosen_password(c):
        return None
    host = c.text[c.end + 1:c.end + 80].lower()
    if host.startswith(LOCAL_HOSTS):
        return "info"  # a local development database
    return "blocker"


# What a connection string around `;password=` / `,password=` / `&password=` must hold.
_SEMICOLON_MARKERS = ("server=", "data source=", "host=", "jdbc:", "user id=", "uid=", "database=",
                      "initial catalog=", "address=", "user=", "username=", "hostname=", "port=",
                      "provider=", "driver=", "dsn=")
_URL_SCHEME = re.compile(r"jdbc:|(?:postgres(?:ql)?|mysql|mariadb|sqlserver|mongodb(?:\+srv)?|rediss?"
                         r"|oracle|db2|amqps?|clickhouse)://")
_REDIS_HOST = re.compile(r"\.redis\.cache\.windows\.net|:63[78]\d\b|redis")


def _connection_string(c: Candidate) -> str | None:
    """A password inside a JDBC / ADO.NET / Azure Redis connection string (the same line)."""
    if not _chosen_password(c):
        return None
    back = c.before(400)
    line = back[back.rfind("\n") + 1:].lower()
    separator = c.text[c.match.start()]
    if separator == ";":
        found = any(marker in line for marker in _SEMICOLON_MARKERS)
    elif separator == ",":
        found = bool(_REDIS_HOST.search(line))
    else:  # ? or &: a password in a database URL's query (no space between scheme and here)
        schemes = list(_URL_SCHEME.finditer(line))
        found = bool(schemes) and not re.search(r"\s", line[schemes[-1].start():])
    if not found:
        return None
    return "info" if any(host in line for host in LOCAL_HOSTS) else "blocker"


_SERVICE_ACCOUNT = re.compile(r'\\{0,3}"type\\{0,3}"\s*:\s*\\{0,3}"service_account')
_PRIVATE_KEY_FIELD = re.compile(r'private_key\\{0,3}"\s*:')
_KEY_ID = re.compile(r'private_key_id\\{0,3}"\s*:\s*\\{0,3}"[0-9a-f]{40}')


def _service_account_near(c: Candidate) -> bool:
    window = c.around()
    return bool(_SERVICE_ACCOUNT.search(window)) and bool(_PRIVATE_KEY_FIELD.search(window))


def _gcp(c: Candidate) -> str | None:
    return "blocker" if _service_account_near(c) else None


def _pem(c: Candidate) -> str | None:
    """The key inside a GCP service-account file is that account's key: reported once, by the
    gcp-service-account rule (whose rotation applies), not twice. A body cut short (`MIIE...`)
    or marked EXAMPLE is documentation."""
    if c.text.startswith(("...", "\u2026"), c.end):
        return None
    stop = c.text.find("-----END", c.end, c.end + CONTEXT)
    body = c.text[c.match.start():stop if stop >= 0 else c.end + 200]
    if "EXAMPLE" in body or "..." in body or "\u2026" in body:
        return None
    if _service_account_near(c) and _KEY_ID.search(c.around()):
        return None
    return "blocker"


RULES = (
    rule("gcp-service-account", "Google Cloud", "blocker",
         r'private_key_id\\{0,3}"\s*:\s*\\{0,3}"(?P<secret>[0-9a-f]{40})\\{0,3}"', ("private_key_id",),
         "Delete the key in IAM > Service accounts > Keys and create a new one (or use workload "
         "identity instead of key files).", validate=_gcp),
    rule("database-url", "Database", "blocker",
         r"(?i:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?)://"
         r"[^:@/\s\"'`]*:(?P<secret>[^@/\s\"'`]{3,200})@[^\s\"'`/]+",
         ("postgres", "mysql", "mariadb", "mongodb", "redis", "amqp"), _DB_ROTATION,
         validate=_database, random=False),
    rule("connection-string-password", "Database", "blocker",
         r"[;,?&](?i:password|pwd)\s{0,2}+=\s{0,2}+(?P<secret>[^;,&\s\"'`<>]{3,200}+)",
         (";password", ";pwd", ",password=", "?password=", "&password="), _DB_ROTATION,
         validate=_connection_string, random=False),
    # A PEM body, also inside a JSON string (newlines escaped once, twice or three times).
    rule("private-key", "Private key (PEM)", "blocker",
         r"-----BEGIN[A-Z ]{0,30} PRIVATE KEY(?: BLOCK)?-----(?:\\{1,3}[nr]|\s)*(?P<secret>[A-Za-z0-9+/=]{32,})",
         ("-----begin",), "Replace the key pair (new key, new certificate or deploy key) and "
         "revoke the old one wherever it is trusted.", validate=_pem, random=False),
)
