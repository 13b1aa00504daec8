"""A board document as plain JSON: what the API serves, exports store and diffs compare.

The projection is deterministic (entries sorted, whole numbers as int) so that
equal documents give byte-equal JSON once dumped with sorted keys, and it never
raises: content that breaks the layout is listed in `problems` instead.
Labels are not included; they come from `templates_catalog()`, which keeps a
projection's hash stable when wording changes.

Parts: a part is projected when the board's template includes it or when the
document holds content for it (reported as `unexpected_part` if the template
does not include it). A board without a part has `notes: []`, an empty chain or
`agreement.sections: []`, and no `conditions` or `support` key; `meta.parts` says which
parts the board has, which for a board of layout 1 are its template's parts at that layout.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, NotRequired, TypedDict, TypeVar, cast

from pycrdt import Array, Doc, Map, Subscription

from .agreement import AgreementOut, empty_agreement, project_agreement
from .chain import ChainOut, empty_chain, project_chain
from .continuum import NoteOut, project_note, project_notes
from .labels import PARTS, TEMPLATE_PARTS, ZONE_BY_ID, loc
from .layout import (
    AGREEMENT,
    CHAIN,
    CONDITIONS,
    LAYOUT_VERSION,
    META,
    NOTES,
    PART_ROOTS,
    ROOTS,
    SUPPORT,
)
from .method_view import CriterionOut, RoleOut, project_conditions, project_support
from .problems import Problem, pointer, problem, wrong_type
from .reading import Fields, ProblemReport, as_fields, map_entries, sorted_entries
from .rounds import ROUNDS
from .rounds_view import PositionOut, RoundOut, position, project_rounds
from .seeding import parts_at


class LockOut(TypedDict):
    zone: str
    by: str | None
    name: NotRequired[str]
    at: str | None


class MetaOut(TypedDict):
    title: str
    template: str | None
    layoutVersion: int | float | None
    parts: list[str]
    locks: list[LockOut]


class Projection(TypedDict):
    meta: MetaOut
    notes: list[NoteOut]
    chain: ChainOut
    agreement: AgreementOut
    problems: list[Problem]
    rounds: NotRequired[list[RoundOut]]
    """Revealed private rounds; absent while the board has none (so older projections,
    hashed in snapshots, read the same)."""
    position: NotRequired[PositionOut]
    """The continuum level last agreed in a position round."""
    conditions: NotRequired[list[CriterionOut]]
    """The 8 criteria, present when the board has the part (layout 2), so projections of
    boards without it read (and hash) as before."""
    support: NotRequired[list[RoleOut]]
    """The 7 roles of the support structure, present when the board has the part."""


def project(doc: Doc[Any]) -> Projection:
    """The board as JSON. Call it outside the document's observer callbacks."""
    problems = ProblemReport()
    with doc.transaction():  # one consistent read of the whole document
        roots = _read_roots(doc, problems)
        meta = problems.guard((META,), partial(_project_meta, roots.get(META, {}), problems))
        meta = meta or _empty_meta()
        meta["parts"] = parts = _parts(meta, roots, problems)
        notes = project_notes(roots.get(NOTES, {}), problems) if "continuum" in parts else []
        chain = _chain(roots.get(CHAIN, {}), problems) if "chain" in parts else empty_chain()
        agreement = empty_agreement()
        if "agreement" in parts:
            agreement = _agreement(roots.get(AGREEMENT, {}), problems)
        rounds = _rounds(doc, problems)
        method = _method_parts(parts, roots, problems)
    return _assembled(meta, notes, chain, agreement, problems, rounds, method)


def _assembled(
    meta: MetaOut,
    notes: list[NoteOut],
    chain: ChainOut,
    agreement: AgreementOut,
    problems: ProblemReport,
    rounds: list[RoundOut],
    method: Projection,
) -> Projection:
    projected: Projection = {
        "meta": meta,
        "notes": notes,
        "chain": chain,
        "agreement": agreement,
        "problems": sorted(problems.problems, key=_problem_order),
    }
    projected.update(method)
    if rounds:
        projected["rounds"] = rounds
        agreed = position(rounds)
        if agreed is not None:
            projected["position"] = agreed
    return projected


def _rounds(doc: Doc[Any], problems: ProblemReport) -> list[RoundOut]:
    """Revealed rounds (written by the server only); reading creates nothing."""
    if ROUNDS not in set(doc.keys()):
        return []
    return project_rounds(map_entries(doc.get(ROUNDS, type=Map)), problems)


def _read_roots(doc: Doc[Any], problems: ProblemReport) -> dict[str, Fields]:
    """Entries of the layout's roots that exist; reading creates nothing."""
    roots: dict[str, Fields] = {}
    for name in sorted(set(doc.keys()).intersection(ROOTS)):
        fields = problems.guard((name,), partial(_read_root, doc, name, problems))
        if fields is not None:
            roots[name] = fields
    return roots


def _read_root(doc: Doc[Any], name: str, problems: ProblemReport) -> Fields:
    """A root's map entries. A client may have used the root as a list or a text:
    that content has no place in the layout and is reported (a map root read as a
    list is simply empty)."""
    sequence = doc.get(name, type=Array)
    if len(sequence) > 0:
        problems.report(wrong_type(pointer(name), "map", sequence))
    return map_entries(doc.get(name, type=Map))


def _chain(fields: Fields, problems: ProblemReport) -> ChainOut:
    return problems.guard((CHAIN,), partial(project_chain, fields, problems)) or empty_chain()


def _agreement(fields: Fields, problems: ProblemReport) -> AgreementOut:
    projected = problems.guard((AGREEMENT,), partial(project_agreement, fields, problems))
    return projected or empty_agreement()


def _empty_meta() -> MetaOut:
    return {"title": "", "template": None, "layoutVersion": None, "parts": [], "locks": []}


def _method_parts(
    parts: list[str], roots: dict[str, Fields], problems: ProblemReport
) -> Projection:
    """The `conditions` and `support` keys of the boards that have these parts."""
    found: dict[str, object] = {}
    if "conditions" in parts:
        read = partial(project_conditions, roots.get(CONDITIONS, {}), problems)
        found["conditions"] = problems.guard((CONDITIONS,), read) or []
    if "support" in parts:
        read_roles = partial(project_support, roots.get(SUPPORT, {}), problems)
        found["support"] = problems.guard((SUPPORT,), read_roles) or []
    return found  # type: ignore[return-value]


def _expected_parts(meta: MetaOut) -> tuple[str, ...]:
    """The template's parts at the board's layout version: a board of layout 1 has no
    `conditions` until it is upgraded. An unreadable version counts as the first one that
    had any of the template's parts."""
    template, version = meta["template"] or "", meta["layoutVersion"]
    if isinstance(version, int) and 1 <= version <= LAYOUT_VERSION:
        return parts_at(template, version)
    if version is not None and version > LAYOUT_VERSION:  # a later layout keeps today's parts
        return parts_at(template, LAYOUT_VERSION)
    return parts_at(template, 1) or parts_at(template, LAYOUT_VERSION)


def _parts(meta: MetaOut, roots: dict[str, Fields], problems: ProblemReport) -> list[str]:
    template = meta["template"]
    expected = _expected_parts(meta)
    parts = []
    for part in PARTS:
        has_content = bool(roots.get(PART_ROOTS[part.id]))
        if has_content and template is not None and part.id not in expected:
            where = pointer(PART_ROOTS[part.id])
            problems.report(problem(where, "unexpected_part", part=part.label))
        if has_content or part.id in expected:
            parts.append(part.id)
    return parts


def _project_meta(fields: Fields, problems: ProblemReport) -> MetaOut:
    path = (META,)
    return {
        "title": problems.string(fields, path, "title") or "",
        "template": problems.choice(fields, path, "template", TEMPLATE_PARTS, "unknown_template"),
        "layoutVersion": _layout_version(fields, problems),
        "parts": [],
        "locks": _project_locks(fields, problems),
    }


SUPPORTED_VERSIONS = loc(f"1 à {LAYOUT_VERSION}", f"1 to {LAYOUT_VERSION}")
"""Layout 1 boards are still read as they are (a server upgrades them when it loads them)."""


def _layout_version(fields: Fields, problems: ProblemReport) -> int | float | None:
    version = problems.number(fields, (META,), "layoutVersion")
    if version is not None and version not in range(1, LAYOUT_VERSION + 1):
        where = pointer(META, "layoutVersion")
        found = problem(
            where, "unsupported_layout_version", value=str(version), expected=SUPPORTED_VERSIONS
        )
        problems.report(found)
    return version


def _project_locks(fields: Fields, problems: ProblemReport) -> list[LockOut]:
    """Locks mirrored by the server: zone -> {by?, name?, at?}. Absent means nothing is
    locked. ``name`` is projected only when recorded, so a lock written before people were
    named projects as it always did (and its archived projection still verifies)."""
    if "locks" not in fields:
        return []
    entries = problems.fields(fields["locks"], (META, "locks"))
    locks: list[LockOut] = []
    for zone, value in sorted_entries(entries or {}):
        path = (META, "locks", zone)
        if zone not in ZONE_BY_ID:
            problems.report(problem(pointer(*path), "unknown_zone", value=zone))
            continue
        lock = as_fields(value)
        if lock is None:
            problems.report(wrong_type(pointer(*path), "object", value))
            continue
        by = problems.string(lock, path, "by", required=False)
        at = problems.date(lock, path, "at") if "at" in lock else None
        entry: LockOut = {"zone": zone, "by": by, "at": at}
        name = problems.string(lock, path, "name", required=False)
        if name is not None:
            entry["name"] = name
        locks.append(entry)
    return locks


def _problem_order(found: Problem) -> tuple[str, str, str]:
    return (found["path"], found["code"], found["message"]["en"])


T = TypeVar("T")
_Read = tuple[T, list[Problem]]
"""A piece of the projection and the problems met reading it, in the order they were met."""
WATCHED: tuple[str, ...] = (*ROOTS, ROUNDS)
_METHOD_PARTS = ((CONDITIONS, project_conditions), (SUPPORT, project_support))


class TrackedProjection:
    """``project(doc)`` for a document that moves forward, read again only where it changed.

    A timeline projects the board after every step, and reading a long board whole costs
    milliseconds each time. Here every root is watched, and a projection reuses what no event
    touched since the previous one: each unchanged note, each unchanged root. Problems are
    gathered in ``project``'s order, so the result is always equal to ``project(doc)``."""

    def __init__(self, doc: Doc[Any]) -> None:
        self._doc = doc
        self._watching: list[tuple[Map[Any], Subscription]] = []
        self._watched: set[str] = set()
        self._roots: dict[str, _Read[Fields | None]] = {}
        self._parts: dict[str, _Read[Any]] = {}
        self._notes: dict[str, _Read[NoteOut | None]] = {}
        self._note_list: _Read[list[NoteOut]] | None = None

    @property
    def doc(self) -> Doc[Any]:
        return self._doc

    def close(self) -> None:
        for shared, subscription in self._watching:
            shared.unobserve(subscription)
        self._watching, self._watched = [], set()

    def project(self) -> Projection:
        problems = ProblemReport()
        with self._doc.transaction():
            self._watch()
            roots = self._read_roots(problems)
            read_meta = partial(_project_meta, roots.get(META, {}))
            meta = self._cached(META, problems, lambda p: p.guard((META,), partial(read_meta, p)))
            meta = meta.copy() if meta else _empty_meta()
            meta["parts"] = parts = _parts(meta, roots, problems)
            notes = self._notes_of(roots.get(NOTES, {}), problems) if "continuum" in parts else []
            chain = empty_chain()
            if "chain" in parts:
                chain = self._cached(CHAIN, problems, partial(_chain, roots.get(CHAIN, {})))
            agreement = empty_agreement()
            if "agreement" in parts:
                read = partial(_agreement, roots.get(AGREEMENT, {}))
                agreement = self._cached(AGREEMENT, problems, read)
            rounds = self._cached(ROUNDS, problems, partial(_rounds, self._doc))
            method: dict[str, object] = {}
            for name, project_part in _METHOD_PARTS:
                if name in parts:
                    read_part = partial(_guarded_part, name, project_part, roots.get(name, {}))
                    method[name] = self._cached(name, problems, read_part)
        return _assembled(meta, notes, chain, agreement, problems, rounds, cast(Projection, method))

    def _watch(self) -> None:
        """Watch the roots the document has (reading one never creates it)."""
        for name in sorted(set(self._doc.keys()).intersection(WATCHED) - self._watched):
            shared = self._doc.get(name, type=Map)
            self._watching.append((shared, shared.observe_deep(partial(self._changed, name))))
            self._watched.add(name)
            self._forget(name)

    def _changed(self, name: str, events: list[Any]) -> None:
        """Runs inside the transaction that changed the root: only marks what to read again."""
        try:
            for event in events:
                path = event.path
                if name == NOTES and path and isinstance(path[0], str):
                    self._notes.pop(path[0], None)
                    self._note_list = None
                else:
                    self._forget(name)
        except Exception:  # never fail an update for the sake of a cache
            self._roots.clear()
            self._parts.clear()
            self._notes.clear()
            self._note_list = None

    def _forget(self, name: str) -> None:
        self._roots.pop(name, None)
        self._parts.pop(name, None)
        if name == NOTES:
            self._notes.clear()
            self._note_list = None

    def _cached(self, key: str, problems: ProblemReport, read: Callable[[ProblemReport], T]) -> T:
        found = self._parts.get(key)
        if found is None:
            own = ProblemReport()
            found = self._parts[key] = (read(own), own.problems)
        problems.problems.extend(found[1])
        return found[0]

    def _read_roots(self, problems: ProblemReport) -> dict[str, Fields]:
        roots: dict[str, Fields] = {}
        for name in sorted(set(self._doc.keys()).intersection(ROOTS)):
            found = self._roots.get(name)
            if found is None:
                own = ProblemReport()
                fields = own.guard((name,), partial(_read_root, self._doc, name, own))
                found = self._roots[name] = (fields, own.problems)
            problems.problems.extend(found[1])
            if found[0] is not None:
                roots[name] = found[0]
        return roots

    def _notes_of(self, root: Fields, problems: ProblemReport) -> list[NoteOut]:
        """The notes in id order; the same list as last time when none of them changed."""
        if self._note_list is None:
            own = ProblemReport()
            self._note_list = (self._read_notes(root, own), own.problems)
        problems.problems.extend(self._note_list[1])
        return self._note_list[0]

    def _read_notes(self, root: Fields, problems: ProblemReport) -> list[NoteOut]:
        notes: list[NoteOut] = []
        for note_id, value in sorted_entries(root):
            found = self._notes.get(note_id)
            if found is None:
                own = ProblemReport()
                found = self._notes[note_id] = (project_note(note_id, value, own), own.problems)
            problems.problems.extend(found[1])
            if found[0] is not None:
                notes.append(found[0])
        return notes


def _guarded_part(
    name: str,
    project_part: Callable[[Fields, ProblemReport], list[Any]],
    fields: Fields,
    problems: ProblemReport,
) -> list[Any]:
    return problems.guard((name,), partial(project_part, fields, problems)) or []
