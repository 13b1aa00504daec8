"""The method's self-assessments: 3 preconditions, 5 conditions, the 7 roles of the support
structure, and the 4-level scale they are scored on.

Ids are the stored keys (ASCII, stable); words come from the programme's own document, in
French first and English. Assessment rounds, the ``conditions`` and ``support`` parts, their
captions and diffs all read their items from here, so they never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from .labels import Localized, loc


@dataclass(frozen=True, slots=True)
class Criterion:
    """A precondition or condition of collective impact, scored by the site."""

    id: str
    kind: str
    """``precondition`` or ``condition``."""
    label: Localized
    description: Localized


@dataclass(frozen=True, slots=True)
class Role:
    """One of the 7 roles a site's support structure has to carry."""

    id: str
    label: Localized


@dataclass(frozen=True, slots=True)
class Score:
    """A step of the 4-level scale (1 lowest)."""

    value: int
    label: Localized


SCORES: tuple[Score, ...] = (
    Score(1, loc("absente", "absent")),
    Score(2, loc("émergente", "emerging")),
    Score(3, loc("en développement", "developing")),
    Score(4, loc("bien établie", "well established")),
)
SCORE_BY_VALUE: dict[int, Score] = {s.value: s for s in SCORES}
MIN_SCORE, MAX_SCORE = SCORES[0].value, SCORES[-1].value

PRECONDITIONS: tuple[Criterion, ...] = (
    Criterion(
        "urgency",
        "precondition",
        loc("Sentiment d'urgence", "Sense of urgency"),
        loc("Un sentiment qui pousse à agir.", "A feeling that drives people to act."),
    ),
    Criterion(
        "influential_people",
        "precondition",
        loc("Personnes influentes", "Influential champions"),
        loc(
            "Un noyau de personnes qui possèdent une crédibilité dans leurs milieux, ont à cœur "
            "la résolution de problèmes et savent rassembler.",
            "A core of people who are credible in their circles, care about solving problems "
            "and can bring others together.",
        ),
    ),
    Criterion(
        "resources",
        "precondition",
        loc("Ressources adéquates", "Adequate resources"),
        loc(
            "Un investissement de départ qui prend la forme d'un financement et/ou de "
            "ressources dédiées.",
            "A starting investment, as funding and/or dedicated resources.",
        ),
    ),
)
CONDITIONS: tuple[Criterion, ...] = (
    Criterion(
        "inclusive_engagement",
        "condition",
        loc("Engagement inclusif", "Inclusive engagement"),
        loc(
            "La participation d'un large éventail d'acteurs : un regard systémique, une "
            "divergence d'idées et une convergence de solutions.",
            "A broad range of actors take part: a systemic view, diverging ideas and "
            "converging solutions.",
        ),
    ),
    Criterion(
        "shared_vision",
        "condition",
        loc("Vision partagée & plan d'actions commun", "Shared vision & common action plan"),
        loc(
            "Une vision commune du changement, une compréhension partagée de la situation et "
            "une approche commune pour passer à l'action.",
            "A common vision of change, a shared understanding of the situation and a common "
            "approach to action.",
        ),
    ),
    Criterion(
        "support_structure",
        "condition",
        loc("Structure de soutien", "Backbone support"),
        loc(
            "Un mode de fonctionnement agile qui permet de garder le cap sur le changement "
            "souhaité.",
            "An agile way of working that keeps the course on the change sought.",
        ),
    ),
    Criterion(
        "strategic_learning",
        "condition",
        loc("Apprentissage stratégique", "Strategic learning"),
        loc(
            "L'évaluation comme levier pour apprendre et s'ajuster en cours de route.",
            "Evaluation as a lever to learn and adjust along the way.",
        ),
    ),
    Criterion(
        "high_leverage",
        "condition",
        loc("Stratégie à fort effet de levier", "High-leverage strategy"),
        loc(
            "Prioriser des projets influents et alignés avec la stratégie de changement.",
            "Prioritise influential projects aligned with the strategy of change.",
        ),
    ),
)
CRITERIA: tuple[Criterion, ...] = PRECONDITIONS + CONDITIONS
CRITERION_BY_ID: dict[str, Criterion] = {c.id: c for c in CRITERIA}

ROLES: tuple[Role, ...] = (
    Role(
        "vision_strategy",
        loc("Guider la vision et la stratégie d'ensemble", "Guide vision and strategy"),
    ),
    Role("trust", loc("Cultiver la confiance", "Cultivate trust")),
    Role("aligned_actions", loc("Soutenir l'alignement des actions", "Support aligned activities")),
    Role(
        "shared_measurement",
        loc("Établir un système d'évaluation commun", "Establish shared measurement"),
    ),
    Role(
        "community_engagement",
        loc(
            "Cultiver et maintenir l'engagement de la communauté",
            "Build and sustain community engagement",
        ),
    ),
    Role("policy", loc("Influencer les décideurs", "Advance policy")),
    Role("resources", loc("Mobiliser les ressources", "Mobilise resources")),
)
ROLE_BY_ID: dict[str, Role] = {r.id: r for r in ROLES}

# Guiding questions shown beside each item. The programme's document names and describes the
# criteria and roles but asks no question about them: these are Atelier's wording, drawn from
# the descriptions, so a site knows what to write under « ce qui le montre ».
CRITERION_QUESTIONS: dict[str, Localized] = {
    "urgency": loc(
        "Qu'est-ce qui pousse aujourd'hui les acteurs du site à agir ensemble ?",
        "What drives the site's actors to act together today?",
    ),
    "influential_people": loc(
        "Qui, parmi nous, est écouté dans son milieu et sait rassembler autour du problème ?",
        "Who among us is listened to in their circle and can rally people around the problem?",
    ),
    "resources": loc(
        "Quels financements ou ressources dédiées soutiennent le démarrage de la démarche ?",
        "Which funding or dedicated resources support the start of the approach?",
    ),
    "inclusive_engagement": loc(
        "Quels acteurs participent déjà, et lesquels manquent pour voir le système en entier ?",
        "Which actors already take part, and which are missing to see the whole system?",
    ),
    "shared_vision": loc(
        "Partageons-nous la même lecture de la situation et un plan d'actions commun ?",
        "Do we share the same reading of the situation and a common action plan?",
    ),
    "support_structure": loc(
        "Comment notre fonctionnement nous aide-t-il à garder le cap sur le changement souhaité ?",
        "How does our way of working help us keep course on the change we seek?",
    ),
    "strategic_learning": loc(
        "Comment évaluons-nous nos actions, et qu'avons-nous ajusté grâce à cette évaluation ?",
        "How do we evaluate our actions, and what have we adjusted thanks to it?",
    ),
    "high_leverage": loc(
        "Nos projets prioritaires sont-ils les plus influents et alignés avec la stratégie ?",
        "Are our priority projects the most influential and aligned with the strategy?",
    ),
}
ROLE_QUESTIONS: dict[str, Localized] = {
    "vision_strategy": loc(
        "Qui veille à ce que la vision et la stratégie restent communes et vivantes ?",
        "Who makes sure the vision and strategy stay shared and alive?",
    ),
    "trust": loc(
        "Qui prend soin des relations et du climat de confiance entre les parties ?",
        "Who looks after relationships and trust between the parties?",
    ),
    "aligned_actions": loc(
        "Qui aide les actions de chacun à se renforcer mutuellement ?",
        "Who helps everyone's actions reinforce each other?",
    ),
    "shared_measurement": loc(
        "Qui organise la mesure commune des progrès et le partage des résultats ?",
        "Who organises the shared measurement of progress and the sharing of results?",
    ),
    "community_engagement": loc(
        "Qui va vers les habitants et maintient leur participation dans la durée ?",
        "Who reaches out to inhabitants and keeps them involved over time?",
    ),
    "policy": loc(
        "Qui porte la démarche auprès des décideurs et des politiques publiques ?",
        "Who carries the approach to decision-makers and public policy?",
    ),
    "resources": loc(
        "Qui cherche et rassemble les financements et les moyens de la démarche ?",
        "Who seeks and gathers the funding and means of the approach?",
    ),
}

# Field labels of the two parts, as the browser and the reports show them.
FIELDS: dict[str, Localized] = {
    "score": loc("Niveau", "Level"),
    "evidence": loc("Ce qui le montre", "What shows it"),
    "next": loc("Prochaines étapes", "Next steps"),
    "parties": loc("Parties qui le portent", "Parties carrying it"),
    "who": loc("Qui / quel lieu", "Who / which place"),
    "notes": loc("Notes", "Notes"),
}
PRECONDITIONS_LABEL = loc("Préconditions", "Preconditions")
CONDITIONS_LABEL = loc("Conditions", "Conditions")
