"""The subset of Cloudflare's rules language the sandbox's edge can evaluate.

The API emulator parses every rule expression with `parse` and refuses anything outside the
subset (naming the unsupported part), so a rule the edge accepts is a rule it can run; the edge
calls `evaluate` on the parsed tree for rule matches, redirect targets and header values.

Subset: fields `http.host`, `http.request.uri.path` and `http.request.method`; string literals;
`true` / `false`; sets `{"a" "b"}`; operators `eq` / `==`, `in`, `wildcard`
(case-insensitive, `*` is any run of characters), `and` / `&&`, `or` / `||`; parentheses;
functions `concat(...)`, `starts_with(value, prefix)` and
`wildcard_replace(source, pattern, replacement[, flags])`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

FIELDS = frozenset({"http.host", "http.request.uri.path", "http.request.method"})
FUNCTIONS = frozenset({"concat", "starts_with", "wildcard_replace"})
_LOGICAL = {"and": "and", "&&": "and", "or": "or", "||": "or"}
_COMPARE = {"eq": "eq", "==": "eq", "in": "in", "wildcard": "wildcard"}


class ExpressionError(ValueError):
    """An expression that is malformed or uses something outside the subset."""


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Literal:
    value: str


@dataclass(frozen=True)
class Boolean:
    value: bool


@dataclass(frozen=True)
class StringSet:
    values: frozenset[str]


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Compare:
    op: str  # "eq", "in" or "wildcard"
    left: Node
    right: Node


@dataclass(frozen=True)
class Logical:
    op: str  # "and" or "or"
    operands: tuple[Node, ...]


Node = Field | Literal | Boolean | StringSet | Call | Compare | Logical

_TOKEN = re.compile(r"""
    \s*(?:
      (?P<string>"(?:[^"\\]|\\.)*")
    | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
    | (?P<punct>==|&&|\|\||[(){},])
    | (?P<other>\S+?(?=[\s(){},"]|$))
    )""", re.VERBOSE)


def _tokenize(text: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise ExpressionError(f"unexpected character {text[pos:].strip()[:1]!r}")
        kind = match.lastgroup or "other"
        tokens.append((kind, match.group(kind)))
        pos = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokenize(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else None

    def next(self) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise ExpressionError("unexpected end of expression")
        self.pos += 1
        return self.tokens[self.pos - 1]

    def expect(self, value: str) -> None:
        kind, got = self.next()
        if got != value:
            raise ExpressionError(f"expected {value!r}, found {got!r}")

    def logical(self, op: str, operand) -> Node:
        operands = [operand()]
        while _LOGICAL.get(self.peek() or "") == op:
            self.next()
            operands.append(operand())
        return operands[0] if len(operands) == 1 else Logical(op, tuple(operands))

    def expression(self) -> Node:
        return self.logical("or", lambda: self.logical("and", self.comparison))

    def comparison(self) -> Node:
        left = self.value()
        op = self.peek()
        if op in _COMPARE:
            self.next()
            right = self.string_set() if _COMPARE[op] == "in" else self.value()
            return Compare(_COMPARE[op], left, right)
        if op is not None and op not in _LOGICAL and op not in (")", ","):
            raise ExpressionError(f"unsupported operator {op!r}")
        return left

    def string_set(self) -> StringSet:
        self.expect("{")
        values = []
        while self.peek() != "}":
            kind, text = self.next()
            if kind != "string":
                raise ExpressionError(f"sets hold string literals only, found {text!r}")
            values.append(_unquote(text))
        self.next()
        return StringSet(frozenset(values))

    def value(self) -> Node:
        kind, text = self.next()
        if kind == "string":
            return Literal(_unquote(text))
        if text == "(":
            inner = self.expression()
            self.expect(")")
            return inner
        if kind == "word" and self.peek() == "(":
            return self.call(text)
        if kind == "word" and text in ("true", "false"):
            return Boolean(text == "true")
        if kind == "word" and "." in text:
            if text not in FIELDS:
                raise ExpressionError(f"unsupported field {text!r}")
            return Field(text)
        if kind == "word" and text == "not":
            raise ExpressionError("unsupported operator 'not'")
        raise ExpressionError(f"unsupported value {text!r}")

    def call(self, name: str) -> Call:
        if name not in FUNCTIONS:
            raise ExpressionError(f"unsupported function {name!r}")
        self.expect("(")
        args = []
        while self.peek() != ")":
            args.append(self.value())
            if self.peek() == ",":
                self.next()
            elif self.peek() != ")":
                raise ExpressionError(f"expected ',' or ')' in {name}(), found {self.peek()!r}")
        self.next()
        if name == "wildcard_replace" and len(args) not in (3, 4):
            raise ExpressionError("wildcard_replace takes 3 or 4 arguments")
        if name == "concat" and not args:
            raise ExpressionError("concat takes at least one argument")
        if name == "starts_with" and len(args) != 2:
            raise ExpressionError("starts_with takes 2 arguments")
        return Call(name, tuple(args))


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def parse(expr: str) -> Node:
    """Parse an expression of the subset; raise ExpressionError naming what is not supported."""
    parser = _Parser(expr)
    if not parser.tokens:
        raise ExpressionError("empty expression")
    tree = parser.expression()
    if parser.peek() is not None:
        raise ExpressionError(f"unexpected {parser.peek()!r}")
    return tree


def fields_of(node: Node) -> frozenset[str]:
    """The fields an expression reads (plans limit which ones a rate limiting rule may use)."""
    match node:
        case Field(name):
            return frozenset({name})
        case Call(_, args):
            return frozenset().union(*(fields_of(a) for a in args))
        case Compare(_, left, right):
            return fields_of(left) | fields_of(right)
        case Logical(_, operands):
            return frozenset().union(*(fields_of(o) for o in operands))
    return frozenset()


def _wildcard(pattern: str) -> str:
    return "".join("(.*?)" if part == "*" else re.escape(part) for part in re.split(r"(\*)", pattern))


def wildcard_replace(source: str, pattern: str, replacement: str, flags: str = "") -> str:
    """Cloudflare's wildcard_replace: `*` captures, `${N}` refers to capture N; no match keeps source."""
    match = re.fullmatch(_wildcard(pattern), source, 0 if "s" in flags else re.IGNORECASE)
    if not match:
        return source
    return re.sub(r"\$\{(\d+)\}", lambda m: match.group(int(m.group(1))) or "", replacement)


def evaluate(node: Node, request_fields: dict[str, str]) -> Any:
    """The value of a parsed expression for one request: a bool for a match, a str for a target."""
    match node:
        case Field(name):
            return request_fields.get(name, "")
        case Literal(value) | Boolean(value):
            return value
        case StringSet(values):
            return values
        case Call("concat", args):
            return "".join(str(evaluate(a, request_fields)) for a in args)
        case Call("starts_with", (value, prefix)):
            return str(evaluate(value, request_fields)).startswith(str(evaluate(prefix, request_fields)))
        case Call("wildcard_replace", args):
            return wildcard_replace(*(str(evaluate(a, request_fields)) for a in args))
        case Compare("eq", left, right):
            return evaluate(left, request_fields) == evaluate(right, request_fields)
        case Compare("wildcard", left, right):
            pattern = _wildcard(str(evaluate(right, request_fields)))
            return re.fullmatch(pattern, str(evaluate(left, request_fields)), re.IGNORECASE) is not None
        case Compare("in", left, right):
            return evaluate(left, request_fields) in evaluate(right, request_fields)
        case Logical("and", operands):
            return all(evaluate(o, request_fields) for o in operands)
        case Logical("or", operands):
            return any(evaluate(o, request_fields) for o in operands)
    raise ExpressionError(f"cannot evaluate {node!r}")
