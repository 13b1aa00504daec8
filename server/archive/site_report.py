"""The site dossier's report: a site's whole journey on a few pages, as HTML and tagged PDF.

It reads the site's trajectory (``archive.trajectory``) and the latest session's board as it
ended; the diagrams are SVG drawn by the server (``archive.charts``), each followed by the
same figures as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.archive.charts import chain_svg, trajectory_svg
from server.archive.contributions import METHOD as VOICE_METHOD
from server.archive.programme import hours
from server.archive.reports import html_to_pdf, party_label, template
from server.boards.labels import (
    LEVEL_BY_ID,
    PARTY_BY_ID,
    SECTION_BY_ID,
    STATUS_BY_ID,
    TIER_BY_ID,
    TRINOME,
    Localized,
    loc,
    pick,
)
from server.boards.method import CRITERIA, ROLES
from server.boards.projection import Projection
from server.core.clock import iso


@dataclass(frozen=True)
class SiteDossier:
    """What the report and the zip show: the trajectory and the latest board."""

    journey: dict[str, Any]
    latest: Projection | None
    """The board of the latest session as that session ended (None: no session yet)."""
    generated_at: float


WORDS: dict[str, Localized] = {
    "title": loc("Dossier du site", "Site dossier"),
    "generated": loc("Produit le", "Generated on"),
    "hours": loc("Heures d'accompagnement", "Coaching hours"),
    "hours_of": loc("{used} h utilisées sur {budget} h", "{used} h used of {budget} h"),
    "sessions": loc("Séances", "Sessions"),
    "no_session": loc("Aucune séance pour l'instant.", "No session yet."),
    "trajectory": loc("Trajectoire sur l'échelle de coopération", "Trajectory on the continuum"),
    "traj_desc": loc(
        "Pour chaque séance (numérotée de la plus ancienne à la plus récente), le niveau retenu "
        "par le groupe (ligne noire) et la position révélée de chaque partie (marques). Le "
        "tableau qui suit donne les mêmes valeurs.",
        "For each session (numbered oldest first), the level the group agreed (black line) and "
        "each party's revealed position (marks). The table below holds the same values.",
    ),
    "agreed": loc("Niveau retenu", "Agreed level"),
    "session": loc("Séance", "Session"),
    "date": loc("Date", "Date"),
    "duration": loc("Durée", "Duration"),
    "board": loc("Tableau", "Board"),
    "conditions": loc("Préconditions et conditions au fil des séances", "Conditions over sessions"),
    "criterion": loc("Critère", "Criterion"),
    "roles": loc("Rôles de la structure de soutien", "Roles of the support structure"),
    "role": loc("Rôle", "Role"),
    "carried": loc("porté", "carried"),
    "not_carried": loc("non porté", "nobody"),
    "agreement": loc("Entente de coopération (dernière séance)", "Cooperation agreement (latest)"),
    "approved_by": loc("Approuvée par", "Approved by"),
    "status": loc("Statut", "Status"),
    "empty": loc("(vide)", "(empty)"),
    "chain": loc("Stratégie de changement (dernière séance)", "Change chain (latest session)"),
    "chain_desc": loc(
        "Une colonne par niveau de changement, des changements directs (à gauche) à la vision "
        "(à droite) ; les liens en pointillés rouges vont à rebours.",
        "A column per tier, from direct changes (left) to the vision (right); dashed red links "
        "run backwards.",
    ),
    "voice": loc("Équilibre des voix par séance", "Balance of voice per session"),
    "none": loc("—", "—"),
}


def render_html(d: SiteDossier, lang: str = "fr") -> str:
    lang = "en" if lang == "en" else "fr"
    html: str = template("site.html").render(**_context(d, lang))
    return html


def render_pdf(d: SiteDossier, lang: str = "fr") -> bytes:
    return html_to_pdf(render_html(d, lang))


def _context(d: SiteDossier, lang: str) -> dict[str, Any]:
    def t(text: Localized | None) -> str:
        return "" if text is None else pick(text, lang)

    def w(key: str) -> str:
        return t(WORDS[key])

    sessions = d.journey["sessions"]
    coaching = d.journey["coaching"]
    party_names = {p: t(PARTY_BY_ID[p].label) for p in TRINOME}
    chart_words = {"title": w("trajectory"), "desc": w("traj_desc"), "agreed": w("agreed")}
    return {
        "lang": lang,
        "t": t,
        "w": w,
        "site": d.journey["site"],
        "generated_at": iso(d.generated_at).replace("T", " ")[:16] + " UTC",
        "hours": w("hours_of").format(
            used=hours(coaching["used_s"], lang), budget=hours(coaching["budget_s"], lang)
        ),
        "sessions": [_session_view(s, lang) for s in sessions],
        "parties": [(p, party_names[p]) for p in TRINOME],
        "trajectory_svg": trajectory_svg(sessions, {**chart_words, **party_names}, lang),
        "criteria": [_criterion_row(c.id, t(c.label), sessions) for c in CRITERIA],
        "roles": [_role_row(r.id, t(r.label), sessions) for r in ROLES],
        "sections": _sections(d.latest, lang),
        "chain_svg": _chain(d.latest, w, lang),
        "colon": "\u00a0:" if lang == "fr" else ":",
        "voice_method": t(VOICE_METHOD),
    }


def _session_view(s: dict[str, Any], lang: str) -> dict[str, Any]:
    def level(value: str | None) -> str:
        return pick(LEVEL_BY_ID[value].label, lang) if value in LEVEL_BY_ID else "—"

    voice = {p["party"]: f"{round(p['share'] * 100)} %" for p in s["voice"]["parties"]}
    return {
        "title": s["title"],
        "board": s["board_title"],
        "date": s["started_at"][:10],
        "duration": f"{round(s['duration_s'] / 60)} min",
        "agreed": level(s["position"]["agreed"]),
        "positions": {
            p: ", ".join(level(v) for v in s["position"]["parties"].get(p, [])) or "—"
            for p in TRINOME
        },
        "voice": voice,
    }


def _criterion_row(item: str, label: str, sessions: list[dict[str, Any]]) -> dict[str, Any]:
    scores = []
    for s in sessions:
        agreed = s["conditions"]["agreed"] or {}
        value = agreed.get(item, s["conditions"]["board"].get(item))
        scores.append("—" if value is None else f"{value}/4")
    return {"label": label, "scores": scores}


def _role_row(role: str, label: str, sessions: list[dict[str, Any]]) -> dict[str, Any]:
    marks = []
    for s in sessions:
        support = s["support"]
        marks.append(None if not support["part"] else role in support["covered"])
    return {"label": label, "marks": marks}


def _sections(latest: Projection | None, lang: str) -> list[dict[str, Any]]:
    if latest is None:
        return []
    rows = []
    for section in latest["agreement"]["sections"]:
        approvals = [
            pick(label, lang) + (f" ({a['by']})" if a["by"] else "")
            for a in section["approvals"]
            if a["current"] and (label := party_label(a["party"])) is not None
        ]
        rows.append(
            {
                "label": pick(SECTION_BY_ID[section["id"]].label, lang),
                "text": section["text"],
                "status": pick(STATUS_BY_ID[section["status"]].label, lang),
                "approvals": approvals,
            }
        )
    return rows


def _chain(latest: Projection | None, w: Any, lang: str) -> str | None:
    if latest is None:
        return None
    tiers = {tier_id: tier.label for tier_id, tier in TIER_BY_ID.items()}
    words = {"chain_title": w("chain"), "chain_desc": w("chain_desc")}
    return chain_svg(dict(latest["chain"]), words, tiers, lang)
