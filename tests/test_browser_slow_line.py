"""A weak line is still usable: under DevTools emulation of a slow 3G line (400 kbit/s, 400 ms
round trip), a participant opens the invite link, gets an editable board, and what they write
reaches another participant. How long it takes is measured in bench/page_weight.py, not
asserted here."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.atelier_server import AtelierServer
from tests.support.browser import Person
from tests.support.network import emulate
from tests.support.offline import SECTION, invite_url, section_text, type_in_section


def test_on_a_slow_3g_line_the_board_becomes_editable_and_an_edit_reaches_the_others(
    atelier: AtelierServer, marie: Person, claire: Person
) -> None:
    board_id = atelier.create_board()
    claire.join(invite_url(atelier, board_id, party="collectivite"))
    claire.tab("agreement")
    emulate(marie.page)
    marie.join(invite_url(atelier, board_id, party="etat"))
    expect(marie.page.locator('[data-key="add-coexistence"]')).to_be_enabled()
    type_in_section(marie, "Écrit depuis la salle des fêtes.")
    expect(claire.page.locator(SECTION)).to_have_value("Écrit depuis la salle des fêtes.")
    marie.wait_saved()
    assert section_text(atelier, board_id) == "Écrit depuis la salle des fêtes."
