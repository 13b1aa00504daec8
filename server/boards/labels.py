"""The programme's vocabulary, in French first and English.

Stored keys are ASCII ids; every word a person reads (labels, meanings, guiding
questions) comes from here, so the browser, the exports and the change captions
never disagree. ``boards.vocabulary.templates_catalog()`` serves them to the browser.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

NBSP = "\u00a0"
_FRENCH_SPACES = (
    ("« ", f"«{NBSP}"),
    (" »", f"{NBSP}»"),
    (" :", f"{NBSP}:"),
    (" ;", f"{NBSP};"),
    (" !", f"{NBSP}!"),
    (" ?", f"{NBSP}?"),
)


class Localized(TypedDict):
    """One text in both languages of the product."""

    fr: str
    en: str


def loc(fr: str, en: str) -> Localized:
    return {"fr": french_spacing(fr), "en": en}


def french_spacing(text: str) -> str:
    """Non-breaking spaces inside « » and before : ; ! ?, as French typography wants."""
    for plain, fixed in _FRENCH_SPACES:
        text = text.replace(plain, fixed)
    return text


def pick(text: Localized, lang: str) -> str:
    """The text in `lang`, French unless English is asked for."""
    return text["en"] if lang == "en" else text["fr"]


@dataclass(frozen=True, slots=True)
class Level:
    """A step of the cooperation continuum, left (rivalry) to right (trust)."""

    id: str
    label: Localized
    meaning: Localized


@dataclass(frozen=True, slots=True)
class Tier:
    """A column of the change chain; `leads_to` gives the allowed link direction."""

    id: str
    label: Localized
    item_label: Localized
    question: Localized
    leads_to: str | None


@dataclass(frozen=True, slots=True)
class Section:
    """One part of the cooperation agreement with the questions shown beside it."""

    id: str
    label: Localized
    questions: tuple[Localized, ...]


@dataclass(frozen=True, slots=True)
class Party:
    """Who speaks on a board; only trinôme parties count towards an agreement."""

    id: str
    label: Localized
    with_article: Localized
    trinome: bool


@dataclass(frozen=True, slots=True)
class Named:
    """A plain id with its label (templates, colours, statuses, zones)."""

    id: str
    label: Localized


LEVELS: tuple[Level, ...] = (
    Level(
        "concurrence",
        loc("Concurrence", "Competition"),
        loc(
            "Concurrence pour l'image, les ressources, les bénéficiaires, les partenaires "
            "ou l'attention du public.",
            "Competing for image, resources, beneficiaries, partners or public attention.",
        ),
    ),
    Level(
        "coexistence",
        loc("Coexistence", "Coexistence"),
        loc(
            "Absence de lien systématique entre les organisations.",
            "No systematic link between the organisations.",
        ),
    ),
    Level(
        "communication",
        loc("Communication", "Communication"),
        loc(
            "Échanges d'information, réseautage, etc.",
            "Exchanging information, networking, etc.",
        ),
    ),
    Level(
        "assistance",
        loc("Assistance", "Assistance"),
        loc(
            "Relation fonctionnelle et souvent informelle, se manifestant généralement "
            "autour de projets et d'actions.",
            "A functional and often informal relationship, usually around projects and actions.",
        ),
    ),
    Level(
        "coordination",
        loc("Coordination", "Coordination"),
        loc(
            "Les organisations s'ajustent et harmonisent systématiquement leurs efforts "
            "afin d'obtenir de meilleures retombées.",
            "Organisations systematically adjust and harmonise their efforts "
            "to achieve better results.",
        ),
    ),
    Level(
        "collaboration",
        loc("Collaboration", "Collaboration"),
        loc(
            "Interactions durables basées sur une mission, une vision, des objectifs, "
            "des décisions et des ressources partagés.",
            "Lasting interactions based on a shared mission, vision, goals, decisions "
            "and resources.",
        ),
    ),
    Level(
        "integration",
        loc("Intégration", "Integration"),
        loc(
            "Programmes, vision, planification et financement pleinement intégrés.",
            "Programmes, vision, planning and funding fully integrated.",
        ),
    ),
)

# Listed top-down as on the workshop poster; links run bottom-up (see `leads_to`).
TIERS: tuple[Tier, ...] = (
    Tier(
        "vision",
        loc("Vision commune", "Shared vision"),
        loc("Vision", "Vision"),
        loc(
            "Quelle est la vision d'avenir pour le développement de notre territoire ? "
            "Une phrase concise, claire, optimiste et inspirante : ce que nous voulons "
            "voir arriver dans 10 ans ou plus.",
            "What is our vision for the future of our territory? One concise, clear, "
            "optimistic and inspiring sentence: what we want to see happen in 10 years "
            "or more.",
        ),
        None,
    ),
    Tier(
        "ultimate",
        loc("Changement ultime", "Ultimate change"),
        loc("Changement ultime", "Ultimate change"),
        loc(
            "Quelle sera la transformation de culture ou de mode de vie visée pour "
            "cheminer vers cette vision ?",
            "What change of culture or way of life do we aim for on the way to this vision?",
        ),
        "vision",
    ),
    Tier(
        "intermediate",
        loc("Changements intermédiaires", "Intermediate changes"),
        loc("Changement intermédiaire", "Intermediate change"),
        loc(
            "Quelles seront les transformations de pratique des organisations et de "
            "comportement des habitants pour que le changement de culture puisse se "
            "produire ?",
            "Which changes in organisations' practices and inhabitants' behaviours will "
            "make the change of culture possible?",
        ),
        "ultimate",
    ),
    Tier(
        "direct",
        loc("Changements directs", "Direct changes"),
        loc("Changement direct", "Direct change"),
        loc(
            "Quelles seront les transformations de connaissances nécessaires pour que "
            "les changements de pratique et de comportement puissent se produire ?",
            "Which changes in knowledge are needed for the changes in practice and "
            "behaviour to happen?",
        ),
        "intermediate",
    ),
)

SECTIONS: tuple[Section, ...] = (
    Section(
        "principles",
        loc("Principes de fonctionnement", "Operating principles"),
        (
            loc(
                "Comment voulons-nous gérer les changements visés dans notre plan d'action "
                "commun ? (Par changement, par projet et action, autre…)",
                "How do we want to manage the changes aimed for in our joint action plan? "
                "(Per change, per project and action, other…)",
            ),
            loc(
                "Comment souhaitons-nous fonctionner entre nous ?",
                "How do we want to work together?",
            ),
            loc("Comment créer un climat de confiance ?", "How do we build trust?"),
        ),
    ),
    Section(
        "places",
        loc("Lieux et espaces de coopération", "Places and spaces for cooperation"),
        (
            loc(
                "Quels sont les rôles et responsabilités de chacun des lieux identifiés "
                "dans la structure de fonctionnement ?",
                "What are the role and responsibilities of each place identified in our "
                "way of working?",
            ),
        ),
    ),
    Section(
        "power",
        loc("Pouvoir", "Power"),
        (
            loc("Qui décide de quoi ?", "Who decides what?"),
            loc("Comment se prennent les décisions ?", "How are decisions taken?"),
        ),
    ),
    Section(
        "communication",
        loc("Communication", "Communication"),
        (
            loc(
                "Comment avoir une communication (intra et extra) porteuse, fluide ?",
                "How do we keep our communication, inside and outside, fluid and constructive?",
            ),
        ),
    ),
    Section(
        "talents",
        loc("Implication des talents", "Involving talents"),
        (
            loc(
                "Qui participe à chacun des lieux identifiés dans la structure de fonctionnement ?",
                "Who takes part in each place identified in our way of working?",
            ),
            loc(
                "Quels sont nos forces et nos talents ?",
                "What are our strengths and talents?",
            ),
            loc("Quelle place ont les citoyens ?", "What place do citizens have?"),
        ),
    ),
)

PARTIES: tuple[Party, ...] = (
    Party("etat", loc("État", "State"), loc("l'État", "the State"), True),
    Party(
        "collectivite",
        loc("Collectivité", "Local authority"),
        loc("la Collectivité", "the local authority"),
        True,
    ),
    Party(
        "societe_civile",
        loc("Société civile", "Civil society"),
        loc("la Société civile", "civil society"),
        True,
    ),
    Party(
        "facilitation",
        loc("Facilitation", "Facilitation"),
        loc("la facilitation", "the facilitators"),
        False,
    ),
)

PARTS: tuple[Named, ...] = (
    Named("continuum", loc("Échelle de coopération", "Cooperation continuum")),
    Named("chain", loc("Stratégie de changement", "Change chain")),
    Named("agreement", loc("Entente de coopération", "Cooperation agreement")),
    Named("conditions", loc("Préconditions et conditions", "Preconditions and conditions")),
    Named("support", loc("Structure de soutien", "Support structure")),
)

TEMPLATES: tuple[Named, ...] = (
    Named("workshop", loc("Atelier complet", "Full workshop")),
    *PARTS,
)

TEMPLATE_PARTS: dict[str, tuple[str, ...]] = {
    "workshop": ("continuum", "chain", "agreement", "conditions", "support"),
    "continuum": ("continuum",),
    "chain": ("chain",),
    "agreement": ("agreement",),
    "conditions": ("conditions",),
    "support": ("support",),
}

COLORS: tuple[Named, ...] = (
    Named("yellow", loc("jaune", "yellow")),
    Named("orange", loc("orange", "orange")),
    Named("pink", loc("rose", "pink")),
    Named("purple", loc("violet", "purple")),
    Named("blue", loc("bleu", "blue")),
    Named("green", loc("vert", "green")),
)

COLOR_HEX: dict[str, str] = {
    "yellow": "#fde68a",
    "orange": "#fed7aa",
    "pink": "#fbcfe8",
    "purple": "#ddd6fe",
    "blue": "#bfdbfe",
    "green": "#bbf7d0",
}

DEFAULT_COLOR = "yellow"

STATUSES: tuple[Named, ...] = (
    Named("draft", loc("Brouillon", "Draft")),
    Named("proposed", loc("Proposée", "Proposed")),
    Named("agreed", loc("Validée", "Agreed")),
)

ZONES: tuple[Named, ...] = (
    Named("board", loc("Tout le tableau", "Whole board")),
    Named("continuum", loc("Échelle de coopération", "Cooperation continuum")),
    Named("chain", loc("Stratégie de changement", "Change chain")),
    Named("vision", loc("Vision commune", "Shared vision")),
    *(
        Named(f"agreement.{s.id}", loc(f"Section {s.label['fr']}", f"{s.label['en']} section"))
        for s in SECTIONS
    ),
    Named("conditions", PARTS[3].label),
    Named("support", PARTS[4].label),
)

LEVEL_BY_ID: dict[str, Level] = {level.id: level for level in LEVELS}
TIER_BY_ID: dict[str, Tier] = {tier.id: tier for tier in TIERS}
SECTION_BY_ID: dict[str, Section] = {section.id: section for section in SECTIONS}
PARTY_BY_ID: dict[str, Party] = {party.id: party for party in PARTIES}
STATUS_BY_ID: dict[str, Named] = {status.id: status for status in STATUSES}
ZONE_BY_ID: dict[str, Named] = {zone.id: zone for zone in ZONES}
COLOR_BY_ID: dict[str, Named] = {color.id: color for color in COLORS}

# Position of each tier along the chain of effects: a link must climb this ladder.
TIER_RANK: dict[str, int] = {"direct": 0, "intermediate": 1, "ultimate": 2, "vision": 3}
ITEM_TIERS: tuple[str, ...] = ("direct", "intermediate", "ultimate")
TRINOME: tuple[str, ...] = tuple(p.id for p in PARTIES if p.trinome)


EXCERPT_LENGTH = 40


def quote(text: str) -> Localized:
    """A short excerpt in each language's quotation marks, for captions and messages."""
    short = excerpt(text)
    if not short:
        return loc("(sans texte)", "(no text)")
    return loc(f"« {short} »", f"“{short}”")


def excerpt(text: str) -> str:
    """One line, at most `EXCERPT_LENGTH` characters."""
    line = " ".join(text.split())
    if len(line) <= EXCERPT_LENGTH:
        return line
    return line[: EXCERPT_LENGTH - 1].rstrip() + "…"
