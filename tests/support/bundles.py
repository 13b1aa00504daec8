"""Evidence bundles opened, edited and closed again, as a forger would: the tampering cases
the verifier must catch, with the checks each one must fail."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

Files = dict[str, bytes]


def unzip(data: bytes) -> Files:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rezip(files: Files) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def resummed(files: Files) -> Files:
    """What a careful forger does after any edit: recompute SHA256SUMS."""
    lines = [
        f"{hashlib.sha256(data).hexdigest()}  {name}\n"
        for name, data in sorted(files.items())
        if name != "SHA256SUMS"
    ]
    return {**files, "SHA256SUMS": "".join(lines).encode()}


def manifest_of(files: Files) -> dict[str, Any]:
    manifest: dict[str, Any] = json.loads(files["manifest.json"])
    return manifest


def with_manifest(files: Files, change: Callable[[dict[str, Any]], None]) -> Files:
    manifest = manifest_of(files)
    change(manifest)
    return {**files, "manifest.json": json.dumps(manifest, ensure_ascii=False).encode()}


def flip_byte(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


def _state_byte(files: Files) -> Files:
    return {**files, "snapshots/0002.yjs": flip_byte(files["snapshots/0002.yjs"], 5)}


def _projection_edit(files: Files) -> Files:
    projection = json.loads(files["snapshots/0003.json"])
    projection["notes"][0]["text"] = "Réunion annuelle"
    text = json.dumps(projection, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {**files, "snapshots/0003.json": text.encode()}


def _without(*names: str) -> Callable[[Files], Files]:
    return lambda files: {name: data for name, data in files.items() if name not in names}


def _snapshot_removed(files: Files) -> Files:
    files = _without("snapshots/0002.yjs", "snapshots/0002.json")(files)
    return with_manifest(files, lambda m: m["snapshots"].pop(1))


def _end_removed(files: Files) -> Files:
    def change(manifest: dict[str, Any]) -> None:
        manifest["snapshots"].pop()
        manifest["chain"]["head"] = manifest["snapshots"][-1]["hash"]

    return with_manifest(_without("snapshots/0003.yjs", "snapshots/0003.json")(files), change)


def _retitled(files: Files) -> Files:
    return with_manifest(files, lambda m: m["session"].update(title="Atelier 2"))


def _participant_renamed(files: Files) -> Files:
    return with_manifest(files, lambda m: m["participants"][0]["people"][0].update(name="Mallory"))


def _participant_hidden(files: Files) -> Files:
    return with_manifest(files, lambda m: m["participants"].pop())


def _reordered(files: Files) -> Files:
    def change(manifest: dict[str, Any]) -> None:
        chain = manifest["snapshots"]
        chain[1], chain[2] = chain[2], chain[1]

    return with_manifest(files, change)


def _log_reattributed(files: Files) -> Files:
    lines = files["log/updates.jsonl"].decode().splitlines()
    first = json.loads(lines[0])
    first["name"] = "Mallory"
    lines[0] = json.dumps(first, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return {**files, "log/updates.jsonl": ("\n".join(lines) + "\n").encode()}


def _log_line_dropped(files: Files) -> Files:
    lines = files["log/updates.jsonl"].decode().splitlines(keepends=True)
    return {**files, "log/updates.jsonl": "".join(lines[1:]).encode()}


def _header_rehashed(files: Files) -> Files:
    """Relabel the middle snapshot and give it a fresh, self-consistent hash."""

    def change(manifest: dict[str, Any]) -> None:
        entry = manifest["snapshots"][1]
        entry["header"]["label"] = "vote final"
        text = json.dumps(
            entry["header"], sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        entry["hash"] = hashlib.sha256(text.encode()).hexdigest()

    return with_manifest(files, change)


TAMPERING: dict[str, tuple[Callable[[Files], Files], bool, set[str]]] = {
    # name: (edit, recompute SHA256SUMS afterwards, checks that must fail)
    "one byte of a snapshot": (_state_byte, False, {"checksums", "snapshot_states"}),
    "one byte of a snapshot, sums redone": (_state_byte, True, {"snapshot_states"}),
    "a snapshot's JSON rewritten, sums redone": (_projection_edit, True, {"snapshot_projections"}),
    "a snapshot's files removed": (_without("snapshots/0002.yjs"), False, {"checksums"}),
    "a snapshot removed, sums redone": (_snapshot_removed, True, {"chain"}),
    "the session's end removed, sums redone": (_end_removed, True, {"chain"}),
    "an edited manifest": (_retitled, False, {"checksums"}),
    "an edited manifest, sums redone": (_retitled, True, {"manifest_consistency"}),
    "a participant renamed, sums redone": (_participant_renamed, True, {"manifest_consistency"}),
    "a participant hidden, sums redone": (_participant_hidden, True, {"manifest_consistency"}),
    "a reordered chain, sums redone": (_reordered, True, {"chain"}),
    "a header rewritten and rehashed, sums redone": (_header_rehashed, True, {"chain"}),
    "an update reattributed, sums redone": (_log_reattributed, True, {"log"}),
    "an update dropped from the log, sums redone": (_log_line_dropped, True, {"log"}),
    "the checksums removed": (_without("SHA256SUMS"), False, {"checksums"}),
}
