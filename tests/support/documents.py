"""Random board documents, well-formed or not, as hostile or careless clients could write."""

from __future__ import annotations

import random
from typing import Any

from pycrdt import Array, Doc, Map, Text

from server.boards import layout
from server.boards.agreement import text_hash
from server.boards.labels import COLORS, ITEM_TIERS, LEVELS, PARTIES, SECTIONS, TEMPLATE_PARTS
from server.boards.method import CRITERIA, ROLES

AT = "2025-10-14T09:30:00.000Z"


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """Anything a client could put in a map: primitives, odd numbers, shared types."""
    plain: list[Any] = [
        None, True, False, 0.0, -1.5, 1e300, float("nan"), float("inf"), "", "x",
        "coexistence", "direct", "vision", "etat", "agreed", AT, "a" * 300, [1.0, "a"],
        {"from": "d0", "to": "vision"}, {"by": "X", "at": AT, "textHash": text_hash("")},
        2**60, b"\x00\xff",
    ]  # fmt: skip
    roll = rng.random()
    if depth < 2 and roll < 0.15:
        return Map({rng.choice(["text", "votes", "a", "from"]): random_value(rng, depth + 1)})
    if roll < 0.25:
        return Text(rng.choice(["", "texte", "é😀", " "]))
    if roll < 0.3:
        return Array([random_value(rng, depth + 1) for _ in range(rng.randint(0, 2))])
    return rng.choice(plain)


def maybe(rng: random.Random, good: Any) -> Any:
    """Usually the right thing, sometimes anything."""
    return good if rng.random() < 0.8 else random_value(rng)


def random_entry(rng: random.Random, fields: dict[str, Any]) -> Any:
    if rng.random() < 0.1:
        return random_value(rng)
    entry = {k: maybe(rng, v) for k, v in fields.items() if rng.random() < 0.9}
    if rng.random() < 0.2:
        entry[rng.choice(["extra", "text", "level"])] = random_value(rng)
    return Map(entry)


def random_note(rng: random.Random) -> Any:
    return random_entry(
        rng,
        {
            "text": Text(rng.choice(["Réunion", "", "café 😀"])),
            "level": rng.choice([lv.id for lv in LEVELS] + ["harmonie"]),
            "x": rng.uniform(-100, 100),
            "y": rng.choice([0.0, 1.0, 2.5]),
            "color": rng.choice([c.id for c in COLORS] + ["turquoise"]),
            "authorId": "p1",
            "authorName": "Marie",
            "party": rng.choice([p.id for p in PARTIES]),
            "createdAt": AT,
            "votes": Map({f"p{i}": maybe(rng, True) for i in range(rng.randint(0, 3))}),
        },
    )


def random_item(rng: random.Random) -> Any:
    return random_entry(
        rng,
        {
            "tier": rng.choice([*ITEM_TIERS, "vision", "sideways"]),
            "text": Text(rng.choice(["Savoir", "", "Agir"])),
            "authorId": "p2",
            "party": rng.choice([p.id for p in PARTIES]),
            "createdAt": AT,
            "order": rng.choice([0.0, 1.0, 2.5, -3.0]),
        },
    )


def random_document(seed: int) -> Doc[Any]:
    rng = random.Random(seed)
    doc: Doc[Any] = Doc()
    if rng.random() < 0.8:
        layout.seed_board(doc, rng.choice(list(TEMPLATE_PARTS)), "Fuzz")
    with doc.transaction():
        meta = layout.root(doc, "meta")
        for key in rng.sample(["title", "template", "layoutVersion", "locks"], rng.randint(0, 2)):
            meta[key] = random_value(rng)
        notes = layout.root(doc, "notes")
        for index in range(rng.randint(0, 5)):
            notes[rng.choice([f"n{index}", "a/b", "~"])] = random_note(rng)
        fill_chain(doc, rng)
        fill_agreement(doc, rng)
        fill_method(doc, rng)
    return doc


def fill_chain(doc: Doc[Any], rng: random.Random) -> None:
    chain = layout.root(doc, "chain")
    if rng.random() < 0.2:
        chain[rng.choice(["vision", "items", "links"])] = random_value(rng)
    items, links = chain.get("items"), chain.get("links")
    ids = [f"d{i}" for i in range(rng.randint(0, 6))]
    if isinstance(items, Map):
        for item_id in ids + (["vision"] if rng.random() < 0.1 else []):
            items[item_id] = random_item(rng)
    if isinstance(links, Map):
        ends = [*ids, "vision", "gone"]
        for index in range(rng.randint(0, 8)):
            value = {"from": rng.choice(ends), "to": rng.choice(ends)}
            links[f"l{index}"] = maybe(rng, value)


def fill_agreement(doc: Doc[Any], rng: random.Random) -> None:
    agreement = layout.root(doc, "agreement")
    for section_id in rng.sample([s.id for s in SECTIONS] + ["budget"], rng.randint(0, 3)):
        target = agreement.get(section_id)
        if not isinstance(target, Map) or rng.random() < 0.2:
            agreement[section_id] = random_value(rng)
            continue
        text = target.get("text")
        if isinstance(text, Text):
            layout.replace_text(text, rng.choice(["", "Nous décidons ensemble.", "é😀"]))
        approvals = target.get("approvals")
        if isinstance(approvals, Map):
            for party in rng.sample([p.id for p in PARTIES] + ["x"], rng.randint(0, 3)):
                approved = maybe(rng, text_hash(str(text)))
                approvals[party] = maybe(rng, {"by": "X", "at": AT, "textHash": approved})


def fill_method(doc: Doc[Any], rng: random.Random) -> None:
    """Scores off the scale, unknown or missing criteria and roles, roles carried or not."""
    conditions, support = layout.root(doc, "conditions"), layout.root(doc, "support")
    for key in rng.sample([c.id for c in CRITERIA] + ["budget"], rng.randint(0, 3)):
        target = conditions.get(key)
        if not isinstance(target, Map) or rng.random() < 0.2:
            conditions[key] = random_value(rng)
        else:
            target["score"] = maybe(rng, float(rng.choice([1, 2, 3, 4, 5])))
    if support and rng.random() < 0.2:
        del support[rng.choice(list(support.keys()))]
    for key in rng.sample([r.id for r in ROLES] + ["mascot"], rng.randint(0, 3)):
        target = support.get(key)
        if not isinstance(target, Map) or rng.random() < 0.2:
            support[key] = random_value(rng)
        elif isinstance(parties := target.get("parties"), Map):
            parties[rng.choice([p.id for p in PARTIES] + ["x"])] = maybe(rng, True)
