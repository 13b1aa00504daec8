"""Each site has 10 hours of coaching: its budget against the summed length of its sessions."""

from __future__ import annotations

from contextlib import closing

from tests.support.archive import database, end_session, problem, start_session, valid
from tests.support.atelier_server import AtelierServer

HOUR = 3600.0


def new_site(atelier: AtelierServer, **body: object) -> str:
    response = atelier.api("POST", "/api/sites", json={"title": "Saint-Dizier", **body})
    return str(valid("api/site.schema.json", response, 201)["id"])


def site_board(atelier: AtelierServer, site: str) -> str:
    body = {"title": "Atelier", "template": "workshop", "site": site}
    return str(atelier.api("POST", "/api/boards", json=body).json()["id"])


def held_session(atelier: AtelierServer, board: str, hours: float) -> None:
    """An ended session that lasted ``hours`` (its times set as if it had)."""
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "Séance")
    end_session(atelier, session["id"], facilitator)
    with closing(database(atelier)) as conn, conn:
        conn.execute(
            "UPDATE sessions SET ended_at = started_at + ? WHERE id = ?",
            (hours * HOUR, session["id"]),
        )


def coaching_of(atelier: AtelierServer, site: str) -> dict[str, object]:
    detail = valid("api/site-detail.schema.json", atelier.api("GET", f"/api/sites/{site}"))
    coaching: dict[str, object] = detail["coaching"]
    return coaching


def test_a_site_has_ten_hours_unless_told_otherwise(atelier: AtelierServer) -> None:
    assert coaching_of(atelier, new_site(atelier))["budget_s"] == 10 * HOUR
    assert coaching_of(atelier, new_site(atelier, coaching_hours=12))["budget_s"] == 12 * HOUR


def test_the_sessions_of_every_board_of_the_site_add_up(atelier: AtelierServer) -> None:
    site = new_site(atelier)
    first, second = site_board(atelier, site), site_board(atelier, site)
    held_session(atelier, first, 2.0)
    held_session(atelier, first, 1.5)
    held_session(atelier, second, 3.0)
    coaching = coaching_of(atelier, site)
    assert abs(float(str(coaching["used_s"])) - 6.5 * HOUR) < 5
    assert coaching["exceeded"] is False


def test_going_past_the_budget_is_flagged(atelier: AtelierServer) -> None:
    site = new_site(atelier, coaching_hours=2)
    held_session(atelier, site_board(atelier, site), 2.5)
    assert coaching_of(atelier, site)["exceeded"] is True


def test_the_operator_changes_a_site_budget_later(atelier: AtelierServer) -> None:
    site = new_site(atelier)
    response = atelier.api("PATCH", f"/api/sites/{site}", json={"coaching_hours": 14})
    assert valid("api/site.schema.json", response)["coaching_hours"] == 14
    assert coaching_of(atelier, site)["budget_s"] == 14 * HOUR


def test_a_budget_must_be_positive(atelier: AtelierServer) -> None:
    site = new_site(atelier)
    problem(atelier.api("PATCH", f"/api/sites/{site}", json={"coaching_hours": 0}), 400)
    problem(atelier.api("POST", "/api/sites", json={"title": "x", "coaching_hours": -1}), 400)


def test_a_facilitator_cannot_change_the_budget(atelier: AtelierServer) -> None:
    site = new_site(atelier)
    facilitator = atelier.api(
        "POST", f"/api/sites/{site}/invites", json={"role": "facilitator"}
    ).json()["token"]
    response = atelier.api("PATCH", f"/api/sites/{site}", facilitator, json={"coaching_hours": 99})
    problem(response, 403)


def test_the_board_facilitator_sees_the_site_hours(atelier: AtelierServer) -> None:
    site = new_site(atelier, coaching_hours=3)
    board = site_board(atelier, site)
    held_session(atelier, board, 1.0)
    facilitator = atelier.invite(board, "facilitator")
    response = atelier.api("GET", f"/api/boards/{board}/coaching", facilitator)
    coaching = valid("api/coaching.schema.json", response)
    assert (coaching["site"], coaching["budget_s"]) == (site, 3 * HOUR)
    assert abs(coaching["used_s"] - HOUR) < 5


def test_participants_do_not_see_the_coaching_hours(atelier: AtelierServer) -> None:
    board = site_board(atelier, new_site(atelier))
    participant = atelier.invite(board, "participant", party="etat")
    problem(atelier.api("GET", f"/api/boards/{board}/coaching", participant), 403)


def test_a_board_outside_any_site_counts_its_own_sessions_without_a_budget(
    atelier: AtelierServer,
) -> None:
    board = atelier.create_board()
    held_session(atelier, board, 0.5)
    coaching = valid(
        "api/coaching.schema.json", atelier.api("GET", f"/api/boards/{board}/coaching")
    )
    assert coaching["budget_s"] is None
    assert abs(coaching["used_s"] - HOUR / 2) < 5
