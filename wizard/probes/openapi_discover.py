"""Proposing the `api:` section from an OpenAPI document: the log-in, sign-up, chat and webhook
operations, the protected and admin routes, the objects users own (for the cross-user test) and
the account's own record.

Deterministic, and it never guesses: where the document allows more than one reading, or leaves
out what a check needs (where the token is, how a webhook is signed), a Question asks, and the
item stays unset until it is answered."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pydantic import TypeAdapter, ValidationError

from wizard.probes.api_paths import shape, slots
from wizard.probes.openapi_doc import Document, Operation
from wizard.sections import Locator

NONE = "none"  # the answer that leaves a question's item unset
# The Api model's list limits: more would not validate.
MAX_PROTECTED, MAX_ADMIN, MAX_RESOURCES, MAX_PATH_VALUES = 500, 200, 50, 50

_LOGIN = {"login", "signin", "logon", "token", "tokens", "session", "sessions", "auth",
          "authenticate", "authentication", "oauth", "oauth2"}
_NOT_LOGIN = {"register", "registration", "signup", "refresh", "logout", "signout", "logoff",
              "revoke", "reset", "forgot", "verify", "verification"}
_SIGNUP = {"register", "registration", "signup", "createaccount"}
_SIGNUP_SEGMENTS = {"users", "accounts", "signup", "register", "registration"}
_ADMIN = {"admin", "admins", "administrator", "administration", "internal", "staff",
          "superuser", "superusers", "backoffice", "moderation", "moderator", "moderators"}
_CHAT = {"chat", "chats", "completion", "completions", "message", "messages", "ask",
         "conversation", "conversations", "assistant", "converse"}
_HOOK = {"webhook", "webhooks", "hook", "hooks", "callback", "callbacks"}
_USER_SEGMENTS = {"users", "user", "me"}  # user records are api.account, not objects

_TOKEN_FIELDS = ("access_token", "token", "jwt", "id_token", "accessToken", "session_token")
_PROMPT_FIELDS = ("message", "prompt", "input", "content", "query", "question", "text")
_REPLY_FIELDS = ("reply", "answer", "content", "message", "text", "output", "response",
                 "completion")
_LOGIN_FIELDS = ("email", "username", "login", "user", "user_name", "email_address", "identifier")
_TITLE_FIELDS = ("title", "name", "label", "subject", "display_name", "displayName", "topic")
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")

_ME = re.compile(r"/(me|users?/me|users?/current|user|account|profile|whoami)/?$")
_USER_ITEM = re.compile(r"/users?/\{[^{}/]+\}/?$")
_USER_SLOT = re.compile(r"/users?/\{([^{}/]+)\}")
_USER_ID = re.compile(r"^(user|uid|user_?id|user_?uuid)$", re.IGNORECASE)
_ID_LIKE = re.compile(r"^(id|uuid|guid|pk)$|(_id|Id|ID|_uuid|Uuid)$")
_LOCATORS: TypeAdapter[str] = TypeAdapter(Locator)


@dataclass
class Question:
    """Something the document leaves open; the person's answer settles it."""

    key: str
    prompt: str  # one line
    choices: list[str] = field(default_factory=list)  # empty: a free value
    default: str | None = None  # offered interactively, never applied without an answer


@dataclass
class _Rule:
    """How an answer is applied: with `options`, the chosen one becomes api[item]; with a
    `part`, it fills api[item][part] where the document left it out (path_values: sets
    api.path_values[part]), and an item still lacking it is dropped."""

    item: str
    part: str | None = None
    options: dict[str, dict[str, Any]] = field(default_factory=dict)
    locator: bool = False


@dataclass
class Discovery:
    document: Document
    api: dict[str, Any] = field(default_factory=dict)  # proposed Api fields (before answers)
    found: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what was left unset, and why
    _rules: dict[str, _Rule] = field(default_factory=dict, repr=False)

    def ask(self, question: Question, rule: _Rule) -> None:
        self.questions.append(question)
        self._rules[question.key] = rule


def discover(document: Document, openapi: str | None = None) -> Discovery:
    """The api: section the document suggests; `openapi` is how sprint.yaml names it."""
    discovery = Discovery(document)
    if openapi:
        discovery.api["openapi"] = openapi
    if document.truncated:
        discovery.notes.append(f"the document has more than {len(document.operations)} "
                               "operations: only the first ones were read")
    _Reader(discovery).run()
    return discovery


def resolve(discovery: Discovery, answers: dict[str, str]) -> dict[str, Any]:
    """The proposal with the answers applied (a new dict). An unanswered question, or the
    answer `none`, leaves its item unset."""
    rules = discovery._rules
    for key in answers:
        if key not in rules:
            known = ", ".join(rules) or "none"
            raise ValueError(f"answer {key}: no such question (the questions are: {known})")
    api = copy.deepcopy(discovery.api)
    for question in discovery.questions:  # a choice comes before the questions on its fields
        answer = answers.get(question.key)
        rule = rules[question.key]
        if answer is not None and answer != NONE:
            _check(question, rule, answer)
        _apply(api, rule, None if answer == NONE else answer)
    return api


def _check(question: Question, rule: _Rule, answer: str) -> None:
    where = f"answer {question.key}={answer}"
    if question.choices:
        if answer not in question.choices:
            raise ValueError(f"{where}: choose one of {', '.join(question.choices)}")
        return
    if not answer.strip() or "\n" in answer:
        raise ValueError(f"{where}: give a value on one line, or none")
    locator = answer[3:] if rule.item == "path_values" and answer.startswith("me:") else (
        answer if rule.locator else None)
    if locator is not None:
        try:
            _LOCATORS.validate_python(locator)
        except ValidationError:
            raise ValueError(f"{where}: write json:<path> (e.g. json:data.token), cookie:<name>, "
                             "header:<name> or text:") from None


def _apply(api: dict[str, Any], rule: _Rule, answer: str | None) -> None:
    if rule.part is None:
        if answer is not None:
            api[rule.item] = copy.deepcopy(rule.options[answer])
        return
    if rule.item == "path_values":
        if answer is not None:
            api.setdefault("path_values", {})[rule.part] = answer
        return
    entry = api.get(rule.item)
    if entry is None or rule.part in entry:
        return  # unset, or the document says it: the question was about another candidate
    if answer is not None:
        entry[rule.part] = answer
    else:
        del api[rule.item]  # without it the item would run on a guess


# ---------------------------------------------------------------- reading the operations


def _words(*texts: str) -> set[str]:
    """Lower-case words of paths, operationIds and summaries (camelCase and snake_case split),
    plus each pair run together, so "sign in" and "log_in" read as signin and login."""
    out: set[str] = set()
    for text in texts:
        tokens = re.findall(r"[a-z0-9]+", re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text).lower())
        out.update(tokens)
        out.update(a + b for a, b in zip(tokens, tokens[1:], strict=False))
    return out


def _op_words(op: Operation) -> set[str]:
    return _words(op.path, op.operation_id, op.summary)


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _properties(schema: dict[str, Any] | None) -> dict[str, Any]:
    props = (schema or {}).get("properties")
    return props if isinstance(props, dict) else {}


def _is_string(prop: Any) -> bool:
    return isinstance(prop, dict) and "enum" not in prop and (
        prop.get("type") == "string" or (prop.get("type") is None and "properties" not in prop
                                         and "items" not in prop))


def _password_field(fields: list[str], new: bool = False) -> str | None:
    """The body's password field: `new` prefers the new one of a change-password body."""
    exact = ("new_password", "newPassword", "password") if new else ("password", "passwd", "pwd")
    for name in exact:
        if name in fields:
            return name
    return next((f for f in fields if "password" in f.lower()
                 and not re.search(r"confirm|current|old|repeat", f, re.IGNORECASE)), None)


def _login_field(fields: list[str], password: str) -> str:
    others = [f for f in fields if f != password]
    for name in _LOGIN_FIELDS:
        if name in others:
            return name
    return next((f for f in others if re.search(r"mail|user|login", f, re.IGNORECASE)), "email")


def _email_field(fields: list[str]) -> str | None:
    return "email" if "email" in fields else next((f for f in fields if "email" in f.lower()), None)


def _find(schema: dict[str, Any] | None, names: tuple[str, ...]) -> str | None:
    """The dotted path of the first of `names` among an object's fields, or one level down
    (data.access_token)."""
    props = _properties(schema)
    for name in names:
        if name in props:
            return name
    for parent, value in props.items():
        inner = _properties(value)
        for name in names:
            if name in inner:
                return f"{parent}.{name}"
    return None


def _value(prop: Any) -> Any:
    """A value a create or update body can carry: strings are the run's unique marker."""
    prop = prop if isinstance(prop, dict) else {}
    enum = prop.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    kind = prop.get("type")
    if kind in ("integer", "number"):
        examples = prop.get("examples")
        for example in [prop.get("example"), *(examples if isinstance(examples, list) else [])]:
            if isinstance(example, int | float) and not isinstance(example, bool):
                return example
        minimum = prop.get("minimum")
        return minimum if isinstance(minimum, int | float) and minimum > 1 else 1
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object" or "properties" in prop:
        return {}
    return "{{marker}}"


def _template(schema: dict[str, Any] | None, names: list[str], marked: str | None = None) -> str:
    """A JSON body with `names` (in the schema's order); `marked` always gets the marker."""
    props = _properties(schema)
    wanted = set(names)
    return json.dumps({name: "{{marker}}" if name == marked else _value(prop)
                       for name, prop in props.items() if name in wanted})


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 3:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _slot_field(slot: str, fields: list[str], name: str) -> str | None:
    """The body field an object's slot is named after: {name} -> name, {project_name} -> name."""
    stripped = re.sub(rf"^{re.escape(name)}[_-]?", "", slot, flags=re.IGNORECASE)
    stripped = stripped[:1].lower() + stripped[1:]
    return next((f for f in (slot, stripped) if f and f in fields), None)


def _same_tail(a: str, b: str) -> bool:
    """tokenUrl `token` names POST /token; `/api/v1/auth/token` names /auth/token."""
    pa, pb = _segments(a), _segments(b)
    short, long = sorted((pa, pb), key=len)
    return bool(short) and long[len(long) - len(short):] == short


def _listing(routes: list[str], limit: int = 3) -> str:
    more = f" and {len(routes) - limit} more" if len(routes) > limit else ""
    return ", ".join(routes[:limit]) + more


class _Reader:
    """One pass over the operations per item; every step is linear in their number."""

    def __init__(self, discovery: Discovery) -> None:
        self.d = discovery
        self.api = discovery.api
        self.ops = discovery.document.operations
        self.by_path: dict[str, dict[str, Operation]] = {}
        for op in self.ops:
            self.by_path.setdefault(op.path, {})[op.method] = op
        self.claimed: set[str] = set()  # log-in and sign-up routes: no object, no chat
        self.creates: set[str] = set()  # routes that create an object
        self.user_slots: dict[str, str] = {}  # slot -> the me: locator that fills it

    def run(self) -> None:
        self.login()
        self.signup()
        self.protected()
        self.admin()
        self.resources()
        self.account()
        self.chat()
        self.webhook()
        self.path_values()

    def offer(self, item: str, label: str, options: dict[str, dict[str, Any]],
              lines: dict[str, str], needs: str | None = None, missing: Question | None = None,
              locator: bool = False) -> None:
        """One candidate is proposed, several are a question; `missing` (its prompt naming
        {routes}) asks for the `needs` field of the candidates the document leaves it out of."""
        if len(options) == 1:
            self.api[item] = next(iter(options.values()))
            self.d.found.append(f"{label}: {next(iter(lines.values()))}")
        else:
            choices = [*options, NONE]
            self.d.ask(Question(item, f"which operation is the {label}?", choices),
                       _Rule(item, options=options))
            self.d.found.append(f"{label}: {len(options)} candidates ({', '.join(options)}): "
                                f"question {item}")
        lacking = [route for route, option in options.items() if needs and needs not in option]
        if missing and lacking:
            missing.prompt = missing.prompt.format(routes=" or ".join(lacking))
            self.d.ask(missing, _Rule(item, needs, locator=locator))
            self.d.notes.append(f"api.{item} stays unset until {missing.key} is answered" + (
                "" if len(options) == 1 else f" (if {' or '.join(lacking)} is chosen)"))

    # ------------------------------------------------------------ log-in and sign-up

    def login(self) -> None:
        schemes = self.d.document.security_schemes.values()
        token_urls = [urlsplit(str(flow.get("tokenUrl") or "")).path
                      for scheme in schemes for flow in self._password_flows(scheme)]
        named, candidates = [], []
        for op in self.ops:
            if op.method != "POST" or op.secured or _password_field(op.body_fields) is None:
                continue
            words = _op_words(op)
            listed = any(_same_tail(url, op.path) for url in token_urls if url)
            if listed:
                named.append(op)
            if listed or (words & _LOGIN and not words & _NOT_LOGIN):
                candidates.append(op)
        candidates = named or candidates  # the oauth2 password flow's tokenUrl settles it
        if not candidates:
            self.d.notes.append("no log-in operation found: set api.login by hand")
            return
        options, lines = {}, {}
        for op in candidates:
            self.claimed.add(op.route)
            options[op.route], lines[op.route] = self._login(op)
        self.offer("login", "log-in", options, lines, needs="token", missing=Question(
            "login.token", "where is the session token in the answer of {routes}? json:<path>, "
            "cookie:<name> or header:<name>", default="json:token"), locator=True)

    @staticmethod
    def _password_flows(scheme: dict[str, Any]) -> list[dict[str, Any]]:
        if scheme.get("type") != "oauth2":
            return []
        if scheme.get("flow") == "password":  # Swagger 2.0
            return [scheme]
        flows = scheme.get("flows")
        password = flows.get("password") if isinstance(flows, dict) else None
        return [password] if isinstance(password, dict) else []

    @staticmethod
    def _login(op: Operation) -> tuple[dict[str, Any], str]:
        password = _password_field(op.body_fields) or "password"
        user = _login_field(op.body_fields, password)
        entry: dict[str, Any] = {"method": "POST", "url": op.path}
        if op.body_media in _FORMS:
            parts = [f"{user}={{{{login}}}}", f"{password}={{{{password}}}}"]
            if "grant_type" in op.body_required:
                parts.append("grant_type=password")
            entry.update(encoding="form", body="&".join(parts))
        else:
            entry["body"] = json.dumps({user: "{{login}}", password: "{{password}}"})
        token = _find(op.response_schema, _TOKEN_FIELDS)
        if token:
            entry["token"] = f"json:{token}"
        form = "form-encoded, " if op.body_media in _FORMS else ""
        where = f"token at {entry['token']}" if token else "token not documented"
        return entry, f"{op.route} ({form}{where})"

    def signup(self) -> None:
        options, lines = {}, {}
        for op in self.ops:
            if op.method != "POST" or op.secured or op.route in self.claimed:
                continue
            password = _password_field(op.body_fields)
            segments = _segments(op.path)
            if password is None or not (_op_words(op) & _SIGNUP or (
                    segments and segments[-1].lower() in _SIGNUP_SEGMENTS)):
                continue
            email = _email_field(op.body_fields) or _login_field(op.body_fields, password)
            props = _properties(op.body_schema)
            body = {}
            for name, prop in props.items():
                if name == email:
                    body[name] = "{{login}}"
                elif name == password or (name in op.body_required and "password" in name.lower()):
                    body[name] = "{{password}}"
                elif name in op.body_required:
                    body[name] = _value(prop)
            self.claimed.add(op.route)
            options[op.route] = {"method": "POST", "url": op.path, "body": json.dumps(body)}
            lines[op.route] = op.route
        if not options:
            self.d.notes.append("no sign-up operation found: set api.signup by hand if "
                                "the product lets anyone create an account")
            return
        self.offer("signup", "sign-up", options, lines)

    # ------------------------------------------------------------ routes

    def protected(self) -> None:
        routes = [op.route for op in self.ops if op.secured]
        if not routes:
            self.d.notes.append("no operation has a security requirement: list the routes that "
                                "need a session in api.protected_routes by hand")
            return
        self.api["protected_routes"] = routes[:MAX_PROTECTED]
        self.d.found.append(f"protected: {len(routes)} operations with a security requirement")
        if len(routes) > MAX_PROTECTED:
            self.d.notes.append(f"protected: only the first {MAX_PROTECTED} of {len(routes)} "
                                "routes are kept")

    def admin(self) -> None:
        routes = [op.route for op in self.ops if op.method == "GET"
                  and _ADMIN & _words(op.path, op.operation_id, op.summary, *op.tags)]
        if not routes:
            self.d.notes.append("no admin route found (by tag, path, operationId or summary): "
                                "list them in api.admin_routes by hand")
            return
        self.api["admin_routes"] = routes[:MAX_ADMIN]
        self.d.found.append(f"admin: {_listing(routes)}")

    # ------------------------------------------------------------ objects and the account

    def resources(self) -> None:
        items: dict[str, str] = {}  # collection path (no trailing /) -> its first item path
        for path in self.by_path:
            segments = _segments(path)
            if segments and re.fullmatch(r"\{[^{}/]+\}", segments[-1]):
                items.setdefault("/" + "/".join(segments[:-1]), path)
        found: list[dict[str, Any]] = []
        for op in self.ops:
            segments = _segments(op.path)
            item = items.get("/" + "/".join(segments))
            if (op.method != "POST" or item is None or not segments or slots(op.path)
                    or op.route in self.claimed or segments[-1].lower() in _USER_SEGMENTS
                    or _HOOK & _words(op.path)):
                continue  # a nested collection's first slot is its parent's, not the object's
            if len(found) == MAX_RESOURCES:
                self.d.notes.append(f"objects: only the first {MAX_RESOURCES} are kept")
                break
            entry = self._resource(op, item)
            if entry is not None:
                found.append(entry)
        if not found:
            self.d.notes.append("no object with a create operation (POST) and an item route "
                                "with its id: list the objects users own in api.resources by hand")
            return
        self.api["resources"] = found

    def _resource(self, create: Operation, item: str) -> dict[str, Any] | None:
        routes = self.by_path[item]
        methods = [m for m in ("GET", "PUT", "PATCH", "DELETE") if m in routes]
        if not methods:
            return None
        slot = slots(item)[-1]
        name = _singular(_segments(create.path)[-1])
        by_name = not _ID_LIKE.search(slot)
        marked = _slot_field(slot, create.body_fields, name)
        entry: dict[str, Any] = {"name": name, "create_method": "POST", "create_url": create.path}
        props = _properties(create.body_schema)
        if props:
            title = next((f for f in _TITLE_FIELDS if _is_string(props.get(f))), None)
            entry["create_body"] = _template(create.body_schema, [*create.body_required,
                                                                  *filter(None, (title, marked))],
                                             marked)
        answer = create.response_fields or []
        entry["id_from"] = "json:" + (slot if slot in answer else "id" if "id" in answer
                                      else marked if by_name and marked else "id")
        entry["url"] = item.replace("{" + slot + "}", "{id}")
        update = routes.get("PATCH") or routes.get("PUT")
        if update is not None and _properties(update.body_schema):
            entry["update_body"] = self._update_body(update, marked)
        entry["methods"] = methods
        self.creates.add(create.route)
        self.d.found.append(f"object {name}{' (addressed by name)' if by_name else ''}: "
                            f"{create.route}, then {'/'.join(methods)} {item}")
        return entry

    @staticmethod
    def _update_body(update: Operation, marked: str | None) -> str:
        """One string field changed (a title-like one, not the object's name in its URL); a PUT
        also carries its required fields."""
        props = _properties(update.body_schema)
        strings = [f for f, p in props.items() if _is_string(p) and f != marked]
        pick = next((f for f in _TITLE_FIELDS if f in strings), strings[0] if strings else None)
        names = [*(update.body_required if update.method == "PUT" else []), *filter(None, [pick])]
        return _template(update.body_schema, names or list(props)[:1])

    def account(self) -> None:
        me = next((op for op in self.ops if op.method == "GET" and op.secured
                   and not slots(op.path) and _ME.search(op.path)), None)
        if me is None:
            self.d.notes.append("no GET /me-like operation with a security requirement: set "
                                "api.account by hand")
            return
        fields = me.response_fields or []
        id_field = "id" if "id" in fields else "user_id" if "user_id" in fields else None
        entry: dict[str, Any] = {"me_url": me.path}
        if id_field:
            entry["id_from"] = f"json:{id_field}"
        parts = [me.route]
        users = [p for p in self.by_path if _USER_ITEM.search(p)]
        update = (next((self.by_path[p]["PATCH"] for p in users if "PATCH" in self.by_path[p]), None)
                  or next((self.by_path[p]["PUT"] for p in users if "PUT" in self.by_path[p]), None)
                  or self.by_path[me.path].get("PATCH") or self.by_path[me.path].get("PUT"))
        if update is not None:
            entry.update(update_method=update.method, update_url=_user_url(update.path))
            email = _email_field(update.body_fields)
            if email:
                entry["email_field"] = email
            parts.append(update.route)
        password = self._password_route(me.path)
        if password is not None:
            entry.update(password_method=password.method, password_url=_user_url(password.path))
            name = _password_field(password.body_fields, new=True)
            if name:
                entry["password_body"] = json.dumps({name: "{{password}}"})
            parts.append(password.route)
        self.api["account"] = entry
        self.d.found.append(f"account: {'; '.join(parts)}")
        for op in self.ops:
            for slot in _USER_SLOT.findall(op.path):
                self.user_slots.setdefault(slot, f"me:json:{id_field or 'id'}")

    def _password_route(self, me_path: str) -> Operation | None:
        wanted = re.compile(r"/users?/\{[^{}/]+\}/password/?$")
        for path, routes in self.by_path.items():
            if wanted.search(path) or path.rstrip("/") == me_path.rstrip("/") + "/password":
                for method in ("PUT", "POST", "PATCH"):
                    if method in routes:
                        return routes[method]
        return None

    # ------------------------------------------------------------ chat and webhook

    def chat(self) -> None:
        options, lines, slotted = {}, {}, []
        for op in self.ops:
            if op.method != "POST" or op.route in self.creates or op.route in self.claimed \
                    or not _op_words(op) & _CHAT:
                continue
            props = _properties(op.body_schema)
            prompt = next((f for f in _PROMPT_FIELDS if _is_string(props.get(f))), None)
            if prompt is None:
                continue
            if slots(op.path):
                slotted.append(op.route)
                continue
            entry: dict[str, Any] = {"method": "POST", "url": op.path,
                                     "body": json.dumps({prompt: "{{prompt}}"})}
            reply = _find(op.response_schema, _REPLY_FIELDS)
            if reply:
                entry["reply"] = f"json:{reply}"
            options[op.route] = entry
            lines[op.route] = f"{op.route} (reply at json:{reply})" if reply else \
                f"{op.route} (reply not documented)"
        if slotted:
            self.d.notes.append(f"{_listing(slotted)}: a chat route whose URL needs an id; "
                                "api.chat takes a fixed URL (a conversation id goes in the body)")
        if not options:
            self.d.notes.append("no chat operation found: set api.chat by hand")
            return
        self.offer("chat", "chat", options, lines, needs="reply", missing=Question(
            "chat.reply", "where is the reply text in the answer of {routes}? json:<path> or text:",
            default="json:reply"), locator=True)

    def webhook(self) -> None:
        options, lines = {}, {}
        for op in self.ops:
            if op.method != "POST" or op.secured or not _HOOK & _words(op.path):
                continue
            headers = [p.name for p in op.params if p.location == "header"]
            words = _op_words(op) | _words(*headers)
            lowered = [h.lower() for h in headers]
            entry: dict[str, Any] = {"url": op.path}
            if "stripe" in words or "stripe-signature" in lowered:
                entry["scheme"] = "stripe"
            elif "github" in words or any(h.startswith("x-hub-signature") for h in lowered):
                entry["scheme"] = "github"
            header = next((h for h in headers if "signature" in h.lower()), None)
            if header:
                entry["header"] = header
            options[op.route] = entry
            lines[op.route] = f"{op.route} ({entry.get('scheme', 'scheme not documented')}" + (
                f", signature in {header})" if header else ")")
        if not options:
            self.d.notes.append("no webhook operation found: set api.webhook by hand if the "
                                "product receives one")
            return
        self.offer("webhook", "webhook", options, lines, needs="scheme", missing=Question(
            "webhook.scheme", "how are the calls to {routes} signed: stripe, hmac-sha256 or "
            "github?", ["stripe", "hmac-sha256", "github"], default="hmac-sha256"))

    # ------------------------------------------------------------ slot values

    def path_values(self) -> None:
        """A value for every {slot} of the protected and admin routes that no object fills."""
        objects = [shape(r["url"]) for r in self.api.get("resources", [])]
        needed: dict[str, str] = {}  # slot -> the first route that needs it
        for route in [*self.api.get("protected_routes", []), *self.api.get("admin_routes", [])]:
            path = route.split(" ", 1)[1]
            names = slots(path)
            route_shape = shape(path)
            if any(route_shape == o or route_shape.startswith(o + "/") for o in objects):
                names = names[1:]  # the object's own slot, filled by a fresh object of user A's
            for name in names:
                needed.setdefault(name, route)
        values: dict[str, str] = {}
        if len(needed) > MAX_PATH_VALUES:
            self.d.notes.append(f"path values: only the first {MAX_PATH_VALUES} of {len(needed)} "
                                "slots are asked for")
        for name, route in list(needed.items())[:MAX_PATH_VALUES]:
            if name in self.user_slots:
                values[name] = self.user_slots[name]
                self.d.found.append(f"path value {{{name}}}: {values[name]} (user A's own id, "
                                    f"read from {self.api['account']['me_url']})")
                continue
            self.d.ask(Question(
                f"path_values.{name}", f"a value for {{{name}}} in {route}: an id user A may use, "
                "or me:json:id for user A's own id", default="me:json:id" if _USER_ID.match(name)
                else None), _Rule("path_values", name))
        if values:
            self.api["path_values"] = values


def _user_url(path: str) -> str:
    """/users/{user_id}/password -> /users/{id}/password (the account model's slot)."""
    return _USER_SLOT.sub(lambda m: m.group(0).replace("{" + m.group(1) + "}", "{id}"), path, 1)
