"""PDF reports a screen reader can read (RGAA): tagged PDF/UA with a structure tree in reading
order, the report's language, and its title shown as the window title."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject

from server.boards import layout
from tests.support.archive import (
    add_note,
    end_session,
    get_binary,
    participant,
    snapshot,
    start_session,
)
from tests.support.atelier_server import AtelierServer
from tests.support.raw_client import RawClient


@dataclass(frozen=True)
class Held:
    session: str
    snapshot: str
    facilitator: str


async def hold(atelier: AtelierServer) -> Held:
    board = atelier.api("POST", "/api/boards", json={"title": "Atelier"}).json()["id"]
    facilitator = atelier.invite(board, "facilitator")
    session = start_session(atelier, board, facilitator, "Séance 1")
    marie = await participant(atelier, board, "Marie", "etat")
    await add_note(marie, "n1", "Réunion mensuelle", "coexistence", "Marie", "etat")
    await marie.edit(lambda doc: layout.set_section_text(doc, "power", "Le comité décide."))
    await marie.wait_durable()
    taken = snapshot(atelier, board, facilitator, "pause")
    end_session(atelier, session["id"], facilitator)
    await RawClient.close_all()
    return Held(session["id"], taken["id"], facilitator)


@pytest.fixture(scope="module")
def held(atelier: AtelierServer) -> Held:
    return asyncio.run(hold(atelier))


def pdf(atelier: AtelierServer, held: Held, kind: str, lang: str) -> PdfReader:
    ident = held.session if kind == "sessions" else held.snapshot
    path = f"/api/{kind}/{ident}/export?format=pdf&lang={lang}"
    response = get_binary(atelier, path, held.facilitator)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def elements(node: Any) -> Iterator[DictionaryObject]:
    """The structure elements under ``node``, in document (reading) order."""
    kids = node.get_object().get("/K")
    if kids is None:
        return
    kids = kids.get_object()
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, DictionaryObject) and "/S" in kid:
            yield kid
            yield from elements(kid)


def structure(reader: PdfReader) -> list[str]:
    return [str(element["/S"]) for element in elements(reader.trailer["/Root"]["/StructTreeRoot"])]


CASES = [("sessions", "fr"), ("sessions", "en"), ("snapshots", "fr")]


@pytest.mark.parametrize(("kind", "lang"), CASES)
def test_the_pdf_report_is_tagged_in_reading_order(
    atelier: AtelierServer, held: Held, kind: str, lang: str
) -> None:
    reader = pdf(atelier, held, kind, lang)
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    tags = structure(reader)
    assert {"/H1", "/H2", "/H3", "/P", "/Table", "/TH", "/TD"} <= set(tags)
    ident = held.session if kind == "sessions" else held.snapshot
    html = atelier.api(
        "GET", f"/api/{kind}/{ident}/export?format=html&lang={lang}", held.facilitator
    ).text
    in_html = [f"/H{level}" for level in re.findall(r"<h([1-6])[ >]", html)]
    assert [tag for tag in tags if re.fullmatch(r"/H[1-6]", tag)] == in_html


@pytest.mark.parametrize(("kind", "lang"), CASES)
def test_the_pdf_report_names_its_language_and_shows_its_title(
    atelier: AtelierServer, held: Held, kind: str, lang: str
) -> None:
    reader = pdf(atelier, held, kind, lang)
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == lang
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)
    report = {"fr": "Rapport d'atelier", "en": "Workshop report"}[lang]
    assert reader.metadata is not None
    assert reader.metadata.title == f"{report} — Atelier"
    assert reader.xmp_metadata is not None
    assert reader.xmp_metadata.dc_title == {"x-default": f"{report} — Atelier"}


def test_every_table_cell_names_its_headers(atelier: AtelierServer, held: Held) -> None:
    """``th scope`` becomes each cell's /Headers: its column's header, and its row's."""
    reader = pdf(atelier, held, "sessions", "fr")
    found = list(elements(reader.trailer["/Root"]["/StructTreeRoot"]))
    header_ids = {str(e["/ID"]) for e in found if e["/S"] == "/TH" and "/ID" in e}
    cells = [e for e in found if e["/S"] == "/TD"]
    named = [[str(key) for key in cell["/A"].get_object()["/Headers"]] for cell in cells]
    assert cells
    assert all(names and set(names) <= header_ids for names in named)
    assert any(len(names) >= 2 for names in named)  # a row header and a column header


def test_the_report_states_how_shares_are_counted(atelier: AtelierServer, held: Held) -> None:
    text = " ".join(page.extract_text() for page in pdf(atelier, held, "sessions", "fr").pages)
    assert "Méthode" in " ".join(text.split())
    html = atelier.api(
        "GET", f"/api/sessions/{held.session}/export?format=html&lang=en", held.facilitator
    ).text
    assert "Method: shares over the three trinôme parties, facilitation apart" in html
    assert '<th scope="row">Facilitation</th>' in html
