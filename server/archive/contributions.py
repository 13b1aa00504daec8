"""Balance of voice: who created, moved, edited, voted and approved, from the attributed log.

The log is replayed into a document whose deep observers classify what each update changed
(notes created, moves between levels or places, text edits, votes, approvals, chain items,
links); each logged update is credited to the invite, name and party that sent it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc, Map, TextEvent

from server.archive.attribution import Author
from server.boards.document import changed_keys
from server.boards.labels import PARTIES, PARTY_BY_ID
from server.boards.layout import AGREEMENT, CHAIN, NOTES
from server.core.clock import iso
from server.store import log
from server.store.db import Engine

KINDS = ("notes_created", "moves", "text_edits", "votes", "approvals", "chain_items", "links")
NOTE_PLACE_KEYS = {"level", "x", "y"}


def _added(event: Any) -> int:
    return sum(1 for change in changed_keys(event).values() if change.get("action") == "add")


def _note_kinds(path: list[Any], event: Any) -> Counter[str]:
    found: Counter[str] = Counter()
    if not path:
        found["notes_created"] += _added(event)
    elif len(path) == 1 and NOTE_PLACE_KEYS & set(changed_keys(event)):
        found["moves"] += 1
    elif path[-1] == "text" and isinstance(event, TextEvent):
        found["text_edits"] += 1
    elif len(path) == 2 and path[1] == "votes":
        found["votes"] += _added(event)
    return found


def _chain_kinds(path: list[Any], event: Any) -> Counter[str]:
    found: Counter[str] = Counter()
    if isinstance(event, TextEvent):
        found["text_edits"] += 1
    elif path == ["items"]:
        found["chain_items"] += _added(event)
    elif path == ["links"]:
        found["links"] += _added(event)
    elif len(path) == 2 and path[0] == "items" and "tier" in changed_keys(event):
        found["moves"] += 1
    return found


def _agreement_kinds(path: list[Any], event: Any) -> Counter[str]:
    found: Counter[str] = Counter()
    if isinstance(event, TextEvent):
        found["text_edits"] += 1
    elif len(path) == 2 and path[1] == "approvals":
        actions = [change.get("action") for change in changed_keys(event).values()]
        found["approvals"] += sum(1 for action in actions if action in {"add", "update"})
    return found


CLASSIFIERS: dict[str, Callable[[list[Any], Any], Counter[str]]] = {
    NOTES: _note_kinds,
    CHAIN: _chain_kinds,
    AGREEMENT: _agreement_kinds,
}


class _Classifier:
    """A replay document whose observers sort each applied update into kinds."""

    def __init__(self) -> None:
        self.doc: Doc[Any] = Doc()
        self.found: Counter[str] = Counter()
        self._subscriptions = []
        for name, classify in CLASSIFIERS.items():
            root = self.doc.get(name, type=Map)
            self._subscriptions.append((root, root.observe_deep(self._observer(classify))))

    def _observer(self, classify: Callable[[list[Any], Any], Counter[str]]) -> Any:
        def observe(events: list[Any]) -> None:
            for event in events:
                self.found.update(classify(list(event.path), event))

        return observe

    def apply(self, update: bytes) -> Counter[str]:
        self.found = Counter()
        self.doc.apply_update(update)
        return self.found


def contributions(
    engine: Engine,
    board_id: str,
    since: float | None,
    until: float | None,
    *,
    after_seq: int | None = None,
    upto_seq: int | None = None,
) -> dict[str, Any]:
    """Counts per party and per participant for updates logged in [since, until) and, when
    given, with ``after_seq < seq <= upto_seq``."""
    entries = log.board_entries(engine, board_id)
    span = LogWindow(since, until, after_seq, upto_seq)
    return tally(board_id, entries, span)


@dataclass(frozen=True, slots=True)
class LogWindow:
    """Which logged updates count: a time range [since, until) and a position range
    (after_seq, upto_seq]; None leaves that side open."""

    since: float | None = None
    until: float | None = None
    after_seq: int | None = None
    upto_seq: int | None = None

    def holds(self, entry: log.StoredEntry) -> bool:
        return (
            (self.since is None or entry.created_at >= self.since)
            and (self.until is None or entry.created_at < self.until)
            and (self.after_seq is None or entry.seq > self.after_seq)
            and (self.upto_seq is None or entry.seq <= self.upto_seq)
        )


def tally(
    board_id: str,
    entries: Iterable[log.StoredEntry],
    span: LogWindow,
    *,
    base_state: bytes | None = None,
) -> dict[str, Any]:
    """The report over ``entries`` (in log order) that fall in ``span``. ``base_state`` is the
    board's full state just before the first entry, when the entries do not start at the
    beginning of the log (what it holds is context, never counted)."""
    classifier = _Classifier()
    if base_state is not None:
        classifier.apply(base_state)
    per_author: dict[Author, Counter[str]] = {}
    for entry in entries:
        found = classifier.apply(entry.data)
        if not span.holds(entry) or entry.invite_id is None:
            continue
        author = Author.of(entry)
        counts = per_author.setdefault(author, Counter())
        counts.update(found)
        counts["updates"] += 1
    return _report(board_id, span.since, span.until, per_author)


def _counts(counter: Counter[str]) -> dict[str, int]:
    return {kind: int(counter.get(kind, 0)) for kind in (*KINDS, "updates")}


def _report(
    board_id: str, since: float | None, until: float | None, per_author: dict[Author, Counter[str]]
) -> dict[str, Any]:
    per_party: dict[str, Counter[str]] = {party.id: Counter() for party in PARTIES}
    totals: Counter[str] = Counter()
    for author, counts in per_author.items():
        totals.update(counts)
        if author.party in per_party:
            per_party[author.party].update(counts)
    contributed = sum(totals[kind] for kind in KINDS)
    parties = [
        {
            "party": party_id,
            "label": PARTY_BY_ID[party_id].label,
            "counts": _counts(counts),
            "share": (sum(counts[k] for k in KINDS) / contributed) if contributed else 0.0,
        }
        for party_id, counts in per_party.items()
    ]
    participants = [
        {"invite_id": a.invite_id, "name": a.name, "party": a.party, "counts": _counts(c)}
        for a, c in sorted(
            per_author.items(), key=lambda item: (str(item[0].party), str(item[0].name))
        )
    ]
    return {
        "board": board_id,
        "from": None if since is None else iso(since),
        "to": None if until is None else iso(until),
        "totals": _counts(totals),
        "parties": parties,
        "participants": participants,
    }
