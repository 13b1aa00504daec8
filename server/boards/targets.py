"""What a comment can be about: a sticky note, a chain item or an agreement section.

Comments live outside the document; this says whether the thing they name is on the board
now (a comment on a note deleted later stays readable, but none is started on a note that
never was).
"""

from __future__ import annotations

from typing import Any, Final, Literal

from pycrdt import Doc, Map

from .labels import PARTY_BY_ID, SECTION_BY_ID
from .layout import AGREEMENT, CHAIN, NOTES, root

TargetKind = Literal["note", "chain_item", "section"]
TARGET_KINDS: Final[tuple[TargetKind, ...]] = ("note", "chain_item", "section")
MENTIONABLE: Final[tuple[str, ...]] = tuple(PARTY_BY_ID)
"""Parties a comment may mention: the trinôme's three and the facilitation."""


def target_exists(doc: Doc[Any], kind: str, target_id: str) -> bool:
    """Whether the board's document holds that note, chain item or agreement section."""
    if kind == "note":
        return target_id in root(doc, NOTES)
    if kind == "chain_item":
        items = root(doc, CHAIN).get("items")
        return isinstance(items, Map) and target_id in items
    if kind == "section":
        return target_id in SECTION_BY_ID and target_id in root(doc, AGREEMENT)
    return False
