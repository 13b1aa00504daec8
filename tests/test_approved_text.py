"""The text a party approved, found again in the log from its hash, so that the browser can
show what changed since (GET /api/boards/{id}/agreement/{section}/approved-text)."""

from __future__ import annotations

import hashlib
from typing import Any

from pycrdt import Doc, Map, Text

from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write(text: str) -> Any:
    def change(doc: Doc[Any]) -> None:
        field = doc.get("agreement", type=Map)["principles"]["text"]
        assert isinstance(field, Text)
        del field[0 : len(str(field).encode())]
        field.insert(0, text)

    return change


async def board_with_texts(atelier: AtelierServer, *texts: str) -> str:
    board_id = atelier.create_board()
    token = atelier.invite(board_id, "participant", party="etat")
    writer = await RawClient.open(atelier.ws_url, board_id, token, acks="1")
    await writer.sync()
    for text in texts:
        await writer.edit(write(text))
    await writer.wait_durable()
    return board_id


def approved(atelier: AtelierServer, board_id: str, query: str) -> Any:
    path = f"/api/boards/{board_id}/agreement/principles/approved-text?{query}"
    return atelier.api("GET", path)


async def test_an_earlier_text_is_found_by_its_hash(atelier: AtelierServer) -> None:
    board_id = await board_with_texts(atelier, "Nous nous écoutons.", "Nous nous écoutons tous.")
    response = approved(atelier, board_id, f"hash={digest('Nous nous écoutons.')}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["text"] == "Nous nous écoutons."
    assert body["section"] == "principles"


async def test_the_time_hint_finds_the_same_text(atelier: AtelierServer) -> None:
    board_id = await board_with_texts(atelier, "Un texte.", "Un autre texte.")
    query = f"hash={digest('Un texte.')}&at=2020-01-01T00:00:00Z"
    assert approved(atelier, board_id, query).json()["text"] == "Un texte."


async def test_a_text_the_board_never_held_is_not_found(atelier: AtelierServer) -> None:
    board_id = await board_with_texts(atelier, "Un texte.")
    response = approved(atelier, board_id, f"hash={digest('Jamais écrit.')}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_malformed_hash_is_refused(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    assert approved(atelier, board_id, "hash=abc").status_code == 400
