"""The `conditions` and `support` parts and the layout upgrade in a diff, in the method's
words ("Score de « Engagement inclusif » passé de émergente à en développement par …",
"Rôle « Cultiver la confiance » porté par Collectivité").

Kept apart from ``diff`` (which wraps these in its ``Change``) so each module stays short.
A part missing on one side (a board of layout 1) reads as all its items empty, so the
upgrade itself is one ``layout_upgraded`` change, not fifteen.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal, TypeVar

from .captions import Actor, caption, quoted
from .labels import PARTS, PARTY_BY_ID, Localized, loc, quote
from .method import SCORE_BY_VALUE
from .method_view import CriterionOut, RoleOut
from .problems import pointer
from .projection import Projection

MethodKind = Literal[
    "layout_upgraded",
    "criterion_scored",
    "criterion_edited",
    "role_carried",
    "role_dropped",
    "role_edited",
    "role_scored",
]
NOT_SCORED = loc("non évalué", "not scored")
_PART_LABEL = {part.id: part.label for part in PARTS}
_Entry = TypeVar("_Entry", CriterionOut, RoleOut)


@dataclass(frozen=True, slots=True)
class MethodChange:
    kind: MethodKind
    subject: str
    path: str
    before: object
    after: object
    caption: Localized
    actor: Actor | None


def method_changes(
    before: Projection, after: Projection, actor: Actor | None
) -> Iterator[MethodChange]:
    yield from _upgrade(before, after)
    old_c = _by_id(before.get("conditions", []))
    for new in after.get("conditions", []):
        if old_c.get(new["id"]) != new:  # an unchanged criterion has nothing to say
            yield from _criterion(old_c.get(new["id"]), new, actor)
    old_r = _by_id(before.get("support", []))
    for role in after.get("support", []):
        if old_r.get(role["id"]) != role:
            yield from _role(old_r.get(role["id"]), role, actor)


def _by_id(entries: list[_Entry]) -> dict[str, _Entry]:
    return {entry["id"]: entry for entry in entries}


def _upgrade(before: Projection, after: Projection) -> Iterator[MethodChange]:
    """Told by the server's rewrite of the layout version, with the parts it brought."""
    was, now = before["meta"]["layoutVersion"], after["meta"]["layoutVersion"]
    if was is None or now is None or not was < now:
        return
    added = [p for p in after["meta"]["parts"] if p not in before["meta"]["parts"]]
    labels = [_PART_LABEL[p] for p in added if p in _PART_LABEL]
    names = loc(
        " et ".join(f"« {label['fr']} »" for label in labels) or "rien",
        " and ".join(f"“{label['en']}”" for label in labels) or "nothing",
    )
    text = caption("layout_upgraded", _plain(str(was)), _plain(str(now)), names)
    yield MethodChange(
        "layout_upgraded", "layoutVersion", "/meta/layoutVersion", was, now, text, None
    )


def _criterion(
    old: CriterionOut | None, new: CriterionOut, actor: Actor | None
) -> Iterator[MethodChange]:
    path, name = pointer("conditions", new["id"]), quoted(new["label"])
    who = actor or (Actor(new["scoredBy"]) if new["scoredBy"] else None)
    was = old["score"] if old else None
    if was != new["score"]:
        names: tuple[Localized, ...]
        if was is None:
            key, names = "criterion_score_set", (name, _score(new["score"]))
        elif new["score"] is None:
            key, names = "criterion_score_cleared", (name,)
        else:
            key, names = "criterion_scored", (name, _score(was), _score(new["score"]))
        text = caption(key, *names, actor=who)
        yield MethodChange(
            "criterion_scored", new["id"], path + "/score", was, new["score"], text, who
        )
    for field in ("evidence", "next"):
        before, after = (old[field] if old else ""), new[field]
        if before != after:
            text = caption(f"criterion_{field}_edited", name, quote(after), actor=actor)
            where = path + "/" + field
            yield MethodChange("criterion_edited", new["id"], where, before, after, text, actor)


def _role(old: RoleOut | None, new: RoleOut, actor: Actor | None) -> Iterator[MethodChange]:
    path, name = pointer("support", new["id"]), quoted(new["label"])
    was = set(old["parties"]) if old else set()
    for party in new["parties"]:
        if party not in was:
            yield _party(new["id"], path, name, party, True, actor)
    for party in old["parties"] if old else []:
        if party not in new["parties"]:
            yield _party(new["id"], path, name, party, False, actor)
    for field in ("who", "notes"):
        before, after = (old[field] if old else ""), new[field]
        if before != after:
            text = caption(f"role_{field}_edited", name, quote(after), actor=actor)
            where = path + "/" + field
            yield MethodChange("role_edited", new["id"], where, before, after, text, actor)
    score = old["score"] if old else None
    if score != new["score"]:
        names = (name, _score(score), _score(new["score"]))
        text = caption("role_scored", *names, actor=actor)
        yield MethodChange(
            "role_scored", new["id"], path + "/score", score, new["score"], text, actor
        )


def _party(
    role: str, path: str, name: Localized, party: str, carried: bool, actor: Actor | None
) -> MethodChange:
    found = PARTY_BY_ID.get(party)
    label = found.label if found else loc(party, party)
    key = ("role_carried" if carried else "role_dropped") + ("_by" if actor else "")
    text = caption(key, name, label, actor=actor)
    kind: MethodKind = "role_carried" if carried else "role_dropped"
    before, after = (None, party) if carried else (party, None)
    return MethodChange(
        kind, role, pointer("support", role, "parties", party), before, after, text, actor
    )


def _score(score: int | None) -> Localized:
    found = SCORE_BY_VALUE.get(score) if score is not None else None
    return found.label if found else NOT_SCORED


def _plain(text: str) -> Localized:
    return loc(text, text)
