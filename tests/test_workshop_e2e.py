"""A whole workshop with the official Yjs client, then its archive.

Three parties and their facilitator hold a session on a workshop board through real
``WebsocketProvider``s (tests/js/driver.mjs): notes are placed, typed, moved and voted, the
change chain and the agreement are written and approved, the facilitator snapshots midway and
ends the session. Then the archive must tell it all back: the timeline in workshop words, the
board at every moment exactly as the clients saw it, the session diff and balance of voice,
readable HTML and PDF reports, and an evidence bundle that verifies and fails once tampered.
"""

from __future__ import annotations

import asyncio
import base64
import io
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from server.boards.agreement import text_hash
from tests.support.archive import (
    end_session,
    get_binary,
    last_seq,
    projection_of,
    start_session,
    valid,
)
from tests.support.atelier_server import AtelierServer
from tests.support.bundles import TAMPERING, resummed, rezip, unzip
from tests.support.yjs_driver import YjsDriver

NOW = "2026-11-28T10:00:00Z"
PEOPLE = {"m": ("Marie", "etat"), "k": ("Karim", "collectivite"), "i": ("Inès", "societe_civile")}


@pytest.fixture
async def js() -> AsyncIterator[YjsDriver]:
    async with YjsDriver.start() as driver:
        yield driver


class Workshop:
    """The people at the table and what they saw at each moment."""

    def __init__(self, js: YjsDriver, atelier: AtelierServer, board: str) -> None:
        self.js, self.atelier, self.board = js, atelier, board
        self.moments: list[tuple[str, int, dict[str, Any]]] = []
        self.invites: dict[str, str] = {}

    async def join(self) -> None:
        for client, (name, party) in PEOPLE.items():
            record = await asyncio.to_thread(
                self.atelier.invite_record, self.board, "participant", party=party
            )
            self.invites[client] = record["id"]
            params = {"token": record["token"], "name": name, "acks": "1"}
            await self.js.connect(client, url=self.atelier.ws_url, room=self.board, params=params)
        await asyncio.gather(*(self.js.wait_synced(client) for client in PEOPLE))

    async def settle(self) -> None:
        """Every frame each client sent is durable, and every client holds the same board."""
        for client in PEOPLE:
            sent = (await self.js.raw_messages(client))["connection"]["sent"]
            await self.js.wait_acked(client, sent.get("0/1", 0) + sent.get("0/2", 0))
        await self.js.wait_equal(list(PEOPLE))

    async def moment(self, what: str) -> None:
        """Remember the log position and the board as Marie's client shows it now."""
        await self.settle()
        seq = await asyncio.to_thread(last_seq, self.atelier, self.board)
        state = base64.b64decode((await self.js.state("m"))["update_b64"])
        self.moments.append((what, seq, projection_of(state)))

    # -- what people do, as the browser would do it ---------------------------------------

    async def add_note(self, client: str, note: str, text: str, level: str) -> None:
        name, party = PEOPLE[client]
        fields = {
            "text": {"$text": text},
            "level": level,
            "x": 40.0,
            "y": 20.0,
            "color": "yellow",
            "authorId": client,
            "authorName": name,
            "party": party,
            "createdAt": NOW,
            "votes": {"$map": {}},
        }
        await self.js.call(
            "deep_set", client=client, path=["notes"], entries={note: {"$map": fields}}
        )

    async def type(self, client: str, path: list[str], key: str, text: str) -> None:
        """One keystroke at a time, each its own update, as people type."""
        for letter in text:
            await self.js.call(
                "deep_text_insert", client=client, path=path, key=key, index=-1, content=letter
            )

    async def set(self, client: str, path: list[str], **entries: Any) -> None:
        await self.js.call("deep_set", client=client, path=path, entries=entries)

    async def add_item(self, client: str, item: str, tier: str, text: str, order: float) -> None:
        name, party = PEOPLE[client]
        fields = {
            "tier": tier,
            "text": {"$text": text},
            "authorId": client,
            "authorName": name,
            "party": party,
            "createdAt": NOW,
            "order": order,
        }
        await self.set(client, ["chain", "items"], **{item: {"$map": fields}})

    async def approve(self, client: str, section: str, text: str) -> None:
        name, party = PEOPLE[client]
        approval = {
            "by": name,
            "invite": self.invites[client],
            "at": NOW,
            "textHash": text_hash(text),
        }
        await self.set(client, ["agreement", section, "approvals"], **{party: approval})


async def hold(w: Workshop, facilitator: str) -> dict[str, Any]:
    atelier, board = w.atelier, w.board
    session = await asyncio.to_thread(
        start_session, atelier, board, facilitator, "Atelier 1 — où en sommes-nous ?"
    )
    await w.join()
    await w.moment("start")
    await w.add_note("m", "n-marie", "Réunion mensuelle", "coexistence")
    await w.moment("Marie's note")
    await w.add_note("k", "n-karim", "", "communication")
    await w.type("k", ["notes", "n-karim"], "text", "Les élus viennent")
    await w.moment("Karim typed his note")
    await w.set("i", ["notes", "n-marie"], level="coordination", x=300.0)
    await w.set("m", ["notes", "n-karim", "votes"], m=True)
    await w.moment("Inès moved, Marie voted")
    pause = await asyncio.to_thread(
        atelier.api, "POST", f"/api/boards/{board}/snapshots", facilitator, json={"label": "pause"}
    )
    assert pause.status_code == 201, pause.text
    await w.type("k", ["chain"], "vision", "Un territoire qui coopère")
    await w.add_item("m", "i1", "direct", "Former les agents", 1.0)
    await w.add_item("i", "i2", "intermediate", "Les agents co-construisent", 1.0)
    await w.settle()  # Marie links an item she sees: Inès's is on the board before her link
    await w.set("m", ["chain", "links"], l1={"from": "i1", "to": "i2"})
    await w.moment("the chain")
    text = "Le comité de pilotage décide."
    await w.type("i", ["agreement", "power"], "text", text)
    await w.settle()
    for client in PEOPLE:
        await w.approve(client, "power", text)
    await w.moment("the agreement")
    await w.js.call(
        "deep_text_delete", client="k", path=["notes", "n-marie"], key="text", index=8, length=9
    )
    await w.js.call(
        "deep_text_insert",
        client="k",
        path=["notes", "n-marie"],
        key="text",
        index=8,
        content="hebdomadaire",
    )
    await w.moment("Karim rewrote Marie's note")
    return await asyncio.to_thread(end_session, atelier, session["id"], facilitator)


async def test_a_whole_workshop_is_archived_and_verifiable(
    js: YjsDriver, atelier: AtelierServer, tmp_path: Path
) -> None:
    site = atelier.api("POST", "/api/sites", json={"title": "Château-Thierry"}).json()["id"]
    board = atelier.api("POST", "/api/boards", json={"title": "Atelier", "site": site}).json()["id"]
    record = atelier.invite_record(board, "facilitator", label="Anne, accompagnatrice")
    w = Workshop(js, atelier, board)
    session = await hold(w, record["token"])
    facilitator = record["token"]
    start, pause, end = session["snapshots"]
    assert [s["kind"] for s in session["snapshots"]] == ["session_start", "manual", "session_end"]
    assert start["author"]["label"] == "Anne, accompagnatrice"

    the_timeline_tells_who_did_what(atelier, board)
    the_board_at_each_moment_is_what_the_clients_saw(atelier, board, w.moments)
    assert start["seq"] == w.moments[0][1]
    assert end["seq"] == w.moments[-1][1]
    the_session_diff_is_right(atelier, start, pause, end)
    the_reports_render(atelier, session["id"], facilitator)
    the_evidence_verifies_and_tampering_fails(atelier, session["id"], facilitator, tmp_path)


def the_timeline_tells_who_did_what(atelier: AtelierServer, board: str) -> None:
    timeline = valid("api/history.schema.json", atelier.api("GET", f"/api/boards/{board}/history"))
    entries = timeline["entries"]
    # French typography puts no-break spaces inside « » and before ":"; read them as spaces.
    said = [c["fr"].replace("\u00a0", " ") for entry in entries for c in entry["captions"]]
    expected = [
        "Note « Réunion mensuelle » ajoutée dans Coexistence par Marie (État)",
        "Note « Les élus viennent » ajoutée dans Communication par Karim (Collectivité)",
        "Note « Réunion mensuelle » déplacée de Coexistence vers Coordination "
        "par Inès (Société civile)",
        "Vote pour la note « Les élus viennent » par Marie (État)",
        "Vision modifiée : « Un territoire qui coopère » par Karim (Collectivité)",
        "Changement direct « Former les agents » ajouté par Marie (État)",
        "Lien ajouté : « Former les agents » → « Les agents co-construisent » par Marie (État)",
        "Section Pouvoir approuvée par la Société civile",
        "Section Pouvoir validée par toutes les parties",
        "Texte de la note modifié : « Réunion mensuelle » → « Réunion hebdomadaire » "
        "par Karim (Collectivité)",
    ]
    for caption in expected:
        assert caption in said, f"{caption!r} not in {said}"
    typed = next(
        e
        for e in entries
        if "Les élus viennent" in e["caption"]["fr"] and e["author"]["name"] == "Karim"
    )
    assert typed["updates"] == 1 + len("Les élus viennent"), "typing reads as one step"
    english = [caption["en"] for entry in entries for caption in entry["captions"]]
    assert (
        "Note “Réunion mensuelle” moved from Coexistence to Coordination by Inès (Civil society)"
        in english
    )


def the_board_at_each_moment_is_what_the_clients_saw(
    atelier: AtelierServer, board: str, moments: list[tuple[str, int, dict[str, Any]]]
) -> None:
    for what, seq, seen in moments:
        found = valid(
            "api/state.schema.json", atelier.api("GET", f"/api/boards/{board}/state?seq={seq}")
        )
        assert (found["seq"], found["projection"]) == (seq, seen), what
        binary = get_binary(atelier, f"/api/boards/{board}/state?seq={seq}")
        assert projection_of(binary.content) == seen, what
    assert len({seq for _, seq, _ in moments}) == len(moments), "every moment is a new position"


def the_session_diff_is_right(
    atelier: AtelierServer, start: dict[str, Any], pause: dict[str, Any], end: dict[str, Any]
) -> None:
    whole = valid(
        "api/diff.schema.json", atelier.api("GET", f"/api/snapshots/{start['id']}/diff/{end['id']}")
    )
    kinds = Counter(change["kind"] for change in whole["changes"])
    assert kinds == Counter(
        {
            "note_added": 2,
            "vision_edited": 1,
            "chain_item_added": 2,
            "link_added": 1,
            "section_edited": 1,
            "section_approved": 3,
            "section_status_changed": 1,
        }
    )
    added = {
        c["after"]["text"]: c["after"]["level"]
        for c in whole["changes"]
        if c["kind"] == "note_added"
    }
    assert added == {"Réunion hebdomadaire": "coordination", "Les élus viennent": "communication"}
    by_party = {p["party"]: p["counts"] for p in whole["contributions"]["parties"]}
    assert (
        by_party["etat"]["notes_created"],
        by_party["etat"]["votes"],
        by_party["etat"]["links"],
    ) == (1, 1, 1)
    assert (by_party["collectivite"]["notes_created"], by_party["societe_civile"]["moves"]) == (
        1,
        1,
    )
    assert by_party["collectivite"]["characters"] >= len("Les élus viennent")
    assert 1 <= by_party["collectivite"]["text_edits"] < len("Les élus viennent")
    assert {
        p["party"]: p["counts"]["approvals"]
        for p in whole["contributions"]["parties"]
        if p["counts"]["approvals"]
    } == {
        "etat": 1,
        "collectivite": 1,
        "societe_civile": 1,
    }
    before = valid(
        "api/diff.schema.json",
        atelier.api("GET", f"/api/snapshots/{start['id']}/diff/{pause['id']}"),
    )
    assert [c["kind"] for c in before["changes"]] == ["note_added", "note_added"]
    votes = {c["after"]["text"]: c["after"]["votes"]["count"] for c in before["changes"]}
    assert votes == {"Réunion mensuelle": 0, "Les élus viennent": 1}


def the_reports_render(atelier: AtelierServer, session: str, facilitator: str) -> None:
    html = atelier.api("GET", f"/api/sessions/{session}/export?format=html", facilitator).text
    pdf = atelier.api("GET", f"/api/sessions/{session}/export?format=pdf", facilitator)
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for words in (
        "Réunion hebdomadaire",
        "Les élus viennent",
        "Coordination",
        "Former les agents",
        "Le comité de pilotage décide.",
        "Validée",
        "Château-Thierry",
        "Anne, accompagnatrice",
    ):
        assert words in html, words
        assert words in text, words
    english = atelier.api("GET", f"/api/sessions/{session}/export?format=pdf&lang=en", facilitator)
    english_text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(english.content)).pages)
    assert "Cooperation continuum" in english_text
    assert "Workshop report" in english_text


def the_evidence_verifies_and_tampering_fails(
    atelier: AtelierServer, session: str, facilitator: str, tmp_path: Path
) -> None:
    bundle = atelier.api("GET", f"/api/sessions/{session}/evidence", facilitator).content
    assert valid(
        "api/session-verify.schema.json",
        atelier.api("GET", f"/api/sessions/{session}/evidence/verify"),
    )["ok"]

    def verify(data: bytes) -> subprocess.CompletedProcess[str]:
        path = tmp_path / "evidence.zip"
        path.write_bytes(data)
        command = [sys.executable, "-m", "server.cli", "verify", str(path)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    untouched = verify(bundle)
    assert untouched.returncode == 0, untouched.stdout
    for case in (
        "one byte of a snapshot, sums redone",
        "a snapshot removed, sums redone",
        "an edited manifest, sums redone",
        "a reordered chain, sums redone",
        "an update reattributed, sums redone",
    ):
        edit, resum, failing = TAMPERING[case]
        files = edit(unzip(bundle))
        run = verify(rezip(resummed(files) if resum else files))
        assert run.returncode == 1, case
        assert all(f"[FAIL] {check}:" in run.stdout for check in failing), (case, run.stdout)
