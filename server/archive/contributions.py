"""Balance of voice: what each person and party contributed, from the attributed log.

The log is replayed into a document whose deep observers classify what each update changed;
each logged update is credited to the invite, name and party that sent it. What counts
(README, "Balance of voice"):

- acts, one each: a note created, a move, a vote, an approval, a chain item, a link, a
  revealed round answer, a condition scored, a support role changed;
- editing stretches: consecutive edits of one text by one person count once; a stretch ends
  when someone else edits that text or after ``EDIT_IDLE_SECONDS`` without an edit;
- characters still present at the end that the person wrote (``authorship``), deleted ones
  excluded.

Shares are over the three trinôme parties (acts plus stretches); the facilitation is listed
apart, never in a share. Log updates are still counted (``updates``), for information only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pycrdt import ArrayEvent, Doc, Map, TextEvent

from server.archive.attribution import Author
from server.archive.authorship import Authorship
from server.boards.document import changed_keys
from server.boards.labels import PARTY_BY_ID, TRINOME, Localized, loc
from server.boards.layout import AGREEMENT, CHAIN, CONDITIONS, NOTES, SUPPORT
from server.boards.rounds import ROUNDS
from server.core.clock import iso
from server.store import log, timeline
from server.store.db import Engine

ACTS = (
    "notes_created",
    "moves",
    "votes",
    "approvals",
    "chain_items",
    "links",
    "round_answers",
    "condition_scores",
    "support_changes",
)
COUNTED = (*ACTS, "text_edits")
"""What a share is made of: every act and every editing stretch weigh one."""
KINDS = (*COUNTED, "characters", "updates")
FACILITATION = "facilitation"
EDIT_IDLE_SECONDS = 300.0
"""An editing stretch ends after this long without an edit of that text by that person."""
LOG_PAGE = 500
"""Log entries read per query: memory stays bounded by the board, not by its history."""
NOTE_PLACE_KEYS = {"level", "x", "y"}
METHOD: Localized = loc(
    "Méthode : parts calculées sur les trois parties du trinôme, la facilitation à part ; "
    "chaque acte compte 1 (note, déplacement, vote, approbation, changement, lien, réponse "
    "de tour, score, rôle), chaque séquence d'écriture compte 1 (une personne sur un texte, "
    "close quand une autre l'écrit ou après 5 min sans écrire) ; les caractères sont ceux "
    "encore présents à la fin, texte effacé exclu.",
    "Method: shares over the three trinôme parties, facilitation apart; each act counts 1 "
    "(note, move, vote, approval, change, link, round answer, score, role), each writing "
    "stretch counts 1 (one person on one text, ended when someone else writes it or after "
    "5 min idle); characters are those still present at the end, deleted text excluded.",
)

TextKey = tuple[str, ...]


def _added(event: Any) -> int:
    return sum(1 for change in changed_keys(event).values() if change.get("action") == "add")


def _note_kinds(path: list[Any], event: Any) -> Counter[str]:
    found: Counter[str] = Counter()
    if not path:
        found["notes_created"] += _added(event)
    elif len(path) == 1 and NOTE_PLACE_KEYS & set(changed_keys(event)):
        found["moves"] += 1
    elif len(path) == 2 and path[1] == "votes":
        found["votes"] += _added(event)
    return found


def _chain_kinds(path: list[Any], event: Any) -> Counter[str]:
    found: Counter[str] = Counter()
    if path == ["items"]:
        found["chain_items"] += _added(event)
    elif path == ["links"]:
        found["links"] += _added(event)
    elif len(path) == 2 and path[0] == "items" and "tier" in changed_keys(event):
        found["moves"] += 1
    return found


def _agreement_kinds(path: list[Any], event: Any) -> Counter[str]:
    found: Counter[str] = Counter()
    if len(path) == 2 and path[1] == "approvals":
        actions = [change.get("action") for change in changed_keys(event).values()]
        found["approvals"] += sum(1 for action in actions if action in {"add", "update"})
    return found


def _round_kinds(path: list[Any], event: Any) -> Counter[str]:
    """A revealed answer: ``rounds[id].answers[key]`` added, in its author's own update."""
    found: Counter[str] = Counter()
    if len(path) == 2 and path[1] == "answers":
        found["round_answers"] += _added(event)
    return found


def _condition_kinds(path: list[Any], event: Any) -> Counter[str]:
    found: Counter[str] = Counter()
    if len(path) == 1 and "score" in changed_keys(event):
        found["condition_scores"] += 1
    return found


def _support_kinds(path: list[Any], event: Any) -> Counter[str]:
    """A party taking up or leaving a role, or the role's score changed."""
    found: Counter[str] = Counter()
    if len(path) == 2 and path[1] == "parties":
        found["support_changes"] += len(changed_keys(event))
    elif len(path) == 1 and "score" in changed_keys(event):
        found["support_changes"] += 1
    return found


CLASSIFIERS: dict[str, Callable[[list[Any], Any], Counter[str]]] = {
    NOTES: _note_kinds,
    CHAIN: _chain_kinds,
    AGREEMENT: _agreement_kinds,
    ROUNDS: _round_kinds,
    CONDITIONS: _condition_kinds,
    SUPPORT: _support_kinds,
}


@dataclass
class Found:
    """What one update changed: acts by kind, and which texts it edited."""

    acts: Counter[str] = field(default_factory=Counter)
    texts: set[TextKey] = field(default_factory=set)


class _Classifier:
    """A replay document whose observers sort each applied update into kinds."""

    def __init__(self) -> None:
        self.doc: Doc[Any] = Doc()
        self.found = Found()
        self._subscriptions = []
        for name, classify in CLASSIFIERS.items():
            root = self.doc.get(name, type=Map)
            self._subscriptions.append((root, root.observe_deep(self._observer(name, classify))))

    def _observer(self, name: str, classify: Callable[[list[Any], Any], Counter[str]]) -> Any:
        def observe(events: list[Any]) -> None:
            for event in events:
                path = list(event.path)
                if isinstance(event, TextEvent):
                    self.found.texts.add((name, *map(str, path)))
                elif not isinstance(event, ArrayEvent):
                    self.found.acts.update(classify(path, event))

        return observe

    def apply(self, update: bytes) -> Found:
        self.found = Found()
        self.doc.apply_update(update)
        found = self.found
        if found.acts["round_answers"]:
            del found.acts["notes_created"]  # a notes answer's notes are that one answer
        return found


class _Stretches:
    """Editing stretches: per text, who edited it last and when."""

    def __init__(self) -> None:
        self._last: dict[TextKey, tuple[Author, float]] = {}

    def started(self, author: Author, texts: Iterable[TextKey], at: float) -> int:
        """How many of ``texts`` this edit starts a new stretch on."""
        count = 0
        for text in texts:
            last = self._last.get(text)
            if last is None or last[0] != author or at - last[1] > EDIT_IDLE_SECONDS:
                count += 1
            self._last[text] = (author, at)
        return count


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
    given, with ``after_seq < seq <= upto_seq``. The log is read in pages."""
    span = LogWindow(since, until, after_seq, upto_seq)
    return tally(board_id, log_pages(engine, board_id, upto_seq), span)


def log_pages(engine: Engine, board_id: str, upto_seq: int | None) -> Iterator[log.StoredEntry]:
    """The board's log in order, ``LOG_PAGE`` entries per query."""
    after = 0
    while True:
        page = timeline.entries(
            engine, board_id, after_seq=after, upto_seq=upto_seq, limit=LOG_PAGE
        )
        yield from page
        if len(page) < LOG_PAGE:
            return
        after = page[-1].seq


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
            and not self.past(entry)
            and (self.after_seq is None or entry.seq > self.after_seq)
        )

    def past(self, entry: log.StoredEntry) -> bool:
        """After the span: nothing it holds counts, not even as context."""
        return (self.until is not None and entry.created_at >= self.until) or (
            self.upto_seq is not None and entry.seq > self.upto_seq
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
    authorship: Authorship[Author] = Authorship(base_state)
    stretches = _Stretches()
    per_author: dict[Author, Counter[str]] = {}
    for entry in entries:
        if span.past(entry):
            continue
        found = classifier.apply(entry.data)
        counted = span.holds(entry) and entry.invite_id is not None
        author = Author.of(entry) if counted else None
        authorship.record(entry.data, author)
        if author is None:
            continue
        counts = per_author.setdefault(author, Counter())
        counts.update(found.acts)
        counts["text_edits"] += stretches.started(author, found.texts, entry.created_at)
        counts["updates"] += 1
    for writer, characters in authorship.characters(classifier.doc.get_update()).items():
        per_author.setdefault(writer, Counter())["characters"] += characters
    report = _report(board_id, span.since, span.until, per_author)
    report["characters_complete"] = authorship.complete
    return report


def _counts(counter: Counter[str]) -> dict[str, int]:
    return {kind: int(counter.get(kind, 0)) for kind in KINDS}


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _report(
    board_id: str, since: float | None, until: float | None, per_author: dict[Author, Counter[str]]
) -> dict[str, Any]:
    per_party: dict[str, Counter[str]] = {party: Counter() for party in (*TRINOME, FACILITATION)}
    totals: Counter[str] = Counter()
    for author, counts in per_author.items():
        totals.update(counts)
        if author.party in per_party:
            per_party[author.party].update(counts)
    voiced = {party: sum(per_party[party][k] for k in COUNTED) for party in TRINOME}
    written = {party: per_party[party]["characters"] for party in TRINOME}
    parties = [
        {
            "party": party,
            "label": PARTY_BY_ID[party].label,
            "counts": _counts(per_party[party]),
            "share": _share(voiced[party], sum(voiced.values())),
            "characters_share": _share(written[party], sum(written.values())),
        }
        for party in TRINOME
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
        "method": METHOD,
        "idle_gap_seconds": EDIT_IDLE_SECONDS,
        "totals": _counts(totals),
        "parties": parties,
        "facilitation": {
            "party": FACILITATION,
            "label": PARTY_BY_ID[FACILITATION].label,
            "counts": _counts(per_party[FACILITATION]),
        },
        "participants": participants,
    }
