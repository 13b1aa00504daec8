"""The programme dashboard: one row per site for the national team, as JSON or a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tests.support.archive import valid
from tests.support.atelier_server import AtelierServer
from tests.support.journeys import Site


@pytest.fixture
def moving_site(atelier: AtelierServer) -> Site:
    """A site that agreed Coexistence, then Coordination: three steps to the right."""
    site = Site(atelier, "Vallée de l'Aube")
    answers = {"etat": "communication", "collectivite": "coexistence"}
    site.positioning_session("Séance 1", answers, agreed="coexistence", hours=2.0)
    answers = {"etat": "coordination", "collectivite": "coordination"}
    site.positioning_session("Séance 2", answers, agreed="coordination", hours=1.0)
    return site


def row_of(atelier: AtelierServer, site: Site, token: str | None = None) -> dict[str, Any]:
    table = valid("api/programme.schema.json", atelier.api("GET", "/api/programme", token))
    [row] = [r for r in table["sites"] if r["site"] == site.id]
    return row


def test_a_row_says_where_the_site_stands_and_how_far_it_moved(
    atelier: AtelierServer, moving_site: Site
) -> None:
    row = row_of(atelier, moving_site)
    assert (row["first_level"], row["level"], row["level_change"]) == (
        "coexistence",
        "coordination",
        3,
    )
    assert [point["level"] for point in row["levels"]] == ["coexistence", "coordination"]
    assert row["sessions"] == 2


def test_a_row_adds_up_the_hours_and_lists_roles_nobody_carries(
    atelier: AtelierServer, moving_site: Site
) -> None:
    row = row_of(atelier, moving_site)
    assert row["coaching"] == {"used_s": 10800.0, "budget_s": 36000.0}
    assert len(row["roles_uncovered"]) == 7


def test_a_row_says_whether_the_latest_session_evidence_verifies(
    atelier: AtelierServer,
) -> None:
    site = Site(atelier, "Site vérifié")
    site.positioning_session("Séance", {"etat": "assistance"}, agreed="assistance")
    assert row_of(atelier, site)["evidence_ok"] is True


def test_a_session_whose_times_were_changed_in_the_database_does_not_verify(
    atelier: AtelierServer, moving_site: Site
) -> None:
    assert row_of(atelier, moving_site)["evidence_ok"] is False


def test_a_site_without_sessions_has_an_empty_row(atelier: AtelierServer) -> None:
    site = Site(atelier, "Nouveau site")
    row = row_of(atelier, site)
    assert (row["level"], row["sessions"], row["evidence_ok"]) == (None, 0, None)


def test_a_coordinator_reads_the_dashboard_and_facilitators_do_not(
    atelier: AtelierServer, moving_site: Site
) -> None:
    coordinator = atelier.api(
        "POST", "/api/programme/invites", json={"role": "coordinator"}
    ).json()["token"]
    assert row_of(atelier, moving_site, coordinator)["level"] == "coordination"
    refused = atelier.api("GET", "/api/programme", moving_site.facilitator)
    assert refused.status_code == 403


def test_the_french_csv_opens_in_excel_with_its_accents(
    atelier: AtelierServer, moving_site: Site
) -> None:
    response = atelier.api("GET", "/api/programme?format=csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    header, *body = rows
    assert header[:3] == ["Site (identifiant)", "Site", "Niveau retenu"]
    assert "Évolution (niveaux)" in header
    [row] = [r for r in body if r[0] == moving_site.id]
    cells = dict(zip(header, row, strict=True))
    assert cells["Site"] == "Vallée de l'Aube"
    assert (cells["Niveau retenu"], cells["Premier niveau retenu"]) == (
        "Coordination",
        "Coexistence",
    )
    assert cells["Heures utilisées"] == "3,0"
    assert cells["Preuves vérifiées"] == "non"  # its session times were rewritten


def test_the_english_csv_uses_commas(atelier: AtelierServer, moving_site: Site) -> None:
    response = atelier.api("GET", "/api/programme?format=csv&lang=en")
    header, *body = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[2] == "Agreed level"
    [row] = [r for r in body if r[0] == moving_site.id]
    assert dict(zip(header, row, strict=True))["Hours used"] == "3.0"
