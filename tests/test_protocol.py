"""The wire format decoder: every well-formed message decodes, nothing else does."""

from __future__ import annotations

import pytest

from server.sync import protocol
from server.sync.protocol import MalformedMessage


def test_sync_step1_round_trips() -> None:
    assert protocol.decode(protocol.encode_sync_step1(b"\x01\x02")) == protocol.SyncStep1(
        b"\x01\x02"
    )


def test_sync_step2_round_trips() -> None:
    assert protocol.decode(protocol.encode_sync_step2(b"abc")) == protocol.SyncStep2(b"abc")


def test_update_round_trips() -> None:
    assert protocol.decode(protocol.encode_update(b"\x00\x00")) == protocol.Update(b"\x00\x00")


def test_awareness_round_trips() -> None:
    entries = (protocol.AwarenessEntry(7, 3, '{"user":{"name":"Marie"}}'),)
    assert protocol.decode(protocol.encode_awareness(entries)) == protocol.Awareness(entries)


def test_query_awareness_decodes() -> None:
    assert protocol.decode(b"\x03") == protocol.QueryAwareness()


def test_long_varints_decode() -> None:
    big = 2**40 + 5
    assert protocol.ByteReader(protocol.var_uint(big)).var_uint() == big


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (b"", "truncated varint"),
        (b"\x80", "truncated varint"),
        (b"\xff" * 11, "longer than 10 bytes"),
        (b"\x00\x02" + protocol.var_uint(2**40), "exceeds"),
        (b"\x00\x02\x05ab", "exceeds"),
        (b"\x00\x09\x00", "unknown sync message type"),
        (b"\x07", "unknown message type"),
        (b"\x02\x00", "server only"),
        (b"\x03\x00", "trailing bytes"),
        (protocol.encode_update(b"ab") + b"x", "trailing bytes"),
    ],
)
def test_malformed_frames_are_refused(frame: bytes, reason: str) -> None:
    with pytest.raises(MalformedMessage, match=reason):
        protocol.decode(frame)


def test_awareness_state_must_be_json() -> None:
    frame = protocol.encode_awareness((protocol.AwarenessEntry(1, 1, "{not json"),))
    with pytest.raises(MalformedMessage, match="not JSON"):
        protocol.decode(frame)


def test_awareness_state_size_is_limited() -> None:
    frame = protocol.encode_awareness((protocol.AwarenessEntry(1, 1, '"' + "x" * 100 + '"'),))
    with pytest.raises(MalformedMessage, match="over 50 bytes"):
        protocol.decode(frame, max_awareness_bytes=50)


def test_awareness_entry_count_cannot_exceed_payload() -> None:
    frame = bytes([1]) + protocol.var_uint(3) + protocol.var_uint(200)
    with pytest.raises(MalformedMessage):
        protocol.decode(frame)


def test_durable_ack_is_a_custom_message_type() -> None:
    assert protocol.encode_durable_ack(300) == b"\x64" + protocol.var_uint(300)
