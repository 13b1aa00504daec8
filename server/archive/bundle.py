"""The evidence bundle of an ended session: one zip holding the snapshots, the attributed
log, the export, the reports and their checksums, laid out so that anyone can check it
offline (``verify``). Its bytes depend only on the dossier: fixed dates, sorted entries."""

from __future__ import annotations

import base64
import io
import json
import time
import zipfile
from collections.abc import Iterable
from typing import Any

from server.archive.dossiers import Dossier
from server.archive.export import export_json, session_record
from server.archive.hashing import HASH_RULE, canonical, log_record, sha256_hex
from server.archive.reports import party_label, render_html, render_pdf
from server.boards.labels import PARTIES
from server.core.clock import iso
from server.core.errors import Conflict
from server.store.log import StoredEntry

MANIFEST = "manifest.json"
DOSSIER_FORMAT = "atelier-site-dossier"
"""The ``format`` of a site dossier's manifest (``archive.site_dossier``)."""
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
    files[EXPORT_FILE] = pretty_json(export_json(d))
    report_names = _add_reports(d, files) if reports else []
    files[MANIFEST] = pretty_json(_manifest(d, listed, report_names))
    files[CHECKSUMS] = checksums(files)
    return zip_files(files, d.generated_at)


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
        "session": session_record(d.session, d.facilitator),
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
            "label": party_label(party),
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


def pretty_json(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


def read_manifest(zipped: bytes) -> dict[str, Any]:
    """The manifest of a bundle this server just built (trusted bytes: no bounds needed)."""
    with zipfile.ZipFile(io.BytesIO(zipped)) as bundle:
        manifest: dict[str, Any] = json.loads(bundle.read(MANIFEST))
    return manifest


def zip_files(files: dict[str, bytes], when: float) -> bytes:
    """The zip of ``files``, members in sorted order, every date ``when``: same files, same
    bytes."""
    stamp = time.gmtime(max(when, 315532800))[:6]  # zip dates start in 1980
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            bundle.writestr(info, files[name])
    return out.getvalue()
