"""Privacy means server-held: before the reveal, an answer's content travels nowhere but
back to its author. A unique marker written in one participant's answer is looked for in
every byte the official Yjs clients of another participant and of an observer receive, in
every API answer to anyone else (content, history, state, rounds, exports, the evidence
bundle, the session report) and in the server's log; after the reveal it is on the board
and in the log, attributed to its author."""

from __future__ import annotations

import asyncio
import io
import secrets
import zipfile
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.support.archive import end_session, invite_for, start_session, valid
from tests.support.atelier_server import AtelierServer
from tests.support.yjs_driver import YjsDriver

WAIT_SECONDS = 10.0


@pytest.fixture
async def js() -> AsyncIterator[YjsDriver]:
    async with YjsDriver.start() as driver:
        yield driver


class Workshop:
    def __init__(self, atelier: AtelierServer) -> None:
        self.atelier = atelier
        self.board = atelier.create_board("continuum")
        self.facilitator = invite_for(atelier, self.board, "facilitator", "")["token"]
        self.author = invite_for(atelier, self.board, "participant", "etat")["token"]
        self.other = invite_for(atelier, self.board, "participant", "collectivite")["token"]
        self.observer = invite_for(atelier, self.board, "observer", "")["token"]
        self.marker = f"secret-{secrets.token_hex(8)}"

    async def connect(self, js: YjsDriver, client: str, token: str, name: str) -> None:
        params = {"token": token, "name": name, "acks": "1"}
        options = {"capture_bytes": True}
        await js.connect(
            client, url=self.atelier.ws_url, room=self.board, params=params, options=options
        )
        await js.wait_synced(client)

    def get(self, path: str, token: str) -> bytes:
        response = self.atelier.api("GET", path, token)
        assert response.status_code == 200, (path, response.text)
        return response.content

    def readable(self, session: str, snapshot: str, token: str) -> list[tuple[str, bytes]]:
        """What a token can read about the board, as raw bytes (zips unpacked)."""
        paths = [
            f"/api/boards/{self.board}",
            f"/api/boards/{self.board}/content",
            f"/api/boards/{self.board}/history",
            f"/api/boards/{self.board}/state?seq=1000000",
            f"/api/boards/{self.board}/rounds",
            f"/api/boards/{self.board}/contributions",
            f"/api/boards/{self.board}/sessions",
            f"/api/sessions/{session}",
            f"/api/snapshots/{snapshot}",
        ]
        if token == self.facilitator:
            paths += [
                f"/api/sessions/{session}/export?format=json",
                f"/api/sessions/{session}/export?format=html",
                f"/api/snapshots/{snapshot}/export?format=html",
            ]
        found = [(path, self.get(path, token)) for path in paths]
        if token == self.facilitator:
            bundle = self.get(f"/api/sessions/{session}/evidence", token)
            with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
                found += [(f"evidence:{n}", archive.read(n)) for n in archive.namelist()]
        return found


async def noticed(js: YjsDriver, client: str, count: int) -> None:
    """Wait until ``client`` has heard ``count`` round notices (opened, answered…)."""

    async def heard() -> None:
        while True:
            seen = (await js.raw_messages(client))["connection"]["notices"]
            if sum(1 for n in seen if n.get("kind") == "round") >= count:
                return
            await asyncio.sleep(0.05)

    await asyncio.wait_for(heard(), WAIT_SECONDS)


async def test_an_answer_reaches_nobody_before_the_reveal_and_everyone_after(
    js: YjsDriver, atelier: AtelierServer
) -> None:
    w = Workshop(atelier)
    await w.connect(js, "other", w.other, "Paul")
    await w.connect(js, "observer", w.observer, "Ines")
    session = start_session(atelier, w.board, w.facilitator, "Atelier")["id"]
    opened = atelier.api(
        "POST", f"/api/boards/{w.board}/rounds", w.facilitator, json={"kind": "position"}
    ).json()
    answer = {"name": "Marie", "level": "coordination", "comment": w.marker}
    path = f"/api/rounds/{opened['id']}/answers/mine"
    mine = atelier.api("PUT", path, w.author, json=answer)
    assert w.marker.encode() in mine.content  # its author gets it back
    await noticed(js, "other", 2)
    await noticed(js, "observer", 2)
    snapshot = end_session(atelier, session, w.facilitator)["snapshots"][-1]["id"]

    for token in (w.facilitator, w.other, w.observer):
        for where, data in w.readable(session, snapshot, token):
            assert w.marker.encode() not in data, where
    for client in ("other", "observer"):
        assert not (await js.call("received_bytes_contain", client=client, text=w.marker))["found"]
    assert w.marker not in atelier.log()

    reveal = atelier.api("POST", f"/api/rounds/{opened['id']}/reveal", w.facilitator)
    assert (
        w.marker.encode()
        in valid("api/round.schema.json", reveal)["answers"][0]["content"]["comment"].encode()
    )
    content = atelier.api("GET", f"/api/boards/{w.board}/content", w.observer).json()
    assert content["rounds"][0]["answers"][0]["content"]["comment"] == w.marker
    await heard_marker(js, "observer", w.marker)
    assert attributed(atelier, w, w.marker) == [{"name": "Marie", "party": "etat"}]
    assert w.marker not in atelier.log()


async def heard_marker(js: YjsDriver, client: str, marker: str) -> None:
    async def heard() -> None:
        while not (await js.call("received_bytes_contain", client=client, text=marker))["found"]:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(heard(), WAIT_SECONDS)


def attributed(atelier: AtelierServer, w: Workshop, marker: str) -> list[dict[str, Any]]:
    """The authors of the history steps whose changes hold the marker."""
    history = atelier.api("GET", f"/api/boards/{w.board}/history", w.observer).json()
    return [
        {"name": e["author"]["name"], "party": e["author"]["party"]}
        for e in history["entries"]
        if marker in str(e["changes"])
    ]
