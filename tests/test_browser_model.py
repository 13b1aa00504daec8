"""The browser reads a board as the server projects it: same notes, tier order, statuses.

The live board is drawn from ``readBoard`` (web/src/board/model.js) and the replay, exports
and evidence from the server's projection; both read the same bytes here, the browser's under
Node with the official ``yjs`` package, and must agree on what people decide with.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc

from server.boards import layout
from server.boards.document import doc_from_updates, seed_update
from server.boards.labels import SECTIONS
from server.boards.projection import project

READER = Path(__file__).resolve().parent / "js" / "read_board.mjs"
AT = "2026-11-28T10:00:00.000Z"
SECTION_IDS = [section.id for section in SECTIONS]


def browser_reads(docs: list[Doc[Any]]) -> list[dict[str, Any]]:
    """``readBoard`` of each document, run by Node in one process."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is required: the browser's reader runs under Node")
    lines = [
        json.dumps({"state": base64.b64encode(d.get_update()).decode(), "sections": SECTION_IDS})
        for d in docs
    ]
    done = subprocess.run(
        [node, str(READER)],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines()]


def board(*changes: Callable[[Doc[Any]], None]) -> Doc[Any]:
    doc = doc_from_updates([seed_update("workshop", "Atelier")])
    for change in changes:
        change(doc)
    return doc


def notes(doc: Doc[Any]) -> None:
    for index, (party, level) in enumerate(
        [
            ("etat", "concurrence"),
            ("collectivite", "collaboration"),
            ("societe_civile", "integration"),
        ]
    ):
        layout.add_note(
            doc, f"n{index}", f"Note {index}", level, f"p{index}", f"P{index}", party, created_at=AT
        )
    layout.vote(doc, "n1", "p0")


def chain(doc: Doc[Any]) -> None:
    layout.set_vision(doc, "Un territoire solidaire")
    for item_id, tier, order in [
        ("u1", "ultimate", 2.0),
        ("d2", "direct", 1.0),
        ("d1", "direct", 0.0),
        ("i1", "intermediate", 0.0),
    ]:
        layout.add_chain_item(
            doc, item_id, tier, item_id, "p", "P", "etat", order=order, created_at=AT
        )
    layout.link(doc, "l1", "d1", "i1")
    layout.link(doc, "l2", "i1", "d2")  # backwards: still read by both


def approvals(doc: Doc[Any]) -> None:
    layout.set_section_text(doc, "principles", "Nous décidons ensemble.")
    for party in ("etat", "collectivite", "societe_civile", "facilitation"):
        layout.approve_section(doc, "principles", party, party, AT, invite=party)
    layout.set_section_text(doc, "places", "Une fois par mois")
    layout.approve_section(doc, "places", "etat", "etat", AT)
    layout.approve_section(doc, "power", "facilitation", "f", AT)


def stale_approval(doc: Doc[Any]) -> None:
    layout.set_section_text(doc, "talents", "Avant")
    for party in ("etat", "collectivite", "societe_civile"):
        layout.approve_section(doc, "talents", party, party, AT, invite=party)
    layout.set_section_text(doc, "talents", "Après")  # text changed since: no longer agreed


def locks(doc: Doc[Any]) -> None:
    layout.set_lock(doc, "chain", "f", AT)
    layout.set_lock(doc, "board", "f", AT)


DOCUMENTS = {
    "seeded": board(),
    "notes": board(notes),
    "chain": board(chain),
    "approvals": board(approvals),
    "stale approval": board(stale_approval),
    "locks": board(locks),
    "everything": board(notes, chain, approvals, stale_approval, locks),
}


@pytest.fixture(scope="module")
def both() -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    read = browser_reads(list(DOCUMENTS.values()))
    return {
        name: (dict(project(doc)), browser)
        for (name, doc), browser in zip(DOCUMENTS.items(), read, strict=True)
    }


def note_view(note: dict[str, Any]) -> tuple[Any, ...]:
    return (
        note["id"],
        note["text"],
        note["level"],
        note["author"]["party"],
        note["votes"]["count"],
    )


def section_view(section: dict[str, Any]) -> tuple[Any, ...]:
    parties = [(a["party"], a["current"]) for a in section["approvals"]]
    return (section["id"], section["textHash"], section["status"], parties, section["pending"])


@pytest.mark.parametrize("name", DOCUMENTS)
def test_notes_read_the_same(both: dict[str, Any], name: str) -> None:
    server, browser = both[name]
    assert [note_view(n) for n in browser["notes"]] == [note_view(n) for n in server["notes"]]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_chain_items_come_in_the_same_tier_order(both: dict[str, Any], name: str) -> None:
    server, browser = both[name]
    order = [(i["id"], i["tier"]) for i in server["chain"]["items"]]
    assert [(i["id"], i["tier"]) for i in browser["chain"]["items"]] == order
    links = [(link["id"], link["from"], link["to"]) for link in server["chain"]["links"]]
    assert [(x["id"], x["from"], x["to"]) for x in browser["chain"]["links"]] == links
    assert browser["chain"]["vision"] == server["chain"]["vision"]


@pytest.mark.parametrize("name", DOCUMENTS)
def test_sections_have_the_same_status_approvals_and_pending_parties(
    both: dict[str, Any], name: str
) -> None:
    server, browser = both[name]
    expected = [section_view(s) for s in server["agreement"]["sections"]]
    assert [section_view(s) for s in browser["agreement"]["sections"]] == expected


@pytest.mark.parametrize("name", DOCUMENTS)
def test_locks_read_the_same(both: dict[str, Any], name: str) -> None:
    server, browser = both[name]
    zones = [lock["zone"] for lock in server["meta"]["locks"]]
    assert [lock["zone"] for lock in browser["meta"]["locks"]] == zones


def test_the_documents_cover_every_status() -> None:
    """Not vacuous: the cases above hold agreed, proposed and draft sections."""
    statuses = {s["status"] for s in project(DOCUMENTS["everything"])["agreement"]["sections"]}
    assert statuses == {"agreed", "proposed", "draft"}
