"""The layout upgrade: a board of an older layout gains the parts its template has today.

A live server applies it when it loads a board (``sync.loader``), logged like any change and
attributed to the server; the history shows it as one "layout upgrade" step.

Why it is safe with several instances. Two servers may load the same old board at the same
moment and both upgrade it; if each created the new containers itself (with its own Yjs
client id) there would be two `conditions.urgency` maps, one would win and the text typed
into the other would be lost. So the upgrade is *deterministic*: it is written by a fixed
Yjs client id (``UPGRADE_CLIENT_ID``) onto the board's state, and what it writes depends on
nothing but the board's template and layout version, which only the server writes (clients
may not write `meta`, nor add or remove the entries of `conditions` and `support`). Both
servers therefore produce the same items with the same ids; Yjs integrates an item id once,
so the second copy is a no-op, wherever it arrives. The update is computed against the
board's state as stored: a board is either wholly upgraded or not at all (one transaction).
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc, Map

from .labels import TEMPLATE_PARTS
from .seeding import LAYOUT_VERSION, parts_at, seed_parts

UPGRADE_CLIENT_ID = 0x4154_4C32
"""The Yjs client id that writes layout upgrades ("ATL2"). A browser drawing the same random
id would notice and pick another (Yjs does so when a remote update uses its own id)."""
UPGRADE_ORIGIN = "layout-upgrade"


def board_version(doc: Doc[Any]) -> tuple[str, int] | None:
    """The board's template and layout version, or None when `meta` does not say."""
    meta = doc.get("meta", type=Map)
    template, version = meta.get("template"), meta.get("layoutVersion")
    if not isinstance(template, str) or template not in TEMPLATE_PARTS:
        return None
    if isinstance(version, bool) or not isinstance(version, int | float):
        return None
    if version != int(version):
        return None
    return template, int(version)


def needs_upgrade(doc: Doc[Any]) -> bool:
    """True when the board's template has parts its layout version did not have yet
    (a board whose parts did not change keeps its version: nothing to write)."""
    found = board_version(doc)
    if found is None:
        return False
    template, version = found
    return version < LAYOUT_VERSION and parts_at(template, version) != parts_at(
        template, LAYOUT_VERSION
    )


def layout_upgrade(doc: Doc[Any]) -> bytes | None:
    """The update bringing `doc` to ``LAYOUT_VERSION``, identical wherever it is computed
    from the same board; None when nothing is to be done. `doc` itself is not changed."""
    if not needs_upgrade(doc):
        return None
    found = board_version(doc)
    assert found is not None
    writer: Doc[Any] = Doc(client_id=UPGRADE_CLIENT_ID)
    writer.apply_update(doc.get_update())
    before = writer.get_state()
    with writer.transaction(origin=UPGRADE_ORIGIN):
        seed_parts(writer, parts_at(found[0], LAYOUT_VERSION))
        writer.get("meta", type=Map)["layoutVersion"] = float(LAYOUT_VERSION)
    return writer.get_update(before)
