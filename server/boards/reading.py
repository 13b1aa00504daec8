"""Careful reads of untrusted document values.

Any client can write anything into a Yjs document, so every read checks the
type it gets and notes a problem rather than raising. Shared maps and plain JSON
objects are both turned into ordinary dicts of fields first.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TypedDict, TypeVar

from pycrdt import Map, Text

from .labels import PARTY_BY_ID
from .problems import Problem, pointer, problem, wrong_type

logger = logging.getLogger(__name__)
T = TypeVar("T")
Fields = Mapping[str, object]
Path = tuple[str, ...]


class AuthorOut(TypedDict):
    id: str | None
    name: str | None
    party: str | None


class ProblemReport:
    """Collects the problems met while reading one document."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def report(self, found: Problem) -> None:
        self.problems.append(found)

    def guard(self, path: Path, read: Callable[[], T]) -> T | None:
        """Last line of defence: an unexpected failure costs one entry, never the board.

        It is logged too, since it means this module missed a case worth handling.
        """
        try:
            return read()
        except Exception:
            logger.exception("unreadable board content at %s", pointer(*path))
            self.report(problem(pointer(*path), "unreadable"))
            return None

    def fields(self, value: object, path: Path, *, expected: str = "map") -> Fields | None:
        """The entries of a shared map or JSON object, or None (reported) for anything else."""
        found = as_fields(value)
        if found is None:
            self.report(wrong_type(pointer(*path), expected, value))
        return found

    def child_map(self, fields: Fields, path: Path, key: str) -> Fields | None:
        """The entries of a nested shared map; absence and wrong types are reported."""
        if key not in fields:
            self.report(problem(pointer(*path, key), "missing_field", field=key))
            return None
        value = fields[key]
        if isinstance(value, Map):
            return map_entries(value)
        self.report(wrong_type(pointer(*path, key), "map", value))
        return None

    def text(self, fields: Fields, path: Path, key: str) -> str | None:
        """A shared text as str; a plain string is read too but reported. None if absent."""
        if key not in fields:
            return None
        value = fields[key]
        if isinstance(value, Text):
            return str(value)
        self.report(wrong_type(pointer(*path, key), "text", value))
        return value if isinstance(value, str) else ""

    def string(self, fields: Fields, path: Path, key: str, *, required: bool = True) -> str | None:
        if key not in fields:
            if required:
                self.report(problem(pointer(*path, key), "missing_field", field=key))
            return None
        value = fields[key]
        if isinstance(value, str):
            return value
        self.report(wrong_type(pointer(*path, key), "string", value))
        return None

    def choice(
        self,
        fields: Fields,
        path: Path,
        key: str,
        known: Mapping[str, object],
        code: str,
        *,
        required: bool = True,
    ) -> str | None:
        """An id from a closed vocabulary (level, tier, party…); unknown ids are reported."""
        value = self.string(fields, path, key, required=required)
        if value is None or value in known:
            return value
        self.report(problem(pointer(*path, key), code, value=value))
        return None

    def number(self, fields: Fields, path: Path, key: str) -> int | float | None:
        if key not in fields:
            self.report(problem(pointer(*path, key), "missing_field", field=key))
            return None
        value = fields[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.report(wrong_type(pointer(*path, key), "number", value))
            return None
        if not math.isfinite(value):
            self.report(problem(pointer(*path, key), "not_finite", value=str(value)))
            return None
        return canonical_number(value)

    def date(self, fields: Fields, path: Path, key: str) -> str | None:
        """An ISO 8601 timestamp kept as written (the browser writes `toISOString()`)."""
        value = self.string(fields, path, key)
        if value is None or is_iso_date(value):
            return value
        self.report(problem(pointer(*path, key), "invalid_date", value=value))
        return None

    def author(self, fields: Fields, path: Path, *, name_required: bool) -> AuthorOut:
        return {
            "id": self.string(fields, path, "authorId"),
            "name": self.string(fields, path, "authorName", required=name_required),
            "party": self.choice(fields, path, "party", PARTY_BY_ID, "unknown_party"),
        }


def as_fields(value: object) -> Fields | None:
    """Entries of a shared map or of a plain JSON object; None for anything else."""
    if isinstance(value, Map):
        return map_entries(value)
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return value
    return None


def map_entries(shared: Map[object]) -> dict[str, object]:
    """``dict(shared.items())``, read in one transaction: ``items()`` opens a transaction
    and checks the key again for every entry, which made reading a long board's notes the
    largest cost of a history page (``bench/replay_bench.py``). Falls back to ``items()``
    should pycrdt's integrated map change shape (the version is pinned below 0.15)."""
    try:
        with shared.doc.transaction() as txn:
            raw, wrap = shared.integrated, shared._maybe_as_type_or_doc
            return {key: wrap(raw.get(txn._txn, key)) for key in raw.keys(txn._txn)}
    except AttributeError:
        return dict(shared.items())


def canonical_number(value: int | float) -> int | float:
    """Whole numbers as int, so Python and JavaScript serialise a value the same way."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


def is_iso_date(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def sorted_entries(entries: Fields) -> list[tuple[str, object]]:
    """Entries in id order, so the projection never depends on insertion order."""
    return sorted(entries.items(), key=lambda entry: entry[0])
