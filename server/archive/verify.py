"""Verifying evidence: a bundle by its bytes alone (``atelier verify``: no server, no
database), or a session as stored, which adds what only the database can tell. A check that
cannot even run fails instead of crashing, and a bundle's bytes reach the CRDT engine only
through its guard."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from server.archive.bundle import CHECKSUMS, MANIFEST, build_bundle
from server.archive.dossiers import Dossier, session_dossier
from server.archive.hashing import log_digest, log_record, sha256_hex
from server.archive.verify_checks import BUNDLE_CHECKS, Unpacked
from server.core import schema
from server.store import archive, timeline
from server.store.db import Engine


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
    bundle = Unpacked(manifest, files)
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
    logged = timeline.entries(
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
