"""Hostile input gets a 4xx or a documented close code, never a 500, a 1011 or a traceback;
the refusal names what to fix, and the board's other participants keep syncing."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pycrdt import Doc, Map
from websockets.asyncio.client import connect

from server.boards import layout
from server.cli import warn_public_url
from server.core.errors import CloseCode
from server.core.settings import Settings
from server.http.pages import SECURITY_HEADERS
from server.sync import protocol
from tests.support.archive import end_session, problem, snapshot, start_session
from tests.support.atelier_server import ROOT, AtelierServer, free_port
from tests.support.raw_client import WAIT, RawClient


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AtelierServer]:
    instance = AtelierServer(Path(tmp_path_factory.mktemp("hostile")))
    instance.start()
    yield instance
    instance.kill9()


@dataclass
class Room:
    id: str
    token: str
    facilitator: str
    good: RawClient
    watcher: RawClient


@pytest.fixture
async def room(server: AtelierServer) -> Room:
    """A board with two synced participants, to show a refusal costs them nothing."""
    board_id = server.create_board()
    token = server.invite(board_id)
    good = await RawClient.open(server.ws_url, board_id, token, name="Bon", acks="1")
    watcher = await RawClient.open(server.ws_url, board_id, token, name="Témoin")
    await good.sync()
    await watcher.sync()
    return Room(board_id, token, server.invite(board_id, "facilitator"), good, watcher)


async def assert_room_still_syncs(room: Room, value: int = 1) -> None:
    await room.good.set_key("after", value)
    await room.good.wait_durable()
    await room.watcher.wait_until(lambda: room.watcher.value("after") == value)


def post_json(server: AtelierServer, path: str, token: str | None, body: bytes) -> httpx.Response:
    """A POST of exactly these bytes as JSON (what a hostile client sends, not what httpx
    would encode)."""
    headers = {
        "Authorization": f"Bearer {token or server.admin_token}",
        "Content-Type": "application/json",
    }
    return httpx.post(f"{server.base_url}{path}", content=body, headers=headers, timeout=10)


def refused(response: httpx.Response, field: str | None = None) -> dict[str, Any]:
    body = problem(response, 400)
    assert "Traceback" not in response.text
    if field is not None:
        assert body["field"] == field, body
        assert f"'{field}'" in body["detail"], body
    return body


# -- 1. deep nesting --------------------------------------------------------------------------


async def test_a_body_nested_3000_deep_is_refused_with_400(
    server: AtelierServer, room: Room
) -> None:
    deep = b"[" * 3000 + b"]" * 3000
    response = post_json(server, "/api/boards", None, deep)
    assert "nested deeper than" in refused(response)["detail"]
    await assert_room_still_syncs(room)


@pytest.mark.parametrize("body", [b"null", b"1", b'"text"', b"[]"])
async def test_a_body_that_is_not_an_object_is_refused_with_400(
    server: AtelierServer, room: Room, body: bytes
) -> None:
    refused(post_json(server, "/api/boards", None, body))
    await assert_room_still_syncs(room)


async def test_presence_nested_5000_deep_closes_only_its_sender_with_4400(
    server: AtelierServer, room: Room
) -> None:
    bad = await RawClient.open(server.ws_url, room.id, room.token, name="Fautif")
    await bad.sync()
    state = "[" * 5000 + "]" * 5000
    await bad.send(protocol.encode_awareness([protocol.AwarenessEntry(4242, 1, state)]))
    code, reason = await bad.closed()
    assert code == CloseCode.MALFORMED
    assert "nested too deeply" in reason
    await assert_room_still_syncs(room)


# -- 2. lone surrogates ------------------------------------------------------------------------

ESCAPED = b'"Atelier \\ud800"'
RAW = b'"Atelier \xed\xa0\x80"'  # the CESU-8 bytes of U+D800, decoded by json with surrogatepass


def _post(server: AtelierServer, room: Room, what: str, text: bytes) -> httpx.Response:
    if what == "board title":
        body, path, token = b'{"title": %s}' % text, "/api/boards", None
    elif what == "session title":
        body, path = b'{"title": %s}' % text, f"/api/boards/{room.id}/sessions"
        token = room.facilitator
    elif what == "invite label":
        body = b'{"role": "observer", "label": %s}' % text
        path, token = f"/api/boards/{room.id}/invites", None
    else:
        body, path = b'{"label": %s}' % text, f"/api/boards/{room.id}/snapshots"
        token = room.facilitator
    return post_json(server, path, token, body)


@pytest.mark.parametrize("text", [ESCAPED, RAW], ids=["json-escape", "raw-bytes"])
@pytest.mark.parametrize(
    ("what", "field"),
    [
        ("board title", "title"),
        ("session title", "title"),
        ("invite label", "label"),
        ("snapshot label", "label"),
    ],
)
async def test_a_lone_surrogate_is_refused_with_400_naming_the_field(
    server: AtelierServer, room: Room, what: str, field: str, text: bytes
) -> None:
    body = refused(_post(server, room, what, text), field)
    assert "lone surrogate (U+D800)" in body["detail"]
    await assert_room_still_syncs(room)


def test_the_layout_refuses_a_title_the_engine_would_panic_on() -> None:
    doc: Doc[Any] = Doc()
    with pytest.raises(ValueError, match="lone surrogate"):
        layout.seed_board(doc, "workshop", "Atelier \ud800")
    layout.seed_board(doc, "workshop", "Atelier")
    with pytest.raises(ValueError, match="lone surrogate"):
        layout.set_title(doc, "\udfff")
    assert doc.get("meta", type=Map)["title"] == "Atelier"


# -- 3. dates out of range --------------------------------------------------------------------

OUT_OF_RANGE = "9999-12-31T23:59:59-23:59"


@pytest.mark.parametrize(
    ("path", "name"),
    [("contributions", "from"), ("contributions", "to"), ("state", "at")],
)
async def test_a_date_past_the_year_9999_in_utc_is_refused_naming_the_parameter(
    server: AtelierServer, room: Room, path: str, name: str
) -> None:
    query = {name: OUT_OF_RANGE}
    response = server.api("GET", f"/api/boards/{room.id}/{path}", room.token, params=query)
    refused(response, name)
    await assert_room_still_syncs(room)


# -- 4. board pages tell nothing before the token ---------------------------------------------


@pytest.mark.parametrize("page", ["", "/replay", "/archive"])
async def test_a_board_page_shows_no_title_and_no_difference_for_an_unknown_board(
    server: AtelierServer, room: Room, page: str
) -> None:
    known = f"secret-{os.urandom(3).hex()}"
    response = server.api("POST", "/api/boards", json={"id": known, "title": "Titre confidentiel"})
    assert response.status_code == 201, response.text
    unknown = "pas-de-tableau-ici"
    assert httpx.get(f"{server.base_url}/api/boards/{known}").status_code == 401
    pages = {}
    for board_id in (known, unknown):
        shown = httpx.get(f"{server.base_url}/boards/{board_id}{page}", timeout=10)
        assert shown.status_code == 200
        assert "confidentiel" not in shown.text
        pages[board_id] = shown.text.replace(board_id, "BOARD")
    assert pages[known] == pages[unknown]
    await assert_room_still_syncs(room)


# -- 5. exported reports are inert documents ---------------------------------------------------


async def test_an_html_export_is_an_attachment_with_a_strict_policy(
    server: AtelierServer, room: Room
) -> None:
    session = start_session(server, room.id, room.facilitator, "Séance")
    taken = snapshot(server, room.id, room.facilitator, "pause")
    end_session(server, session["id"], room.facilitator)
    for path in (f"/api/snapshots/{taken['id']}", f"/api/sessions/{session['id']}"):
        response = server.api("GET", f"{path}/export", room.facilitator, params={"format": "html"})
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/html")
        assert response.headers["x-content-type-options"] == "nosniff"
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'none'")
        assert "script-src" not in policy
        assert re.match(
            r'attachment; filename="atelier-\S+-fr\.html"', response.headers["content-disposition"]
        )
        for header in set(SECURITY_HEADERS) - {"Content-Security-Policy"}:
            assert response.headers[header] == SECURITY_HEADERS[header]
    await assert_room_still_syncs(room)


# -- 6. the operator token and the public URL --------------------------------------------------


def test_a_short_operator_token_stops_the_start_with_a_clear_message(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "server.cli", "serve", "--port", str(free_port())]
    command += ["--data-dir", str(tmp_path), "--no-demo"]
    env = {**os.environ, "ATELIER_ADMIN_TOKEN": "admin"}
    run = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode != 0
    assert "refusing to start" in run.stderr
    assert "ATELIER_ADMIN_TOKEN has 5 characters, fewer than 32" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(
    ("host", "public_url", "warned"),
    [
        ("0.0.0.0", "", True),
        ("192.0.2.7", "", True),
        ("0.0.0.0", "https://atelier.example.org", False),
        ("127.0.0.1", "", False),
        ("::1", "", False),
        ("localhost", "", False),
    ],
)
def test_invite_links_from_the_host_header_are_warned_of_when_not_bound_to_localhost(
    capsys: pytest.CaptureFixture[str], host: str, public_url: str, warned: bool
) -> None:
    warn_public_url(Settings(public_url=public_url), host)
    assert ("ATELIER_PUBLIC_URL is not set" in capsys.readouterr().err) is warned


# -- 7. a board id that decodes to a path ------------------------------------------------------


async def test_a_board_id_with_encoded_slashes_is_closed_with_4404(
    server: AtelierServer, room: Room
) -> None:
    url = f"{server.ws_url}/..%2f..%2fetc?token={room.token}"
    async with connect(url, open_timeout=WAIT) as conn:
        await conn.wait_closed()
        assert conn.close_code == CloseCode.NO_SUCH_BOARD
    await assert_room_still_syncs(room)
