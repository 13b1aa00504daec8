"""Which zones of a board an update would touch, known before it reaches the board.

Yjs updates name their parents by item ids, so where an update writes can only be learnt by
integrating it. Each room keeps a shadow replica of its document: a client's update is
applied to the shadow first, the shadow's deep observers report the zones it changed, and
only an allowed update is applied to the real document. A refused update has polluted the
shadow, so the shadow is dropped and rebuilt from the real document when next needed (rare:
refusals close the sender).

The shadow is built at a board's first client write, not when the board is loaded: most
connections only read (a board opened by twenty people may be written by none for
minutes), and a shadow costs a second copy of the document in memory and an encode and
apply of the whole board. Changes that reach the real document without a check (the
server's own, other instances') are applied to the shadow only if it exists; a shadow
built later starts from the real document, which has them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pycrdt import Doc, Map

from server.boards.document import changed_keys
from server.boards.layout import AGREEMENT, CHAIN, CONDITIONS, META, NOTES, SUPPORT
from server.boards.rounds import ROUNDS

META_ZONE = "meta"
"""Written by the server only: clients' writes there are always refused."""
ROUNDS_ZONE = ROUNDS
"""Revealed private rounds: written by the server only, like ``meta``."""
ENTRIES_ZONE = "entries"
"""The entries of `conditions` and `support` (one per criterion or role): created by the
server only, so the layout upgrade stays deterministic (``boards.upgrade``)."""
VISION_KEY = "vision"


def zone_of(root: str, path: list[Any], keys: list[str]) -> set[str]:
    """The zone ids touched by one change event under ``root``."""
    if root == META:
        return {META_ZONE}
    if root == ROUNDS:
        return {ROUNDS_ZONE}
    if root == NOTES:
        return {"continuum"}
    first = [str(path[0])] if path else keys
    if root == CHAIN:
        return {"vision" if key == VISION_KEY else "chain" for key in first}
    if root == AGREEMENT:
        return {f"agreement.{key}" for key in first}
    if root in (CONDITIONS, SUPPORT):
        return {root} if path else {root, ENTRIES_ZONE}
    return set()


APPROVALS_KEY = "approvals"
ANY_PARTY = "*"


def approval_parties(root: str, path: list[Any], keys: list[str]) -> set[str]:
    """Parties whose approval one change event under ``root`` writes or removes."""
    if root != AGREEMENT:
        return set()
    if len(path) == 2 and path[1] == APPROVALS_KEY:
        return set(keys)
    if (len(path) == 1 and APPROVALS_KEY in keys) or (not path and keys):
        return {ANY_PARTY}  # a whole approvals map (or section) replaced
    return set()


class ZoneWatcher:
    """The shadow replica (built when first needed) and what the last update touched."""

    def __init__(self, doc: Doc[Any]) -> None:
        self._doc = doc
        self._touched: set[str] = set()
        self.approvals: set[str] = set()
        """Parties whose approval the last update wrote (``*``: any party)."""
        self.approval_values: dict[str, object] = {}
        """The approvals the last update wrote, by party (withdrawals are not listed)."""
        self._shadow: Doc[Any] | None = None
        self._subscriptions: list[Any] = []

    @property
    def has_shadow(self) -> bool:
        return self._shadow is not None

    def close(self) -> None:
        """Unsubscribe the shadow's observers and drop it, so both can be freed."""
        for root, subscription in self._subscriptions:
            root.unobserve(subscription)
        self._subscriptions = []
        self._shadow = None

    def resync(self) -> None:
        """Forget the shadow: the next check rebuilds it from the real document."""
        self.close()

    def _build(self) -> Doc[Any]:
        shadow: Doc[Any] = Doc()
        shadow.apply_update(self._doc.get_update())
        names = (META, NOTES, CHAIN, AGREEMENT, ROUNDS, CONDITIONS, SUPPORT)
        roots = [shadow.get(name, type=Map) for name in names]
        self._subscriptions = [
            (root, root.observe_deep(self._observer(name)))
            for name, root in zip(names, roots, strict=True)
        ]
        self._shadow = shadow
        return shadow

    def _observer(self, root: str) -> Callable[[list[Any]], None]:
        def observe(events: list[Any]) -> None:
            for event in events:
                path = list(event.path)
                keys = list(changed_keys(event))
                self._touched |= zone_of(root, path, [] if path else keys)
                parties = approval_parties(root, path, keys)
                self.approvals |= parties
                if parties - {ANY_PARTY}:
                    self._note_approval_values(event, parties)

        return observe

    def _note_approval_values(self, event: Any, parties: set[str]) -> None:
        approvals = event.target
        for party in parties:
            if party in approvals:
                value = approvals[party]
                self.approval_values[party] = value.to_py() if isinstance(value, Map) else value

    def touched_by(self, update: bytes) -> set[str]:
        """Apply ``update``, not yet in the real document, to the shadow and return the
        zones it changed (may raise)."""
        self._touched = set()
        self.approvals = set()
        self.approval_values = {}
        shadow = self._shadow if self._shadow is not None else self._build()
        shadow.apply_update(update)
        return self._touched

    def follow(self, update: bytes) -> None:
        """An update the real document already has (the server's, another instance's):
        the shadow, if built, must have it too."""
        if self._shadow is not None:
            self.touched_by(update)
