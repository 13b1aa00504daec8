"""The offline check of who approved: each approval of the agreement, person and invite.

An approval names the invite that gave it, and the server accepts it only from a connection
of that invite speaking for that party. The bundle's log carries the invite and party of
every update, so the verifier can tell, offline, whether each approval that counts in the
last snapshot came from its invite's own connection while the session's log was kept.
"""

from __future__ import annotations

import json
from typing import Any

from server.archive.verify_checks import Unpacked


def approvals_problems(b: Unpacked) -> tuple[list[str], str, dict[str, int]]:
    """Problems with the last snapshot's approvals, the list of who approved what, and how
    many approvals there are."""
    last = _projection(b, b.snapshots[-1])
    first = _projection(b, b.snapshots[0])
    speaking = {(r.get("invite"), r.get("party")) for r in b.log()}
    earlier = {_key(s["id"], a) for s in _sections(first) for a in s["approvals"]}
    problems, given = [], []
    for section in _sections(last):
        for approval in section["approvals"]:
            given.append(_describe(section["id"], approval))
            invite, party = approval.get("invite"), approval["party"]
            if not invite or _key(section["id"], approval) in earlier:
                continue  # counts for nothing, or was given before this log starts
            if (invite, party) not in speaking:
                problems.append(
                    f"{section['id']}: the approval for {party} names invite {invite}, "
                    f"which wrote nothing as {party} in this session's log"
                )
    detail = "; ".join(given) if given else "no approval in the last snapshot"
    return problems, detail, {"approvals": len(given)}


def _projection(b: Unpacked, entry: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(b.file(entry["files"]["projection"]))
    return found


def _sections(projection: dict[str, Any]) -> list[dict[str, Any]]:
    sections: list[dict[str, Any]] = projection.get("agreement", {}).get("sections", [])
    return sections


def _key(section_id: str, approval: dict[str, Any]) -> tuple[Any, ...]:
    return (section_id, approval["party"], approval.get("invite"), approval.get("textHash"))


def _describe(section_id: str, approval: dict[str, Any]) -> str:
    who = approval.get("by") or "?"
    invite = approval.get("invite") or "no invite: does not count"
    state = "" if approval.get("current") else ", on an earlier text"
    return f"{section_id} {approval['party']}: {who} ({invite}{state})"
