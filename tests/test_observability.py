"""Health, readiness, Prometheus metrics and structured logs."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from server.sync import protocol
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient


def metric(server: AtelierServer, sample: str) -> float:
    for line in httpx.get(f"{server.base_url}/metrics", timeout=5).text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_readiness_reports_its_checks(atelier: AtelierServer) -> None:
    ready = httpx.get(f"{atelier.base_url}/readyz", timeout=5)
    assert ready.status_code == 200
    assert ready.json()["checks"]["database"] is True


async def test_metrics_count_traffic_and_close_codes(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    token = atelier.invite(board_id)
    before_in = metric(atelier, "atelier_updates_in_total")
    before_closed = metric(atelier, 'atelier_closes_total{code="4400",reason="malformed"}')
    client = await RawClient.open(atelier.ws_url, board_id, token, acks="1")
    await client.sync()
    await client.set_key("k", 1)
    await client.wait_durable()
    bad = await RawClient.open(atelier.ws_url, board_id, token)
    await bad.send(b"\x09")
    await bad.closed()
    assert metric(atelier, "atelier_updates_in_total") == before_in + 1
    assert (
        metric(atelier, 'atelier_closes_total{code="4400",reason="malformed"}') == before_closed + 1
    )
    assert metric(atelier, "atelier_connections") >= 1
    assert metric(atelier, "atelier_persist_healthy") == 1


async def test_json_logs_carry_board_and_peer(start_atelier: Callable[..., AtelierServer]) -> None:
    server = start_atelier(ATELIER_LOG_FORMAT="json")
    board_id = server.create_board()
    invite = server.invite_record(board_id)
    bad = await RawClient.open(server.ws_url, board_id, invite["token"])
    await bad.send(protocol.encode_update(b"\xff\xff"))
    await bad.closed()
    records = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
    refusal = next(r for r in records if r.get("code") == 4400)
    assert (refusal["board"], refusal["peer"]) == (board_id, invite["id"])
    assert all(invite["token"] not in json.dumps(r) for r in records)


async def test_a_board_connection_that_comes_and_goes_logs_nothing_at_info(
    start_atelier: Callable[..., AtelierServer],
) -> None:
    """A workshop's connections come and go all hour; /metrics counts them, the log keeps
    what needs a person's attention."""
    server = start_atelier(ATELIER_LOG_FORMAT="json")
    board_id = server.create_board()
    client = await RawClient.open(server.ws_url, board_id, server.invite(board_id))
    await client.sync()
    await client.close()
    server.api("GET", f"/api/boards/{board_id}")  # logged once the close is behind it
    lines = server.log().splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert any(f"/api/boards/{board_id} " in r["message"] for r in records)
    assert [
        r["message"] for r in records if "/ws/boards" in r["message"] or "connect" in r["message"]
    ] == []
