"""Problems: content that breaks the board layout, reported instead of raised.

A problem names where it is (a JSON-pointer-like path into the document layout,
e.g. `/notes/n1/level`), a stable `code` for programs and a message in French and
English for people. Every code and its wording live in `MESSAGES`.
"""

from __future__ import annotations

from typing import Any, TypedDict

from pycrdt import Array, Doc, Map, Text, XmlElement, XmlFragment, XmlText

from .labels import Localized, loc, pick

Param = str | Localized


class Problem(TypedDict):
    path: str
    code: str
    message: Localized


MESSAGES: dict[str, tuple[str, str]] = {
    "wrong_type": (
        "Type inattendu : {expected} attendu, « {found} » trouvé.",
        "Unexpected type: expected {expected}, found “{found}”.",
    ),
    "missing_field": (
        "Le champ « {field} » manque.",
        "The field “{field}” is missing.",
    ),
    "note_without_text": (
        "Note sans texte : écrivez quelque chose ou retirez-la.",
        "Note without text: write something or remove it.",
    ),
    "item_without_text": (
        "Changement sans texte : décrivez-le ou retirez-le.",
        "Change without text: describe it or remove it.",
    ),
    "unknown_level": (
        "Niveau inconnu « {value} » : la note n'est placée sur aucun niveau de l'échelle "
        "de coopération.",
        "Unknown level “{value}”: the note is on no level of the cooperation continuum.",
    ),
    "unknown_tier": (
        "Étage inconnu « {value} » : ce changement n'est ni direct, ni intermédiaire, ni ultime.",
        "Unknown tier “{value}”: this change is neither direct, intermediate nor ultimate.",
    ),
    "unknown_party": (
        "Partie inconnue « {value} » : attendu État, Collectivité, Société civile ou Facilitation.",
        "Unknown party “{value}”: expected State, Local authority, Civil society or Facilitation.",
    ),
    "unknown_color": ("Couleur inconnue « {value} ».", "Unknown colour “{value}”."),
    "unknown_template": (
        "Modèle de tableau inconnu « {value} ».",
        "Unknown board template “{value}”.",
    ),
    "unknown_section": (
        "Section inconnue « {value} » dans l'entente de coopération.",
        "Unknown section “{value}” in the cooperation agreement.",
    ),
    "missing_section": (
        "La section « {section} » manque dans l'entente de coopération.",
        "The “{section}” section is missing from the cooperation agreement.",
    ),
    "unknown_zone": (
        "Zone de verrouillage inconnue « {value} ».",
        "Unknown lock zone “{value}”.",
    ),
    "unsupported_layout_version": (
        "Version de structure {value} non prise en charge (attendu : {expected}).",
        "Unsupported layout version {value} (expected {expected}).",
    ),
    "unexpected_part": (
        "Ce tableau contient la partie « {part} » que son modèle ne prévoit pas.",
        "This board holds a “{part}” part that its template does not include.",
    ),
    "not_finite": (
        "Valeur numérique invalide ({value}).",
        "Invalid number ({value}).",
    ),
    "invalid_date": (
        "Date illisible « {value} » : attendu une date ISO 8601.",
        "Unreadable date “{value}”: expected an ISO 8601 date.",
    ),
    "invalid_hash": (
        "Empreinte illisible « {value} » : attendu 64 caractères hexadécimaux (SHA-256).",
        "Unreadable fingerprint “{value}”: expected 64 hexadecimal characters (SHA-256).",
    ),
    "invalid_vote": (
        "Vote invalide : un vote s'enregistre avec la valeur true.",
        "Invalid vote: a vote is recorded with the value true.",
    ),
    "reserved_id": (
        "L'identifiant « {value} » est réservé à la vision.",
        "The id “{value}” is reserved for the vision.",
    ),
    "link_backwards": (
        "Lien à rebours : {source} ({from_tier}) → {target} ({to_tier}). Les liens "
        "montent des changements directs vers les intermédiaires, puis l'ultime, "
        "puis la vision.",
        "Backward link: {source} ({from_tier}) → {target} ({to_tier}). Links go up from "
        "direct changes to intermediate ones, then the ultimate change, then the vision.",
    ),
    "link_same_tier": (
        "Lien à l'intérieur d'un même étage ({tier}) : {source} → {target}. Un lien "
        "mène toujours à l'étage supérieur.",
        "Link within one tier ({tier}): {source} → {target}. A link always leads to a higher tier.",
    ),
    "link_dangling": (
        "Lien vers un élément absent « {value} ».",
        "Link to a missing item “{value}”.",
    ),
    "link_cycle": (
        "Ce lien referme une boucle : {cycle}. Un changement ne peut pas mener à lui-même, "
        "même par d'autres : retirez ce lien ou menez-le plus haut dans la chaîne.",
        "This link closes a loop: {cycle}. A change cannot lead back to itself, even through "
        "others: remove this link or point it higher up the chain.",
    ),
    "unknown_criterion": (
        "Critère inconnu « {value} » parmi les préconditions et conditions.",
        "Unknown criterion “{value}” among the preconditions and conditions.",
    ),
    "unknown_role": (
        "Rôle inconnu « {value} » dans la structure de soutien.",
        "Unknown role “{value}” in the support structure.",
    ),
    "missing_entry": (
        "Cet élément manque : le tableau n'a pas été préparé pour cette partie.",
        "This entry is missing: the board was not prepared for this part.",
    ),
    "invalid_score": (
        "Niveau invalide ({value}) : attendu un nombre entier de 1 à 4.",
        "Invalid level ({value}): expected a whole number from 1 to 4.",
    ),
    "uncarried_role": (
        "Le rôle « {role} » n'est porté par personne : cochez une partie ou indiquez qui / "
        "quel lieu le porte.",
        "Nobody carries the role “{role}”: tick a party or say who / which place carries it.",
    ),
    "unreadable": (
        "Contenu illisible, ignoré.",
        "Unreadable content, left out.",
    ),
}

EXPECTED: dict[str, Localized] = {
    "map": loc("une carte partagée (Y.Map)", "a shared map (Y.Map)"),
    "text": loc("un texte partagé (Y.Text)", "a shared text (Y.Text)"),
    "string": loc("une chaîne de caractères", "a string"),
    "number": loc("un nombre", "a number"),
    "object": loc("un objet", "an object"),
}


def problem(path: str, code: str, **params: Param) -> Problem:
    """Build a problem with its message in both languages."""
    fr, en = MESSAGES[code]
    return {
        "path": path,
        "code": code,
        "message": loc(fr.format(**_in(params, "fr")), en.format(**_in(params, "en"))),
    }


def wrong_type(path: str, expected: str, value: object) -> Problem:
    return problem(path, "wrong_type", expected=EXPECTED[expected], found=describe(value))


def _in(params: dict[str, Param], lang: str) -> dict[str, str]:
    return {k: v if isinstance(v, str) else pick(v, lang) for k, v in params.items()}


def pointer(*parts: str) -> str:
    """JSON-pointer-like path: ids are escaped so a `/` in an id cannot fake a level."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def describe(value: object) -> str:
    """A short, language-neutral name for what was found instead."""
    for kind, name in _SHARED_NAMES:
        if isinstance(value, kind):
            return name
    return _PLAIN_NAMES.get(type(value), type(value).__name__)


_SHARED_NAMES: tuple[tuple[type[Any], str], ...] = (
    (Map, "Y.Map"),
    (Text, "Y.Text"),
    (Array, "Y.Array"),
    (XmlFragment, "Y.XmlFragment"),
    (XmlElement, "Y.XmlElement"),
    (XmlText, "Y.XmlText"),
    (Doc, "Y.Doc"),
)

_PLAIN_NAMES: dict[type[Any], str] = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    dict: "object",
    list: "array",
    bytes: "binary",
    bytearray: "binary",
}
