"""Exports and evidence: JSON, HTML and PDF reports, the bundle, and `atelier verify`, which
must accept an untouched bundle and refuse every kind of tampering."""

from __future__ import annotations

import asyncio
import base64
import dataclasses
import io
import json
import subprocess
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pycrdt import Doc
from pypdf import PdfReader
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from server.archive.bundle import build_bundle
from server.archive.dossiers import session_dossier
from server.archive.hashing import canonical, log_digest, sha256_hex
from server.archive.snapshots import Taker, take_snapshot
from server.archive.verify import verify_bundle, verify_session
from server.archive.verify_approvals import approvals_problems
from server.archive.verify_checks import Unpacked
from server.boards import layout
from server.boards.document import seed_update
from server.core import schema
from server.core.errors import Conflict
from server.store import archive, catalog, log, usage
from server.sync.sink import LogEntry
from tests.support.archive import (
    NOW,
    add_note,
    database,
    drop_immutability,
    end_session,
    participant,
    problem,
    snapshot,
    start_session,
    valid,
)
from tests.support.atelier_server import AtelierServer
from tests.support.bundles import TAMPERING, Files, flip_byte, manifest_of, resummed, rezip, unzip
from tests.support.raw_client import RawClient


@dataclass(frozen=True)
class Workshop:
    board: str
    site: str
    session: str
    facilitator: str
    observer: str
    snapshots: list[dict[str, Any]]


async def hold_workshop(atelier: AtelierServer, title: str) -> Workshop:
    """A short session: three parties write, move, approve; the facilitator snapshots once."""
    site = atelier.api("POST", "/api/sites", json={"title": "Château-Thierry"}).json()["id"]
    response = atelier.api("POST", "/api/boards", json={"title": "Atelier", "site": site})
    board = response.json()["id"]
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, title)
    marie = await participant(atelier, board, "Marie", "etat")
    karim = await participant(atelier, board, "Karim", "collectivite")
    ines = await participant(atelier, board, "Inès", "societe_civile")
    await add_note(marie, "n1", "Réunion mensuelle", "coexistence", "Marie", "etat")
    await karim.wait_until(lambda: "n1" in karim.root("notes"))
    await karim.edit(lambda doc: layout.move_note(doc, "n1", "coordination"))
    await karim.wait_durable()
    snapshot(atelier, board, facilitator, "pause")
    await ines.wait_until(lambda: "coordination" in str(ines.root("notes")))
    await ines.edit(lambda doc: layout.set_section_text(doc, "power", "Le comité décide."))
    await ines.wait_durable()
    for client, party, name in (
        (marie, "etat", "Marie"),
        (karim, "collectivite", "Karim"),
        (ines, "societe_civile", "Inès"),
    ):
        await client.wait_until(lambda c=client: "comité" in str(c.root("agreement")))
        await client.edit(
            lambda doc, p=party, n=name, c=client: layout.approve_section(
                doc, "power", p, n, NOW, invite=c.invite_id
            )
        )
        await client.wait_durable()
    ended = end_session(atelier, session["id"], facilitator)
    await RawClient.close_all()
    observer = atelier.invite(board, "observer")
    return Workshop(board, site, session["id"], facilitator, observer, ended["snapshots"])


@pytest.fixture(scope="module")
def workshop(atelier: AtelierServer) -> Workshop:
    return asyncio.run(hold_workshop(atelier, "Atelier 1 — l'entente"))


@pytest.fixture(scope="module")
def bundle(atelier: AtelierServer, workshop: Workshop) -> bytes:
    response = atelier.api(
        "GET", f"/api/sessions/{workshop.session}/evidence", workshop.facilitator
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return response.content


def verify(tmp_path: Path, data: bytes) -> subprocess.CompletedProcess[str]:
    """``atelier verify`` in its own process: no server, no database."""
    path = tmp_path / "bundle.zip"
    path.write_bytes(data)
    command = [sys.executable, "-m", "server.cli", "verify", str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


# -- the untouched bundle ---------------------------------------------------------------------


def test_the_bundle_verifies_offline(tmp_path: Path, bundle: bytes) -> None:
    run = verify(tmp_path, bundle)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "VERDICT: VERIFIED" in run.stdout
    assert "[FAIL]" not in run.stdout


def test_the_bundle_holds_the_session_its_people_and_its_chain(
    bundle: bytes, workshop: Workshop
) -> None:
    files = unzip(bundle)
    manifest = manifest_of(files)
    assert schema.problems("evidence-manifest.schema.json", manifest) == []
    assert (manifest["board"]["id"], manifest["site"]["title"]) == (
        workshop.board,
        "Château-Thierry",
    )
    assert manifest["session"]["title"] == "Atelier 1 — l'entente"
    people = {p["party"]: [who["name"] for who in p["people"]] for p in manifest["participants"]}
    assert people == {"etat": ["Marie"], "collectivite": ["Karim"], "societe_civile": ["Inès"]}
    assert [s["hash"] for s in manifest["snapshots"]] == [s["hash"] for s in workshop.snapshots]
    assert manifest["chain"]["head"] == workshop.snapshots[-1]["hash"]
    for entry in manifest["snapshots"]:
        assert entry["files"]["state"] in files
        assert entry["files"]["projection"] in files
    assert {"reports/session-fr.pdf", "reports/session-en.html"} <= set(files)
    export = json.loads(files["export/session.json"])
    assert schema.problems("export.schema.json", export) == []
    sums = files["SHA256SUMS"].decode().splitlines()
    assert len(sums) == len(files) - 1


# -- every kind of tampering ---------------------------------------------------------------------


@pytest.mark.parametrize("case", list(TAMPERING))
def test_every_kind_of_tampering_is_detected(tmp_path: Path, bundle: bytes, case: str) -> None:
    edit, resum, failing = TAMPERING[case]
    files = edit(unzip(bundle))
    run = verify(tmp_path, rezip(resummed(files) if resum else files))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "VERDICT: NOT VERIFIED" in run.stdout
    for check in failing:
        assert f"[FAIL] {check}:" in run.stdout, run.stdout


# Two updates pycrdt panics on (a Rust panic: a BaseException, not an Exception) when applied
# in this order to any board: a note whose earlier edits are missing, then those edits garbled.
ENGINE_PANICS = (
    bytes.fromhex(
        "010cab85cebdfbcfca07142701056e6f746573026e310127000714047465787402040007150b52c3a9756e69"
        "6f6e20c3a928000714056c6576656c01770b636f6578697374656e6365280007140178017c00000000280007"
        "140179017c000000002800071405636f6c6f7201770679656c6c6f772800071408617574686f724964017701"
        "6d280007140a617574686f724e616d650177054d617269652800071405706172747901770474656441740177"
        "14323032362d31312d32385431303a30303a30305a2700071405766f7465730100"
    ),
    bytes.fromhex(
        "010cab85cebdfbcfca07002701056e6f746573026e30012700ab85cebdfbcfca07000474657874020400ab85"
        "cebdfbcfca07010b52c3a9756e696f6e20c3a92800ab85cebdfbcfca0700056c6576656c01770b636f657869"
        "7374656e63652800ab85cebdfbcfca07000178017c000000002800ab85cebdfbcfca07000179017c00000000"
        "2800ab85cebdfbcfca070005636f2c6f7201770679656c6c6f772800ab85cebdfbcfca070008617574686f72"
        "49640177016d2800ab85cebdfbcfca07000a617574686f724e616d650177054d617269652800ab85cebdfbcf"
        "ca0700057061727479017704657461742800ab85cebdfbcfca07000963726561746564417401771432303236"
        "2d31312d385431303a30303a30305a2700abbdfbcfca0700"
    ),
)


def _log_rewritten_with(files: Files, updates: tuple[bytes, ...]) -> Files:
    """The session's last logged updates replaced by ``updates``, with everything hashed over
    them redone: their hashes, the log digests, the snapshots' hashes and chain, the export.
    Only replaying the log can tell."""
    lines = [json.loads(line) for line in files["log/updates.jsonl"].decode().splitlines()]
    for line, data in zip(lines[-len(updates) :], updates, strict=True):
        line.update(data=base64.b64encode(data).decode(), data_sha256=sha256_hex(data))
    manifest = manifest_of(files)
    previous, after = manifest["chain"]["anchor"], None
    for entry in manifest["snapshots"]:
        header = entry["header"]
        if after is not None:
            span = [line for line in lines if after < line["seq"] <= header["seq"]]
            records = [{k: v for k, v in line.items() if k != "data"} for line in span]
            header["log"] = log_digest(records, after)
        header["prev"], after = previous, header["seq"]
        entry["hash"] = previous = sha256_hex(canonical(header))
    manifest["chain"]["head"] = previous
    export = json.loads(files["export/session.json"])
    for shown, entry in zip(export["snapshots"], manifest["snapshots"], strict=True):
        shown.update(hash=entry["hash"], header=entry["header"])
    return {
        **files,
        "log/updates.jsonl": b"".join(canonical(line) + b"\n" for line in lines),
        "manifest.json": json.dumps(manifest, ensure_ascii=False).encode(),
        "export/session.json": json.dumps(export, ensure_ascii=False).encode(),
    }


def test_a_log_the_engine_panics_on_fails_the_replay_without_crashing(
    tmp_path: Path, bundle: bytes
) -> None:
    doc: Doc[Any] = Doc()
    doc.apply_update(ENGINE_PANICS[0])
    with pytest.raises(BaseException, match="unwrap") as raised:
        doc.apply_update(ENGINE_PANICS[1])
    assert not isinstance(raised.value, Exception)
    run = verify(tmp_path, rezip(resummed(_log_rewritten_with(unzip(bundle), ENGINE_PANICS))))
    assert run.returncode == 1, run.stdout + run.stderr
    assert "VERDICT: NOT VERIFIED — failed: replay\n" in run.stdout, run.stdout
    assert "not a Yjs update the engine accepts" in run.stdout, run.stdout


def test_a_file_that_is_not_a_bundle_is_refused(tmp_path: Path, bundle: bytes) -> None:
    run = verify(tmp_path, bundle[: len(bundle) // 2])
    assert run.returncode == 2  # unreadable, as documented; 1 is for a bundle that fails
    assert "cannot read" in run.stderr
    assert "not a zip file" in run.stderr


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "server.cli", "verify", str(tmp_path / "nothing.zip")]
    run = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2
    assert "cannot read" in run.stderr


# -- exports ------------------------------------------------------------------------------------


def test_json_exports_are_schema_valid(atelier: AtelierServer, workshop: Workshop) -> None:
    token = workshop.facilitator
    whole = valid(
        "export.schema.json", atelier.api("GET", f"/api/sessions/{workshop.session}/export", token)
    )
    assert [s["id"] for s in whole["snapshots"]] == [s["id"] for s in workshop.snapshots]
    kinds = [change["kind"] for change in whole["diff"]["changes"]]
    assert kinds == [
        "note_added",
        "section_edited",
        "section_approved",
        "section_approved",
        "section_approved",
        "section_status_changed",
    ]
    pause = workshop.snapshots[1]
    one = valid(
        "export.schema.json",
        atelier.api("GET", f"/api/snapshots/{pause['id']}/export?format=json&lang=en", token),
    )
    assert (one["kind"], one["lang"], one["diff"]["from"]) == (
        "snapshot",
        "en",
        workshop.snapshots[0]["id"],
    )
    assert [c["caption"]["en"] for c in one["diff"]["changes"]] == [
        "Note “Réunion mensuelle” added to Coordination by Marie (State)"
    ]


def test_the_html_report_reads_in_french_and_english(
    atelier: AtelierServer, workshop: Workshop
) -> None:
    path = f"/api/sessions/{workshop.session}/export?format=html"
    french = atelier.api("GET", path, workshop.facilitator)
    assert french.headers["content-type"].startswith("text/html")
    for words in (
        "Échelle de coopération",
        "Coordination",
        "Réunion mensuelle",
        "Validée",
        "Équilibre des voix",
        "Le comité décide.",
        workshop.snapshots[-1]["hash"],
    ):
        assert words in french.text
    english = atelier.api("GET", path + "&lang=en", workshop.facilitator).text
    for words in ("Cooperation continuum", "Agreed", "Balance of voice", "Civil society"):
        assert words in english


def test_the_pdf_report_renders_the_board(atelier: AtelierServer, workshop: Workshop) -> None:
    response = atelier.api(
        "GET", f"/api/sessions/{workshop.session}/export?format=pdf", workshop.facilitator
    )
    assert response.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for words in (
        "Rapport d'atelier",
        "Réunion mensuelle",
        "Coordination",
        "Le comité décide.",
        "Validée",
    ):
        assert words in text, words


def test_exports_need_a_facilitator_and_a_known_format(
    atelier: AtelierServer, workshop: Workshop
) -> None:
    path = f"/api/sessions/{workshop.session}/export"
    problem(atelier.api("GET", path, workshop.observer), 403)
    problem(
        atelier.api("GET", f"/api/sessions/{workshop.session}/evidence", workshop.observer), 403
    )
    problem(atelier.api("GET", path + "?format=docx", workshop.facilitator), 400)
    problem(atelier.api("GET", path + "?lang=de", workshop.facilitator), 400)


# -- verification as stored ------------------------------------------------------------------------


def verified(atelier: AtelierServer, session: str, token: str | None = None) -> dict[str, Any]:
    response = atelier.api("GET", f"/api/sessions/{session}/evidence/verify", token)
    return valid("api/session-verify.schema.json", response)


def failed(report: dict[str, Any]) -> set[str]:
    return {check["name"] for check in report["checks"] if not check["ok"]}


def test_an_observer_verifies_the_session_as_stored(
    atelier: AtelierServer, workshop: Workshop
) -> None:
    report = verified(atelier, workshop.session, workshop.observer)
    assert report["ok"] is True, report
    assert {"chain", "log", "replay", "chain_anchor", "log_before_session"} <= {
        c["name"] for c in report["checks"]
    }


def test_an_open_session_has_no_evidence_yet(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "En cours")
    problem(atelier.api("GET", f"/api/sessions/{session['id']}/evidence", facilitator), 409)
    problem(atelier.api("GET", f"/api/sessions/{session['id']}/evidence/verify"), 409)


def test_a_change_made_in_the_database_is_detected(atelier: AtelierServer) -> None:
    held = asyncio.run(hold_workshop(atelier, "Séance altérée"))
    assert verified(atelier, held.session)["ok"] is True
    end = held.snapshots[-1]["id"]
    with closing(database(atelier)) as conn, conn:
        drop_immutability(conn)
        state = conn.execute("SELECT state FROM snapshots WHERE id = ?", (end,)).fetchone()[0]
        conn.execute("UPDATE snapshots SET state = ? WHERE id = ?", (flip_byte(state, 3), end))
    assert "snapshot_states" in failed(verified(atelier, held.session))


def test_a_rewritten_log_is_detected(atelier: AtelierServer) -> None:
    held = asyncio.run(hold_workshop(atelier, "Journal altéré"))
    start, end = held.snapshots[0]["seq"], held.snapshots[-1]["seq"]
    with closing(database(atelier)) as conn, conn:
        conn.execute(
            "UPDATE updates SET author_name = 'Mallory' "
            "WHERE board_id = ? AND seq > ? AND seq <= ?",
            (held.board, start, end),
        )
    assert "log" in failed(verified(atelier, held.session))


def test_a_rewritten_snapshot_before_the_session_is_detected(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    facilitator = atelier.invite(board, "facilitator")
    before = snapshot(atelier, board, facilitator)
    session = start_session(atelier, board, facilitator, "Après")
    end_session(atelier, session["id"], facilitator)
    with closing(database(atelier)) as conn, conn:
        drop_immutability(conn)
        conn.execute(
            'UPDATE snapshots SET header = replace(header, \'"label":null\', \'"label":"x"\') '
            "WHERE id = ?",
            (before["id"],),
        )
    assert failed(verified(atelier, session["id"])) == {"chain_anchor"}


# -- who took a snapshot ---------------------------------------------------------------------


def test_a_snapshot_names_the_person_who_took_it(atelier: AtelierServer) -> None:
    board = atelier.create_board()
    token = str(atelier.invite_record(board, "facilitator", label="Animateur (démo)")["token"])
    response = atelier.api(
        "POST", f"/api/boards/{board}/snapshots", token, json={"label": "pause", "name": "Claire"}
    )
    taken = valid("api/snapshot.schema.json", response, 201)
    assert taken["author"] == {
        "invite": taken["author"]["invite"],
        "role": "facilitator",
        "label": "Animateur (démo)",
        "name": "Claire",
    }
    path = f"/api/snapshots/{taken['id']}/export"
    exported = valid("export.schema.json", atelier.api("GET", path, token))
    assert exported["snapshots"][0]["header"]["version"] == 2
    report = atelier.api("GET", path + "?format=html", token).text
    assert '<th scope="row">Pris par</th><td>Claire</td>' in report


async def test_a_session_names_the_facilitator_connected_to_the_board(
    atelier: AtelierServer,
) -> None:
    board = atelier.create_board()
    invite = atelier.invite_record(board, "facilitator", label="Animateur (démo)")
    token = str(invite["token"])
    claire = await RawClient.open(atelier.ws_url, board, token, name="Claire")
    await claire.sync()
    session = start_session(atelier, board, token, "Atelier 3")
    ended = end_session(atelier, session["id"], token)
    assert [s["author"]["name"] for s in ended["snapshots"]] == ["Claire", "Claire"]
    manifest = manifest_of(
        unzip(atelier.api("GET", f"/api/sessions/{session['id']}/evidence", token).content)
    )
    assert manifest["session"]["facilitator"] == "Claire"
    report = atelier.api("GET", f"/api/sessions/{session['id']}/export?format=html", token).text
    assert '<th scope="row">Accompagnement</th><td>Claire</td>' in report


def _as_version_1(files: Files) -> Files:
    """The bundle as Atelier wrote it before headers named people: version 1 headers without
    the author's name, every hash and link of the chain redone over them."""
    manifest = manifest_of(files)
    previous = manifest["chain"]["anchor"]
    for entry in manifest["snapshots"]:
        header = entry["header"]
        header["version"] = 1
        del header["author"]["name"]
        header["prev"] = previous
        entry["hash"] = previous = sha256_hex(canonical(header))
    manifest["chain"]["head"] = previous
    export = json.loads(files["export/session.json"])
    for shown, entry in zip(export["snapshots"], manifest["snapshots"], strict=True):
        shown.update(hash=entry["hash"], header=entry["header"])
    return {
        **files,
        "manifest.json": json.dumps(manifest, ensure_ascii=False).encode(),
        "export/session.json": json.dumps(export, ensure_ascii=False).encode(),
    }


def test_a_bundle_of_version_1_headers_still_verifies(bundle: bytes) -> None:
    files = unzip(bundle)
    assert {e["header"]["version"] for e in manifest_of(files)["snapshots"]} == {2}
    verdict = verify_bundle(rezip(resummed(_as_version_1(files))))
    assert verdict.ok, verdict.to_json()


def test_a_header_that_mixes_versions_fails_its_schema(bundle: bytes) -> None:
    old = _as_version_1(unzip(bundle))
    manifest = manifest_of(old)
    manifest["snapshots"][0]["header"]["author"]["name"] = "Mallory"  # not in version 1
    forged = {**old, "manifest.json": json.dumps(manifest, ensure_ascii=False).encode()}
    verdict = verify_bundle(rezip(resummed(forged)))
    assert "manifest_schema" in {c.name for c in verdict.checks if not c.ok}


# -- the verification in people's words ------------------------------------------------------


def test_the_verification_reads_in_french_and_english(
    atelier: AtelierServer, workshop: Workshop
) -> None:
    checks = {
        c["name"]: c for c in verified(atelier, workshop.session, workshop.observer)["checks"]
    }
    chain = checks["chain"]
    assert chain["label"] == {"fr": "Chaîne des instantanés", "en": "Snapshot chain"}
    assert chain["message"]["fr"].startswith("Les 3 instantanés de la séance se suivent")
    assert chain["message"]["en"].startswith("The session's 3 snapshots follow one another")
    assert "chained from" in chain["detail"]  # the CLI's words stay
    assert checks["chain_anchor"]["message"]["fr"] == (
        "La séance ouvre la chaîne des instantanés du tableau."
    )
    for check in checks.values():
        for words in ("None", "schema.json", "sha256", "SHA-256 of"):
            assert words not in check["message"]["fr"], (check["name"], check["message"])
        assert check["message"]["fr"] != check["message"]["en"]


def test_a_failed_check_says_what_it_means(atelier: AtelierServer) -> None:
    held = asyncio.run(hold_workshop(atelier, "Séance altérée en base"))
    end = held.snapshots[-1]["id"]
    with closing(database(atelier)) as conn, conn:
        drop_immutability(conn)
        state = conn.execute("SELECT state FROM snapshots WHERE id = ?", (end,)).fetchone()[0]
        conn.execute("UPDATE snapshots SET state = ? WHERE id = ?", (flip_byte(state, 3), end))
    checks = {c["name"]: c for c in verified(atelier, held.session)["checks"]}
    assert checks["snapshot_states"]["message"]["fr"] == (
        "Un état du tableau manque ou ne correspond plus à son instantané."
    )


def test_a_check_that_cannot_run_says_so(bundle: bytes) -> None:
    files = {k: v for k, v in unzip(bundle).items() if k != "snapshots/0002.yjs"}
    verdict = verify_bundle(rezip(resummed(files)))
    unchecked = next(c for c in verdict.checks if c.name == "state_projects_to_json")
    assert not unchecked.ok
    assert unchecked.message["fr"].startswith("Cette vérification n'a pas pu être faite")
    assert "could not be checked" in unchecked.detail


# -- the same archive on SQLite and PostgreSQL, without a server ------------------------------


def test_sessions_snapshots_and_evidence_work_on_both_databases(engine: Engine) -> None:
    seed = seed_update("workshop", "Deux bases")
    catalog.create_board(engine, "both", "Deux bases", "workshop", seed, None)
    taker = Taker("inv-anne", "facilitator", "Anne")
    sitting = archive.Session("s1", "both", "Séance", 0.0, "inv-anne", "Anne", None, None)
    started = take_snapshot(engine, "both", kind="session_start", taker=taker, session=sitting)
    with pytest.raises(Conflict):
        take_snapshot(
            engine,
            "both",
            kind="session_start",
            taker=taker,
            session=dataclasses.replace(sitting, id="s2"),
        )
    doc: Doc[Any] = Doc()
    doc.apply_update(seed)
    before = doc.get_state()
    layout.add_note(doc, "n1", "Réunion", "coexistence", "m", "Marie", "etat", created_at=NOW)
    with engine.begin() as conn:
        log.append(
            conn,
            [LogEntry("both", time.time(), "inv-marie", "Marie", "etat", doc.get_update(before))],
            [None],
        )
    middle = take_snapshot(engine, "both", kind="manual", taker=taker, label="pause")
    assert middle.snapshot.session_id == "s1"
    ended = take_snapshot(engine, "both", kind="session_end", taker=taker, session=started.session)
    assert ended.session is not None
    assert ended.session.ended_at is not None
    chain = archive.board_snapshots(engine, "both")
    assert [s.number for s in chain] == [1, 2, 3]
    assert [json.loads(s.header)["prev"] for s in chain] == [None, chain[0].hash, chain[1].hash]
    assert verify_session(engine, "s1").ok
    verdict = verify_bundle(build_bundle(session_dossier(engine, "s1"), reports=False))
    assert verdict.ok, verdict.to_json()
    assert usage.snapshot_sizes(engine, "both").count == 3
    assert usage.log_span(engine, "both").count == 2
    for statement in ("UPDATE snapshots SET kind = 'manual'", "DELETE FROM snapshots"):
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as conn:
            conn.execute(text(statement))
    assert usage.snapshot_sizes(engine, "both").count == 3


# -- who approved, checked offline ------------------------------------------------------------


def approvals_bundle(log: list[dict[str, Any]], approval: dict[str, Any]) -> Unpacked:
    """A bundle reduced to what the approvals check reads: two projections and the log."""
    section = {"id": "power", "approvals": [approval]}
    files = {
        "first.json": json.dumps({"agreement": {"sections": []}}).encode(),
        "last.json": json.dumps({"agreement": {"sections": [section]}}).encode(),
        "log.jsonl": "\n".join(json.dumps(line) for line in log).encode(),
    }
    snapshots = [{"files": {"projection": "first.json"}}, {"files": {"projection": "last.json"}}]
    return Unpacked({"snapshots": snapshots, "log": {"file": "log.jsonl"}}, files)


APPROVAL = {"party": "etat", "by": "Paul", "invite": "inv-paul", "current": True, "textHash": "h"}


def test_an_approval_from_its_invites_own_connection_verifies() -> None:
    bundle = approvals_bundle([{"invite": "inv-paul", "party": "etat"}], APPROVAL)
    problems, detail, _ = approvals_problems(bundle)
    assert problems == []
    assert detail == "power etat: Paul (inv-paul)"


def test_an_approval_its_invite_never_wrote_fails_the_check() -> None:
    bundle = approvals_bundle([{"invite": "inv-paul", "party": "collectivite"}], APPROVAL)
    problems, _, _ = approvals_problems(bundle)
    assert problems == [
        "power: the approval for etat names invite inv-paul, which wrote nothing as etat "
        "in this session's log"
    ]


def test_the_verdict_names_who_approved(tmp_path: Path, bundle: bytes) -> None:
    run = verify(tmp_path, bundle)
    approvals = next(line for line in run.stdout.splitlines() if "approvals" in line)
    assert "[ok]" in approvals
    assert all(name in approvals for name in ("Marie", "Karim", "Inès"))
