"""The layout upgrade: a workshop board created with layout 1 gains `conditions` and
`support` when a server loads it, logged once as a server change; offline reads of an
unupgraded board still work; two upgrades (two loads, two instances) write the same items,
so neither overwrites the other or the text typed after."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from pycrdt import Doc, Map

from server.boards import layout, method_layout
from server.boards.document import doc_from_updates
from server.boards.projection import project
from server.boards.upgrade import UPGRADE_CLIENT_ID, layout_upgrade
from tests.support.atelier_server import AtelierServer
from tests.support.layout_v1 import store_v1_board, v1_seed
from tests.support.services import RedisServer, create_database
from tests.support.yjs_driver import YjsDriver

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
VALIDATOR = Draft202012Validator(json.loads((SCHEMAS / "board.schema.json").read_text()))
WAIT_SECONDS = 15.0


def valid(projection: Any) -> Any:
    assert [e.message for e in VALIDATOR.iter_errors(projection)] == []
    return projection


def loaded(state: bytes) -> Doc[Any]:
    """A board as one server instance rebuilds it from the log."""
    return doc_from_updates([state])


# -- the upgrade itself ----------------------------------------------------------------------


def test_a_layout_1_workshop_board_gains_the_two_parts() -> None:
    doc = loaded(v1_seed())
    assert "conditions" not in valid(project(doc))
    upgrade = layout_upgrade(doc)
    assert upgrade is not None
    doc.apply_update(upgrade)
    projection = valid(project(doc))
    assert projection["meta"]["layoutVersion"] == layout.LAYOUT_VERSION
    assert projection["meta"]["parts"][-2:] == ["conditions", "support"]
    assert len(projection["conditions"]) == 8
    assert len(projection["support"]) == 7


@pytest.mark.parametrize("template", ["continuum", "chain", "agreement"])
def test_a_board_whose_template_gained_nothing_is_left_alone(template: str) -> None:
    assert layout_upgrade(loaded(v1_seed(template))) is None


def test_an_upgraded_board_is_not_upgraded_again() -> None:
    doc = loaded(v1_seed())
    upgrade = layout_upgrade(doc)
    assert upgrade is not None
    doc.apply_update(upgrade)
    assert layout_upgrade(doc) is None


def test_two_instances_upgrading_the_same_board_write_the_same_update() -> None:
    """Each rebuilt document has its own random client id; the upgrade does not use it."""
    state = v1_seed()
    first, second = loaded(state), loaded(state)
    assert first.client_id != second.client_id
    assert layout_upgrade(first) == layout_upgrade(second)
    assert UPGRADE_CLIENT_ID not in (first.client_id, second.client_id)


def test_text_typed_after_one_upgrade_survives_the_other() -> None:
    """Instance A upgrades and someone types into A's containers; instance B upgraded too,
    and someone typed into B's. Merged, both texts are there, in one criterion."""
    state = v1_seed()
    a, b = loaded(state), loaded(state)
    upgrade_a, upgrade_b = layout_upgrade(a), layout_upgrade(b)
    assert upgrade_a is not None and upgrade_b is not None  # noqa: PT018
    a.apply_update(upgrade_a)
    b.apply_update(upgrade_b)
    method_layout.set_criterion_text(a, "urgency", "evidence", "La crue de 2024")
    method_layout.set_role_text(b, "trust", "who", "Le comité")
    a.apply_update(b.get_update(a.get_state()))
    b.apply_update(a.get_update(b.get_state()))
    a.apply_update(upgrade_b)  # a late copy of the other upgrade changes nothing
    for doc in (a, b):
        projection = project(doc)
        assert projection["conditions"][0]["evidence"] == "La crue de 2024"
        assert projection["support"][1]["who"] == "Le comité"
    assert project(a) == project(b)
    assert isinstance(layout.root(a, "conditions")["urgency"], Map)


# -- on a live server ------------------------------------------------------------------------


@pytest.fixture
async def js() -> AsyncIterator[YjsDriver]:
    async with YjsDriver.start() as driver:
        yield driver


def sqlite_url(server: AtelierServer) -> str:
    return f"sqlite:///{server.data_dir / 'atelier.db'}"


def old_board(server: AtelierServer, database_url: str | None = None) -> str:
    board = f"old-{secrets.token_hex(3)}"
    store_v1_board(database_url or sqlite_url(server), board)
    return board


async def connect(js: YjsDriver, server: AtelierServer, board: str, client: str) -> None:
    token = await asyncio.to_thread(server.invite, board, "participant", "etat")
    params = {"token": token, "name": "Marie", "acks": "1"}
    await js.connect(client, url=server.ws_url, room=board, params=params)
    await js.wait_synced(client)


def upgrade_steps(server: AtelierServer, board: str) -> list[dict[str, Any]]:
    history = server.api("GET", f"/api/boards/{board}/history").json()
    return [
        entry
        for entry in history["entries"]
        if any(c["kind"] == "layout_upgraded" for c in entry["changes"])
    ]


def test_an_unupgraded_board_reads_offline_as_it_was(atelier: AtelierServer) -> None:
    board = old_board(atelier)
    content = valid(atelier.api("GET", f"/api/boards/{board}/content").json())
    assert content["meta"]["layoutVersion"] == 1
    assert content["meta"]["parts"] == ["continuum", "chain", "agreement"]
    assert content["problems"] == []
    history = atelier.api("GET", f"/api/boards/{board}/history")
    assert history.status_code == 200
    assert [e["caption"]["en"] for e in history.json()["entries"]] == ["Board created"]


async def test_an_official_client_sees_the_parts_of_an_old_board(
    js: YjsDriver, atelier: AtelierServer
) -> None:
    board = old_board(atelier)
    await connect(js, atelier, board, "a")
    doc = await js.doc("a")
    assert doc["meta"]["layoutVersion"] == layout.LAYOUT_VERSION
    assert set(doc["conditions"]["urgency"]) == {"evidence", "next"}
    assert doc["support"]["trust"]["parties"] == {}


async def test_the_upgrade_is_one_server_step_in_the_history(
    js: YjsDriver, atelier: AtelierServer
) -> None:
    board = old_board(atelier)
    await connect(js, atelier, board, "b")
    await asyncio.wait_for(_until(lambda: bool(upgrade_steps(atelier, board))), WAIT_SECONDS)
    (step,) = upgrade_steps(atelier, board)
    assert step["author"] is None
    assert step["caption"]["fr"].startswith("Tableau mis à niveau (structure 1 → 2)")
    assert [c["kind"] for c in step["changes"]] == ["layout_upgraded"]


async def test_text_typed_after_the_upgrade_is_kept_across_a_restart(
    js: YjsDriver, start_atelier: Any
) -> None:
    server: AtelierServer = start_atelier()
    board = old_board(server)
    await connect(js, server, board, "c")
    path = ["conditions", "urgency"]
    await js.call(
        "deep_text_insert", client="c", path=path, key="evidence", index=0, content="Crue"
    )
    await js.wait_acked("c", 1)
    await js.destroy("c")
    server.restart()
    await connect(js, server, board, "d")
    assert (await js.doc("d"))["conditions"]["urgency"]["evidence"] == "Crue"
    content = server.api("GET", f"/api/boards/{board}/content").json()
    assert content["conditions"][0]["evidence"] == "Crue"
    assert len(upgrade_steps(server, board)) == 1


async def _until(check: Any) -> None:
    while not await asyncio.to_thread(check):
        await asyncio.sleep(0.05)


# -- two instances ---------------------------------------------------------------------------


@pytest.fixture
def two_instances(
    postgres_admin_url: str, redis_server: RedisServer, tmp_path: Path
) -> Iterator[tuple[AtelierServer, AtelierServer, str]]:
    database = create_database(postgres_admin_url, f"upgrade_{secrets.token_hex(5)}")
    env = {"DATABASE_URL": database, "REDIS_URL": redis_server.url, "ATELIER_MIGRATE_ON_START": "1"}
    a, b = AtelierServer(tmp_path / "a", env=env), AtelierServer(tmp_path / "b", env=env)
    a.start()
    b.start()
    for server in (a, b):
        for _ in range(200):
            if (
                httpx.get(f"{server.base_url}/readyz", timeout=5)
                .json()["checks"]
                .get("redis_connected")
            ):
                break
    yield a, b, database
    for server in (a, b):
        if server.process is not None:
            server.kill9()


async def test_two_instances_loading_an_old_board_at_once_lose_no_text(
    js: YjsDriver, two_instances: tuple[AtelierServer, AtelierServer, str]
) -> None:
    a, b, database = two_instances
    board = old_board(a, database)
    await asyncio.gather(connect(js, a, board, "on-a"), connect(js, b, board, "on-b"))
    # each types into the containers its own instance's upgrade made, before hearing the other
    await js.call(
        "deep_text_insert", client="on-a", path=["conditions", "urgency"], key="evidence",
        index=0, content="Vu par A",
    )  # fmt: skip
    await js.call(
        "deep_text_insert", client="on-b", path=["support", "trust"], key="who",
        index=0, content="Vu par B",
    )  # fmt: skip
    both = (await js.wait_equal(["on-a", "on-b"], timeout_ms=15_000))["doc"]
    assert both["conditions"]["urgency"]["evidence"] == "Vu par A"
    assert both["support"]["trust"]["who"] == "Vu par B"
    for server in (a, b):
        content = server.api("GET", f"/api/boards/{board}/content").json()
        assert content["conditions"][0]["evidence"] == "Vu par A"
        assert content["support"][1]["who"] == "Vu par B"
