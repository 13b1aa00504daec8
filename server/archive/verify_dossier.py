"""Checking a site dossier offline: its members against its manifest, each session's evidence
bundle in full, and the sessions' order.

What it reads is bounded like any bundle (``verify.read_bundle``); each nested bundle is read
within the same bounds. A dossier's sessions are named by the manifest, so an attacker who
drops, adds, swaps or edits one has to rewrite the manifest, the checksums and the bundles'
own hash chains consistently.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise
from typing import Any, Protocol

from server.archive.bundle import CHECKSUMS, MANIFEST, README_FILE
from server.archive.hashing import sha256_hex

Outcome = tuple[list[str], str]


class Verdicts(Protocol):
    """What ``verify.Verdict`` offers: a named check that fails instead of crashing."""

    facts: dict[str, int]

    def run(self, name: str, check: Callable[[], Any]) -> None: ...


BundleCheck = Callable[[bytes], tuple[bool, dict[str, Any] | None]]
"""A nested bundle's bytes -> (verified, its manifest when readable)."""


def check_dossier(
    names: list[str], files: dict[str, bytes], manifest: dict[str, Any], verdict: Verdicts,
    check_bundle: BundleCheck,
) -> None:  # fmt: skip
    sessions: list[dict[str, Any]] = manifest["sessions"]
    verdict.facts |= {"sessions": len(sessions)}
    verdict.run("dossier_members", lambda: _member_problems(names, files, manifest))
    inner: dict[str, dict[str, Any]] = {}
    """Session id -> its bundle's own manifest, as read while checking it."""
    verdict.run("dossier_sessions", lambda: _session_problems(files, manifest, check_bundle, inner))
    verdict.run("dossier_order", lambda: _order_problems(sessions, inner))


def _member_problems(names: list[str], files: dict[str, bytes], m: dict[str, Any]) -> Outcome:
    listed: list[str] = m["members"]
    problems = [f"{name} is listed but missing" for name in listed if name not in files]
    problems += [f"{name} is not listed in the manifest" for name in names if name not in listed]
    if not problems and names != listed:
        problems.append("the members are not in the order the manifest lists")
    named = (
        {s["file"] for s in m["sessions"]} | set(m["reports"]) | {MANIFEST, CHECKSUMS, README_FILE}
    )
    problems += [f"{name} is listed but plays no part" for name in listed if name not in named]
    return problems, f"{len(listed)} members, in the manifest's order"


def _session_problems(
    files: dict[str, bytes], m: dict[str, Any], check: BundleCheck, inner: dict[str, Any]
) -> Outcome:
    problems: list[str] = []
    for entry in m["sessions"]:
        name = entry["file"]
        data = files.get(name)
        if data is None:
            problems.append(f"{name} is missing")
            continue
        if sha256_hex(data) != entry["sha256"]:
            problems.append(f"{name} does not match the manifest's SHA-256")
        ok, own = check(data)
        if not ok:
            problems.append(f"{name} does not verify as an evidence bundle")
        if own is not None:
            inner[entry["id"]] = own
            problems += _agrees(name, entry, own, m["site"]["id"])
    return problems, f"{len(m['sessions'])} session bundles verify and match the manifest"


def _agrees(name: str, entry: dict[str, Any], inner: dict[str, Any], site: str) -> list[str]:
    """The manifest's line for a session says what the session's own bundle says."""
    session = inner["session"]
    facts = {
        "id": (entry["id"], session["id"]),
        "start": (entry["started_at"], session["started_at"]),
        "end": (entry["ended_at"], session["ended_at"]),
        "board": (entry["board"], inner["board"]["id"]),
        "last snapshot": (entry["head"], inner["chain"]["head"]),
        "site": (site, (inner.get("site") or {}).get("id")),
    }
    return [
        f"{name}: its {key} differs from the manifest's" for key, (a, b) in facts.items() if a != b
    ]


def _order_problems(sessions: list[dict[str, Any]], inner: dict[str, Any]) -> Outcome:
    problems = [
        f"session {s['id']} is at position {s['position']}, not {index}"
        for index, s in enumerate(sessions, start=1)
        if s["position"] != index
    ]
    problems += [
        f"session {b['id']} starts before the session listed ahead of it"
        for a, b in pairwise(sessions)
        if b["started_at"] < a["started_at"]
    ]
    by_id = {s["id"]: s for s in sessions}
    for s in sessions:
        if not s["follows"]:
            continue
        earlier = by_id.get(s["follows"])
        if earlier is None or earlier["position"] >= s["position"]:
            problems.append(f"session {s['id']} follows a session that is not before it")
        elif s["id"] in inner and inner[s["id"]]["chain"]["anchor"] != earlier["head"]:
            problems.append(f"session {s['id']} does not continue the chain of {earlier['id']}")
    return problems, f"{len(sessions)} sessions oldest first, each board's chain unbroken"
