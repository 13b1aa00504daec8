"""The first-run demo board: a small, plausible workshop on a territorial site.

A new operator's first look at Atelier should show the product at work, not empty lanes:
notes by the three parties on several levels of the continuum, a change chain from direct
changes up to the vision, a drafted agreement section and the support roles carried. Built
with the same write helpers the tests use, as one seed update, so it projects with no
problems like any board people made.
"""

from __future__ import annotations

from typing import Any

from pycrdt import Doc

from . import layout
from .document import seed_update
from .method_layout import set_role_party

DEMO_AT = "2026-10-06T09:30:00.000000Z"
"""When the demo workshop "happened": fixed, so the demo reads the same on every install."""

PEOPLE: dict[str, tuple[str, str]] = {
    "demo-sophie": ("Sophie Martin", "etat"),
    "demo-karim": ("Karim Benali", "collectivite"),
    "demo-lucie": ("Lucie Moreau", "societe_civile"),
    "demo-jean": ("Jean Dupuis", "societe_civile"),
}
"""Named demo people (id -> name, party): the State's delegate, the town's project lead,
two members of the citizens' council."""

NOTES: tuple[tuple[str, str, str, str, str], ...] = (
    ("dn1", "concurrence", "demo-karim", "yellow", "Appels à projets concurrents sur le quartier"),
    ("dn2", "coexistence", "demo-lucie", "pink", "Chacun ses permanences, sans calendrier commun"),
    ("dn3", "coexistence", "demo-sophie", "blue", "Deux diagnostics du quartier en parallèle"),
    ("dn4", "communication", "demo-karim", "yellow", "Lettre d'information mensuelle partagée"),
    ("dn5", "communication", "demo-jean", "green", "Le conseil citoyen est invité aux comités"),
    ("dn6", "assistance", "demo-sophie", "blue", "Prêt de salles par le centre social"),
    ("dn7", "coordination", "demo-lucie", "pink", "Comité de pilotage trimestriel à trois"),
)
"""(id, level, author, colour, text): where the site stands and what moved it there."""

VISION = (
    "En 2036, chaque habitant du quartier trouve sa place dans les décisions qui le concernent."
)

ITEMS: tuple[tuple[str, str, str, str], ...] = (
    (
        "du1",
        "ultimate",
        "demo-lucie",
        "Une culture de la décision partagée entre habitants et institutions",
    ),
    (
        "di1",
        "intermediate",
        "demo-karim",
        "Les services municipaux associent le conseil citoyen en amont",
    ),
    ("di2", "intermediate", "demo-jean", "Les habitants participent aux instances de quartier"),
    ("dd1", "direct", "demo-sophie", "Les agents connaissent les outils de la concertation"),
    ("dd2", "direct", "demo-lucie", "Les habitants savent comment fonctionnent les instances"),
    ("dd3", "direct", "demo-karim", "Chaque partenaire connaît les projets des autres"),
)
"""(id, tier, author, text): the change chain, direct changes up to the ultimate one."""

LINKS: tuple[tuple[str, str, str], ...] = (
    ("dl1", "dd1", "di1"),
    ("dl2", "dd3", "di1"),
    ("dl3", "dd2", "di2"),
    ("dl4", "di1", "du1"),
    ("dl5", "di2", "du1"),
    ("dl6", "du1", "vision"),
)

PRINCIPLES = (
    "Nous nous réunissons une fois par trimestre, à tour de rôle chez chaque partenaire.\n"
    "- Chaque changement du plan commun a un binôme référent.\n"
    "- Les décisions sont consignées et partagées sous huit jours."
)

ROLES_CARRIED: dict[str, tuple[str, ...]] = {
    "vision_strategy": ("collectivite", "etat"),
    "trust": ("societe_civile",),
    "aligned_actions": ("collectivite",),
    "shared_measurement": ("etat",),
    "community_engagement": ("societe_civile", "collectivite"),
    "policy": ("etat",),
    "resources": ("etat", "collectivite"),
}
"""Which parties carry each role of the support structure (every role is carried)."""


def demo_update(title: str) -> bytes:
    """The demo board's first logged update: the workshop layout and the demo's content."""
    doc: Doc[Any] = Doc()
    doc.apply_update(seed_update("workshop", title))
    fill_demo(doc)
    return doc.get_update()


def fill_demo(doc: Doc[Any]) -> None:
    """Write the demo workshop into a seeded ``workshop`` board."""
    with doc.transaction():
        _notes(doc)
        _chain(doc)
        layout.set_section_text(doc, "principles", PRINCIPLES)
        for role, parties in ROLES_CARRIED.items():
            for party in parties:
                set_role_party(doc, role, party)


def _notes(doc: Doc[Any]) -> None:
    stacked: dict[str, int] = {}
    for note_id, level, author, color, text in NOTES:
        name, party = PEOPLE[author]
        row = stacked[level] = stacked.get(level, -1) + 1
        layout.add_note(
            doc, note_id, text, level, author, name, party,
            x=10.0, y=10.0 + 130.0 * row, color=color, created_at=DEMO_AT,
        )  # fmt: skip


def _chain(doc: Doc[Any]) -> None:
    layout.set_vision(doc, VISION)
    for order, (item_id, tier, author, text) in enumerate(ITEMS):
        name, party = PEOPLE[author]
        layout.add_chain_item(
            doc, item_id, tier, text, author, name, party, order=float(order), created_at=DEMO_AT
        )
    for link_id, source, target in LINKS:
        layout.link(doc, link_id, source, target)
