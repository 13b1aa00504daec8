"""Presence is bounded against any token holder, observers included: the size of one state,
the client ids of one connection, the bytes of one board, and who may use a client id.
Each offender is closed with its documented code; the others keep syncing.

The server runs with the default limits (64 KiB a state, 8 ids a connection, 1 MiB a board);
the last tests pin the rules of ``sync.presence`` in process.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import connect
from websockets.protocol import State

from server.core.errors import CloseCode, Overloaded
from server.sync import protocol
from server.sync.limits import LiveLimits
from server.sync.presence import Presence
from server.sync.protocol import AwarenessEntry
from tests.support.atelier_server import AtelierServer
from tests.support.fakes import Socket, peer_on
from tests.support.raw_client import RawClient
from tests.support.storage import logged_updates
from tests.support.unharmed import MIB, GoodBoard, rss_bytes
from tests.support.yjs_driver import YjsDriver

STATE_BYTES = 60_000
FLOODERS = 5
STATES_EACH = 480


def big_state(client_id: int, clock: int = 1) -> AwarenessEntry:
    return AwarenessEntry(client_id, clock, json.dumps({"pad": "x" * STATE_BYTES}))


async def announce_until_closed(client: RawClient, first_id: int, count: int) -> int | None:
    """One big state a frame, each for a new client id, until the server closes."""
    for i in range(count):
        if client.conn.state is not State.OPEN:
            break
        await client.send(protocol.encode_awareness([big_state(first_id + i)]))
    return (await client.closed())[0]


async def first_presence_frame(atelier: AtelierServer, board_id: str, token: str) -> bytes:
    """The awareness frame a newcomer receives on joining, as sent."""
    url = f"{atelier.ws_url}/{board_id}?token={token}"
    async with connect(url, max_size=None, compression=None) as ws:
        while True:
            frame = await asyncio.wait_for(ws.recv(), 5)
            assert isinstance(frame, bytes)
            if frame[0] == protocol.MSG_AWARENESS:
                return frame


async def test_a_presence_flood_by_observers_is_refused_and_memory_stays_bounded(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    await board.good.send(protocol.encode_awareness([AwarenessEntry(7, 1, '{"n":"Bon"}')]))
    before = rss_bytes(atelier)
    flooders = [
        await RawClient.open(atelier.ws_url, board.id, atelier.invite(board.id, "observer"))
        for _ in range(FLOODERS)
    ]
    codes = await asyncio.gather(
        *(announce_until_closed(c, 10_000 * (n + 1), STATES_EACH) for n, c in enumerate(flooders))
    )
    grown = rss_bytes(atelier) - before
    assert set(codes) <= {CloseCode.MALFORMED, CloseCode.OVERLOADED}, codes
    assert grown < 64 * MIB, f"server grew by {grown / MIB:.0f} MiB"  # was +594 MiB
    await board.good.wait_until(lambda: board.good.awareness.get(7) == {"n": "Bon"})
    await board.assert_unharmed()


async def test_a_newcomers_first_presence_frame_is_bounded_by_the_boards_total(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    holders = [
        await RawClient.open(atelier.ws_url, board.id, atelier.invite(board.id, "observer"))
        for _ in range(3)
    ]
    codes = []
    for n, holder in enumerate(holders):  # 8 ids each: within the per-connection limit
        for i in range(8):
            await holder.send(protocol.encode_awareness([big_state(1000 * (n + 1) + i)]))
        mine = {1000 * (n + 1) + i for i in range(8)}
        await holder.wait_until(  # each accepted state is echoed to its author
            lambda h=holder, m=mine: h.close_code is not None or m <= h.awareness.keys()
        )
        codes.append(holder.close_code)
    assert CloseCode.OVERLOADED in codes  # 3 x 8 x 60 kB would pass the board's 1 MiB
    frame = await first_presence_frame(atelier, board.id, board.token)
    assert len(frame) <= MIB + 1024
    await board.assert_unharmed()


async def test_a_ninth_client_id_on_one_connection_is_refused_with_4400(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    observer = await RawClient.open(atelier.ws_url, board.id, atelier.invite(board.id, "observer"))
    for client_id in range(1, 10):
        await observer.send(protocol.encode_awareness([AwarenessEntry(client_id, 1, "{}")]))
    assert await observer.closed() == (
        CloseCode.MALFORMED,
        "a connection may announce at most 8 awareness client ids",
    )
    await board.assert_unharmed()


async def test_one_frame_announcing_thousands_of_client_ids_is_refused_with_4400(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    observer = await RawClient.open(atelier.ws_url, board.id, atelier.invite(board.id, "observer"))
    await observer.send(
        protocol.encode_awareness([AwarenessEntry(i, 1, "{}") for i in range(240_000)])
    )
    assert await observer.closed() == (
        CloseCode.MALFORMED,
        "a connection may announce at most 8 awareness client ids",
    )
    await board.assert_unharmed()


async def test_the_state_size_limit_counts_utf8_bytes_not_characters(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    observer = await RawClient.open(atelier.ws_url, board.id, atelier.invite(board.id, "observer"))
    euros = json.dumps("€" * 22_000, ensure_ascii=False)  # 22,002 characters, 66,002 bytes
    await observer.send(protocol.encode_awareness([AwarenessEntry(5, 1, euros)]))
    assert await observer.closed() == (CloseCode.MALFORMED, "awareness state over 65536 bytes")
    await board.assert_unharmed()


async def test_an_absent_owners_client_id_stays_reserved_to_the_owners_invite(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    marie_token = atelier.invite(board.id)
    marie = await RawClient.open(atelier.ws_url, board.id, marie_token)
    await marie.send(protocol.encode_awareness([AwarenessEntry(777, 3, '{"n":"Marie"}')]))
    await board.good.wait_until(lambda: board.good.awareness.get(777) == {"n": "Marie"})
    await marie.close()
    await board.good.wait_until(lambda: board.good.awareness.get(777, "gone") is None)

    observer = await RawClient.open(atelier.ws_url, board.id, atelier.invite(board.id, "observer"))
    takeover = AwarenessEntry(777, 9, '{"n":"Mallory"}')
    own = AwarenessEntry(888, 1, '{"n":"Observateur"}')  # shows the frame was handled
    await observer.send(protocol.encode_awareness([takeover, own]))
    await board.good.wait_until(lambda: board.good.awareness.get(888) == {"n": "Observateur"})
    assert board.good.awareness.get(777) is None
    assert observer.close_code is None  # ignored, not closed: official clients echo states

    back = await RawClient.open(atelier.ws_url, board.id, marie_token)  # Marie's tab again
    await back.send(protocol.encode_awareness([AwarenessEntry(777, 4, '{"n":"Marie"}')]))
    await board.good.wait_until(lambda: board.good.awareness.get(777) == {"n": "Marie"})
    await board.assert_unharmed()


async def test_official_clients_echoing_each_others_presence_stay_connected(
    atelier: AtelierServer,
) -> None:
    board = await GoodBoard.open(atelier)
    names = ["Marie", "Karim", "Inès"]
    async with YjsDriver.start() as js:
        for name in names:
            token = atelier.invite(board.id)
            params = {"token": token, "name": name}
            await js.connect(name, url=atelier.ws_url, room=board.id, params=params)
            await js.awareness_set(name, {"user": {"name": name}})
        for name in names:  # each has heard, and echoed back, the others' states
            for other in names:
                await js.wait_awareness(name, {"has_name": other})
        for name in names:  # sent after the echoes, so handled after them
            await js.map_set(name, "m", f"from-{name}", 1)
        for name in names:
            await board.good.wait_until(lambda n=name: board.good.value(f"from-{n}") == 1)
        for name in names:
            assert await js.close_events(name) == []
    board.logged_before = logged_updates(atelier, board.id)
    await board.assert_unharmed()


# -- the rules, in process ------------------------------------------------------------------


def small_presence() -> Presence:
    """1,000 bytes: 5 connections with an even share of 100 bytes each, 500 bytes shared."""
    return Presence("b", LiveLimits(max_presence_bytes=1000, max_peers_per_board=5))


def state(client_id: int, size: int, clock: int = 1) -> AwarenessEntry:
    return AwarenessEntry(client_id, clock, json.dumps("x" * (size - 2)))


def test_a_connection_within_its_even_share_is_accepted_when_the_shared_half_is_spent() -> None:
    presence = small_presence()
    hog, small = peer_on(Socket(), invite="hog"), peer_on(Socket(), invite="small")
    presence.accept(hog, (state(1, 600),))  # its 100, and the 500 shared
    with pytest.raises(Overloaded):
        presence.accept(hog, (state(2, 10),))
    assert presence.accept(small, (state(3, 100),)) == [state(3, 100)]
    presence.release(hog)
    assert presence.accept(small, (state(4, 500),)) == [state(4, 500)]


def test_an_echo_of_another_instances_state_claims_nothing() -> None:
    presence = small_presence()
    echoer, mover = peer_on(Socket(), invite="echo"), peer_on(Socket(), invite="mover")
    presence.remember_remote((state(9, 50, clock=4),))
    assert presence.accept(echoer, (state(9, 50, clock=4),)) == []
    assert echoer.awareness_ids == set()
    assert presence.accept(mover, (state(9, 50, clock=5),)) == [state(9, 50, clock=5)]
