"""Site and board ids: short slugs, safe in URLs, file names and log lines.

One rule for every edge (API, board connections, pages): an id that breaks it names nothing,
so it is answered like an unknown id without touching the database.
"""

from __future__ import annotations

import re
import secrets
import unicodedata

SLUG_RULE = "[a-z0-9_-]{1,64}"
SLUG = re.compile(SLUG_RULE)
SLUG_STEM_MAX = 48


def is_slug(value: str) -> bool:
    return SLUG.fullmatch(value) is not None


def slug_from(title: str) -> str:
    """A fresh id from a title: its letters (accents dropped: « Château » gives chateau) and
    digits, then a random suffix."""
    plain = unicodedata.normalize("NFKD", title.lower()).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:SLUG_STEM_MAX] or "board"
    return f"{base}-{secrets.token_hex(3)}"
