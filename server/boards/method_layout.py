"""Writes into the `conditions` and `support` parts (layout 2), checked like the others.

A score is a whole number of the 4-level scale (stored as a float, a JavaScript number);
texts are shared `Y.Text`s edited by difference only. The containers exist once the board
is seeded or upgraded: writing into a missing one is a ValueError, never a silent creation
(a second replica creating it would lose someone's text).
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map, Text

from .labels import PARTY_BY_ID
from .layout import CONDITIONS, SUPPORT, replace_text, root
from .method import CRITERION_BY_ID, MAX_SCORE, MIN_SCORE, ROLE_BY_ID, SCORE_BY_VALUE
from .reading import is_iso_date

CRITERION_TEXTS = ("evidence", "next")
ROLE_TEXTS = ("who", "notes")


def check_score(score: object) -> float:
    """A step of the scale as stored; anything else is a ValueError."""
    if isinstance(score, bool) or not isinstance(score, int | float) or score not in SCORE_BY_VALUE:
        raise ValueError(f"a score is a whole number from {MIN_SCORE} to {MAX_SCORE}: {score!r}")
    return float(score)


def set_score(
    doc: Doc[Any], criterion: str, score: int, *, by: str | None = None, at: str | None = None
) -> None:
    """Score a criterion; ``by`` (a person's name) and ``at`` record who scored it."""
    value = check_score(score)
    if at is not None and not is_iso_date(at):
        raise ValueError(f"not an ISO 8601 date: {at!r}")
    with doc.transaction():
        entry = _criterion(doc, criterion)
        entry["score"] = value
        for key, recorded in (("scoredBy", by), ("scoredAt", at)):
            if recorded:
                entry[key] = recorded
            elif key in entry:
                del entry[key]


def clear_score(doc: Doc[Any], criterion: str) -> None:
    with doc.transaction():
        entry = _criterion(doc, criterion)
        for key in ("score", "scoredBy", "scoredAt"):
            if key in entry:
                del entry[key]


def set_criterion_text(doc: Doc[Any], criterion: str, field: str, text: str) -> None:
    """« ce qui le montre » (``evidence``) or « prochaines étapes » (``next``)."""
    if field not in CRITERION_TEXTS:
        raise ValueError(f"unknown field {field!r}; expected one of {', '.join(CRITERION_TEXTS)}")
    with doc.transaction():
        replace_text(_text(_criterion(doc, criterion), field), text)


def set_role_party(doc: Doc[Any], role: str, party: str, carries: bool = True) -> None:
    """Say that `party` carries the role (or no longer does)."""
    if party not in PARTY_BY_ID:
        raise ValueError(f"unknown party {party!r}; expected one of {', '.join(PARTY_BY_ID)}")
    with doc.transaction():
        parties = _role(doc, role).get("parties")
        if not isinstance(parties, Map):
            raise ValueError(f"role {role!r} has no parties map")
        if carries:
            parties[party] = True
        elif party in parties:
            del parties[party]


def set_role_text(doc: Doc[Any], role: str, field: str, text: str) -> None:
    """« qui / quel lieu » (``who``) or the role's ``notes``."""
    if field not in ROLE_TEXTS:
        raise ValueError(f"unknown field {field!r}; expected one of {', '.join(ROLE_TEXTS)}")
    with doc.transaction():
        replace_text(_text(_role(doc, role), field), text)


def set_role_score(doc: Doc[Any], role: str, score: int | None) -> None:
    """How well the role is carried, on the same scale; None clears it."""
    value = None if score is None else check_score(score)
    with doc.transaction():
        entry = _role(doc, role)
        if value is not None:
            entry["score"] = value
        elif "score" in entry:
            del entry["score"]


def _criterion(doc: Doc[Any], criterion: str) -> Map[Any]:
    if criterion not in CRITERION_BY_ID:
        raise ValueError(f"unknown criterion {criterion!r}")
    return _entry(doc, CONDITIONS, criterion)


def _role(doc: Doc[Any], role: str) -> Map[Any]:
    if role not in ROLE_BY_ID:
        raise ValueError(f"unknown role {role!r}")
    return _entry(doc, SUPPORT, role)


def _entry(doc: Doc[Any], root_name: str, key: str) -> Map[Any]:
    entry = root(doc, root_name).get(key)
    if not isinstance(entry, Map):
        raise ValueError(f"the board has no {root_name} entry {key!r}; seed or upgrade it first")
    return entry


def _text(entry: Map[Any], key: str) -> Text:
    text = entry.get(key)
    if not isinstance(text, Text):
        raise ValueError(f"{key!r} is not a shared text")
    return text
