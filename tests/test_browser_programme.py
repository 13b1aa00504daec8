"""The programme dashboard in Chromium: a coordinator's link opens it, every site has its row,
the table sorts and filters, the chart draws each site's levels, the spreadsheet downloads."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person, axe_violations, describe
from tests.support.journeys import Site


@pytest.fixture
def two_sites(atelier: AtelierServer) -> tuple[Site, Site]:
    """One site that moved from Coexistence to Coordination, one that agreed Assistance."""
    moving, steady = Site(atelier, "Val de Sambre"), Site(atelier, "Aunis")
    moving.positioning_session("Séance 1", {"etat": "coexistence"}, agreed="coexistence")
    moving.positioning_session("Séance 2", {"etat": "coordination"}, agreed="coordination")
    steady.positioning_session("Séance 1", {"etat": "assistance"}, agreed="assistance")
    return moving, steady


def open_dashboard(atelier: AtelierServer, person: Person) -> None:
    invite = atelier.api("POST", "/api/programme/invites", json={"role": "coordinator"}).json()
    page = person.page
    page.goto(invite["url"])
    page.fill("#join-name", person.name)
    page.click("#join-form button[type=submit]")
    page.wait_for_url("**/programme")
    expect(page.locator(".programme-table tbody tr").first).to_be_visible()


def test_a_coordinator_link_opens_the_dashboard_with_a_row_per_site(
    atelier: AtelierServer, two_sites: tuple[Site, Site], claire: Person
) -> None:
    moving, steady = two_sites
    open_dashboard(atelier, claire)
    row = claire.page.locator(f'tr[data-site="{moving.id}"]')
    expect(row).to_contain_text("Val de Sambre")
    expect(row).to_contain_text("Coordination")
    expect(row).to_contain_text("+3 niveaux depuis la première séance")
    expect(claire.page.locator(f'tr[data-site="{steady.id}"]')).to_contain_text("Assistance")


def test_sorting_by_level_puts_the_furthest_site_first(
    atelier: AtelierServer, two_sites: tuple[Site, Site], claire: Person
) -> None:
    open_dashboard(atelier, claire)
    page = claire.page
    header = page.get_by_role("button", name="Niveau retenu")
    header.click()
    header.click()  # descending: the highest level first
    expect(page.locator("th", has=header)).to_have_attribute("aria-sort", "descending")
    rows = page.locator(".programme-table tbody tr")
    expect(rows.first.locator("td").first).to_have_text("Coordination")
    expect(rows.last.locator("td").first).to_have_text("pas encore")


def test_the_search_keeps_only_matching_sites(
    atelier: AtelierServer, two_sites: tuple[Site, Site], claire: Person
) -> None:
    _, steady = two_sites
    open_dashboard(atelier, claire)
    page = claire.page
    page.fill("#programme-search", steady.id)
    expect(page.locator(".programme-table tbody tr")).to_have_count(1)
    expect(page.locator(".programme-table tbody tr")).to_have_attribute("data-site", steady.id)


def test_the_chart_draws_one_line_per_site_that_agreed_a_level(
    atelier: AtelierServer, two_sites: tuple[Site, Site], claire: Person
) -> None:
    open_dashboard(atelier, claire)
    chart = claire.page.locator("svg.programme-chart")
    expect(chart).to_have_attribute("role", "img")
    lines = claire.page.locator("svg.programme-chart polyline")
    expect(lines).to_have_count(claire.page.locator(".chart-legend li").count())
    expect(claire.page.locator(".chart-legend")).to_contain_text("Val de Sambre")


def test_the_spreadsheet_downloads(
    atelier: AtelierServer, two_sites: tuple[Site, Site], claire: Person
) -> None:
    open_dashboard(atelier, claire)
    with claire.page.expect_download() as download:
        claire.page.get_by_role("button", name="Télécharger le tableur (CSV)").click()
    assert download.value.suggested_filename == "atelier-programme-fr.csv"
    with open(download.value.path(), encoding="utf-8-sig") as spreadsheet:
        first_line = spreadsheet.readline()
    assert first_line.startswith("Site (identifiant);Site;Niveau retenu")


def test_the_dashboard_has_no_serious_accessibility_violation(
    atelier: AtelierServer, two_sites: tuple[Site, Site], claire: Person
) -> None:
    open_dashboard(atelier, claire)
    violations = axe_violations(claire.page)
    assert not violations, describe(violations)


def test_without_a_token_the_page_asks_for_one(atelier: AtelierServer, claire: Person) -> None:
    claire.page.goto(f"{atelier.base_url}/programme")
    expect(claire.page.locator("#programme-token")).to_be_visible()


def test_a_site_dossier_downloads_from_its_row(
    atelier: AtelierServer, two_sites: tuple[Site, Site], claire: Person
) -> None:
    moving, _ = two_sites
    open_dashboard(atelier, claire)
    row = claire.page.locator(f'tr[data-site="{moving.id}"]')
    with claire.page.expect_download() as download:
        row.get_by_role("button", name="Dossier de preuves complet du site Val de Sambre").click()
    assert download.value.suggested_filename == f"atelier-site-{moving.id}.zip"
