"""The checks of an unpacked bundle that need nothing but its files: hashes, states,
projections, the chain, the log, its replay, the manifest and the export. Each returns its
problems and what a pass means; ``verify`` runs them in order. Every byte here comes from
the bundle, so anything handed to the CRDT engine goes through its guard."""

from __future__ import annotations

import base64
import bisect
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pycrdt import Doc

from server.archive.bundle import participants
from server.archive.hashing import canonical, log_digest, sha256_hex
from server.boards.document import EngineError, doc_from_updates, engine_guard
from server.boards.projection import project
from server.core import schema

MAX_PARTIES = 64
"""Far more than the programme's parties; a log naming more was not written by Atelier."""


@dataclass
class Unpacked:
    """A bundle's manifest (valid against its schema) and its files, by name."""

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
        return [schema.parse_json_limited(line) for line in lines]


def _label(entry: dict[str, Any]) -> str:
    return f"snapshot {entry['number']}"


def _hash_problems(b: Unpacked) -> tuple[list[str], str]:
    problems = []
    for entry in b.snapshots:
        if sha256_hex(canonical(entry["header"])) != entry["hash"]:
            problems.append(f"{_label(entry)}: its header does not hash to {entry['hash'][:12]}…")
        if entry["header"]["number"] != entry["number"]:
            problems.append(f"{_label(entry)}: the header says number {entry['header']['number']}")
    return problems, f"{len(b.snapshots)} headers hash to their recorded hashes"


def _state_problems(b: Unpacked) -> tuple[list[str], str]:
    problems = []
    for entry in b.snapshots:
        state = b.files.get(entry["files"]["state"])
        if state is None:
            problems.append(f"{_label(entry)}: {entry['files']['state']} is missing")
        elif sha256_hex(state) != entry["header"]["state_sha256"]:
            problems.append(f"{_label(entry)}: the Yjs state does not match state_sha256")
    return problems, "every Yjs state matches its header"


def _projection_problems(b: Unpacked) -> tuple[list[str], str]:
    problems = []
    for entry in b.snapshots:
        name = entry["files"]["projection"]
        text = b.files.get(name)
        if text is None:
            problems.append(f"{_label(entry)}: {name} is missing")
            continue
        if sha256_hex(text) != entry["header"]["projection_sha256"]:
            problems.append(f"{_label(entry)}: the JSON does not match projection_sha256")
        found = schema.parse_json_limited(text)
        if canonical(found) != text:
            problems.append(f"{_label(entry)}: the JSON is not in canonical form")
        problems += [f"{_label(entry)}: {p}" for p in schema.problems("board.schema.json", found)]
    return problems, "every projection matches its header and board.schema.json"


def project_state(state: bytes) -> bytes:
    """The canonical JSON projection of a Yjs state; ValueError if the engine rejects it."""
    doc: Doc[Any] = Doc()
    with engine_guard("not a Yjs state the engine accepts", ValueError):
        doc.apply_update(state)
    return canonical(project(doc))


def _state_projection_problems(b: Unpacked) -> tuple[list[str], str]:
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


def _chain_problems(b: Unpacked) -> tuple[list[str], str]:
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


def _log_problems(b: Unpacked) -> tuple[list[str], str]:
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
    bounds = [entry["header"]["seq"] for entry in entries]
    if any(a > b for a, b in itertools.pairwise(bounds)):
        problems.append("the snapshots' log positions go backwards")
        return problems, ""
    spans: list[list[dict[str, Any]]] = [[] for _ in entries]
    for record in records:  # one pass: span i holds bounds[i - 1] < seq <= bounds[i]
        at = bisect.bisect_left(bounds, record["seq"])
        if 0 < at < len(bounds):
            spans[at].append(record)
    for at in range(1, len(entries)):
        if log_digest(spans[at], bounds[at - 1]) != entries[at]["header"]["log"]:
            problems.append(
                f"{_label(entries[at])}: the log before it does not match its log digest"
            )
    return problems, f"{len(records)} logged updates match the snapshots' log digests"


def _records(b: Unpacked) -> tuple[list[dict[str, Any]], list[str]]:
    """Log records (without their bytes) after checking each line's bytes against its hash."""
    records, problems = [], []
    for line in b.log():
        data = base64.b64decode(line.pop("data"), validate=True)
        if sha256_hex(data) != line["data_sha256"]:
            problems.append(f"update {line['seq']}: its bytes do not match data_sha256")
        records.append(line)
    return records, problems


def _replay_problems(b: Unpacked) -> tuple[list[str], str]:
    """From the first snapshot's state, the log must rebuild every later snapshot. Bytes the
    engine refuses (or panics on) end the replay with a problem naming them."""
    entries, problems = b.snapshots, list[str]()
    try:
        doc = doc_from_updates([b.file(entries[0]["files"]["state"])])
    except EngineError as exc:
        return [f"{_label(entries[0])}: {exc}"], ""
    pending = [(line["seq"], base64.b64decode(line["data"])) for line in b.log()]
    applied = 0
    for entry in entries[1:]:
        while applied < len(pending) and pending[applied][0] <= entry["header"]["seq"]:
            seq, data = pending[applied]
            applied += 1
            try:
                with engine_guard(f"update {seq}: not a Yjs update the engine accepts"):
                    doc.apply_update(data)
            except EngineError as exc:
                return [*problems, str(exc)], ""
        if canonical(project(doc)) != b.file(entry["files"]["projection"]):
            problems.append(f"{_label(entry)}: replaying the log does not rebuild it")
    return problems, "the log replays from the first snapshot to every later one"


def _consistency_problems(b: Unpacked) -> tuple[list[str], str]:
    m, entries, records = b.manifest, b.snapshots, _records(b)[0]
    parties = {record["party"] for record in records}
    if len(parties) > MAX_PARTIES:  # grouping people by party is quadratic in parties
        return [f"the log names {len(parties)} parties, more than {MAX_PARTIES}"], ""
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
        "participants": participants(records),
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


def _export_problems(b: Unpacked) -> tuple[list[str], str]:
    export = schema.parse_json_limited(b.file(b.manifest["files"]["export"]))
    problems = schema.problems("export.schema.json", export)
    ours = [(entry["hash"], entry["header"]) for entry in b.snapshots]
    theirs = [(s["hash"], s["header"]) for s in export.get("snapshots", [])]
    if ours != theirs:
        problems.append("the export's snapshots differ from the manifest's")
    problems += [
        f"{name} is missing" for name in b.manifest["files"]["reports"] if name not in b.files
    ]
    return problems, "the export is valid against export.schema.json and names the same snapshots"


BUNDLE_CHECKS: tuple[tuple[str, Callable[[Unpacked], tuple[list[str], str]]], ...] = (
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
