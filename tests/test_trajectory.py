"""A site's trajectory: its sessions oldest first, with the positions each party revealed and
the one the group agreed, the hours they took, and who may read it."""

from __future__ import annotations

import pytest

from tests.support.atelier_server import AtelierServer
from tests.support.journeys import PARTIES, Site


@pytest.fixture
def site(atelier: AtelierServer) -> Site:
    """Two sessions: the parties far apart then closer, the agreed level moving right."""
    site = Site(atelier)
    site.positioning_session(
        "Séance 1",
        {"etat": "communication", "collectivite": "coexistence", "societe_civile": "concurrence"},
        agreed="coexistence",
        hours=2.0,
    )
    site.positioning_session(
        "Séance 2",
        {"etat": "coordination", "collectivite": "coordination", "societe_civile": "assistance"},
        agreed="coordination",
        hours=1.5,
    )
    return site


def test_sessions_come_oldest_first_with_their_agreed_levels(site: Site) -> None:
    sessions = site.trajectory()["sessions"]
    assert [s["title"] for s in sessions] == ["Séance 1", "Séance 2"]
    assert [s["position"]["agreed"] for s in sessions] == ["coexistence", "coordination"]
    assert sessions[1]["position"]["latest"] == "coordination"


def test_each_party_revealed_position_is_listed(site: Site) -> None:
    first = site.trajectory()["sessions"][0]["position"]["parties"]
    assert first == {
        "etat": ["communication"],
        "collectivite": ["coexistence"],
        "societe_civile": ["concurrence"],
    }


def test_durations_and_coaching_hours_add_up(site: Site) -> None:
    found = site.trajectory()
    assert [round(s["duration_s"]) for s in found["sessions"]] == [7200, 5400]
    assert found["coaching"] == {"used_s": 12600.0, "budget_s": 36000.0}


def test_each_session_reads_the_board_as_it_ended(site: Site) -> None:
    session = site.trajectory()["sessions"][0]
    assert session["agreement"] == {"draft": 5}
    assert session["support"]["part"] is True
    assert len(session["support"]["uncovered"]) == 7
    assert {p["party"] for p in session["voice"]["parties"]} == set(PARTIES)


def test_a_coordinator_and_the_site_facilitator_read_it(site: Site) -> None:
    atelier = site.atelier
    coordinator = atelier.api(
        "POST", "/api/programme/invites", json={"role": "coordinator"}
    ).json()["token"]
    site_facilitator = atelier.api(
        "POST", f"/api/sites/{site.id}/invites", json={"role": "facilitator"}
    ).json()["token"]
    for token in (coordinator, site_facilitator):
        assert len(site.trajectory(token)["sessions"]) == 2


def test_participants_and_board_facilitators_do_not(site: Site) -> None:
    for token in (site.participants["etat"], site.facilitator):
        response = site.atelier.api("GET", f"/api/sites/{site.id}/trajectory", token)
        assert response.status_code == 403
