"""A board document as plain JSON: what the API serves, exports store and diffs compare.

The projection is deterministic (entries sorted, whole numbers as int) so that
equal documents give byte-equal JSON once dumped with sorted keys, and it never
raises: content that breaks the layout is listed in `problems` instead.
Labels are not included; they come from `templates_catalog()`, which keeps a
projection's hash stable when wording changes.

Parts: a part is projected when the board's template includes it or when the
document holds content for it (reported as `unexpected_part` if the template
does not include it). A board without a part has `notes: []`, an empty chain or
`agreement.sections: []`; `meta.parts` says which parts the board has.
"""

from __future__ import annotations

from functools import partial
from typing import Any, NotRequired, TypedDict

from pycrdt import Array, Doc, Map

from .agreement import AgreementOut, empty_agreement, project_agreement
from .chain import ChainOut, empty_chain, project_chain
from .continuum import NoteOut, project_notes
from .labels import PARTS, TEMPLATE_PARTS, ZONE_BY_ID
from .layout import AGREEMENT, CHAIN, LAYOUT_VERSION, META, NOTES, PART_ROOTS, ROOTS
from .problems import Problem, pointer, problem, wrong_type
from .reading import Fields, ProblemReport, as_fields, sorted_entries


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


def project(doc: Doc[Any]) -> Projection:
    """The board as JSON. Call it outside the document's observer callbacks."""
    problems = ProblemReport()
    with doc.transaction():  # one consistent read of the whole document
        roots = _read_roots(doc, problems)
        meta = problems.guard((META,), partial(_project_meta, roots.get(META, {}), problems))
        meta = meta or _empty_meta()
        meta["parts"] = parts = _parts(meta["template"], roots, problems)
        notes = project_notes(roots.get(NOTES, {}), problems) if "continuum" in parts else []
        chain = _chain(roots.get(CHAIN, {}), problems) if "chain" in parts else empty_chain()
        agreement = empty_agreement()
        if "agreement" in parts:
            agreement = _agreement(roots.get(AGREEMENT, {}), problems)
    return {
        "meta": meta,
        "notes": notes,
        "chain": chain,
        "agreement": agreement,
        "problems": sorted(problems.problems, key=_problem_order),
    }


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
    return dict(doc.get(name, type=Map).items())


def _chain(fields: Fields, problems: ProblemReport) -> ChainOut:
    return problems.guard((CHAIN,), partial(project_chain, fields, problems)) or empty_chain()


def _agreement(fields: Fields, problems: ProblemReport) -> AgreementOut:
    projected = problems.guard((AGREEMENT,), partial(project_agreement, fields, problems))
    return projected or empty_agreement()


def _empty_meta() -> MetaOut:
    return {"title": "", "template": None, "layoutVersion": None, "parts": [], "locks": []}


def _parts(template: str | None, roots: dict[str, Fields], problems: ProblemReport) -> list[str]:
    expected = TEMPLATE_PARTS.get(template or "", ())
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


def _layout_version(fields: Fields, problems: ProblemReport) -> int | float | None:
    version = problems.number(fields, (META,), "layoutVersion")
    if version is not None and version != LAYOUT_VERSION:
        where = pointer(META, "layoutVersion")
        found = problem(
            where, "unsupported_layout_version", value=str(version), expected=str(LAYOUT_VERSION)
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
