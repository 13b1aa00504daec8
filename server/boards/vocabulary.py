"""The programme's vocabulary as the browser reads it: what GET /api/templates serves.

Guiding questions shown above each board live here with the labels they accompany.
"""

from __future__ import annotations

import copy
from typing import Any

from .labels import (
    COLOR_HEX,
    COLORS,
    LEVELS,
    PARTIES,
    PARTS,
    SECTIONS,
    STATUSES,
    TEMPLATE_PARTS,
    TEMPLATES,
    TIERS,
    ZONES,
    Party,
    loc,
)
from .method_catalog import method_json


def templates_catalog() -> dict[str, Any]:
    """Everything the browser needs to label a board, as JSON-ready data (a fresh copy)."""
    catalog = {
        "languages": ["fr", "en"],
        "templates": [
            {"id": t.id, "label": t.label, "parts": list(TEMPLATE_PARTS[t.id])} for t in TEMPLATES
        ],
        "parties": [_party_json(p) for p in PARTIES],
        "colors": [{"id": c.id, "label": c.label, "hex": COLOR_HEX[c.id]} for c in COLORS],
        "zones": [{"id": z.id, "label": z.label} for z in ZONES],
        "continuum": _continuum_json(),
        "chain": _chain_json(),
        "agreement": _agreement_json(),
        "method": method_json(),
    }
    return copy.deepcopy(catalog)


def _party_json(party: Party) -> dict[str, Any]:
    return {
        "id": party.id,
        "label": party.label,
        "withArticle": party.with_article,
        "trinome": party.trinome,
    }


def _continuum_json() -> dict[str, Any]:
    return {
        "label": PARTS[0].label,
        "axis": {
            "from": loc("Rivalité — moins de structure", "Rivalry — less structure"),
            "to": loc("Confiance — plus de structure", "Trust — more structure"),
        },
        "questions": [
            loc(
                "Où se situe notre site aujourd'hui sur l'axe de coopération ?",
                "Where does our site stand on the cooperation axis today?",
            ),
            loc(
                "Quelles avancées récentes expliquent ce positionnement ?",
                "Which recent steps forward explain this position?",
            ),
        ],
        "levels": [{"id": lv.id, "label": lv.label, "meaning": lv.meaning} for lv in LEVELS],
    }


def _chain_json() -> dict[str, Any]:
    return {
        "label": PARTS[1].label,
        "questions": [
            loc(
                "Quelle est la vision d'avenir pour le développement de notre territoire ?",
                "What is our vision for the future of our territory?",
            ),
            loc(
                "Quelle est la stratégie de changement pour cheminer vers la vision "
                "d'avenir (changements de cadre de vie, de pratiques et comportements, "
                "de connaissances) ?",
                "Which change strategy leads towards that vision (changes in living "
                "environment, in practices and behaviours, in knowledge)?",
            ),
            loc(
                "Comment schématiser ces repères communs en une page ?",
                "How do we draw these shared landmarks on a single page?",
            ),
        ],
        "tiers": [
            {
                "id": t.id,
                "label": t.label,
                "itemLabel": t.item_label,
                "question": t.question,
                "leadsTo": t.leads_to,
            }
            for t in TIERS
        ],
    }


def _agreement_json() -> dict[str, Any]:
    return {
        "label": PARTS[2].label,
        "purpose": loc(
            "Identifier les principaux repères de notre mode de fonctionnement pour "
            "collaborer à la réalisation de la stratégie de changement et cheminer vers "
            "notre vision.",
            "Set out the main landmarks of how we work together to carry out the change "
            "strategy and move towards our vision.",
        ),
        "statuses": [{"id": s.id, "label": s.label} for s in STATUSES],
        "sections": [
            {"id": s.id, "label": s.label, "questions": list(s.questions)} for s in SECTIONS
        ],
    }
