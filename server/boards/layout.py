"""The board document layout (SPEC §2.4) and the writes that build content in it.

```
meta      Y.Map  title, template, layoutVersion, locks: Y.Map zone -> {by?, name?, at?}
notes     Y.Map  noteId -> Y.Map {text: Y.Text, level, x, y, color, authorId,
                 authorName, party, createdAt, votes: Y.Map voterId -> true}
chain     Y.Map  vision: Y.Text,
                 items: Y.Map itemId -> Y.Map {tier, text: Y.Text, authorId,
                                               authorName, party, createdAt, order},
                 links: Y.Map linkId -> {from, to}   (an item id or "vision")
agreement Y.Map  sectionId -> Y.Map {text: Y.Text,
                                     approvals: Y.Map party -> {by, at, textHash}}
conditions Y.Map criterionId -> Y.Map {score?: 1..4, evidence: Y.Text, next: Y.Text,
                                       scoredBy?, scoredAt?}              (layout 2)
support   Y.Map  roleId -> Y.Map {parties: Y.Map party -> true, who: Y.Text,
                                  score?: 1..4, notes: Y.Text}            (layout 2)
rounds    Y.Map  roundId -> Y.Map {kind, title, revealedAt, answers: Y.Map, agreed?}
                 (revealed private rounds, server-written: see `boards.rounds`)
```

Layout versions (``meta.layoutVersion``): 1 had the first three parts; 2 added
`conditions` and `support` (writes in `boards.method_layout`). A workshop board of
layout 1 is upgraded when a server loads it (`boards.upgrade`).

Only the server creates the containers (`seed_board`): if two replicas both
created `chain.vision`, one Y.Text would replace the other and its words would be
lost. Clients add entries inside the containers. Numbers are stored as floats
(JavaScript numbers), dates as ISO 8601 strings, ids as strings.

Every helper writes in one transaction; wrap calls in
`doc.transaction(origin=...)` to tag or group them. Helpers refuse words outside
the vocabulary (ValueError) but accept links in any direction: drawing a link
backwards is a mistake people make, and the projection shows it as a problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pycrdt import Doc, Map, Text

from .agreement import text_hash
from .chain import VISION
from .labels import (
    COLOR_BY_ID,
    DEFAULT_COLOR,
    ITEM_TIERS,
    LEVEL_BY_ID,
    PARTY_BY_ID,
    SECTION_BY_ID,
    TEMPLATE_PARTS,
    ZONE_BY_ID,
)
from .reading import is_iso_date
from .seeding import AGREEMENT as AGREEMENT
from .seeding import CHAIN as CHAIN
from .seeding import CONDITIONS as CONDITIONS
from .seeding import LAYOUT_VERSION as LAYOUT_VERSION
from .seeding import SUPPORT as SUPPORT
from .seeding import parts_at, seed_parts
from .texts import replace_text as replace_text

META = "meta"
NOTES = "notes"
ROOTS: tuple[str, ...] = (META, NOTES, CHAIN, AGREEMENT, CONDITIONS, SUPPORT)
PART_ROOTS: dict[str, str] = {
    "continuum": NOTES,
    "chain": CHAIN,
    "agreement": AGREEMENT,
    "conditions": CONDITIONS,
    "support": SUPPORT,
}
BOARD_ZONE = "board"


def root(doc: Doc[Any], name: str) -> Map[Any]:
    """A root map, created locally if absent (this alone writes nothing to the update log)."""
    found: Map[Any] = doc.get(name, type=Map)
    return found


def seed_board(doc: Doc[Any], template: str, title: str, *, version: int = LAYOUT_VERSION) -> None:
    """Create the layout of `template`; safe to repeat, it only adds what is missing.
    An older `version` seeds a board as that layout had it (tests of the upgrade)."""
    if template not in TEMPLATE_PARTS:
        raise ValueError(f"unknown template {template!r}")
    parts = parts_at(template, version)
    meta = root(doc, META)
    seeded = meta.get("template")
    if seeded is not None and seeded != template:
        raise ValueError(f"board already seeded as {seeded!r}")
    _check_title(title)
    with doc.transaction():
        seeded_meta = {"title": title, "template": template, "layoutVersion": float(version)}
        _add_missing(meta, {**seeded_meta, "locks": Map()})
        seed_parts(doc, parts)


def _add_missing(target: Map[Any], entries: Mapping[str, Any]) -> None:
    for key, value in entries.items():
        if key not in target:
            target[key] = value


def set_title(doc: Doc[Any], title: str) -> None:
    _check_title(title)
    root(doc, META)["title"] = title


def _check_title(title: str) -> None:
    """pycrdt panics (a BaseException, past ``except Exception``) on a lone surrogate."""
    if not title.isascii() and any("\ud800" <= char <= "\udfff" for char in title):
        raise ValueError("a board title must be Unicode text (it holds a lone surrogate)")


def set_lock(
    doc: Doc[Any], zone: str, by: str | None = None, at: str | None = None, name: str | None = None
) -> None:
    """Mirror a lock the server enforces, for every client to show: the invite (``by``) and
    the person (``name``) who locked it."""
    _check(zone, ZONE_BY_ID, "zone")
    value = {key: text for key, text in (("by", by), ("name", name)) if text}
    if at:
        value["at"] = _date(at)
    with doc.transaction():
        _locks(doc)[zone] = value


def clear_lock(doc: Doc[Any], zone: str) -> None:
    with doc.transaction():
        locks = _locks(doc)
        if zone in locks:
            del locks[zone]


def _locks(doc: Doc[Any]) -> Map[Any]:
    meta = root(doc, META)
    locks = meta.get("locks")
    if not isinstance(locks, Map):
        locks = meta["locks"] = Map()
    return locks


def add_note(
    doc: Doc[Any],
    note_id: str,
    text: str,
    level: str,
    author_id: str,
    author_name: str,
    party: str,
    *,
    x: float = 0.0,
    y: float = 0.0,
    color: str = DEFAULT_COLOR,
    created_at: str,
) -> None:
    _check(level, LEVEL_BY_ID, "level")
    _check(party, PARTY_BY_ID, "party")
    _check(color, COLOR_BY_ID, "color")
    note = {
        "text": Text(text),
        "level": level,
        "x": float(x),
        "y": float(y),
        "color": color,
        "authorId": author_id,
        "authorName": author_name,
        "party": party,
        "createdAt": _date(created_at),
        "votes": Map(),
    }
    with doc.transaction():
        root(doc, NOTES)[note_id] = Map(note)


def move_note(
    doc: Doc[Any], note_id: str, level: str, *, x: float | None = None, y: float | None = None
) -> None:
    """Put a note on another level, and optionally at another spot."""
    _check(level, LEVEL_BY_ID, "level")
    with doc.transaction():
        note = _entry(doc, NOTES, note_id)
        note["level"] = level
        if x is not None:
            note["x"] = float(x)
        if y is not None:
            note["y"] = float(y)


def place_note(doc: Doc[Any], note_id: str, x: float, y: float) -> None:
    """Drag a note within its level."""
    with doc.transaction():
        note = _entry(doc, NOTES, note_id)
        note["x"], note["y"] = float(x), float(y)


def set_note_text(doc: Doc[Any], note_id: str, text: str) -> None:
    with doc.transaction():
        replace_text(_text(_entry(doc, NOTES, note_id)), text)


def recolor_note(doc: Doc[Any], note_id: str, color: str) -> None:
    _check(color, COLOR_BY_ID, "color")
    with doc.transaction():
        _entry(doc, NOTES, note_id)["color"] = color


def remove_note(doc: Doc[Any], note_id: str) -> None:
    with doc.transaction():
        del root(doc, NOTES)[note_id]


def vote(doc: Doc[Any], note_id: str, voter_id: str) -> None:
    """One dot per participant and note; voting twice changes nothing."""
    with doc.transaction():
        _votes(doc, note_id)[voter_id] = True


def unvote(doc: Doc[Any], note_id: str, voter_id: str) -> None:
    with doc.transaction():
        votes = _votes(doc, note_id)
        if voter_id in votes:
            del votes[voter_id]


def _votes(doc: Doc[Any], note_id: str) -> Map[Any]:
    votes = _entry(doc, NOTES, note_id).get("votes")
    if not isinstance(votes, Map):
        raise ValueError(f"note {note_id!r} has no votes map")
    return votes


def set_vision(doc: Doc[Any], text: str) -> None:
    with doc.transaction():
        replace_text(_text(root(doc, CHAIN), "vision"), text)


def add_chain_item(
    doc: Doc[Any],
    item_id: str,
    tier: str,
    text: str,
    author_id: str,
    author_name: str,
    party: str,
    *,
    order: float,
    created_at: str,
) -> None:
    if item_id == VISION:
        raise ValueError(f"{VISION!r} is reserved for the chain's vision")
    _check(tier, dict.fromkeys(ITEM_TIERS), "tier")
    _check(party, PARTY_BY_ID, "party")
    item = {
        "tier": tier,
        "text": Text(text),
        "authorId": author_id,
        "authorName": author_name,
        "party": party,
        "createdAt": _date(created_at),
        "order": float(order),
    }
    with doc.transaction():
        _container(doc, "items")[item_id] = Map(item)


def set_chain_item_text(doc: Doc[Any], item_id: str, text: str) -> None:
    with doc.transaction():
        replace_text(_text(_item(doc, item_id)), text)


def move_chain_item(
    doc: Doc[Any], item_id: str, *, tier: str | None = None, order: float | None = None
) -> None:
    """Move a change to another tier and/or another place within its tier."""
    if tier is not None:
        _check(tier, dict.fromkeys(ITEM_TIERS), "tier")
    with doc.transaction():
        item = _item(doc, item_id)
        if tier is not None:
            item["tier"] = tier
        if order is not None:
            item["order"] = float(order)


def remove_chain_item(doc: Doc[Any], item_id: str) -> None:
    """Remove a change and the links that touch it, so no link is left dangling."""
    with doc.transaction():
        del _container(doc, "items")[item_id]
        links = _container(doc, "links")
        for link_id, value in list(links.items()):
            if isinstance(value, dict) and item_id in (value.get("from"), value.get("to")):
                del links[link_id]


def link(doc: Doc[Any], link_id: str, source: str, target: str) -> None:
    """`source` leads to `target` (item ids, or "vision")."""
    with doc.transaction():
        _container(doc, "links")[link_id] = {"from": source, "to": target}


def unlink(doc: Doc[Any], link_id: str) -> None:
    with doc.transaction():
        del _container(doc, "links")[link_id]


def set_section_text(doc: Doc[Any], section: str, text: str) -> None:
    with doc.transaction():
        replace_text(_text(_section(doc, section)), text)


def approve_section(
    doc: Doc[Any], section: str, party: str, by: str, at: str, *, invite: str | None = None
) -> None:
    """Record that `party` approves the section's text as it reads now; ``by`` is the person's
    name, ``invite`` the invite they approve with (the server requires it of clients)."""
    _check(party, PARTY_BY_ID, "party")
    with doc.transaction():
        target = _section(doc, section)
        approval = {"by": by, "at": _date(at), "textHash": text_hash(str(_text(target)))}
        if invite is not None:
            approval["invite"] = invite
        _approvals(target)[party] = approval


def withdraw_approval(doc: Doc[Any], section: str, party: str) -> None:
    with doc.transaction():
        approvals = _approvals(_section(doc, section))
        if party in approvals:
            del approvals[party]


def _approvals(section: Map[Any]) -> Map[Any]:
    approvals = section.get("approvals")
    if not isinstance(approvals, Map):
        raise ValueError("section has no approvals map")
    return approvals


def _check(value: str, known: Mapping[str, object], what: str) -> None:
    if value not in known:
        raise ValueError(f"unknown {what} {value!r}; expected one of {', '.join(known)}")


def _date(value: str) -> str:
    if not is_iso_date(value):
        raise ValueError(f"not an ISO 8601 date: {value!r}")
    return value


def _entry(doc: Doc[Any], root_name: str, entry_id: str) -> Map[Any]:
    entry = root(doc, root_name).get(entry_id)
    if not isinstance(entry, Map):
        raise KeyError(f"no {root_name} entry {entry_id!r}")
    return entry


def _container(doc: Doc[Any], name: str) -> Map[Any]:
    container = root(doc, CHAIN).get(name)
    if not isinstance(container, Map):
        raise ValueError(f"the chain has no {name!r} map; seed the board first")
    return container


def _item(doc: Doc[Any], item_id: str) -> Map[Any]:
    item = _container(doc, "items").get(item_id)
    if not isinstance(item, Map):
        raise KeyError(f"no chain item {item_id!r}")
    return item


def _section(doc: Doc[Any], section: str) -> Map[Any]:
    _check(section, SECTION_BY_ID, "section")
    return _entry(doc, AGREEMENT, section)


def _text(parent: Map[Any], key: str = "text") -> Text:
    text = parent.get(key)
    if not isinstance(text, Text):
        raise ValueError(f"{key!r} is not a shared text")
    return text
