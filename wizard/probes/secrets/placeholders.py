"""Values that are not secrets although they have a secret's shape: placeholders, templates,
documented example keys, and dummies (runs, sequences, too little randomness for their length).

`looks_dummy` judges a key's random part structurally, so `AKIAXXXXXXXXXXXXXXXX`, `ghp_` + x's,
`xoxp-1234567890`, `AIzaSyabcdef...` and AWS's `...EXAMPLE` pair are dropped whatever their
case, while a random key of the same format passes (the thresholds are set so that a random key
is dropped less than once in 10,000). In documentation and example files (`is_doc_source`) the
thresholds are stricter (a random key is taken for an illustration about once in 500): a
README's `sk-abcd1234...` is an illustration, a random key pasted there is still a leak.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import PurePosixPath

PLACEHOLDER_WORDS = ("xxxx", "changeme", "change_me", "change-me", "example", "placeholder",
                     "your_", "your-", "yourkey", "yourtoken", "yoursecret", "yourapi", "yourpass",
                     "dummy", "redacted", "<", ">", "${", "{{", "<%", "process.env", "import.meta",
                     "os.environ", "getenv", "****", "...", "\u2026", "test_key", "fake", "sample",
                     "insert", "replace_with", "replaceme", "replace-me", "notreal", "not_real",
                     "not-real", "not_a_real", "not-a-real", "foobar", "lorem", "_here", "-here",
                     "secret_here", "todo", "mock_", "-mock", "_mock")
UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
HEX_HASH = re.compile(r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128})$")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "::1", "host.docker.internal", "[::1]")

# A template's slot, or a reference to a variable instead of a value: {name}, %(name)s, %NAME%,
# #{name}, $NAME, ${NAME}, $(cmd), $name, $camelCase. Not `$ecretP4ss` (a password that starts
# with `$`: a lower-case run followed by capitals and digits is not how variables are named).
TEMPLATE = re.compile(
    r"\{[A-Za-z_][\w.]*\}|%\([A-Za-z_]\w*\)s|^%[A-Za-z_]\w*%$|#\{"
    r"|^\$(?:\{|\(|[A-Z_][A-Z0-9_]*+(?![A-Za-z0-9])|[a-z_]++(?![A-Za-z0-9])"
    r"|[a-z]++(?:[A-Z][a-z]++)++(?![A-Za-z0-9]))")

# Published example credentials from providers' documentation and SDK samples (AWS's pair is
# also caught by its EXAMPLE suffix). Literal on purpose: they are public and never valid.
PUBLISHED_EXAMPLES = frozenset({
    "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE", "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
    "AIzaSyDaGmWKa4JsXZ-HjGw7ISLn_3namBGewQe",  # Google API key docs
    "ghp_16C7e42F292c6912E7710c838347Ae178B4a",  # GitHub docs
    "gho_16C7e42F292c6912E7710c838347Ae178B4a",
    "sk_test_4eC39HqLyjWDarjtT1zdp7dc", "pk_test_TYooMQauvdEDq54NiTphI7jx",  # Stripe docs
    "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
    "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",  # Slack docs
    "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",  # Mailgun docs
    "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs",  # Discord docs
    "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",  # Telegram Bot API docs
    "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
    # jwt.io's example token
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0"
    "IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
})

# Words that make a key's random part a placeholder. Matched lower-case, upper-case or
# capitalised only (a random mixed-case key spells a 4-letter word in one of those 3 cases
# about once in 100,000 keys; in any case, 16 times as often).
DUMMY_WORDS = ("example", "xxxx", "placeholder", "your", "dummy", "redacted", "changeme", "sample",
               "insert", "replace", "fake", "notreal", "invalid", "testkey", "testtoken", "mytoken",
               "mykey", "mysecret", "secret", "token", "apikey", "password", "qwerty", "asdfgh",
               "abcabc", "foobar", "lorem")
_SEPARATORS = re.compile(r"[-_.:/+=~]+")
# Words joined in camelCase, PascalCase or with _ and -: an identifier, not a random part
# (re_validate_emailAddressFormat, npm_packageConfigurationSettings). A random string of letters
# has this shape less than once in 100,000 (every capital followed by two small letters).
_WORDS = re.compile(r"(?:[a-z]{2,}|[A-Z][a-z]{2,})(?:[_\-]?(?:[A-Z][a-z]{2,}|[a-z]{2,}))+")
_HEX = frozenset("0123456789abcdef")
_HEX_UPPER = frozenset("0123456789ABCDEF")
# (run, sequence) lengths that mark a dummy, by the alphabet of a segment: a random key has a
# run or a sequence that long less than once in 10,000 keys.
_LIMITS = {10: (7, 7), 16: (7, 7), 36: (5, 6), 64: (5, 6)}
_STRICT_LIMITS = {10: (5, 6), 16: (5, 5), 36: (4, 4), 64: (4, 5)}
VARIETY_SHARE = 0.4  # see too_little_variety

_DOC_NAMES = re.compile(
    r"^(?:readme|changelog|changes|contributing|quickstart|quick-start|getting[-_]started|faq"
    r"|history)(?:\.[a-z]+)?$|\.(?:md|mdx|markdown|rst|adoc|asciidoc"
    r"|txt|ipynb|example|sample|template|tmpl|tpl|dist)$|^\.?env\.(?:.*\.)?(?:example|sample|template"
    r"|tmpl|tpl|dist|defaults|schema)$|^(?:example|sample)\.env")
_DOC_DIRS = frozenset({"docs", "doc", "documentation", "examples", "example", "samples", "sample",
                       "snippets", "tutorial", "tutorials", "guides", "guide", "man", "demo",
                       "demos", "cookbook", "_docs", "site-docs", "apidocs"})
_COMMIT_PREFIX = re.compile(r"^[0-9a-f]{7,40}:")


def shannon_entropy(value: str) -> float:
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def is_placeholder(value: str) -> bool:
    """A template, a variable reference or a placeholder word, or 3 distinct characters at most."""
    lowered = value.lower()
    if any(word in lowered for word in PLACEHOLDER_WORDS) or TEMPLATE.search(value):
        return True
    return len(set(lowered)) <= 3  # aaaa..., 0000..., ****


@lru_cache(maxsize=4096)
def is_doc_source(source: str) -> bool:
    """Documentation or an example file: README*, *.md/.rst/.txt, .env.example and the like, or
    anything under docs/, examples/, samples/... (also `commit:path` sources of the history)."""
    path = source.split("?", 1)[0].split("#", 1)[0]
    if "://" in path:
        path = path.split("://", 1)[1].partition("/")[2]
    path = _COMMIT_PREFIX.sub("", path).replace("\\", "/").lower()
    pure = PurePosixPath(path)
    if _DOC_NAMES.search(pure.name):
        return True
    return any(part in _DOC_DIRS for part in pure.parts[:-1])


@lru_cache(maxsize=8)
def _words_re(words: tuple[str, ...]) -> re.Pattern[str]:
    variants = {v for w in words for v in (w, w.upper(), w.capitalize())}
    return re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)))


def _word_in(value: str, words: tuple[str, ...]) -> bool:
    return _words_re(words).search(value) is not None


def _alphabet(segment: str) -> int:
    if segment.isdigit():
        return 10
    chars = set(segment)
    if chars <= _HEX or chars <= _HEX_UPPER:
        return 16
    if segment.isupper() or segment.islower():
        return 36
    return 64


@lru_cache(maxsize=16)
def _run_re(length: int) -> re.Pattern[str]:
    return re.compile(r"(.)\1{" + str(length - 1) + "}")


def _steps(segment: str) -> bytes:
    """The differences between neighbouring characters (lower-cased), one byte each: a sequence
    (12345, abcde, EDCBA) is a run of 1s (or of 255s) here."""
    low = segment.lower().encode("ascii", "replace")
    return bytes((b - a) & 0xFF for a, b in zip(low, low[1:], strict=False))


def _has_run(segment: str, length: int) -> bool:
    return _run_re(length).search(segment) is not None


def _has_sequence(segment: str, length: int) -> bool:
    steps = _steps(segment)
    return b"\x01" * (length - 1) in steps or b"\xff" * (length - 1) in steps


def too_little_variety(segment: str) -> bool:
    """Fewer than 40% of the distinct characters a random string of this length and alphabet
    has on average (1111122222..., a1b1a1b1c1...)."""
    n = len(segment)
    if n < 8:
        return False
    k = _alphabet(segment)
    return len(set(segment)) < VARIETY_SHARE * k * (1 - (1 - 1 / k) ** n)


def _periodic(segment: str) -> bool:
    """A short unit repeated: abc123abc123abc123, XyXyXyXyXy."""
    n = len(segment)
    return n >= 12 and any(segment[p:] == segment[:-p] for p in range(1, min(9, n // 3 + 1)))


def example_nearby(text: str, start: int, end: int, reach: int = 200) -> bool:
    """EXAMPLE (AWS's marker for documented values) on the key's line, within `reach`
    characters: in documentation, the values next to an example are examples too."""
    left = text.rfind("\n", max(0, start - reach), start) + 1 or max(0, start - reach)
    right = text.find("\n", end, end + reach)
    return "EXAMPLE" in text[left:end + reach if right < 0 else right]


def looks_dummy(secret: str, body: str | None = None, strict: bool = False) -> bool:
    """A documented example, a placeholder word, words joined as an identifier, a run (xxxxx,
    00000), a sequence (12345, abcde) or too few distinct characters in the key's random part
    (`body`, by default the whole secret)."""
    if secret in PUBLISHED_EXAMPLES or _word_in(secret, ("example",)):
        return True
    part = secret if body is None else body
    if _word_in(part, DUMMY_WORDS) or (len(part) >= 16 and _WORDS.fullmatch(part)):
        return True
    limits = _STRICT_LIMITS if strict else _LIMITS
    for segment in _SEPARATORS.split(part):
        if not segment:
            continue
        run, sequence = limits[_alphabet(segment)]
        if (_has_run(segment, run) or _has_sequence(segment, sequence)
                or too_little_variety(segment) or _periodic(segment)):
            return True
    return False
