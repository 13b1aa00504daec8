"""Only a facilitator's connection may carry a ``summon`` in its presence: a participant's is
dropped before it reaches anyone, so no participant can move the others' pages."""

from __future__ import annotations

import json

from server.sync import protocol
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient

SUMMON = {"tab": "agreement", "target": None, "at": 1}


def state(name: str, role: str) -> str:
    """A state as the browser writes it; its role is the client's own word, so a participant
    can claim to be a facilitator."""
    user = {"id": name, "name": name, "party": "etat", "role": role}
    return json.dumps({"user": user, "summon": SUMMON})


async def watched(atelier: AtelierServer) -> tuple[str, RawClient]:
    board_id = atelier.create_board()
    watcher = await RawClient.open(atelier.ws_url, board_id, atelier.invite(board_id, "observer"))
    await watcher.sync()
    return board_id, watcher


async def test_a_participants_forged_summon_is_dropped(atelier: AtelierServer) -> None:
    board_id, watcher = await watched(atelier)
    token = atelier.invite(board_id, "participant", party="etat")
    forger = await RawClient.open(atelier.ws_url, board_id, token)
    await forger.send(
        protocol.encode_awareness([protocol.AwarenessEntry(2222, 1, state("Eve", "facilitator"))])
    )
    await watcher.wait_until(lambda: watcher.awareness.get(2222) is not None)
    relayed = watcher.awareness[2222]
    assert relayed["user"]["name"] == "Eve"  # the rest of the state is relayed as sent
    assert "summon" not in relayed


async def test_a_facilitators_summon_is_relayed(atelier: AtelierServer) -> None:
    board_id, watcher = await watched(atelier)
    claire = await RawClient.open(atelier.ws_url, board_id, atelier.invite(board_id, "facilitator"))
    await claire.send(
        protocol.encode_awareness(
            [protocol.AwarenessEntry(3333, 1, state("Claire", "facilitator"))]
        )
    )
    await watcher.wait_until(lambda: watcher.awareness.get(3333) is not None)
    assert watcher.awareness[3333]["summon"] == SUMMON


async def test_a_summon_hidden_behind_an_escape_is_dropped_too(atelier: AtelierServer) -> None:
    board_id, watcher = await watched(atelier)
    token = atelier.invite(board_id, "participant", party="etat")
    forger = await RawClient.open(atelier.ws_url, board_id, token)
    hidden = state("Eve", "facilitator").replace('"summon"', '"\\u0073ummon"')
    await forger.send(protocol.encode_awareness([protocol.AwarenessEntry(4444, 1, hidden)]))
    await watcher.wait_until(lambda: watcher.awareness.get(4444) is not None)
    assert "summon" not in watcher.awareness[4444]
