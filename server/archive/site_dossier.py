"""A site's dossier: its report across every session, and as a zip, every ended session's
evidence bundle with that report and a manifest binding them, which ``atelier verify``
checks offline like a session bundle (``archive.verify_dossier``).

The manifest lists the zip's members in their order (sorted by name, as every Atelier zip),
so a member changed, removed, added or moved is found; each session's bundle is checked in
full, and a session that continues the previous one of its board (its first snapshot
follows that session's last) says so, which binds their order by hash. Open sessions have
no evidence yet: the manifest names them.
"""

from __future__ import annotations

import time
from typing import Any

from server.archive import replay
from server.archive.bundle import (
    CHECKSUMS,
    DOSSIER_FORMAT,
    MANIFEST,
    README_FILE,
    build_bundle,
    checksums,
    pretty_json,
    read_manifest,
    zip_files,
)
from server.archive.dossiers import session_dossier
from server.archive.hashing import sha256_hex
from server.archive.site_report import SiteDossier, render_html, render_pdf
from server.archive.trajectory import trajectory
from server.core.clock import iso
from server.store.db import Engine

README = """Atelier site dossier / dossier de site

manifest.json        the site, its sessions in order with each bundle's SHA-256, the reports
sessions/NN-ID.zip   each ended session's evidence bundle (itself checked by atelier verify)
reports/             the site's report across all sessions (HTML, PDF), French and English
SHA256SUMS           SHA-256 of every other file (sha256sum -c SHA256SUMS)

Verify it without the server:  atelier verify THIS-FILE.zip
"""


def site_dossier(engine: Engine, site_id: str, now: float | None = None) -> SiteDossier:
    """The site's trajectory and its latest board (blocking)."""
    moment = time.time() if now is None else now
    journey = trajectory(engine, site_id, moment)
    latest = None
    if journey["sessions"]:
        last = journey["sessions"][-1]
        if last["open"]:
            point = replay.state_at(engine, last["board"])
            latest = None if point is None else point.projection()
        else:
            latest = session_dossier(engine, last["id"]).last.projection
    return SiteDossier(journey, latest, moment)


def build_site_bundle(engine: Engine, d: SiteDossier) -> bytes:
    """The dossier as zip bytes (blocking: every session's bundle and four reports)."""
    files: dict[str, bytes] = {README_FILE: README.encode("utf-8")}
    listed: list[dict[str, Any]] = []
    heads: dict[str, tuple[str, str]] = {}
    """Board -> (its latest listed session, that session's last snapshot hash)."""
    ended = [s for s in d.journey["sessions"] if not s["open"]]
    for position, session in enumerate(ended, start=1):
        zipped = build_bundle(session_dossier(engine, session["id"]))
        name = f"sessions/{position:02d}-{session['id']}.zip"
        files[name] = zipped
        chain = read_manifest(zipped)["chain"]
        before = heads.get(session["board"])
        follows = before[0] if before is not None and before[1] == chain["anchor"] else None
        heads[session["board"]] = (session["id"], chain["head"])
        listed.append(
            {
                "position": position,
                "id": session["id"],
                "board": session["board"],
                "title": session["title"],
                "started_at": session["started_at"],
                "ended_at": session["ended_at"],
                "file": name,
                "sha256": sha256_hex(zipped),
                "head": chain["head"],
                "follows": follows,
            }
        )
    reports = []
    for lang in ("fr", "en"):
        files[f"reports/site-{lang}.html"] = render_html(d, lang).encode("utf-8")
        files[f"reports/site-{lang}.pdf"] = render_pdf(d, lang)
        reports += [f"reports/site-{lang}.html", f"reports/site-{lang}.pdf"]
    members = sorted([*files, MANIFEST, CHECKSUMS])  # the zip's order
    manifest = {
        "format": DOSSIER_FORMAT,
        "version": 1,
        "generated_at": iso(d.generated_at),
        "site": d.journey["site"],
        "sessions": listed,
        "open_sessions": [s["id"] for s in d.journey["sessions"] if s["open"]],
        "reports": reports,
        "members": members,
    }
    files[MANIFEST] = pretty_json(manifest)
    files[CHECKSUMS] = checksums(files)
    return zip_files(files, d.generated_at)
