"""Editing a shared text by its difference only, so concurrent edits elsewhere survive."""

from __future__ import annotations

from pycrdt import Text


def replace_text(text: Text, new: str) -> None:
    """Change a shared text to `new` by editing only the part that differs.

    Concurrent edits elsewhere in the text survive. pycrdt counts positions in
    UTF-8 bytes, so character positions are converted before editing.
    """
    old = str(text)
    if old == new:
        return
    start = _common_prefix(old, new)
    end = _common_prefix(old[start:][::-1], new[start:][::-1])
    at = len(old[:start].encode())
    removed = len(old[start : len(old) - end].encode())
    inserted = new[start : len(new) - end]
    with text.doc.transaction():
        if removed:
            del text[at : at + removed]
        if inserted:
            text.insert(at, inserted)


def _common_prefix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return size
