"""Canonical JSON and the hashes of the snapshot chain, defined once: taking a snapshot,
building a bundle and verifying one must agree on every byte.

What is hashed
--------------
``canonical(value)`` is the JSON text of ``value`` with object keys sorted, no insignificant
whitespace, non-ASCII characters written as themselves, encoded in UTF-8 (RFC 8785 for the
values used here: strings, integers, null, objects, arrays — a header holds no float).

A snapshot's **header** (``schemas/export.schema.json#/$defs/header``) names the board, the
snapshot's number in the board's chain, its kind, label, session, time, author, the last log
position it covers (``seq``) and:

- ``state_sha256``: SHA-256 of the Yjs state bytes (update v1 encoding);
- ``projection_sha256``: SHA-256 of ``canonical(projection)``;
- ``log``: ``{after_seq, count, sha256}`` over the board's updates with
  ``after_seq < seq' <= seq`` (``after_seq`` is the previous snapshot's ``seq``, 0 for the
  first): SHA-256 of the concatenation, in log order, of ``canonical(record) + "\\n"`` where
  ``record = {seq, at, invite, name, party, data_sha256}``;
- ``prev``: the previous snapshot's hash (null for the board's first).

Versions: ``version`` 1 headers name the author as ``{invite, role, label}``; version 2
(snapshots taken since people are named) adds ``name``, the display name of the person who
took it (null when unknown). A header is hashed exactly as stored, whatever its version, so
both verify: adding a field changes the hashes of new snapshots only.

The snapshot's **hash** is SHA-256 of ``canonical(header)``. Changing any stored byte (state,
projection, header, a logged update or its author) breaks a hash; removing or reordering a
snapshot breaks the ``prev`` links; only the newest snapshot of a board can be re-forged
whole, which is why reports print the head hash to keep elsewhere.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from server.core.clock import iso
from server.store import archive
from server.store.log import StoredEntry

HEADER_VERSION = 2
HASH_RULE = (
    "hash = SHA-256(canonical JSON of header); header.prev = previous snapshot's hash; "
    "canonical JSON = keys sorted, no whitespace, UTF-8"
)


def canonical(value: Any) -> bytes:
    text = json.dumps(
        value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def log_record(entry: StoredEntry) -> dict[str, Any]:
    """What the log digest covers of one update: everything, the bytes by their hash."""
    return {
        "seq": entry.seq,
        "at": iso(entry.created_at),
        "invite": entry.invite_id,
        "name": entry.author_name,
        "party": entry.party,
        "data_sha256": sha256_hex(entry.data),
    }


def log_digest(records: Iterable[dict[str, Any]], after_seq: int) -> dict[str, Any]:
    digest = hashlib.sha256()
    count = 0
    for record in records:
        digest.update(canonical(record) + b"\n")
        count += 1
    return {"after_seq": after_seq, "count": count, "sha256": digest.hexdigest()}


def header_of(snapshot: archive.Snapshot) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(snapshot.header)
    return header
