"""The shared timer's « +1 min »: ``{"add": 60}`` moves the set timer's end, for everyone."""

from __future__ import annotations

import pytest

from server.core.clock import parse_iso
from tests.support.archive import problem, valid
from tests.support.atelier_server import AtelierServer


def test_adding_a_minute_moves_the_running_timers_end_by_sixty_seconds(
    atelier: AtelierServer,
) -> None:
    board_id = atelier.create_board()
    timer = f"/api/boards/{board_id}/timer"
    started = valid("api/timer.schema.json", atelier.api("POST", timer, json={"seconds": 300}))
    added = valid("api/timer.schema.json", atelier.api("POST", timer, json={"add": 60}))
    assert parse_iso(added["endsAt"]) - parse_iso(started["endsAt"]) == pytest.approx(60)
    assert (added["running"], added["duration"]) == (True, 360)


def test_adding_time_when_no_timer_is_set_is_a_conflict(atelier: AtelierServer) -> None:
    board_id = atelier.create_board()
    timer = f"/api/boards/{board_id}/timer"
    assert "no timer" in problem(atelier.api("POST", timer, json={"add": 60}), 409)["detail"]


@pytest.mark.parametrize("body", [{"add": 0}, {"add": 60, "seconds": 300}, {"add": "60"}])
def test_a_bad_timer_extension_is_refused(atelier: AtelierServer, body: object) -> None:
    board_id = atelier.create_board()
    response = atelier.api("POST", f"/api/boards/{board_id}/timer", json=body)
    assert problem(response, 400)["errors"]
