"""The containers each part of a board needs, created by the server only.

Seeding a new board and upgrading an old one both call ``seed_parts``, so an upgraded board
has exactly the containers a board created today has. Layout versions: 1 had the continuum,
the chain and the agreement; 2 added the conditions and the support structure
(``PART_SINCE``). A part's containers depend on the part alone, never on what the document
holds besides, which the layout upgrade relies on (see ``boards.upgrade``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pycrdt import Doc, Map, Text

from .labels import SECTIONS, TEMPLATE_PARTS
from .method import CRITERIA, ROLES

CHAIN = "chain"
AGREEMENT = "agreement"
CONDITIONS = "conditions"
SUPPORT = "support"
LAYOUT_VERSION = 2
PART_SINCE: dict[str, int] = {"conditions": 2, "support": 2}
"""The layout version that introduced a part; parts not listed exist since version 1."""


def parts_at(template: str, version: int) -> tuple[str, ...]:
    """The parts a board of `template` had at layout `version` (unknown template: none)."""
    parts = TEMPLATE_PARTS.get(template, ())
    return tuple(part for part in parts if PART_SINCE.get(part, 1) <= version)


def seed_parts(doc: Doc[Any], parts: Iterable[str]) -> None:
    """Create the containers of `parts` that are missing, in a fixed order (seeding twice
    changes nothing)."""
    add = _add_missing
    wanted = set(parts)
    with doc.transaction():
        if "chain" in wanted:
            add(_root(doc, CHAIN), {"vision": Text(), "items": Map(), "links": Map()})
        if "agreement" in wanted:
            agreement = _root(doc, AGREEMENT)
            for section in SECTIONS:
                add(agreement, {section.id: Map({"text": Text(), "approvals": Map()})})
        if "conditions" in wanted:
            conditions = _root(doc, CONDITIONS)
            for criterion in CRITERIA:
                add(conditions, {criterion.id: Map({"evidence": Text(), "next": Text()})})
        if "support" in wanted:
            support = _root(doc, SUPPORT)
            for role in ROLES:
                entry = {"parties": Map(), "who": Text(), "notes": Text()}
                add(support, {role.id: Map(entry)})


def _root(doc: Doc[Any], name: str) -> Map[Any]:
    found: Map[Any] = doc.get(name, type=Map)
    return found


def _add_missing(target: Map[Any], entries: Mapping[str, Any]) -> None:
    for key, value in entries.items():
        if key not in target:
            target[key] = value
