"""Readable reports of a dossier: HTML from the Jinja templates under
``web/templates/reports``, and the same page as PDF through WeasyPrint."""

from __future__ import annotations

import functools
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.archive.contributions import ACTS
from server.archive.dossiers import Dossier, Frame
from server.archive.export import session_record
from server.archive.report_words import WORDS
from server.boards.labels import (
    COLOR_HEX,
    LEVELS,
    PARTS,
    PARTY_BY_ID,
    SECTION_BY_ID,
    STATUS_BY_ID,
    TIERS,
    Localized,
    loc,
    pick,
    quote,
)
from server.boards.method import FIELDS
from server.boards.method_diff import NOT_SCORED
from server.boards.projection import Projection
from server.core.clock import iso
from server.core.resources import resource_dir


@functools.cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(resource_dir("web", "templates/reports") / "templates" / "reports"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def template(name: str) -> Any:
    """A report template under ``web/templates/reports`` (the site dossier has its own)."""
    return _environment().get_template(name)


def render_html(d: Dossier, lang: str = "fr") -> str:
    """The readable report: continuum, chain, agreement, what changed, balance of voice and
    the hash chain. French unless ``lang`` is ``en``."""
    lang = "en" if lang == "en" else "fr"
    return _environment().get_template("report.html").render(**_report_context(d, lang))


PDF_VARIANT = "pdf/ua-1"
"""Tagged PDF (PDF/UA-1): a structure tree in reading order, the document's language and its
title shown in the window, so that a screen reader can read the report (RGAA)."""


def render_pdf(d: Dossier, lang: str = "fr") -> bytes:
    """The report as PDF (WeasyPrint, imported only when a PDF is asked for)."""
    return html_to_pdf(render_html(d, lang))


def html_to_pdf(html: str) -> bytes:
    """Any readable page as a tagged PDF; its ``<title>`` and ``<html lang>`` become the
    PDF's title and language."""
    import weasyprint  # type: ignore[import-untyped]

    pdf: bytes = weasyprint.HTML(string=html).write_pdf(pdf_variant=PDF_VARIANT)
    return pdf


def _report_context(d: Dossier, lang: str) -> dict[str, Any]:
    def t(text: Localized | None) -> str:
        return "" if text is None else pick(text, lang)

    projection = d.last.projection
    return {
        "lang": lang,
        "t": t,
        "w": lambda key: pick(WORDS[key], lang),
        "when": _when,
        "d": d,
        "board": d.board,
        "session": None if d.session is None else session_record(d.session, d.facilitator),
        "frames": [_frame_view(f) for f in d.frames],
        "parts": projection["meta"]["parts"],
        "part_labels": {part.id: part.label for part in PARTS},
        "colon": "\u00a0:" if lang == "fr" else ":",
        "percent": "\u00a0%" if lang == "fr" else "%",
        "quote": lambda text: t(quote(text)),
        "levels": _levels(projection),
        "chain": _chain_view(projection),
        "sections": _sections(projection),
        "conditions": projection.get("conditions", []),
        "support": [
            {**role, "party_labels": [party_label(p) for p in role["parties"]]}
            for role in projection.get("support", [])
        ],
        "method_fields": FIELDS,
        "not_scored": NOT_SCORED,
        "changes": [t(change["caption"]) for change in d.changes()],
        "parties": _party_rows(d.contributions),
        "facilitation": _with_other(d.contributions["facilitation"]),
        "voice_method": d.contributions["method"],
        "participants": _participant_rows(d.contributions),
        "problems": [t(found["message"]) for found in projection["problems"]],
        "generated_at": iso(d.generated_at),
    }


def _when(value: str | None) -> str:
    """``2026-11-28T10:00:00.123456Z`` -> ``2026-11-28 10:00:00 UTC``."""
    if not value:
        return ""
    return value.replace("T", " ")[:19] + " UTC"


def party_label(party: str | None) -> Localized | None:
    """A party's label (None: no party, or one the programme does not know)."""
    found = PARTY_BY_ID.get(party or "")
    return found.label if found else None


def _frame_view(f: Frame) -> dict[str, Any]:
    header = f.header
    return {
        "number": f.row.number,
        "kind": f.row.kind,
        "label": header["label"],
        "taken_at": header["taken_at"],
        "author": header["author"],
        "seq": f.row.seq,
        "hash": f.row.hash,
        "prev": header["prev"],
    }


def _levels(projection: Projection) -> list[dict[str, Any]]:
    by_level: dict[str | None, list[dict[str, Any]]] = {}
    for note in projection["notes"]:
        by_level.setdefault(note["level"], []).append(
            {
                "text": note["text"],
                "author": note["author"]["name"],
                "party": party_label(note["author"]["party"]),
                "votes": note["votes"]["count"],
                "color": COLOR_HEX.get(note["color"] or "", COLOR_HEX["yellow"]),
            }
        )
    return [
        {"label": level.label, "meaning": level.meaning, "notes": by_level.get(level.id, [])}
        for level in LEVELS
    ]


def _chain_view(projection: Projection) -> dict[str, Any]:
    chain = projection["chain"]
    names = {item["id"]: item["text"] for item in chain["items"]}
    tiers = [
        {
            "label": tier.label,
            "items": [
                {
                    "text": i["text"],
                    "author": i["author"]["name"],
                    "party": party_label(i["author"]["party"]),
                }
                for i in chain["items"]
                if i["tier"] == tier.id
            ],
        }
        for tier in TIERS
        if tier.id != "vision"
    ]
    links = [
        {"from": _end(link["from"], names), "to": _end(link["to"], names)}
        for link in chain["links"]
    ]
    return {"vision": chain["vision"], "tiers": tiers, "links": links}


def _end(end: str, names: dict[str, str]) -> Localized:
    if end == "vision":
        return loc("Vision", "Vision")
    text = names.get(end)
    return loc(text, text) if text is not None else loc(f"({end} absent)", f"({end} missing)")


def _sections(projection: Projection) -> list[dict[str, Any]]:
    views = []
    for section in projection["agreement"]["sections"]:
        known = SECTION_BY_ID.get(section["id"])
        status = STATUS_BY_ID.get(section["status"])
        views.append(
            {
                "id": section["id"],
                "label": known.label if known else loc(section["id"], section["id"]),
                "questions": list(known.questions) if known else [],
                "status": section["status"],
                "status_label": status.label
                if status
                else loc(section["status"], section["status"]),
                "text": section["text"],
                "approvals": [
                    {
                        "party": party_label(a["party"]),
                        "by": a["by"],
                        "invite": a["invite"],
                        "at": a["at"],
                        "current": a["current"],
                    }
                    for a in section["approvals"]
                ],
                "pending": [party_label(party) for party in section["pending"]],
            }
        )
    return views


OTHER_ACTS = ("links", "round_answers", "condition_scores", "support_changes")


def _with_other(row: dict[str, Any]) -> dict[str, Any]:
    """A party's row with the acts that have no column of their own summed."""
    return {**row, "other": sum(row["counts"][kind] for kind in OTHER_ACTS)}


def _party_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [{**_with_other(row), "share": round(100 * row["share"])} for row in figures["parties"]]


def _participant_rows(figures: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": row["name"],
            "party": party_label(row["party"]),
            "counts": row["counts"],
            "acts": sum(row["counts"][kind] for kind in ACTS),
        }
        for row in figures["participants"]
    ]
