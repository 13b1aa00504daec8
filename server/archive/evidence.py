"""Snapshots and their hash chain, exports (JSON, HTML, PDF), evidence bundles and their
offline verification.

What is hashed
--------------
``canonical(value)`` is the JSON text of ``value`` with object keys sorted, no insignificant
whitespace, non-ASCII characters written as themselves, encoded in UTF-8 (RFC 8785 for the
values used here: strings, integers, null, objects, arrays — a header holds no float).

A snapshot's **header** (``schemas/export.schema.json#/$defs/header``) names the board, the
snapshot's number in the board's chain, its kind, label, session, time, author, the last log
position it covers (``seq``) and:

- ``state_sha256``: SHA-256 of the Yjs state bytes (update v1 encoding);
- ``projection_sha256``: SHA-256 of ``canonical(projection)``;
- ``log``: ``{after_seq, count, sha256}`` over the board's updates with
  ``after_seq < seq' <= seq`` (``after_seq`` is the previous snapshot's ``seq``, 0 for the
  first): SHA-256 of the concatenation, in log order, of ``canonical(record) + "\\n"`` where
  ``record = {seq, at, invite, name, party, data_sha256}``;
- ``prev``: the previous snapshot's hash (null for the board's first).

The snapshot's **hash** is SHA-256 of ``canonical(header)``. Changing any stored byte (state,
projection, header, a logged update or its author) breaks a hash; removing or reordering a
snapshot breaks the ``prev`` links; only the newest snapshot of a board can be re-forged
whole, which is why reports print the head hash to keep elsewhere.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import hashlib
import io
import itertools
import json
import secrets
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal, cast

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pycrdt import Doc
from sqlalchemy import Engine

from server.archive import replay
from server.archive.contributions import Span, tally
from server.boards.diff import ChangeJson, diff
from server.boards.labels import (
    COLOR_HEX,
    LEVELS,
    PARTIES,
    PARTS,
    PARTY_BY_ID,
    SECTION_BY_ID,
    STATUS_BY_ID,
    TIERS,
    Localized,
    loc,
    pick,
    quote,
)
from server.boards.projection import Projection, project
from server.core import schema
from server.core.clock import iso
from server.core.errors import Conflict, NotFound, Unavailable
from server.core.resources import resource_dir
from server.store import archive, catalog
from server.store.log import StoredEntry

HEADER_VERSION = 1
CHAIN_RETRIES = 5
Kind = Literal["session_start", "session_end", "manual"]
HASH_RULE = (
    "hash = SHA-256(canonical JSON of header); header.prev = previous snapshot's hash; "
    "canonical JSON = keys sorted, no whitespace, UTF-8"
)


# -- canonical form and hashes ------------------------------------------------------------


def canonical(value: Any) -> bytes:
    text = json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def log_record(entry: StoredEntry) -> dict[str, Any]:
    """What the log digest covers of one update: everything, the bytes by their hash."""
    return {
        "seq": entry.seq,
        "at": iso(entry.created_at),
        "invite": entry.invite_id,
        "name": entry.author_name,
        "party": entry.party,
        "data_sha256": sha256_hex(entry.data),
    }


def log_digest(records: Iterable[dict[str, Any]], after_seq: int) -> dict[str, Any]:
    digest = hashlib.sha256()
    count = 0
    for record in records:
        digest.update(canonical(record) + b"\n")
        count += 1
    return {"after_seq": after_seq, "count": count, "sha256": digest.hexdigest()}


def header_of(snapshot: archive.Snapshot) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(snapshot.header)
    return header


# -- taking a snapshot --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Taker:
    """Who takes a snapshot: an invite (facilitator) or the operator (no invite)."""

    invite: str | None
    role: str
    label: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"invite": self.invite, "role": self.role, "label": self.label}


@dataclass(frozen=True, slots=True)
class Taken:
    snapshot: archive.Snapshot
    session: archive.Session | None


def take_snapshot(
    engine: Engine,
    board_id: str,
    *,
    kind: Kind,
    taker: Taker,
    label: str | None = None,
    session: archive.Session | None = None,
) -> Taken:
    """Snapshot the board as its durable log stands now and append it to the board's chain.

    A ``session_start`` snapshot inserts ``session`` and a ``session_end`` one closes it, in
    the same transaction; the session's start or end time is the snapshot's. A ``manual``
    snapshot belongs to the board's open session, if any. Blocking."""
    board = _board_json(engine, board_id)
    for _ in range(CHAIN_RETRIES):
        latest = archive.latest_snapshot(engine, board_id)
        if kind == "manual":
            session = archive.open_session(engine, board_id)
        point = replay.state_at(engine, board_id)
        if point is None:
            raise NotFound(f"the board {board_id!r} has no logged update", board=board_id)
        if latest is not None and point.seq < latest.seq:
            continue
        now = time.time()
        sitting = _sitting(session, kind, now, taker)
        new = _new_snapshot(engine, board, latest, point, kind, taker, label, sitting, now)
        try:
            archive.insert_snapshot(
                engine,
                new,
                start=sitting if kind == "session_start" else None,
                end=sitting if kind == "session_end" else None,
            )
        except archive.ChainMoved:
            continue
        return Taken(new.snapshot, sitting)
    raise Unavailable("the board's snapshots kept changing meanwhile; try again")


def _sitting(
    session: archive.Session | None, kind: Kind, now: float, taker: Taker
) -> archive.Session | None:
    if session is None:
        return None
    if kind == "session_start":
        return dataclasses.replace(session, started_at=now)
    if kind == "session_end":
        return dataclasses.replace(session, ended_at=now, ended_by=taker.invite)
    return session


def _new_snapshot(
    engine: Engine,
    board: dict[str, Any],
    latest: archive.Snapshot | None,
    point: replay.Point,
    kind: Kind,
    taker: Taker,
    label: str | None,
    session: archive.Session | None,
    now: float,
) -> archive.NewSnapshot:
    after = latest.seq if latest else 0
    logged = archive.entries(engine, point.board_id, after_seq=after, upto_seq=point.seq)
    state = point.state
    projection = canonical(point.projection())
    snapshot_id = secrets.token_hex(8)
    number = (latest.number if latest else 0) + 1
    header = {
        "version": HEADER_VERSION,
        "id": snapshot_id,
        "board": board,
        "number": number,
        "kind": kind,
        "label": label,
        "session": None if session is None else {"id": session.id, "title": session.title},
        "taken_at": iso(now),
        "author": taker.to_json(),
        "seq": point.seq,
        "log": log_digest(map(log_record, logged), after),
        "state_sha256": sha256_hex(state),
        "projection_sha256": sha256_hex(projection),
        "prev": latest.hash if latest else None,
    }
    text = canonical(header)
    row = archive.Snapshot(
        id=snapshot_id,
        board_id=point.board_id,
        number=number,
        session_id=None if session is None else session.id,
        kind=kind,
        seq=point.seq,
        taken_at=now,
        header=text.decode("utf-8"),
        hash=sha256_hex(text),
    )
    return archive.NewSnapshot(row, archive.SnapshotContent(state, projection.decode("utf-8")))


def _board_json(engine: Engine, board_id: str) -> dict[str, Any]:
    board = catalog.require_board(engine, board_id)
    site = None
    if board.site_id is not None:
        found = catalog.require_site(engine, board.site_id)
        site = {"id": found.id, "title": found.title}
    return {"id": board.id, "title": board.title, "template": board.template, "site": site}


# -- dossiers: everything an export needs, read once ---------------------------------------


@dataclass(frozen=True)
class Frame:
    """One snapshot with its content."""

    row: archive.Snapshot
    state: bytes
    projection_text: str

    @property
    def header(self) -> dict[str, Any]:
        return header_of(self.row)

    @property
    def projection(self) -> Projection:
        return cast(Projection, json.loads(self.projection_text))


@dataclass(frozen=True)
class Dossier:
    """A snapshot or a session, ready to export: its frames (chain order), the frame the
    diff and the contributions start from (None: the empty board), and the log in between."""

    kind: Literal["snapshot", "session"]
    session: archive.Session | None
    frames: list[Frame]
    base: Frame | None
    entries: list[StoredEntry]
    contributions: dict[str, Any]
    generated_at: float

    @property
    def last(self) -> Frame:
        return self.frames[-1]

    @property
    def board(self) -> dict[str, Any]:
        board: dict[str, Any] = self.last.header["board"]
        return board

    def changes(self) -> list[ChangeJson]:
        before = self.base.projection if self.base else project(Doc())
        return [change.to_json() for change in diff(before, self.last.projection)]


def _frame(engine: Engine, row: archive.Snapshot) -> Frame:
    content = archive.snapshot_content(engine, row.id)
    return Frame(row, content.state, content.projection)


def session_dossier(engine: Engine, session_id: str) -> Dossier:
    """A session: its snapshots; diff and contributions from its first to its last."""
    session = archive.get_session(engine, session_id)
    rows = archive.session_snapshots(engine, session_id)
    if not rows:
        raise NotFound(f"the session {session_id!r} has no snapshot", session=session_id)
    frames = [_frame(engine, row) for row in rows]
    return _dossier(engine, "session", session, frames, frames[0])


def snapshot_dossier(engine: Engine, snapshot_id: str) -> Dossier:
    """One snapshot; diff and contributions since the board's previous snapshot."""
    row = archive.get_snapshot(engine, snapshot_id)
    previous = archive.snapshot_by_number(engine, row.board_id, row.number - 1)
    base = _frame(engine, previous) if previous is not None else None
    session = archive.get_session(engine, row.session_id) if row.session_id else None
    return _dossier(engine, "snapshot", session, [_frame(engine, row)], base)


def _dossier(
    engine: Engine,
    kind: Literal["snapshot", "session"],
    session: archive.Session | None,
    frames: list[Frame],
    base: Frame | None,
) -> Dossier:
    last = frames[-1].row
    logged = archive.entries(
        engine, last.board_id, after_seq=base.row.seq if base else 0, upto_seq=last.seq
    )
    figures = tally(last.board_id, logged, Span(), base_state=base.state if base else None)
    figures["from"] = base.header["taken_at"] if base else None
    figures["to"] = frames[-1].header["taken_at"]
    return Dossier(kind, session, frames, base, logged, figures, time.time())


def dossier(engine: Engine, kind: Literal["snapshot", "session"], ident: str) -> Dossier:
    return snapshot_dossier(engine, ident) if kind == "snapshot" else session_dossier(engine, ident)


# -- JSON export ----------------------------------------------------------------------------


def export_json(d: Dossier, lang: str = "fr") -> dict[str, Any]:
    """The export, valid against ``schemas/export.schema.json``."""
    board = d.board
    return {
        "format": "atelier-export",
        "version": 1,
        "kind": d.kind,
        "generated_at": iso(d.generated_at),
        "lang": "en" if lang == "en" else "fr",
        "board": {key: board[key] for key in ("id", "title", "template")},
        "site": board["site"],
        "session": None if d.session is None else session_json(d.session),
        "snapshots": [
            {"id": f.row.id, "hash": f.row.hash, "header": f.header, "projection": f.projection}
            for f in d.frames
        ],
        "diff": {
            "from": d.base.row.id if d.base else None,
            "to": d.last.row.id,
            "changes": d.changes(),
        },
        "contributions": d.contributions,
    }


def session_json(session: archive.Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "title": session.title,
        "started_at": iso(session.started_at),
        "ended_at": None if session.ended_at is None else iso(session.ended_at),
        "facilitator": session.started_by_label,
    }


# -- readable reports (HTML, PDF) -----------------------------------------------------------


WORDS: dict[str, Localized] = {
    "report": loc("Rapport d'atelier", "Workshop report"),
    "snapshot_report": loc("Instantané du tableau", "Board snapshot"),
    "board": loc("Tableau", "Board"),
    "site": loc("Site", "Site"),
    "session": loc("Séance", "Session"),
    "started": loc("Début", "Start"),
    "ended": loc("Fin", "End"),
    "open": loc("en cours", "in progress"),
    "facilitator": loc("Accompagnement", "Facilitator"),
    "operator": loc("Opérateur", "Operator"),
    "snapshot": loc("Instantané", "Snapshot"),
    "taken_by": loc("Pris par", "Taken by"),
    "position": loc("Position dans le journal", "Log position"),
    "no_notes": loc("Aucune note", "No notes"),
    "votes": loc("votes", "votes"),
    "votes_col": loc("Votes", "Votes"),
    "facilitator_invite": loc("invitation d'accompagnement", "facilitator invite"),
    "by": loc("par", "by"),
    "vision": loc("Vision", "Vision"),
    "links": loc("Liens « mène à »", "“Leads to” links"),
    "no_links": loc("Aucun lien", "No links"),
    "no_items": loc("Aucun changement", "No change"),
    "status": loc("Statut", "Status"),
    "approvals": loc("Approbations", "Approvals"),
    "pending": loc("En attente de", "Waiting for"),
    "outdated": loc("sur une version antérieure du texte", "on an earlier version of the text"),
    "empty_text": loc("(texte vide)", "(empty text)"),
    "questions": loc("Questions guides", "Guiding questions"),
    "changes": loc("Ce qui a changé", "What changed"),
    "changes_since_start": loc("Depuis le début de la séance", "Since the start of the session"),
    "changes_since_previous": loc("Depuis l'instantané précédent", "Since the previous snapshot"),
    "no_changes": loc("Aucun changement", "No change"),
    "contributions": loc("Équilibre des voix", "Balance of voice"),
    "party": loc("Partie", "Party"),
    "participant": loc("Participant·e", "Participant"),
    "share": loc("Part", "Share"),
    "notes_created": loc("Notes créées", "Notes created"),
    "moves": loc("Déplacements", "Moves"),
    "text_edits": loc("Modifications de texte", "Text edits"),
    "chain_items": loc("Changements ajoutés", "Changes added"),
    "approvals_count": loc("Approbations", "Approvals"),
    "updates": loc("Mises à jour", "Updates"),
    "chain": loc("Chaîne d'empreintes", "Hash chain"),
    "number": loc("N°", "No."),
    "kind": loc("Type", "Kind"),
    "time": loc("Heure", "Time"),
    "hash": loc("Empreinte SHA-256", "SHA-256 hash"),
    "prev": loc("Précédente", "Previous"),
    "head": loc(
        "Empreinte de tête à conserver : elle permet de vérifier plus tard que rien n'a été "
        "modifié (atelier verify).",
        "Head hash to keep: it lets anyone check later that nothing was changed (atelier verify).",
    ),
    "problems": loc("Points à corriger", "Points to fix"),
    "generated": loc("Généré le", "Generated on"),
    "session_start": loc("Début de séance", "Session start"),
    "session_end": loc("Fin de séance", "Session end"),
    "manual": loc("Instantané", "Snapshot"),
    "none": loc("aucun", "none"),
}


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(resource_dir("web", "templates/reports") / "templates" / "reports"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(d: Dossier, lang: str = "fr") -> str:
    """The readable report: continuum, chain, agreement, what changed, balance of voice and
    the hash chain. French unless ``lang`` is ``en``."""
    lang = "en" if lang == "en" else "fr"
    return _environment().get_template("report.html").render(**_report_context(d, lang))


def render_pdf(d: Dossier, lang: str = "fr") -> bytes:
    """The report as PDF (WeasyPrint, imported only when a PDF is asked for)."""
    import weasyprint  # type: ignore[import-untyped]

    pdf: bytes = weasyprint.HTML(string=render_html(d, lang)).write_pdf()
    return pdf


def _report_context(d: Dossier, lang: str) -> dict[str, Any]:
    def t(text: Localized | None) -> str:
        return "" if text is None else pick(text, lang)

    projection = d.last.projection
    return {
        "lang": lang,
        "t": t,
        "w": lambda key: pick(WORDS[key], lang),
        "when": _when,
        "d": d,
        "board": d.board,
        "session": None if d.session is None else session_json(d.session),
        "frames": [_frame_view(f) for f in d.frames],
        "parts": projection["meta"]["parts"],
        "part_labels": {part.id: part.label for part in PARTS},
        "colon": "\u00a0:" if lang == "fr" else ":",
        "percent": "\u00a0%" if lang == "fr" else "%",
        "quote": lambda text: t(quote(text)),
        "levels": _levels(projection),
        "chain": _chain_view(projection),
        "sections": _sections(projection),
        "changes": [t(change["caption"]) for change in d.changes()],
        "parties": _party_rows(d.contributions),
        "participants": _participant_rows(d.contributions),
        "problems": [t(found["message"]) for found in projection["problems"]],
        "generated_at": iso(d.generated_at),
    }


def _when(value: str | None) -> str:
    """``2026-11-28T10:00:00.123456Z`` -> ``2026-11-28 10:00:00 UTC``."""
    if not value:
        return ""
    return value.replace("T", " ")[:19] + " UTC"


def _party_label(party: str | None) -> Localized | None:
    found = PARTY_BY_ID.get(party or "")
    return found.label if found else None


def _frame_view(f: Frame) -> dict[str, Any]:
    header = f.header
    return {
        "number": f.row.number,
        "kind": f.row.kind,
        "label": header["label"],
        "taken_at": header["taken_at"],
        "author": header["author"],
        "seq": f.row.seq,
        "hash": f.row.hash,
        "prev": header["prev"],
    }


def _levels(projection: Projection) -> list[dict[str, Any]]:
    by_level: dict[str | None, list[dict[str, Any]]] = {}
    for note in projection["notes"]:
        by_level.setdefault(note["level"], []).append(
            {
                "text": note["text"],
                "author": note["author"]["name"],
                "party": _party_label(note["author"]["party"]),
                "votes": note["votes"]["count"],
                "color": COLOR_HEX.get(note["color"] or "", COLOR_HEX["yellow"]),
            }
        )
    return [
        {"label": level.label, "meaning": level.meaning, "notes": by_level.get(level.id, [])}
        for level in LEVELS
    ]


def _chain_view(projection: Projection) -> dict[str, Any]:
    chain = projection["chain"]
    names = {item["id"]: item["text"] for item in chain["items"]}
    tiers = [
        {
            "label": tier.label,
            "items": [
                {
                    "text": i["text"],
                    "author": i["author"]["name"],
                    "party": _party_label(i["author"]["party"]),
                }
                for i in chain["items"]
                if i["tier"] == tier.id
            ],
        }
        for tier in TIERS
        if tier.id != "vision"
    ]
    links = [
        {"from": _end(link["from"], names), "to": _end(link["to"], names)}
        for link in chain["links"]
    ]
    return {"vision": chain["vision"], "tiers": tiers, "links": links}


def _end(end: str, names: dict[str, str]) -> Localized:
    if end == "vision":
        return loc("Vision", "Vision")
    text = names.get(end)
    return loc(text, text) if text is not None else loc(f"({end} absent)", f"({end} missing)")


def _sections(projection: Projection) -> list[dict[str, Any]]:
    views = []
    for section in projection["agreement"]["sections"]:
        known = SECTION_BY_ID.get(section["id"])
        status = STATUS_BY_ID.get(section["status"])
        views.append(
            {
                "id": section["id"],
                "label": known.label if known else loc(section["id"], section["id"]),
                "questions": list(known.questions) if known else [],
                "status": section["status"],
                "status_label": status.label
                if status
                else loc(section["status"], section["status"]),
                "text": section["text"],
                "approvals": [
                    {
                        "party": _party_label(a["party"]),
                        "by": a["by"],
                        "at": a["at"],
                        "current": a["current"],
                    }
                    for a in section["approvals"]
                ],
                "pending": [_party_label(party) for party in section["pending"]],
            }
        )
    return views


def _party_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"label": row["label"], "counts": row["counts"], "share": round(100 * row["share"])}
        for row in figures["parties"]
    ]


def _participant_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"name": row["name"], "party": _party_label(row["party"]), "counts": row["counts"]}
        for row in figures["participants"]
    ]


# -- evidence bundle ------------------------------------------------------------------------

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
LOG_FILE = "log/updates.jsonl"
EXPORT_FILE = "export/session.json"
README_FILE = "README.txt"
README = """Atelier evidence bundle / dossier de preuve

manifest.json        the session, its participants, its snapshots and their hash chain
snapshots/NNNN.yjs   each snapshot's Yjs state (update v1); NNNN.json its JSON projection
log/updates.jsonl    the session's attributed update log, one canonical JSON object per line
export/session.json  the session export (schemas/export.schema.json)
reports/             readable reports (HTML, PDF), French and English
SHA256SUMS           SHA-256 of every other file (sha256sum -c SHA256SUMS)

Verify it without the server:  atelier verify THIS-FILE.zip
"""


def build_bundle(d: Dossier, *, reports: bool = True) -> bytes:
    """The evidence bundle of an ended session, as zip bytes. Blocking (PDF rendering)."""
    if d.kind != "session" or d.session is None or d.session.ended_at is None:
        raise Conflict("the session is still open: end it before exporting its evidence")
    files: dict[str, bytes] = {README_FILE: README.encode("utf-8")}
    listed = []
    for f in d.frames:
        names = {"state": f"snapshots/{f.row.number:04d}.yjs"}
        names["projection"] = f"snapshots/{f.row.number:04d}.json"
        files[names["state"]] = f.state
        files[names["projection"]] = f.projection_text.encode("utf-8")
        listed.append(
            {"number": f.row.number, "hash": f.row.hash, "header": f.header, "files": names}
        )
    files[LOG_FILE] = b"".join(canonical(_log_line(entry)) + b"\n" for entry in d.entries)
    files[EXPORT_FILE] = _pretty(export_json(d))
    report_names = _add_reports(d, files) if reports else []
    files[MANIFEST] = _pretty(_manifest(d, listed, report_names))
    files[CHECKSUMS] = checksums(files)
    return _zip(files, d.generated_at)


def _log_line(entry: StoredEntry) -> dict[str, Any]:
    return {**log_record(entry), "data": base64.b64encode(entry.data).decode("ascii")}


def _add_reports(d: Dossier, files: dict[str, bytes]) -> list[str]:
    names = []
    for lang in ("fr", "en"):
        files[f"reports/session-{lang}.html"] = render_html(d, lang).encode("utf-8")
        files[f"reports/session-{lang}.pdf"] = render_pdf(d, lang)
        names += [f"reports/session-{lang}.html", f"reports/session-{lang}.pdf"]
    return names


def _manifest(d: Dossier, listed: list[dict[str, Any]], reports: list[str]) -> dict[str, Any]:
    first, last = d.frames[0], d.last
    assert d.session is not None
    board = d.board
    return {
        "format": "atelier-evidence",
        "version": 1,
        "generated_at": iso(d.generated_at),
        "board": {key: board[key] for key in ("id", "title", "template")},
        "site": board["site"],
        "session": session_json(d.session),
        "span": {
            "from": first.header["taken_at"],
            "to": last.header["taken_at"],
            "after_seq": first.row.seq,
            "upto_seq": last.row.seq,
        },
        "participants": participants(log_record(entry) for entry in d.entries),
        "snapshots": listed,
        "chain": {"anchor": first.header["prev"], "head": last.row.hash, "rule": HASH_RULE},
        "log": {
            "file": LOG_FILE,
            "after_seq": first.row.seq,
            "upto_seq": last.row.seq,
            "count": len(d.entries),
        },
        "files": {"export": EXPORT_FILE, "reports": reports},
    }


def participants(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who wrote, by party (the programme's order, then any other), from log records."""
    people: dict[tuple[str | None, str, str | None], int] = {}
    for record in records:
        if record["invite"] is None:
            continue
        key = (record["party"], record["invite"], record["name"])
        people[key] = people.get(key, 0) + 1
    order = {party.id: rank for rank, party in enumerate(PARTIES)}
    parties = sorted({key[0] for key in people}, key=lambda p: (order.get(p or "", 99), p or ""))
    return [
        {
            "party": party,
            "label": _party_label(party),
            "people": [
                {"invite_id": invite, "name": name, "updates": count}
                for (who, invite, name), count in sorted(
                    people.items(), key=lambda item: (str(item[0][2]), item[0][1])
                )
                if who == party
            ],
        }
        for party in parties
    ]


def checksums(files: dict[str, bytes]) -> bytes:
    """``sha256sum`` format: ``<hex>  <path>`` per file, sorted by path."""
    lines = [f"{sha256_hex(files[name])}  {name}\n" for name in sorted(files) if name != CHECKSUMS]
    return "".join(lines).encode("utf-8")


def _pretty(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def _zip(files: dict[str, bytes], when: float) -> bytes:
    stamp = time.gmtime(max(when, 315532800))[:6]  # zip dates start in 1980
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, files[name])
    return out.getvalue()


# -- verification -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


@dataclass
class Verdict:
    checks: list[Check] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [check.to_json() for check in self.checks]}

    def record(self, name: str, problems: list[str], fine: str) -> None:
        shown = "; ".join(problems[:5]) + (
            f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        )
        self.checks.append(Check(name, not problems, shown or fine))

    def run(self, name: str, check: Callable[[], tuple[list[str], str]]) -> None:
        """A check that cannot even run (missing or malformed part) fails, never crashes."""
        try:
            problems, fine = check()
        except Exception as exc:
            problems, fine = [f"could not be checked: {type(exc).__name__}: {exc}"], ""
        self.record(name, problems, fine)


def verify_bundle(data: bytes) -> Verdict:
    """Check a bundle with nothing but its bytes: checksums, schemas, hashes, the chain, the
    log, that each state projects to the JSON beside it and that the log replays from the
    first snapshot to each following one."""
    verdict = Verdict()
    files = _unzip(data, verdict)
    if files is None:
        return verdict
    verdict.run("checksums", lambda: _checksum_problems(files))
    manifest = _load_manifest(files, verdict)
    if manifest is None:
        return verdict
    bundle = _Bundle(manifest, files)
    for name, check in BUNDLE_CHECKS:
        verdict.run(name, lambda check=check: check(bundle))  # type: ignore[misc]
    return verdict


def _unzip(data: bytes, verdict: Verdict) -> dict[str, bytes] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as bundle:
            names = bundle.namelist()
            files = {name: bundle.read(name) for name in names if not name.endswith("/")}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        verdict.record("archive", [f"not a readable zip file: {exc}"], "")
        return None
    duplicates = sorted({name for name in names if names.count(name) > 1})
    problems = [f"{name} appears more than once" for name in duplicates]
    verdict.record("archive", problems, f"{len(files)} files")
    return None if problems else files


def _checksum_problems(files: dict[str, bytes]) -> tuple[list[str], str]:
    if CHECKSUMS not in files:
        return [f"{CHECKSUMS} is missing"], ""
    listed: dict[str, str] = {}
    problems = []
    for line in files[CHECKSUMS].decode("utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if name in listed:
            problems.append(f"{name} is listed twice")
        listed[name] = digest
    for name, digest in listed.items():
        if name not in files:
            problems.append(f"{name} is listed but missing")
        elif sha256_hex(files[name]) != digest:
            problems.append(f"{name} does not match its checksum")
    problems += [
        f"{name} is not listed" for name in files if name not in listed and name != CHECKSUMS
    ]
    return problems, f"{len(listed)} files match {CHECKSUMS}"


def _load_manifest(files: dict[str, bytes], verdict: Verdict) -> dict[str, Any] | None:
    try:
        manifest = json.loads(files[MANIFEST])
    except KeyError:
        verdict.record("manifest_schema", [f"{MANIFEST} is missing"], "")
        return None
    except ValueError as exc:
        verdict.record("manifest_schema", [f"{MANIFEST} is not JSON: {exc}"], "")
        return None
    problems = schema.problems("evidence-manifest.schema.json", manifest)
    verdict.record("manifest_schema", problems, "valid against evidence-manifest.schema.json")
    return None if problems else cast(dict[str, Any], manifest)


@dataclass
class _Bundle:
    manifest: dict[str, Any]
    files: dict[str, bytes]

    @property
    def snapshots(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.manifest["snapshots"]
        return found

    def file(self, name: str) -> bytes:
        if name not in self.files:
            raise LookupError(f"{name} is missing")
        return self.files[name]

    def log(self) -> list[dict[str, Any]]:
        lines = self.file(self.manifest["log"]["file"]).decode("utf-8").splitlines()
        return [json.loads(line) for line in lines]


def _label(entry: dict[str, Any]) -> str:
    return f"snapshot {entry['number']}"


def _hash_problems(b: _Bundle) -> tuple[list[str], str]:
    problems = []
    for entry in b.snapshots:
        if sha256_hex(canonical(entry["header"])) != entry["hash"]:
            problems.append(f"{_label(entry)}: its header does not hash to {entry['hash'][:12]}…")
        if entry["header"]["number"] != entry["number"]:
            problems.append(f"{_label(entry)}: the header says number {entry['header']['number']}")
    return problems, f"{len(b.snapshots)} headers hash to their recorded hashes"


def _state_problems(b: _Bundle) -> tuple[list[str], str]:
    problems = []
    for entry in b.snapshots:
        state = b.files.get(entry["files"]["state"])
        if state is None:
            problems.append(f"{_label(entry)}: {entry['files']['state']} is missing")
        elif sha256_hex(state) != entry["header"]["state_sha256"]:
            problems.append(f"{_label(entry)}: the Yjs state does not match state_sha256")
    return problems, "every Yjs state matches its header"


def _projection_problems(b: _Bundle) -> tuple[list[str], str]:
    problems = []
    for entry in b.snapshots:
        name = entry["files"]["projection"]
        text = b.files.get(name)
        if text is None:
            problems.append(f"{_label(entry)}: {name} is missing")
            continue
        if sha256_hex(text) != entry["header"]["projection_sha256"]:
            problems.append(f"{_label(entry)}: the JSON does not match projection_sha256")
        found = json.loads(text)
        if canonical(found) != text:
            problems.append(f"{_label(entry)}: the JSON is not in canonical form")
        problems += [f"{_label(entry)}: {p}" for p in schema.problems("board.schema.json", found)]
    return problems, "every projection matches its header and board.schema.json"


def project_state(state: bytes) -> bytes:
    """The canonical JSON projection of a Yjs state; ValueError if the engine rejects it."""
    doc: Doc[Any] = Doc()
    try:
        doc.apply_update(state)
    except BaseException as exc:  # pycrdt may raise a Rust panic (a BaseException)
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise ValueError(f"not a Yjs state the engine accepts: {exc}") from exc
    return canonical(project(doc))


def _state_projection_problems(b: _Bundle) -> tuple[list[str], str]:
    problems = []
    for entry in b.snapshots:
        state = b.file(entry["files"]["state"])
        try:
            projected = project_state(state)
        except ValueError as exc:
            problems.append(f"{_label(entry)}: {exc}")
            continue
        if projected != b.file(entry["files"]["projection"]):
            problems.append(
                f"{_label(entry)}: the Yjs state does not project to the JSON beside it"
            )
    return problems, "every Yjs state projects to the JSON stored beside it"


def _chain_problems(b: _Bundle) -> tuple[list[str], str]:
    entries, manifest = b.snapshots, b.manifest
    problems = []
    previous = manifest["chain"]["anchor"]
    for index, entry in enumerate(entries):
        header = entry["header"]
        if index and entry["number"] != entries[index - 1]["number"] + 1:
            problems.append(
                f"{_label(entry)} does not follow snapshot {entries[index - 1]['number']}"
            )
        if header["prev"] != previous:
            problems.append(f"{_label(entry)}: prev does not match the hash before it")
        if header["board"]["id"] != manifest["board"]["id"]:
            problems.append(f"{_label(entry)} belongs to board {header['board']['id']!r}")
        if (header["session"] or {}).get("id") != manifest["session"]["id"]:
            problems.append(f"{_label(entry)} belongs to another session")
        previous = entry["hash"]
    if entries and entries[-1]["hash"] != manifest["chain"]["head"]:
        problems.append("the last snapshot is not the chain's recorded head")
    problems += _kind_problems(entries)
    return (
        problems,
        f"{len(entries)} snapshots chained from {str(manifest['chain']['anchor'])[:12]}…",
    )


def _kind_problems(entries: list[dict[str, Any]]) -> list[str]:
    kinds = [entry["header"]["kind"] for entry in entries]
    problems = []
    if kinds[:1] != ["session_start"]:
        problems.append("the first snapshot is not the session's start")
    if kinds[-1:] != ["session_end"]:
        problems.append("the last snapshot is not the session's end")
    if any(kind != "manual" for kind in kinds[1:-1]):
        problems.append("a session start or end appears inside the session")
    return problems


def _log_problems(b: _Bundle) -> tuple[list[str], str]:
    records, problems = _records(b)
    info, entries = b.manifest["log"], b.snapshots
    if (info["after_seq"], info["upto_seq"]) != (
        entries[0]["header"]["seq"],
        entries[-1]["header"]["seq"],
    ):
        problems.append("the log's span is not the span of the snapshots")
    if len(records) != info["count"]:
        problems.append(f"the log holds {len(records)} updates, the manifest says {info['count']}")
    seqs = [record["seq"] for record in records]
    if seqs != sorted(set(seqs)) or any(
        not info["after_seq"] < s <= info["upto_seq"] for s in seqs
    ):
        problems.append("the log's positions are out of order or outside its span")
    for before, entry in itertools.pairwise(entries):
        span = [r for r in records if before["header"]["seq"] < r["seq"] <= entry["header"]["seq"]]
        if log_digest(span, before["header"]["seq"]) != entry["header"]["log"]:
            problems.append(f"{_label(entry)}: the log before it does not match its log digest")
    return problems, f"{len(records)} logged updates match the snapshots' log digests"


def _records(b: _Bundle) -> tuple[list[dict[str, Any]], list[str]]:
    """Log records (without their bytes) after checking each line's bytes against its hash."""
    records, problems = [], []
    for line in b.log():
        data = base64.b64decode(line.pop("data"), validate=True)
        if sha256_hex(data) != line["data_sha256"]:
            problems.append(f"update {line['seq']}: its bytes do not match data_sha256")
        records.append(line)
    return records, problems


def _replay_problems(b: _Bundle) -> tuple[list[str], str]:
    """From the first snapshot's state, the log must rebuild every later snapshot."""
    entries, problems = b.snapshots, []
    doc: Doc[Any] = Doc()
    doc.apply_update(b.file(entries[0]["files"]["state"]))
    pending = [(line["seq"], base64.b64decode(line["data"])) for line in b.log()]
    for entry in entries[1:]:
        while pending and pending[0][0] <= entry["header"]["seq"]:
            doc.apply_update(pending.pop(0)[1])
        if canonical(project(doc)) != b.file(entry["files"]["projection"]):
            problems.append(f"{_label(entry)}: replaying the log does not rebuild it")
    return problems, "the log replays from the first snapshot to every later one"


def _consistency_problems(b: _Bundle) -> tuple[list[str], str]:
    m, entries = b.manifest, b.snapshots
    first, last = entries[0]["header"], entries[-1]["header"]
    expected = {
        "board": {key: last["board"][key] for key in ("id", "title", "template")},
        "site": last["board"]["site"],
        "session id": (last["session"] or {}).get("id"),
        "session title": (last["session"] or {}).get("title"),
        "session start": first["taken_at"],
        "session end": last["taken_at"],
        "span": {
            "from": first["taken_at"],
            "to": last["taken_at"],
            "after_seq": first["seq"],
            "upto_seq": last["seq"],
        },
        "participants": participants(_records(b)[0]),
    }
    found = {
        "board": m["board"],
        "site": m["site"],
        "session id": m["session"]["id"],
        "session title": m["session"]["title"],
        "session start": m["session"]["started_at"],
        "session end": m["session"]["ended_at"],
        "span": m["span"],
        "participants": m["participants"],
    }
    problems = [
        f"the manifest's {key} differs from the hashed record"
        for key in expected
        if expected[key] != found[key]
    ]
    return problems, "board, site, session, span and participants agree with the hashed record"


def _export_problems(b: _Bundle) -> tuple[list[str], str]:
    export = json.loads(b.file(b.manifest["files"]["export"]))
    problems = schema.problems("export.schema.json", export)
    ours = [(entry["hash"], entry["header"]) for entry in b.snapshots]
    theirs = [(s["hash"], s["header"]) for s in export.get("snapshots", [])]
    if ours != theirs:
        problems.append("the export's snapshots differ from the manifest's")
    problems += [
        f"{name} is missing" for name in b.manifest["files"]["reports"] if name not in b.files
    ]
    return problems, "the export is valid against export.schema.json and names the same snapshots"


BUNDLE_CHECKS: tuple[tuple[str, Callable[[_Bundle], tuple[list[str], str]]], ...] = (
    ("snapshot_hashes", _hash_problems),
    ("snapshot_states", _state_problems),
    ("snapshot_projections", _projection_problems),
    ("state_projects_to_json", _state_projection_problems),
    ("chain", _chain_problems),
    ("log", _log_problems),
    ("replay", _replay_problems),
    ("manifest_consistency", _consistency_problems),
    ("export", _export_problems),
)


def verify_session(engine: Engine, session_id: str) -> Verdict:
    """Verify a session as stored: its bundle, built faithfully from the database, plus what
    only the database can tell (the snapshot before the session, the log before its start)."""
    d = session_dossier(engine, session_id)
    verdict = verify_bundle(build_bundle(d, reports=False))
    verdict.run("chain_anchor", lambda: _anchor_problems(engine, d))
    verdict.run("log_before_session", lambda: _log_before_problems(engine, d))
    return verdict


def _anchor_problems(engine: Engine, d: Dossier) -> tuple[list[str], str]:
    first = d.frames[0]
    previous = archive.snapshot_by_number(engine, first.row.board_id, first.row.number - 1)
    if previous is None:
        fine = first.header["prev"] is None
        return (
            [] if fine else ["the first snapshot names a previous one that does not exist"]
        ), "the session starts the board's chain"
    problems = []
    if sha256_hex(previous.header.encode("utf-8")) != previous.hash:
        problems.append(
            f"snapshot {previous.number} before the session no longer hashes to its hash"
        )
    if first.header["prev"] != previous.hash:
        problems.append(
            f"the session's first snapshot does not chain to snapshot {previous.number}"
        )
    return problems, f"chained to snapshot {previous.number}, before the session"


def _log_before_problems(engine: Engine, d: Dossier) -> tuple[list[str], str]:
    header = d.frames[0].header
    after = header["log"]["after_seq"]
    logged = archive.entries(
        engine, d.frames[0].row.board_id, after_seq=after, upto_seq=header["seq"]
    )
    if log_digest(map(log_record, logged), after) != header["log"]:
        return ["the log up to the session's start no longer matches its digest"], ""
    return [], f"{len(logged)} updates before the session match their digest"


def verdict_text(verdict: Verdict, source: str) -> str:
    """What ``atelier verify`` prints."""
    lines = [f"Atelier evidence bundle: {source}"]
    for check in verdict.checks:
        lines.append(f"  [{'ok' if check.ok else 'FAIL'}] {check.name}: {check.detail}")
    failed = [check.name for check in verdict.checks if not check.ok]
    if verdict.ok:
        lines.append(f"VERDICT: VERIFIED — all {len(verdict.checks)} checks passed")
    else:
        lines.append(f"VERDICT: NOT VERIFIED — failed: {', '.join(failed)}")
    return "\n".join(lines) + "\n"
