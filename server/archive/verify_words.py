"""What each evidence check means, for the people who read a verification: a title and a
sentence per outcome, in French and English. The check's ``name`` is its stable code; its
``detail`` stays the precise English text that ``atelier verify`` prints. Pure data and
wording, kept apart from the checks themselves."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from server.boards.labels import Localized, loc

Facts = Mapping[str, int]
"""Counts a sentence may quote: ``files``, ``snapshots``, ``updates``, ``approvals``,
``previous`` (the number of the snapshot before the session, 0 when it starts the chain)."""


def counted(n: int, fr: tuple[str, str], en: tuple[str, str]) -> Localized:
    """ "1 instantané", "3 instantanés": French takes the singular for 0 and 1, English
    only for 1."""
    return loc(f"{n} {fr[0] if n < 2 else fr[1]}", f"{n} {en[0] if n == 1 else en[1]}")


def _files(f: Facts) -> Localized:
    return counted(f.get("files", 0), ("fichier", "fichiers"), ("file", "files"))


def _snapshots(f: Facts) -> Localized:
    return counted(f.get("snapshots", 0), ("instantané", "instantanés"), ("snapshot", "snapshots"))


def _updates(f: Facts) -> Localized:
    n = f.get("updates", 0)
    return counted(n, ("modification", "modifications"), ("change", "changes"))


def _said(fr: str, en: str) -> Callable[[Facts], Localized]:
    return lambda _facts: loc(fr, en)


@dataclass(frozen=True, slots=True)
class Words:
    label: Localized
    passed: Callable[[Facts], Localized]
    failed: Localized


def _quoting(count: Callable[[Facts], Localized], fr: str, en: str) -> Callable[[Facts], Localized]:
    """A sentence quoting a count, written ``{n}`` in each language's template."""

    def say(f: Facts) -> Localized:
        n = count(f)
        return loc(fr.format(n=n["fr"]), en.format(n=n["en"]))

    return say


_archive = _quoting(
    _files,
    "L'archive se lit ; chacun de ses {n} n'y figure qu'une fois.",
    "The archive reads; each of its {n} appears once.",
)
_checksums = _quoting(
    _files,
    "Les {n} correspondent à leur somme de contrôle (SHA256SUMS).",
    "All {n} match their checksums (SHA256SUMS).",
)
_hashes = _quoting(
    _snapshots,
    "Les {n} ont chacun l'empreinte enregistrée pour eux.",
    "The {n} each have the hash recorded for them.",
)
_chain = _quoting(
    _snapshots,
    "Les {n} de la séance se suivent sans manque, chacun lié au précédent, "
    "du début à la fin de la séance.",
    "The session's {n} follow one another with none missing, each linked "
    "to the one before, from the session's start to its end.",
)
_log = _quoting(
    _updates,
    "Le journal de la séance, {n}, correspond aux empreintes des instantanés.",
    "The session's log, {n}, matches the snapshots' hashes.",
)


def _sessions(f: Facts) -> Localized:
    return counted(f.get("sessions", 0), ("séance", "séances"), ("session", "sessions"))


_dossier_sessions = _quoting(
    _sessions,
    "Les dossiers de preuve des {n} se vérifient chacun en entier et disent ce que dit le "
    "manifeste.",
    "The evidence bundles of the {n} each verify in full and say what the manifest says.",
)
_dossier_order = _quoting(
    _sessions,
    "Les {n} se suivent de la plus ancienne à la plus récente ; chaque séance qui continue la "
    "précédente de son tableau lui est liée par empreinte.",
    "The {n} run oldest first; each session that continues the previous one of its board is "
    "bound to it by hash.",
)
_before = _quoting(
    _updates,
    "Le journal d'avant la séance, {n}, correspond à son empreinte.",
    "The log before the session, {n}, matches its hash.",
)


def _approvals(f: Facts) -> Localized:
    if not f.get("approvals", 0):
        return loc(
            "Aucune approbation dans le dernier instantané.",
            "No approval in the last snapshot.",
        )
    return loc(
        "Chaque approbation qui compte vient d'une connexion de l'invitation qu'elle nomme, "
        "pour sa partie.",
        "Each approval that counts came from a connection of the invite it names, for its party.",
    )


def _anchor(f: Facts) -> Localized:
    previous = f.get("previous", 0)
    if not previous:
        return loc(
            "La séance ouvre la chaîne des instantanés du tableau.",
            "The session starts the board's chain of snapshots.",
        )
    return loc(
        f"La séance suit l'instantané n° {previous}, pris avant elle et resté intact.",
        f"The session follows snapshot {previous}, taken before it and left intact.",
    )


WORDS: dict[str, Words] = {
    "archive": Words(
        loc("Archive", "Archive"),
        _archive,
        loc(
            "L'archive ne se lit pas, ou contient deux fois le même fichier.",
            "The archive cannot be read, or holds the same file twice.",
        ),
    ),
    "checksums": Words(
        loc("Sommes de contrôle", "Checksums"),
        _checksums,
        loc(
            "Des fichiers ne correspondent plus à leur somme de contrôle : ils ont été "
            "modifiés, ajoutés ou retirés.",
            "Some files no longer match their checksums: they were changed, added or removed.",
        ),
    ),
    "manifest_schema": Words(
        loc("Manifeste", "Manifest"),
        _said(
            "Le manifeste, qui décrit le dossier, est complet et bien formé.",
            "The manifest describing the bundle is complete and well formed.",
        ),
        loc(
            "Le manifeste, qui décrit le dossier, manque, est illisible ou incomplet.",
            "The manifest describing the bundle is missing, unreadable or incomplete.",
        ),
    ),
    "snapshot_hashes": Words(
        loc("Empreintes des instantanés", "Snapshot hashes"),
        _hashes,
        loc(
            "L'en-tête d'un instantané ne correspond plus à son empreinte : il a été modifié.",
            "A snapshot's header no longer matches its hash: it was changed.",
        ),
    ),
    "snapshot_states": Words(
        loc("États du tableau", "Board states"),
        _said(
            "Chaque état enregistré du tableau correspond à son instantané.",
            "Each stored state of the board matches its snapshot.",
        ),
        loc(
            "Un état du tableau manque ou ne correspond plus à son instantané.",
            "A state of the board is missing or no longer matches its snapshot.",
        ),
    ),
    "snapshot_projections": Words(
        loc("Contenus lisibles", "Readable contents"),
        _said(
            "Chaque contenu lisible (JSON) correspond à son instantané et au format d'un tableau.",
            "Each readable content (JSON) matches its snapshot and the board format.",
        ),
        loc(
            "Un contenu lisible (JSON) manque, a été modifié ou n'a pas le format d'un tableau.",
            "A readable content (JSON) is missing, was changed or is not in the board format.",
        ),
    ),
    "state_projects_to_json": Words(
        loc("État et contenu", "State and content"),
        _said(
            "Chaque état du tableau redonne exactement le contenu lisible rangé à côté.",
            "Each state of the board gives back exactly the readable content stored beside it.",
        ),
        loc(
            "Un état du tableau ne redonne pas le contenu lisible rangé à côté.",
            "A state of the board does not give back the readable content stored beside it.",
        ),
    ),
    "chain": Words(
        loc("Chaîne des instantanés", "Snapshot chain"),
        _chain,
        loc(
            "La chaîne des instantanés est rompue : un instantané manque, a été déplacé ou "
            "vient d'une autre séance.",
            "The chain of snapshots is broken: a snapshot is missing, was moved or comes from "
            "another session.",
        ),
    ),
    "log": Words(
        loc("Journal des modifications", "Change log"),
        _log,
        loc(
            "Le journal ne correspond plus aux empreintes des instantanés : une modification "
            "ou son auteur a été changé, ajouté ou retiré.",
            "The log no longer matches the snapshots' hashes: a change or its author was "
            "altered, added or removed.",
        ),
    ),
    "replay": Words(
        loc("Rejeu du journal", "Log replay"),
        _said(
            "Rejouer le journal depuis le début de la séance redonne chacun des instantanés "
            "suivants.",
            "Replaying the log from the session's start rebuilds every later snapshot.",
        ),
        loc(
            "Rejouer le journal ne redonne pas les instantanés : journal et instantanés ne "
            "racontent pas la même séance.",
            "Replaying the log does not rebuild the snapshots: they do not tell the same session.",
        ),
    ),
    "manifest_consistency": Words(
        loc("Manifeste et contenu scellé", "Manifest and sealed record"),
        _said(
            "Le tableau, le site, la séance, sa durée et ses participants annoncés concordent "
            "avec ce qui est scellé.",
            "The board, site, session, span and participants stated agree with the sealed record.",
        ),
        loc(
            "Le manifeste annonce un tableau, une séance, une durée ou des participants qui "
            "diffèrent de ce qui est scellé.",
            "The manifest states a board, session, span or participants that differ from the "
            "sealed record.",
        ),
    ),
    "export": Words(
        loc("Export", "Export"),
        _said(
            "L'export pour les programmes est conforme et nomme les mêmes instantanés.",
            "The export for programs is valid and names the same snapshots.",
        ),
        loc(
            "L'export pour les programmes n'est pas conforme ou ne nomme pas les mêmes "
            "instantanés.",
            "The export for programs is not valid or does not name the same snapshots.",
        ),
    ),
    "approvals": Words(
        loc("Approbations", "Approvals"),
        _approvals,
        loc(
            "Une approbation nomme une invitation qui n'a rien écrit pour sa partie pendant la "
            "séance : elle ne vient pas de qui elle prétend.",
            "An approval names an invite that wrote nothing for its party during the session: "
            "it does not come from whom it claims.",
        ),
    ),
    "dossier_members": Words(
        loc("Contenu du dossier de site", "Site dossier's members"),
        _quoting(
            _files,
            "Les {n} du dossier sont ceux que liste le manifeste, dans son ordre.",
            "The dossier's {n} are those the manifest lists, in its order.",
        ),
        loc(
            "Des fichiers du dossier manquent, ont été ajoutés ou déplacés par rapport au "
            "manifeste.",
            "Files of the dossier are missing, were added or moved against the manifest.",
        ),
    ),
    "dossier_sessions": Words(
        loc("Séances du dossier", "The dossier's sessions"),
        _dossier_sessions,
        loc(
            "Le dossier de preuve d'une séance ne se vérifie pas, a été modifié, ou ne "
            "correspond pas au manifeste.",
            "A session's evidence bundle does not verify, was changed, or does not match the "
            "manifest.",
        ),
    ),
    "dossier_order": Words(
        loc("Ordre des séances", "Order of the sessions"),
        _dossier_order,
        loc(
            "Les séances ne sont pas dans l'ordre où elles ont eu lieu, ou une séance ne "
            "continue pas celle qu'elle dit suivre.",
            "The sessions are not in the order they took place, or a session does not continue "
            "the one it says it follows.",
        ),
    ),
    "chain_anchor": Words(
        loc("Avant la séance", "Before the session"),
        _anchor,
        loc(
            "Le lien avec l'instantané pris avant la séance est rompu : cet instantané a été "
            "modifié, ou la séance ne le suit pas.",
            "The link to the snapshot taken before the session is broken: that snapshot was "
            "changed, or the session does not follow it.",
        ),
    ),
    "log_before_session": Words(
        loc("Journal avant la séance", "Log before the session"),
        _before,
        loc(
            "Le journal d'avant la séance ne correspond plus à son empreinte : il a été réécrit.",
            "The log before the session no longer matches its hash: it was rewritten.",
        ),
    ),
}

UNCHECKED: Localized = loc(
    "Cette vérification n'a pas pu être faite : une partie du dossier manque ou est illisible.",
    "This check could not be made: part of the bundle is missing or unreadable.",
)


def label(name: str) -> Localized:
    words = WORDS.get(name)
    return words.label if words else loc(name, name)


def message(name: str, ok: bool, facts: Facts, *, ran: bool = True) -> Localized:
    """The sentence for a check's outcome."""
    if not ran:
        return UNCHECKED
    words = WORDS.get(name)
    if words is None:
        return loc("Vérifié.", "Verified.") if ok else loc("Échec.", "Failed.")
    return words.passed(facts) if ok else words.failed
