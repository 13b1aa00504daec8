"""Change captions in workshop words, in French and English.

All the wording lives in `CAPTIONS`; `{0}`, `{1}`… are filled with names in the
caption's own language and `{by}` with " par Marie (Collectivité)" or nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypedDict

from .chain import VISION
from .labels import (
    COLOR_BY_ID,
    LEVEL_BY_ID,
    PARTY_BY_ID,
    SECTION_BY_ID,
    STATUS_BY_ID,
    TIER_BY_ID,
    ZONE_BY_ID,
    Localized,
    loc,
)

CAPTIONS: dict[str, tuple[str, str]] = {
    "board_renamed": ("Tableau renommé : {0}{by}", "Board renamed: {0}{by}"),
    "zone_locked": ("Zone {0} verrouillée{by}", "Zone {0} locked{by}"),
    "zone_unlocked": ("Zone {0} déverrouillée{by}", "Zone {0} unlocked{by}"),
    "note_added": ("Note {0} ajoutée dans {1}{by}", "Note {0} added to {1}{by}"),
    "note_removed": ("Note {0} retirée de {1}{by}", "Note {0} removed from {1}{by}"),
    "note_moved": ("Note {0} déplacée de {1} vers {2}{by}", "Note {0} moved from {1} to {2}{by}"),
    "note_repositioned": ("Note {0} déplacée dans {1}{by}", "Note {0} moved within {1}{by}"),
    "note_edited": (
        "Texte de la note modifié : {0} → {1}{by}",
        "Note text changed: {0} → {1}{by}",
    ),
    "note_recoloured": ("Note {0} passée en {1}{by}", "Note {0} turned {1}{by}"),
    "note_voted": ("Vote pour la note {0}{by}", "Vote for note {0}{by}"),
    "note_vote_withdrawn": ("Vote retiré de la note {0}{by}", "Vote withdrawn from note {0}{by}"),
    "vision_edited": ("Vision modifiée : {0}{by}", "Vision changed: {0}{by}"),
    "chain_item_added": ("{0} {1} ajouté{by}", "{0} {1} added{by}"),
    "chain_item_removed": ("{0} {1} retiré{by}", "{0} {1} removed{by}"),
    "chain_item_edited": ("{0} réécrit : {1} → {2}{by}", "{0} rewritten: {1} → {2}{by}"),
    "chain_item_retiered": (
        "Changement {0} déplacé de {1} vers {2}{by}",
        "Change {0} moved from {1} to {2}{by}",
    ),
    "chain_item_reordered": (
        "{0} {1} déplacé dans sa colonne{by}",
        "{0} {1} moved within its column{by}",
    ),
    "link_added": ("Lien ajouté : {0} → {1}{by}", "Link added: {0} → {1}{by}"),
    "link_removed": ("Lien retiré : {0} → {1}{by}", "Link removed: {0} → {1}{by}"),
    "section_edited": ("{0} modifiée{by}", "{0} edited{by}"),
    "section_approved": ("{0} approuvée par {1}", "{0} approved by {1}"),
    "section_approval_withdrawn": (
        "{0} : approbation retirée par {1}",
        "{0}: approval withdrawn by {1}",
    ),
    "section_status_changed": ("{0} : {1} → {2}", "{0}: {1} → {2}"),
    "section_agreed": ("{0} validée par toutes les parties", "{0} agreed by all parties"),
    "section_reopened": ("{0} rouverte : {1} → {2}", "{0} reopened: {1} → {2}"),
    "layout_upgraded": (
        "Tableau mis à niveau (structure {0} → {1}) : ajout de {2}",
        "Board upgraded (layout {0} → {1}): {2} added",
    ),
    "criterion_score_set": ("Score de {0} fixé à {1}{by}", "Score of {0} set to {1}{by}"),
    "criterion_scored": (
        "Score de {0} passé de {1} à {2}{by}",
        "Score of {0} changed from {1} to {2}{by}",
    ),
    "criterion_score_cleared": ("Score de {0} effacé{by}", "Score of {0} cleared{by}"),
    "criterion_evidence_edited": (
        "« Ce qui le montre » de {0} modifié : {1}{by}",
        "“What shows it” of {0} changed: {1}{by}",
    ),
    "criterion_next_edited": (
        "« Prochaines étapes » de {0} modifiées : {1}{by}",
        "“Next steps” of {0} changed: {1}{by}",
    ),
    "role_carried": ("Rôle {0} porté par {1}", "Role {0} carried by {1}"),
    "role_carried_by": ("Rôle {0} porté par {1}, coché{by}", "Role {0} carried by {1}, ticked{by}"),
    "role_dropped": ("Rôle {0} n'est plus porté par {1}", "Role {0} no longer carried by {1}"),
    "role_dropped_by": (
        "Rôle {0} n'est plus porté par {1}, décoché{by}",
        "Role {0} no longer carried by {1}, unticked{by}",
    ),
    "role_who_edited": (
        "« Qui / quel lieu » du rôle {0} : {1}{by}",
        "“Who / which place” of role {0}: {1}{by}",
    ),
    "role_notes_edited": (
        "Notes du rôle {0} modifiées : {1}{by}",
        "Notes of role {0} changed: {1}{by}",
    ),
    "role_scored": (
        "Niveau du rôle {0} passé de {1} à {2}{by}",
        "Level of role {0} changed from {1} to {2}{by}",
    ),
    "round_revealed": ("{0} révélées : {1}{by}", "{0} revealed: {1}{by}"),
    "round_answer_revealed": ("Réponse révélée{by} : {0}", "Answer revealed{by}: {0}"),
    "round_agreed_position": ("Position retenue : {0}{by}", "Position agreed: {0}{by}"),
    "round_agreed_assessment": ("Scores retenus : {0}{by}", "Scores agreed: {0}{by}"),
    "round_revealed_vote": ("Vote révélé{by} : {0}", "Vote revealed{by}: {0}"),
    "round_agreed_vote": ("Notes retenues{by} : {0}", "Notes retained{by}: {0}"),
}

ROUND_KINDS: dict[str, Localized] = {
    "position": loc("Positions", "Positions"),
    "assessment": loc("Auto-évaluations", "Self-assessments"),
    "notes": loc("Notes privées", "Private notes"),
    "vote": loc("Votes", "Votes"),
}


class ActorJson(TypedDict):
    name: str | None
    party: str | None


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change, as far as the caller knows."""

    name: str | None = None
    party: str | None = None

    def to_json(self) -> ActorJson:
        return {"name": self.name, "party": self.party}


def caption(key: str, *names: Localized, actor: Actor | None = None) -> Localized:
    fr, en = CAPTIONS[key]
    by = by_actor(actor)
    return loc(
        fr.format(*(n["fr"] for n in names), by=by["fr"]),
        en.format(*(n["en"] for n in names), by=by["en"]),
    )


def by_actor(actor: Actor | None) -> Localized:
    """ " par Marie (Collectivité)", " par la Collectivité", " par Marie", or nothing."""
    party = PARTY_BY_ID.get(actor.party or "") if actor else None
    if actor is None or not (actor.name or party):
        return loc("", "")
    if not actor.name:
        assert party is not None
        return loc(f" par {party.with_article['fr']}", f" by {party.with_article['en']}")
    if party is None:
        return loc(f" par {actor.name}", f" by {actor.name}")
    return loc(
        f" par {actor.name} ({party.label['fr']})", f" by {actor.name} ({party.label['en']})"
    )


def quoted(label: Localized) -> Localized:
    return loc(f"« {label['fr']} »", f"“{label['en']}”")


def level_name(level: str | None) -> Localized:
    found = LEVEL_BY_ID.get(level or "")
    return found.label if found else loc("un niveau inconnu", "an unknown level")


def color_name(color: str | None) -> Localized:
    found = COLOR_BY_ID.get(color or "")
    return found.label if found else loc("la couleur par défaut", "the default colour")


def item_kind(tier: str | None) -> Localized:
    """ "Changement direct" for one item of the direct tier."""
    found = TIER_BY_ID.get(tier or "")
    return found.item_label if found else loc("Changement", "Change")


def tier_name(tier: str | None) -> Localized:
    """ "Changements directs": the tier's column heading."""
    found = TIER_BY_ID.get(tier or "")
    return found.label if found else loc("un étage inconnu", "an unknown tier")


def section_name(section_id: str) -> Localized:
    found = SECTION_BY_ID.get(section_id)
    label = found.label if found else loc(section_id, section_id)
    return loc(f"Section {label['fr']}", f"{label['en']} section")


def party_name(party: str) -> Localized:
    """ "la Société civile": the party as the subject of an approval."""
    found = PARTY_BY_ID.get(party)
    return found.with_article if found else loc(party, party)


def status_name(status: str) -> Localized:
    found = STATUS_BY_ID.get(status)
    return found.label if found else loc(status, status)


def zone_name(zone: str) -> Localized:
    found = ZONE_BY_ID.get(zone)
    return quoted(found.label if found else loc(zone, zone))


def end_name(end: str, names: Mapping[str, Localized]) -> Localized:
    """A link end: the vision, a quoted item text, or the id of a missing item."""
    if end == VISION:
        return loc("Vision", "Vision")
    return names.get(end) or quoted(loc(end, end))


def round_kind_name(kind: str) -> Localized:
    return ROUND_KINDS.get(kind) or loc(kind, kind)


def count_of(count: int, fr: str, en: str) -> Localized:
    """ "3 réponses", "1 réponse": ``fr``/``en`` are the singular nouns."""
    plural = count != 1
    return loc(f"{count} {fr}{'s' if plural else ''}", f"{count} {en}{'s' if plural else ''}")


def round_result(kind: str, content: Mapping[str, object]) -> Localized:
    """An answer or agreed result in a few words: the level (→ target), the criteria scored,
    or the notes given."""
    if kind == "position":
        level = level_name(str(content.get("level", "")))
        target = content.get("target")
        if isinstance(target, str):
            target_name = level_name(target)
            return loc(
                f"{level['fr']} → {target_name['fr']}", f"{level['en']} → {target_name['en']}"
            )
        return level
    if kind == "assessment":
        scores = content.get("scores")
        return count_of(len(scores) if isinstance(scores, dict) else 0, "critère", "criterion")
    if kind == "vote":
        votes = content.get("votes")
        given = sum(int(v) for v in votes.values()) if isinstance(votes, dict) else 0
        return loc(f"{given} voix", f"{given} vote{'s' if given != 1 else ''}")
    notes = content.get("notes")
    return count_of(len(notes) if isinstance(notes, list) else 0, "note", "note")
