"""What changed between two projections, as typed changes captioned in workshop words.

Used by replay ("note moved from Coexistence to Coordination by Marie") and by
session diffs. A projection does not know who made a change, so the caller may
pass an `Actor`; for an added note or chain item its recorded author stands in,
and an approval names its own party. Changes come in a fixed order: meta, notes,
chain, agreement; within each, by id (sections in the programme's order).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, TypedDict, TypeVar

from .agreement import ApprovalOut, SectionOut
from .captions import (
    Actor,
    ActorJson,
    caption,
    color_name,
    end_name,
    item_kind,
    level_name,
    party_name,
    section_name,
    status_name,
    tier_name,
    zone_name,
)
from .chain import VISION, ChainOut, ItemOut, LinkOut
from .continuum import NoteOut
from .labels import Localized, quote
from .method_diff import method_changes
from .problems import pointer
from .projection import LockOut, MetaOut, Projection
from .reading import AuthorOut
from .rounds_diff import round_changes
from .rounds_view import RoundOut

__all__ = ["Actor", "Change", "ChangeJson", "ChangeKind", "diff"]

ChangeKind = Literal[
    "board_renamed",
    "zone_locked",
    "zone_unlocked",
    "note_added",
    "note_removed",
    "note_moved",
    "note_repositioned",
    "note_edited",
    "note_recoloured",
    "note_voted",
    "note_vote_withdrawn",
    "vision_edited",
    "chain_item_added",
    "chain_item_removed",
    "chain_item_edited",
    "chain_item_retiered",
    "chain_item_reordered",
    "link_added",
    "link_removed",
    "section_edited",
    "section_approved",
    "section_approval_withdrawn",
    "section_status_changed",
    "round_revealed",
    "round_answer_revealed",
    "round_agreed",
    "layout_upgraded",
    "criterion_scored",
    "criterion_edited",
    "role_carried",
    "role_dropped",
    "role_edited",
    "role_scored",
]

_Entry = TypeVar("_Entry", bound=Mapping[str, object])


class ChangeJson(TypedDict):
    kind: str
    subject: str
    path: str
    before: object
    after: object
    actor: ActorJson | None
    caption: Localized


@dataclass(frozen=True, slots=True)
class Change:
    """One change; `before`/`after` hold the changed value (None when added/removed)."""

    kind: ChangeKind
    subject: str
    path: str
    before: object
    after: object
    caption: Localized
    actor: Actor | None = None

    def to_json(self) -> ChangeJson:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "path": self.path,
            "before": self.before,
            "after": self.after,
            "actor": self.actor.to_json() if self.actor else None,
            "caption": self.caption,
        }


@dataclass(frozen=True, slots=True)
class _On:
    """The thing that changed and who changed it, shared by its changes."""

    subject: str
    path: str
    actor: Actor | None

    def change(
        self, kind: ChangeKind, before: object, after: object, *names: Localized, key: str = ""
    ) -> Change:
        text = caption(key or kind, *names, actor=self.actor)
        return Change(kind, self.subject, self.path, before, after, text, self.actor)


def diff(before: Projection, after: Projection, actor: Actor | None = None) -> list[Change]:
    """Every change from `before` to `after`, in a deterministic order."""
    return [
        *_meta_changes(before["meta"], after["meta"], actor),
        *_note_changes(before["notes"], after["notes"], actor),
        *_chain_changes(before["chain"], after["chain"], actor),
        *_agreement_changes(before["agreement"]["sections"], after["agreement"]["sections"], actor),
        *_round_changes(before.get("rounds", []), after.get("rounds", []), actor),
        *_method_changes(before, after, actor),
    ]


def _by_id(entries: Iterable[_Entry]) -> dict[str, _Entry]:
    return {str(entry["id"]): entry for entry in entries}


def _author(author: AuthorOut) -> Actor:
    return Actor(author["name"], author["party"])


# --- meta --------------------------------------------------------------------


def _meta_changes(before: MetaOut, after: MetaOut, actor: Actor | None) -> Iterator[Change]:
    if before["title"] != after["title"]:
        on = _On("title", "/meta/title", actor)
        yield on.change("board_renamed", before["title"], after["title"], quote(after["title"]))
    yield from _lock_changes(before["locks"], after["locks"], actor)


def _lock_changes(
    before: list[LockOut], after: list[LockOut], actor: Actor | None
) -> Iterator[Change]:
    """Locks are written by the server for a facilitator: a new lock names the person it
    records; an unlock leaves nothing behind, so it names the person the log attributes it
    to (only facilitators lock, so their party goes unsaid)."""
    old = {lock["zone"]: lock for lock in before}
    new = {lock["zone"]: lock for lock in after}
    person = Actor(actor.name) if actor is not None and actor.name else None
    for zone in sorted(old.keys() ^ new.keys()):
        path = pointer("meta", "locks", zone)
        if zone in new:
            on = _On(zone, path, _locker(new[zone]) or person)
            yield on.change("zone_locked", None, new[zone], zone_name(zone))
        else:
            yield _On(zone, path, person).change("zone_unlocked", old[zone], None, zone_name(zone))


def _locker(lock: LockOut) -> Actor | None:
    """The person named in the lock; a lock holding only an invite id names nobody."""
    name = lock.get("name")
    return Actor(name) if name else None


# --- notes -------------------------------------------------------------------


def _note_changes(
    before: list[NoteOut], after: list[NoteOut], actor: Actor | None
) -> Iterator[Change]:
    if before == after:
        return
    old, new = _by_id(before), _by_id(after)
    for note_id in sorted(old.keys() | new.keys()):
        if old.get(note_id) == new.get(note_id):
            continue  # unchanged: nothing to say (and nothing to quote)
        path = pointer("notes", note_id)
        if note_id not in old:
            note = new[note_id]
            on = _On(note_id, path, actor or _author(note["author"]))
            yield on.change(
                "note_added", None, note, quote(note["text"]), level_name(note["level"])
            )
        elif note_id not in new:
            note = old[note_id]
            on = _On(note_id, path, actor)
            yield on.change(
                "note_removed", note, None, quote(note["text"]), level_name(note["level"])
            )
        else:
            yield from _note_edits(old[note_id], new[note_id], _On(note_id, path, actor))


def _note_edits(old: NoteOut, new: NoteOut, on: _On) -> Iterator[Change]:
    """A move to another level is one change, whatever happened to x and y."""
    name = quote(new["text"])
    if old["text"] != new["text"]:
        yield on.change("note_edited", old["text"], new["text"], quote(old["text"]), name)
    if old["level"] != new["level"]:
        levels = (level_name(old["level"]), level_name(new["level"]))
        yield on.change("note_moved", old["level"], new["level"], name, *levels)
    elif _spot(old) != _spot(new):
        level = level_name(new["level"])
        yield on.change("note_repositioned", _spot(old), _spot(new), name, level)
    if old["color"] != new["color"]:
        color = color_name(new["color"])
        yield on.change("note_recoloured", old["color"], new["color"], name, color)
    yield from _vote_changes(old, new, on)


def _spot(note: NoteOut) -> dict[str, int | float | None]:
    return {"x": note["x"], "y": note["y"]}


def _vote_changes(old: NoteOut, new: NoteOut, on: _On) -> Iterator[Change]:
    """One change per voter; the voter's id is the changed value."""
    before, after = set(old["votes"]["voters"]), set(new["votes"]["voters"])
    name = quote(new["text"])
    for voter in sorted(after - before):
        at = _On(on.subject, on.path + pointer("votes", voter), on.actor)
        yield at.change("note_voted", None, voter, name)
    for voter in sorted(before - after):
        at = _On(on.subject, on.path + pointer("votes", voter), on.actor)
        yield at.change("note_vote_withdrawn", voter, None, name)


# --- chain -------------------------------------------------------------------


def _chain_changes(before: ChainOut, after: ChainOut, actor: Actor | None) -> Iterator[Change]:
    if before["vision"] != after["vision"]:
        on = _On(VISION, "/chain/vision", actor)
        yield on.change("vision_edited", before["vision"], after["vision"], quote(after["vision"]))
    yield from _item_changes(before["items"], after["items"], actor)
    if before["links"] != after["links"]:
        names = {**_item_names(before["items"]), **_item_names(after["items"])}
        yield from _link_changes(before["links"], after["links"], names, actor)


def _item_changes(
    before: list[ItemOut], after: list[ItemOut], actor: Actor | None
) -> Iterator[Change]:
    old, new = _by_id(before), _by_id(after)
    for item_id in sorted(old.keys() | new.keys()):
        if old.get(item_id) == new.get(item_id):
            continue
        path = pointer("chain", "items", item_id)
        if item_id not in old:
            item = new[item_id]
            on = _On(item_id, path, actor or _author(item["author"]))
            yield on.change("chain_item_added", None, item, *_item_title(item))
        elif item_id not in new:
            item = old[item_id]
            yield _On(item_id, path, actor).change(
                "chain_item_removed", item, None, *_item_title(item)
            )
        else:
            yield from _item_edits(old[item_id], new[item_id], _On(item_id, path, actor))


def _item_title(item: ItemOut) -> tuple[Localized, Localized]:
    return item_kind(item["tier"]), quote(item["text"])


def _item_edits(old: ItemOut, new: ItemOut, on: _On) -> Iterator[Change]:
    """A move to another tier is one change, whatever happened to its order."""
    kind, name = _item_title(new)
    if old["text"] != new["text"]:
        texts = (quote(old["text"]), name)
        yield on.change("chain_item_edited", old["text"], new["text"], kind, *texts)
    if old["tier"] != new["tier"]:
        tiers = (tier_name(old["tier"]), tier_name(new["tier"]))
        yield on.change("chain_item_retiered", old["tier"], new["tier"], name, *tiers)
    elif old["order"] != new["order"]:
        yield on.change("chain_item_reordered", old["order"], new["order"], kind, name)


def _item_names(items: Iterable[ItemOut]) -> dict[str, Localized]:
    return {item["id"]: quote(item["text"]) for item in items}


def _link_changes(
    before: list[LinkOut],
    after: list[LinkOut],
    names: Mapping[str, Localized],
    actor: Actor | None,
) -> Iterator[Change]:
    """A link whose ends changed reads as one link removed and another added."""
    old, new = _by_id(before), _by_id(after)
    for link_id in sorted(old.keys() | new.keys()):
        was, now = old.get(link_id), new.get(link_id)
        if was == now:
            continue
        on = _On(link_id, pointer("chain", "links", link_id), actor)
        if was is not None:
            yield on.change("link_removed", was, None, *_ends(was, names))
        if now is not None:
            yield on.change("link_added", None, now, *_ends(now, names))


def _ends(link: LinkOut, names: Mapping[str, Localized]) -> tuple[Localized, Localized]:
    return end_name(link["from"], names), end_name(link["to"], names)


# --- agreement ---------------------------------------------------------------


def _agreement_changes(
    before: list[SectionOut], after: list[SectionOut], actor: Actor | None
) -> Iterator[Change]:
    """A section missing on one side (a board without the agreement) reads as an empty draft."""
    old, new = _by_id(before), _by_id(after)
    ids = [s["id"] for s in after] + [s["id"] for s in before if s["id"] not in new]
    for section_id in ids:
        if old.get(section_id) == new.get(section_id):
            continue
        on = _On(section_id, pointer("agreement", section_id), actor)
        yield from _section_changes(old.get(section_id), new.get(section_id), on)


def _section_changes(old: SectionOut | None, new: SectionOut | None, on: _On) -> Iterator[Change]:
    name = section_name(on.subject)
    old_text, new_text = old["text"] if old else "", new["text"] if new else ""
    if old_text != new_text:
        yield on.change("section_edited", old_text, new_text, name)
    yield from _approval_changes(
        old["approvals"] if old else [], new["approvals"] if new else [], on
    )
    old_status, new_status = old["status"] if old else "draft", new["status"] if new else "draft"
    if old_status != new_status:
        statuses = (status_name(old_status), status_name(new_status))
        key = _status_caption(old_status, new_status)
        yield on.change("section_status_changed", old_status, new_status, name, *statuses, key=key)


def _status_caption(old: str, new: str) -> str:
    if new == "agreed":
        return "section_agreed"
    return "section_reopened" if old == "agreed" else "section_status_changed"


def _approval_changes(
    before: list[ApprovalOut], after: list[ApprovalOut], section: _On
) -> Iterator[Change]:
    """Each approval names its party, so the party is the actor, whoever passed the diff."""
    old = {a["party"]: a for a in before}
    new = {a["party"]: a for a in after}
    parties = [a["party"] for a in after] + [a["party"] for a in before if a["party"] not in new]
    for party in parties:
        was, now = old.get(party), new.get(party)
        recorded = now or was
        by = Actor(recorded["by"] if recorded else None, party)
        on = _On(section.subject, section.path + pointer("approvals", party), by)
        names = (section_name(section.subject), party_name(party))
        if now is not None and (was is None or _signature(was) != _signature(now)):
            yield on.change("section_approved", was, now, *names)
        elif now is None and was is not None:
            yield on.change("section_approval_withdrawn", was, None, *names)


def _signature(approval: ApprovalOut) -> tuple[str | None, str | None, str | None]:
    """An approval given again (new time or new text) is a new approval."""
    return (approval["by"], approval["at"], approval["textHash"])


def _round_changes(
    before: list[RoundOut], after: list[RoundOut], actor: Actor | None
) -> Iterator[Change]:
    for found in round_changes(before, after, actor):
        yield Change(
            found.kind, found.subject, found.path, None, found.after, found.caption, found.actor
        )


def _method_changes(before: Projection, after: Projection, actor: Actor | None) -> Iterator[Change]:
    for f in method_changes(before, after, actor):
        yield Change(f.kind, f.subject, f.path, f.before, f.after, f.caption, f.actor)
