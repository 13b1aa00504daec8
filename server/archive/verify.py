"""Verifying evidence: a bundle by its bytes alone (``atelier verify``: no server, no
database), or a session as stored, which adds what only the database can tell. A check that
cannot even run fails instead of crashing, and a bundle's bytes reach the CRDT engine only
through its guard. The file itself may come from anyone: what it costs to read is bounded
(files, sizes, ratio, nesting) and what cannot be read within those bounds is ``Unreadable``,
never a verdict."""

from __future__ import annotations

import dataclasses
import io
import struct
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

from server.archive import verify_words
from server.archive.bundle import CHECKSUMS, DOSSIER_FORMAT, MANIFEST, build_bundle
from server.archive.dossiers import Dossier, session_dossier
from server.archive.hashing import log_digest, log_record, sha256_hex
from server.archive.verify_approvals import approvals_problems
from server.archive.verify_checks import BUNDLE_CHECKS, Unpacked
from server.archive.verify_dossier import check_dossier
from server.boards.labels import Localized
from server.core import schema
from server.store import archive, timeline
from server.store.db import Engine

MAX_MEMBERS = 10_000
"""Files in a bundle: two per snapshot, and a session takes dozens of snapshots."""
MAX_MEMBER_BYTES = 256 * 1024 * 1024
"""One file, uncompressed (the log of a long session is tens of MB)."""
MAX_TOTAL_BYTES = 512 * 1024 * 1024
"""Every file, uncompressed: the verifier holds them all while it checks."""
MAX_RATIO = 100
"""Uncompressed over compressed size for files over ``RATIO_FROM_BYTES``: a bundle's files
compress 2 to 10 times, a zip bomb's a thousand."""
RATIO_FROM_BYTES = 1024 * 1024
MAX_DIRECTORY_BYTES = 16 * 1024 * 1024
"""The zip's central directory, read whole before any file."""
CHUNK_BYTES = 1024 * 1024
END_RECORD, END_RECORD_SIZE = b"PK\x05\x06", 22
ZIP64_LOCATOR, ZIP64_END_RECORD = b"PK\x06\x07", b"PK\x06\x06"


DOSSIER_SCHEMA = "site-dossier-manifest.schema.json"


class Unreadable(ValueError):
    """Not a zip the verifier can read within its bounds (``atelier verify`` exits 2)."""


def read_bundle(source: bytes | Path) -> tuple[list[str], dict[str, bytes]]:
    """Every member name (duplicates kept) and the files by name. The central directory is
    sized from the end record before zipfile parses it; each file is refused on its declared
    size and ratio before it is inflated, then read in chunks up to that size."""
    with io.BytesIO(source) if isinstance(source, bytes) else source.open("rb") as handle:
        try:
            _check_directory(handle)
            with zipfile.ZipFile(handle) as archive:
                infos = archive.infolist()
                if len(infos) > MAX_MEMBERS:
                    raise Unreadable(f"it holds {len(infos)} files, more than {MAX_MEMBERS}")
                _check_sizes(infos)
                files = {i.filename: _read(archive, i) for i in infos if not i.is_dir()}
        except Unreadable:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise Unreadable(f"not a readable zip file: {exc}") from exc
        except (NotImplementedError, RuntimeError) as exc:  # unknown method, encrypted
            raise Unreadable(f"a file cannot be extracted: {exc}") from exc
    return [info.filename for info in infos], files


def _check_directory(handle: IO[bytes]) -> None:
    size = handle.seek(0, io.SEEK_END)
    if size == 0:
        raise Unreadable("the file is empty")
    tail_size = min(size, END_RECORD_SIZE + 0xFFFF)
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(END_RECORD)
    if at < 0 or len(tail) - at < END_RECORD_SIZE:
        raise Unreadable("not a zip file: no end of central directory (truncated?)")
    entries, directory = struct.unpack_from("<HI", tail, at + 10)
    zip64 = entries == 0xFFFF or directory == 0xFFFFFFFF
    if zip64 and at >= 20 and tail[at - 20 : at - 16] == ZIP64_LOCATOR:
        handle.seek(struct.unpack_from("<Q", tail, at - 12)[0])
        record = handle.read(56)
        if record[:4] == ZIP64_END_RECORD and len(record) == 56:
            entries, directory = struct.unpack_from("<QQ", record, 32)
    if entries > MAX_MEMBERS:
        raise Unreadable(f"it declares {entries} files, more than {MAX_MEMBERS}")
    if directory > MAX_DIRECTORY_BYTES:
        raise Unreadable(f"its directory is {directory} bytes, more than {MAX_DIRECTORY_BYTES}")


def _check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            raise Unreadable(
                f"{info.filename} is {info.file_size} bytes uncompressed, "
                f"more than {MAX_MEMBER_BYTES}"
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FROM_BYTES and ratio > MAX_RATIO:
            raise Unreadable(
                f"{info.filename} inflates {ratio:.0f} times, more than {MAX_RATIO} (a zip bomb?)"
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_TOTAL_BYTES:
        raise Unreadable(f"its files are {total} bytes uncompressed, more than {MAX_TOTAL_BYTES}")


def _read(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """A member, never more than its declared size (zipfile checks the CRC at its end)."""
    chunks, size = [], 0
    with archive.open(info) as member:
        while chunk := member.read(min(CHUNK_BYTES, info.file_size - size + 1)):
            size += len(chunk)
            if size > info.file_size:
                raise Unreadable(f"{info.filename} holds more than its declared size")
            chunks.append(chunk)
    return b"".join(chunks)


Outcome = tuple[list[str], str] | tuple[list[str], str, dict[str, int]]
"""What a check returns: its problems (English), what a pass means (English), and counts its
sentence for people may quote (``verify_words.Facts``)."""


@dataclass(frozen=True, slots=True)
class Check:
    """One check's verdict: ``name`` is its stable code, ``detail`` the English text the CLI
    prints, ``label`` and ``message`` what a person reads, in French and English."""

    name: str
    ok: bool
    detail: str
    label: Localized
    message: Localized

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "detail": self.detail,
            "label": self.label,
            "message": self.message,
        }


@dataclass
class Verdict:
    checks: list[Check] = dataclasses.field(default_factory=list)
    facts: dict[str, int] = dataclasses.field(default_factory=dict)
    """Counts known about the bundle (files, snapshots, updates) for the checks' sentences."""

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "checks": [check.to_json() for check in self.checks]}

    def record(
        self,
        name: str,
        problems: list[str],
        fine: str,
        facts: dict[str, int] | None = None,
        *,
        ran: bool = True,
    ) -> None:
        shown = "; ".join(problems[:5]) + (
            f" (+{len(problems) - 5} more)" if len(problems) > 5 else ""
        )
        ok = not problems
        said = verify_words.message(name, ok, {**self.facts, **(facts or {})}, ran=ran)
        self.checks.append(Check(name, ok, shown or fine, verify_words.label(name), said))

    def run(self, name: str, check: Callable[[], Outcome]) -> None:
        """A check that cannot even run (missing or malformed part) fails, never crashes."""
        try:
            problems, fine, *facts = check()
        except Exception as exc:
            problem = f"could not be checked: {type(exc).__name__}: {exc}"
            self.record(name, [problem], "", ran=False)
            return
        self.record(name, problems, fine, facts[0] if facts else None)


def verify_bundle(source: bytes | Path) -> Verdict:
    """Check a bundle with nothing but its bytes: checksums, schemas, hashes, the chain, the
    log, that each state projects to the JSON beside it and that the log replays from the
    first snapshot to each following one. Raises ``Unreadable`` when the bytes are not a
    zip that can be read within the bounds above (and ``OSError`` for a file that cannot be
    opened): a verdict is only given on a bundle that was read."""
    names, files = read_bundle(source)
    verdict = Verdict(facts={"files": len(files)})
    counts = Counter(names)
    problems = [f"{name} appears more than once" for name in sorted(counts) if counts[name] > 1]
    verdict.record("archive", problems, f"{len(files)} files")
    if problems:
        return verdict
    verdict.run("checksums", lambda: _checksum_problems(files))
    if _format_of(files) == DOSSIER_FORMAT:
        dossier = _load_manifest(files, verdict, DOSSIER_SCHEMA)
        if dossier is not None:
            check_dossier(names, files, dossier, verdict, _nested_bundle)
        return verdict
    manifest = _load_manifest(files, verdict)
    if manifest is None:
        return verdict
    bundle = Unpacked(manifest, files)
    verdict.facts |= {"snapshots": len(bundle.snapshots), "updates": manifest["log"]["count"]}
    for name, check in (*BUNDLE_CHECKS, ("approvals", approvals_problems)):
        verdict.run(name, lambda check=check: check(bundle))  # type: ignore[misc]
    return verdict


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


def _format_of(files: dict[str, bytes]) -> object:
    """The manifest's ``format``: a session bundle's or a site dossier's (None: unreadable,
    which the session checks then report)."""
    try:
        found = schema.parse_json_limited(files[MANIFEST])
    except (KeyError, ValueError):
        return None
    return found.get("format") if isinstance(found, dict) else None


def _nested_bundle(data: bytes) -> tuple[bool, dict[str, Any] | None]:
    """A dossier's session bundle: verified in full, and its own manifest when readable."""
    try:
        ok = verify_bundle(data).ok
        manifest = schema.parse_json_limited(read_bundle(data)[1][MANIFEST])
    except (Unreadable, KeyError, ValueError):
        return False, None
    if schema.problems("evidence-manifest.schema.json", manifest):
        return False, None
    return ok, cast(dict[str, Any], manifest)


def _load_manifest(
    files: dict[str, bytes], verdict: Verdict, schema_name: str = "evidence-manifest.schema.json"
) -> dict[str, Any] | None:
    try:
        manifest = schema.parse_json_limited(files[MANIFEST])
    except KeyError:
        verdict.record("manifest_schema", [f"{MANIFEST} is missing"], "")
        return None
    except schema.JSONRefused as exc:
        verdict.record("manifest_schema", [exc.sentence(MANIFEST)], "")
        return None
    except ValueError as exc:
        verdict.record("manifest_schema", [f"{MANIFEST} is not JSON: {exc}"], "")
        return None
    problems = schema.problems(schema_name, manifest)
    verdict.record("manifest_schema", problems, f"valid against {schema_name}")
    return None if problems else cast(dict[str, Any], manifest)


def verify_session(engine: Engine, session_id: str) -> Verdict:
    """Verify a session as stored: its bundle, built faithfully from the database, plus what
    only the database can tell (the snapshot before the session, the log before its start)."""
    d = session_dossier(engine, session_id)
    try:
        verdict = verify_bundle(build_bundle(d, reports=False))
    except Unreadable as exc:  # e.g. a session too large for the offline verifier's bounds
        verdict = Verdict()
        verdict.record("archive", [str(exc)], "")
    verdict.run("chain_anchor", lambda: _anchor_problems(engine, d))
    verdict.run("log_before_session", lambda: _log_before_problems(engine, d))
    return verdict


def _anchor_problems(engine: Engine, d: Dossier) -> Outcome:
    first = d.frames[0]
    previous = archive.snapshot_by_number(engine, first.row.board_id, first.row.number - 1)
    if previous is None:
        fine = first.header["prev"] is None
        return (
            ([] if fine else ["the first snapshot names a previous one that does not exist"]),
            "the session starts the board's chain",
            {"previous": 0},
        )
    problems = []
    if sha256_hex(previous.header.encode("utf-8")) != previous.hash:
        problems.append(
            f"snapshot {previous.number} before the session no longer hashes to its hash"
        )
    if first.header["prev"] != previous.hash:
        problems.append(
            f"the session's first snapshot does not chain to snapshot {previous.number}"
        )
    facts = {"previous": previous.number}
    return problems, f"chained to snapshot {previous.number}, before the session", facts


def _log_before_problems(engine: Engine, d: Dossier) -> Outcome:
    header = d.frames[0].header
    after = header["log"]["after_seq"]
    logged = timeline.entries(
        engine, d.frames[0].row.board_id, after_seq=after, upto_seq=header["seq"]
    )
    if log_digest(map(log_record, logged), after) != header["log"]:
        return ["the log up to the session's start no longer matches its digest"], ""
    fine = f"{len(logged)} updates before the session match their digest"
    return [], fine, {"updates": len(logged)}


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
