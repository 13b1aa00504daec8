"""What changed between two projections, as typed changes captioned in workshop words.

Used by replay ("note moved from Coexistence to Coordination by Marie") and by
session diffs. A projection does not know who made a change, so the caller may
pass an `Actor`; for added notes and changes the recorded author stands in.
Changes come in a fixed order: meta, notes, chain, agreement; then by id.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Literal, TypedDict, TypeVar

from .agreement import ApprovalOut, SectionOut
from .chain import VISION, ChainOut, ItemOut, LinkOut
from .continuum import NoteOut
from .labels import (
    COLOR_BY_ID,
    LEVEL_BY_ID,
    PARTY_BY_ID,
    SECTION_BY_ID,
    STATUS_BY_ID,
    TIER_BY_ID,
    ZONE_BY_ID,
    Localized,
    loc,
    quote,
)
from .problems import pointer
from .projection import LockOut, MetaOut, Projection
from .reading import AuthorOut

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
]


_Entry = TypeVar("_Entry", bound=Mapping[str, object])


class ActorJson(TypedDict):
    name: str | None
    party: str | None


class ChangeJson(TypedDict):
    kind: str
    subject: str
    path: str
    before: object
    after: object
    actor: ActorJson | None
    caption: Localized


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, as far as the caller knows."""

    name: str | None = None
    party: str | None = None

    def to_json(self) -> ActorJson:
        return {"name": self.name, "party": self.party}


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


def diff(before: Projection, after: Projection, actor: Actor | None = None) -> list[Change]:
    """Every change from `before` to `after`, in a deterministic order."""
    return [
        *_meta_changes(before["meta"], after["meta"], actor),
        *_note_changes(before["notes"], after["notes"], actor),
        *_chain_changes(before["chain"], after["chain"], actor),
        *_agreement_changes(before["agreement"]["sections"], after["agreement"]["sections"], actor),
    ]


# --- wording -----------------------------------------------------------------


def _by(actor: Actor | None) -> Localized:
    """ " par Marie (Collectivité)", " par la Collectivité", or nothing."""
    if actor is None or (not actor.name and actor.party not in PARTY_BY_ID):
        return loc("", "")
    party = PARTY_BY_ID.get(actor.party or "")
    if not actor.name:
        assert party is not None
        return loc(f" par {party.with_article['fr']}", f" by {party.with_article['en']}")
    if party is None:
        return loc(f" par {actor.name}", f" by {actor.name}")
    return loc(
        f" par {actor.name} ({party.label['fr']})", f" by {actor.name} ({party.label['en']})"
    )


def _say(fr: str, en: str, *parts: Localized) -> Localized:
    """Fill `{0}`, `{1}`… with each part in the caption's own language."""
    return loc(fr.format(*(p["fr"] for p in parts)), en.format(*(p["en"] for p in parts)))


def _level(level: str | None) -> Localized:
    found = LEVEL_BY_ID.get(level or "")
    return found.label if found else loc("un niveau inconnu", "an unknown level")


def _color(color: str | None) -> Localized:
    found = COLOR_BY_ID.get(color or "")
    return found.label if found else loc("la couleur par défaut", "the default colour")


def _item_kind(tier: str | None) -> Localized:
    found = TIER_BY_ID.get(tier or "")
    return found.item_label if found else loc("Changement", "Change")


def _tier(tier: str | None) -> Localized:
    found = TIER_BY_ID.get(tier or "")
    return found.label if found else loc("un étage inconnu", "an unknown tier")


def _section(section_id: str) -> Localized:
    found = SECTION_BY_ID.get(section_id)
    label = found.label if found else loc(section_id, section_id)
    return loc(f"Section {label['fr']}", f"{label['en']} section")


def _party(party: str) -> Localized:
    found = PARTY_BY_ID.get(party)
    return found.with_article if found else loc(party, party)


def _status(status: str) -> Localized:
    found = STATUS_BY_ID.get(status)
    return found.label if found else loc(status, status)


def _zone(zone: str) -> Localized:
    found = ZONE_BY_ID.get(zone)
    return _quoted_label(found.label if found else loc(zone, zone))


def _quoted_label(label: Localized) -> Localized:
    return _say("« {0} »", "“{0}”", label)


def _author(author: AuthorOut) -> Actor:
    return Actor(author["name"], author["party"])


# --- meta --------------------------------------------------------------------


def _meta_changes(before: MetaOut, after: MetaOut, actor: Actor | None) -> Iterator[Change]:
    if before["title"] != after["title"]:
        title = quote(after["title"])
        caption = _say("Tableau renommé : {0}{1}", "Board renamed: {0}{1}", title, _by(actor))
        yield Change(
            "board_renamed",
            "title",
            "/meta/title",
            before["title"],
            after["title"],
            caption,
            actor,
        )
    yield from _lock_changes(before["locks"], after["locks"], actor)


def _lock_changes(
    before: list[LockOut], after: list[LockOut], actor: Actor | None
) -> Iterator[Change]:
    old = {lock["zone"]: lock for lock in before}
    new = {lock["zone"]: lock for lock in after}
    for zone in sorted(old.keys() | new.keys()):
        if zone in old and zone in new:
            continue
        lock = new.get(zone) or old[zone]
        who = actor or (Actor(lock["by"]) if lock["by"] else None)
        if zone in new:
            caption = _say("Zone {0} verrouillée{1}", "Zone {0} locked{1}", _zone(zone), _by(who))
            yield Change(
                "zone_locked", zone, pointer("meta", "locks", zone), None, lock, caption, who
            )
        else:
            caption = _say(
                "Zone {0} déverrouillée{1}", "Zone {0} unlocked{1}", _zone(zone), _by(who)
            )
            yield Change(
                "zone_unlocked", zone, pointer("meta", "locks", zone), lock, None, caption, who
            )


# --- notes -------------------------------------------------------------------


def _note_changes(
    before: list[NoteOut], after: list[NoteOut], actor: Actor | None
) -> Iterator[Change]:
    old, new = _by_id(before), _by_id(after)
    for note_id in sorted(old.keys() | new.keys()):
        path = pointer("notes", note_id)
        if note_id not in old:
            note = new[note_id]
            who = actor or _author(note["author"])
            caption = _say(
                "Note {0} ajoutée dans {1}{2}",
                "Note {0} added to {1}{2}",
                quote(note["text"]),
                _level(note["level"]),
                _by(who),
            )
            yield Change("note_added", note_id, path, None, note, caption, who)
        elif note_id not in new:
            note = old[note_id]
            caption = _say(
                "Note {0} retirée de {1}{2}",
                "Note {0} removed from {1}{2}",
                quote(note["text"]),
                _level(note["level"]),
                _by(actor),
            )
            yield Change("note_removed", note_id, path, note, None, caption, actor)
        else:
            yield from _note_edits(old[note_id], new[note_id], path, actor)


def _note_edits(old: NoteOut, new: NoteOut, path: str, actor: Actor | None) -> Iterator[Change]:
    note_id, by, name = new["id"], _by(actor), quote(new["text"])
    if old["text"] != new["text"]:
        caption = _say(
            "Texte de la note modifié : {0} → {1}{2}",
            "Note text changed: {0} → {1}{2}",
            quote(old["text"]),
            name,
            by,
        )
        yield Change("note_edited", note_id, path, old["text"], new["text"], caption, actor)
    if old["level"] != new["level"]:
        caption = _say(
            "Note {0} déplacée de {1} vers {2}{3}",
            "Note {0} moved from {1} to {2}{3}",
            name,
            _level(old["level"]),
            _level(new["level"]),
            by,
        )
        yield Change("note_moved", note_id, path, old["level"], new["level"], caption, actor)
    elif (old["x"], old["y"]) != (new["x"], new["y"]):
        caption = _say(
            "Note {0} déplacée dans {1}{2}",
            "Note {0} moved within {1}{2}",
            name,
            _level(new["level"]),
            by,
        )
        spots = ({"x": old["x"], "y": old["y"]}, {"x": new["x"], "y": new["y"]})
        yield Change("note_repositioned", note_id, path, *spots, caption, actor)
    if old["color"] != new["color"]:
        caption = _say(
            "Note {0} passée en {1}{2}",
            "Note {0} turned {1}{2}",
            name,
            _color(new["color"]),
            by,
        )
        yield Change("note_recoloured", note_id, path, old["color"], new["color"], caption, actor)
    yield from _vote_changes(old, new, path, actor)


def _vote_changes(old: NoteOut, new: NoteOut, path: str, actor: Actor | None) -> Iterator[Change]:
    before, after = set(old["votes"]["voters"]), set(new["votes"]["voters"])
    name, by = quote(new["text"]), _by(actor)
    for voter in sorted(after - before):
        caption = _say("Vote pour la note {0}{1}", "Vote for note {0}{1}", name, by)
        where = f"{path}{pointer('votes', voter)}"
        yield Change("note_voted", new["id"], where, None, voter, caption, actor)
    for voter in sorted(before - after):
        caption = _say("Vote retiré de la note {0}{1}", "Vote withdrawn from note {0}{1}", name, by)
        where = f"{path}{pointer('votes', voter)}"
        yield Change("note_vote_withdrawn", new["id"], where, voter, None, caption, actor)


# --- chain -------------------------------------------------------------------


def _chain_changes(before: ChainOut, after: ChainOut, actor: Actor | None) -> Iterator[Change]:
    if before["vision"] != after["vision"]:
        caption = _say(
            "Vision modifiée : {0}{1}", "Vision changed: {0}{1}", quote(after["vision"]), _by(actor)
        )
        yield Change(
            "vision_edited",
            VISION,
            "/chain/vision",
            before["vision"],
            after["vision"],
            caption,
            actor,
        )
    yield from _item_changes(before["items"], after["items"], actor)
    names = {**_item_names(before["items"]), **_item_names(after["items"])}
    yield from _link_changes(before["links"], after["links"], names, actor)


def _item_changes(
    before: list[ItemOut], after: list[ItemOut], actor: Actor | None
) -> Iterator[Change]:
    old, new = _by_id(before), _by_id(after)
    for item_id in sorted(old.keys() | new.keys()):
        path = pointer("chain", "items", item_id)
        if item_id not in old:
            item = new[item_id]
            who = actor or _author(item["author"])
            caption = _say(
                "{0} {1} ajouté{2}",
                "{0} {1} added{2}",
                _item_kind(item["tier"]),
                quote(item["text"]),
                _by(who),
            )
            yield Change("chain_item_added", item_id, path, None, item, caption, who)
        elif item_id not in new:
            item = old[item_id]
            caption = _say(
                "{0} {1} retiré{2}",
                "{0} {1} removed{2}",
                _item_kind(item["tier"]),
                quote(item["text"]),
                _by(actor),
            )
            yield Change("chain_item_removed", item_id, path, item, None, caption, actor)
        else:
            yield from _item_edits(old[item_id], new[item_id], path, actor)


def _item_edits(old: ItemOut, new: ItemOut, path: str, actor: Actor | None) -> Iterator[Change]:
    item_id, by, name = new["id"], _by(actor), quote(new["text"])
    if old["text"] != new["text"]:
        caption = _say(
            "{0} réécrit : {1} → {2}{3}",
            "{0} rewritten: {1} → {2}{3}",
            _item_kind(new["tier"]),
            quote(old["text"]),
            name,
            by,
        )
        yield Change("chain_item_edited", item_id, path, old["text"], new["text"], caption, actor)
    if old["tier"] != new["tier"]:
        caption = _say(
            "Changement {0} déplacé de {1} vers {2}{3}",
            "Change {0} moved from {1} to {2}{3}",
            name,
            _tier(old["tier"]),
            _tier(new["tier"]),
            by,
        )
        yield Change("chain_item_retiered", item_id, path, old["tier"], new["tier"], caption, actor)
    elif old["order"] != new["order"]:
        caption = _say(
            "{0} {1} déplacé dans sa colonne{2}",
            "{0} {1} moved within its column{2}",
            _item_kind(new["tier"]),
            name,
            by,
        )
        yield Change(
            "chain_item_reordered", item_id, path, old["order"], new["order"], caption, actor
        )


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
        path = pointer("chain", "links", link_id)
        if was is not None:
            caption = _link_caption("Lien retiré", "Link removed", was, names, actor)
            yield Change("link_removed", link_id, path, was, None, caption, actor)
        if now is not None:
            caption = _link_caption("Lien ajouté", "Link added", now, names, actor)
            yield Change("link_added", link_id, path, None, now, caption, actor)


def _link_caption(
    fr: str, en: str, link: LinkOut, names: Mapping[str, Localized], actor: Actor | None
) -> Localized:
    ends = (_end_name(link["from"], names), _end_name(link["to"], names))
    return _say(f"{fr} : {{0}} → {{1}}{{2}}", f"{en}: {{0}} → {{1}}{{2}}", *ends, _by(actor))


def _end_name(end: str, names: Mapping[str, Localized]) -> Localized:
    if end == VISION:
        return loc("Vision", "Vision")
    return names.get(end) or _quoted_label(loc(end, end))


# --- agreement ---------------------------------------------------------------


def _agreement_changes(
    before: list[SectionOut], after: list[SectionOut], actor: Actor | None
) -> Iterator[Change]:
    old, new = _by_id(before), _by_id(after)
    for section_id in [s["id"] for s in after] + [s["id"] for s in before if s["id"] not in new]:
        yield from _section_changes(old.get(section_id), new.get(section_id), section_id, actor)


def _section_changes(
    old: SectionOut | None, new: SectionOut | None, section_id: str, actor: Actor | None
) -> Iterator[Change]:
    """A section missing on one side reads as an empty draft."""
    old_text, new_text = old["text"] if old else "", new["text"] if new else ""
    path, name = pointer("agreement", section_id), _section(section_id)
    if old_text != new_text:
        caption = _say("{0} modifiée{1}", "{0} edited{1}", name, _by(actor))
        yield Change("section_edited", section_id, path, old_text, new_text, caption, actor)
    yield from _approval_changes(
        old["approvals"] if old else [], new["approvals"] if new else [], section_id
    )
    old_status = old["status"] if old else "draft"
    new_status = new["status"] if new else "draft"
    if old_status != new_status:
        caption = _status_caption(name, old_status, new_status)
        yield Change(
            "section_status_changed", section_id, path, old_status, new_status, caption, actor
        )


def _approval_changes(
    before: list[ApprovalOut], after: list[ApprovalOut], section_id: str
) -> Iterator[Change]:
    """The approving party is recorded in the approval itself, so it needs no actor."""
    old = {a["party"]: a for a in before}
    new = {a["party"]: a for a in after}
    name = _section(section_id)
    for party in [a["party"] for a in after] + [
        a["party"] for a in before if a["party"] not in new
    ]:
        was, now = old.get(party), new.get(party)
        path = pointer("agreement", section_id, "approvals", party)
        recorded = now or was
        who = Actor(recorded["by"] if recorded else None, party)
        if now is not None and (was is None or _signature(was) != _signature(now)):
            caption = _say("{0} approuvée par {1}", "{0} approved by {1}", name, _party(party))
            yield Change("section_approved", section_id, path, was, now, caption, who)
        elif now is None and was is not None:
            caption = _say(
                "{0} : approbation retirée par {1}",
                "{0}: approval withdrawn by {1}",
                name,
                _party(party),
            )
            yield Change("section_approval_withdrawn", section_id, path, was, None, caption, who)


def _signature(approval: ApprovalOut) -> tuple[str | None, str | None, str | None]:
    return (approval["by"], approval["at"], approval["textHash"])


def _status_caption(name: Localized, old: str, new: str) -> Localized:
    if new == "agreed":
        return _say("{0} adoptée par toutes les parties", "{0} agreed by all parties", name)
    steps = (name, _status(old), _status(new))
    if old == "agreed":
        return _say("{0} rouverte : {1} → {2}", "{0} reopened: {1} → {2}", *steps)
    return _say("{0} : {1} → {2}", "{0}: {1} → {2}", *steps)


def _by_id(entries: Iterable[_Entry]) -> dict[str, _Entry]:
    return {str(entry["id"]): entry for entry in entries}
