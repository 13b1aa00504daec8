"""JSON Schemas from ``schemas/``: load once, validate, and report problems as messages."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource

from server.core.resources import resource_dir

BASE_URI = "https://atelier.invalid/schemas/"
"""Schemas are addressed by their path under ``schemas/``; this base is never fetched."""
MAX_JSON_DEPTH = 64
"""Deeper than any document Atelier reads or writes (request bodies, bundles: under 10)."""
_SURROGATE = re.compile("[\ud800-\udfff]")


class JSONRefused(ValueError):
    """Parsed JSON that Atelier still refuses. ``field`` is the path of the value at fault
    ("" for the document as a whole); the message is what is wrong with it ("is nested…",
    "holds…") and never quotes the offending text, which may not even be encodable."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field

    def sentence(self, document: str) -> str:
        """The refusal with its subject: the field, else ``document`` ("the body")."""
        subject = f"'{self.field}'" if self.field else document
        return f"{subject} {self}"


def parse_json_limited(raw: str | bytes, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """``json.loads`` for untrusted input. Nesting is bounded (deep input exhausts the
    recursion of the parser, the schema validator and every reader after them), and every
    string and key must be valid Unicode: ``"\\ud800"`` escapes, and CESU-8 bytes that
    ``json.loads`` decodes with ``surrogatepass``, give lone surrogates, which cannot be
    encoded as UTF-8 and so break the CRDT engine, the database and the response itself.
    Raises ``JSONRefused`` for those, ``ValueError`` for what is not JSON."""
    try:
        data = json.loads(raw)
    except RecursionError as exc:
        raise JSONRefused(f"is nested deeper than {max_depth} levels") from exc
    _check_tree(data, max_depth)
    return data


def _check_tree(data: Any, max_depth: int) -> None:
    """Walk without recursion; paths are only spelled out for the value at fault."""
    stack: list[tuple[Any, tuple[Any, ...] | None, int]] = [(data, None, 1)]
    while stack:
        value, where, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value, where)
            continue
        if not isinstance(value, dict | list):  # a number, true, false or null
            continue
        if depth > max_depth:
            raise JSONRefused(f"is nested deeper than {max_depth} levels")
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            here = (key, where)
            if isinstance(key, str):
                _check_text(key, here)
            if isinstance(item, str | dict | list):
                stack.append((item, here, depth + 1))


def _check_text(text: str, where: tuple[Any, ...] | None) -> None:
    found = _SURROGATE.search(text)
    if found is None:
        return
    parts = []
    while where is not None:
        key, where = where
        parts.append(str(key).encode("utf-8", "backslashreplace").decode("utf-8"))
    raise JSONRefused(
        f"holds a lone surrogate (U+{ord(found.group()):04X}), which is not Unicode text; "
        "send it as UTF-8",
        "/".join(reversed(parts)),
    )


@cache
def _documents() -> dict[str, dict[str, Any]]:
    root = resource_dir("schemas", "api")
    docs = {}
    for path in sorted(root.rglob("*.schema.json")):
        name = path.relative_to(root).as_posix()
        document = json.loads(path.read_text(encoding="utf-8"))
        document["$id"] = BASE_URI + name
        docs[name] = document
    return docs


@cache
def _registry() -> Registry[Any]:
    resources = [(doc["$id"], Resource.from_contents(doc)) for doc in _documents().values()]
    return Registry().with_resources(resources)


def schema(name: str) -> dict[str, Any]:
    """The schema document at ``schemas/<name>`` (with its absolute ``$id``)."""
    return _documents()[name]


def names() -> list[str]:
    return list(_documents())


@cache
def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(schema(name), registry=_registry())


MAX_ECHO_CHARS = 40
"""How much of an offending value a message quotes."""
MAX_MESSAGE_CHARS = 300
MAX_PROBLEMS = 20


def problems(name: str, instance: Any) -> list[str]:
    """Human-readable violations of ``schemas/<name>`` (empty when valid). An offending
    value is quoted by its first characters only and at most ``MAX_PROBLEMS`` are listed,
    so an answer never repeats a large input."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.path))
    found = []
    for error in errors[:MAX_PROBLEMS]:
        where = "/".join(_excerpt(str(p), MAX_ECHO_CHARS) for p in error.path)
        found.append(f"{where or '(body)'}: {_message(error)}")
    if len(errors) > MAX_PROBLEMS:
        found.append(f"(and {len(errors) - MAX_PROBLEMS} more problems)")
    return found


def first_field(name: str, instance: Any) -> str | None:
    """The path of the first value at fault (``scores/urgency``), None when the document
    as a whole is: what a client shows the refusal next to."""
    errors = sorted(validator(name).iter_errors(instance), key=lambda e: list(e.path))
    if not errors or not errors[0].path:
        return None
    return "/".join(_excerpt(str(p), MAX_ECHO_CHARS) for p in errors[0].path)


def _message(error: ValidationError) -> str:
    """The validator's message, whose quote of the offending value (its ``repr``) is cut."""
    message = error.message
    quoted = repr(error.instance)
    if len(quoted) > MAX_ECHO_CHARS and quoted in message:
        message = message.replace(quoted, _excerpt(quoted, MAX_ECHO_CHARS))
    if error.validator == "maxLength":
        message += f" (at most {error.validator_value} characters)"
    return _excerpt(message, MAX_MESSAGE_CHARS)


def _excerpt(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
