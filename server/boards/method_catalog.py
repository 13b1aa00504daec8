"""The method's vocabulary as GET /api/templates serves it, under its ``method`` key: the
criteria (preconditions and conditions) with descriptions and guiding questions, the 4-level
scale, the 7 roles, and the field labels of the `conditions` and `support` parts. Assessment
rounds read the same key, so a round and a board never name a criterion differently."""

from __future__ import annotations

from typing import Any

from .labels import PARTS, loc
from .method import (
    CONDITIONS_LABEL,
    CRITERIA,
    CRITERION_QUESTIONS,
    FIELDS,
    PRECONDITIONS_LABEL,
    ROLE_QUESTIONS,
    ROLES,
    SCORES,
)


def method_json() -> dict[str, Any]:
    part = {p.id: p.label for p in PARTS}
    return {
        "kinds": [
            {"id": "precondition", "label": PRECONDITIONS_LABEL},
            {"id": "condition", "label": CONDITIONS_LABEL},
        ],
        "criteria": [
            {
                "id": c.id,
                "kind": c.kind,
                "label": c.label,
                "description": c.description,
                "question": CRITERION_QUESTIONS[c.id],
            }
            for c in CRITERIA
        ],
        "scores": [{"value": s.value, "label": s.label} for s in SCORES],
        "roles": [{"id": r.id, "label": r.label, "question": ROLE_QUESTIONS[r.id]} for r in ROLES],
        "fields": dict(FIELDS),
        "conditions": {
            "label": part["conditions"],
            "purpose": loc(
                "Situer notre site sur chacune des 3 préconditions et des 5 conditions de "
                "l'impact collectif, dire ce qui le montre et les prochaines étapes.",
                "Place our site on each of the 3 preconditions and 5 conditions of collective "
                "impact, say what shows it and the next steps.",
            ),
        },
        "support": {
            "label": part["support"],
            "purpose": loc(
                "Dire qui, parmi les parties et les lieux de coopération, porte chacun des "
                "7 rôles de la structure de soutien.",
                "Say who, among the parties and places of cooperation, carries each of the 7 "
                "roles of the support structure.",
            ),
        },
    }
