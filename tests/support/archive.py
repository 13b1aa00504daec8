"""Helpers for the archive's tests: its API answers checked against their schemas, and the
clients and database access that produce and tamper with what it archives."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from typing import Any

import httpx

from server.boards import layout
from server.boards.document import doc_from_updates
from server.boards.projection import project
from server.core import schema
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient

NOW = "2026-11-28T10:00:00Z"


def valid(name: str, response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert schema.problems(name, body) == []
    return body


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert schema.problems("problem.schema.json", body) == []
    return body


def start_session(atelier: AtelierServer, board: str, token: str, title: str) -> dict[str, Any]:
    response = atelier.api("POST", f"/api/boards/{board}/sessions", token, json={"title": title})
    return valid("api/session.schema.json", response, 201)


def end_session(atelier: AtelierServer, session: str, token: str) -> dict[str, Any]:
    response = atelier.api("POST", f"/api/sessions/{session}/end", token)
    return valid("api/session.schema.json", response)


def snapshot(atelier: AtelierServer, board: str, token: str, label: str | None = None) -> Any:
    body = {} if label is None else {"label": label}
    response = atelier.api("POST", f"/api/boards/{board}/snapshots", token, json=body)
    return valid("api/snapshot.schema.json", response, 201)


def get_binary(atelier: AtelierServer, path: str, token: str | None = None) -> httpx.Response:
    """GET with ``Accept: application/octet-stream`` (the Yjs state rather than JSON)."""
    headers = {
        "Authorization": f"Bearer {token or atelier.admin_token}",
        "Accept": "application/octet-stream",
    }
    return httpx.get(f"{atelier.base_url}{path}", headers=headers, timeout=10)


def last_seq(atelier: AtelierServer, board: str) -> int:
    stats = valid("api/stats.schema.json", atelier.api("GET", f"/api/boards/{board}/stats"))
    return int(stats["updates"]["last_seq"])


def projection_of(state: bytes) -> dict[str, Any]:
    return dict(project(doc_from_updates([state])))


def header_hash(header: dict[str, Any]) -> str:
    """The documented rule, written again here: SHA-256 of the header's canonical JSON."""
    text = json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def invite_for(atelier: AtelierServer, board: str, role: str, party: str) -> dict[str, Any]:
    """An invite whose connections speak for ``party`` (a participant's is the invite's own;
    facilitators always speak for facilitation, observers for none)."""
    body = {"party": party} if role == "participant" else {}
    return atelier.invite_record(board, role, **body)


async def open_as(
    atelier: AtelierServer, board: str, role: str, name: str, party: str
) -> RawClient:
    """A synced client of a new invite for ``party``, knowing its invite id, with acks."""
    invite = invite_for(atelier, board, role, party)
    client = await RawClient.open(atelier.ws_url, board, invite["token"], name=name, acks="1")
    client.invite_id = str(invite["id"])
    await client.sync()
    return client


async def participant(
    atelier: AtelierServer, board: str, name: str, party: str, role: str = "participant"
) -> RawClient:
    return await open_as(atelier, board, role, name, party)


async def add_note(
    client: RawClient, note: str, text: str, level: str, name: str, party: str
) -> None:
    await client.edit(
        lambda doc: layout.add_note(
            doc, note, text, level, name.lower(), name, party, created_at=NOW
        )
    )
    await client.wait_durable()


def database(atelier: AtelierServer) -> sqlite3.Connection:
    """The server's SQLite file, opened for writing: to tamper with it as an attacker would."""
    conn = sqlite3.connect(atelier.data_dir / "atelier.db", timeout=10)
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


def drop_immutability(conn: sqlite3.Connection) -> None:
    """What an attacker with the database file does first: remove the guarding triggers."""
    conn.execute("DROP TRIGGER IF EXISTS snapshots_no_update")
    conn.execute("DROP TRIGGER IF EXISTS snapshots_no_delete")
