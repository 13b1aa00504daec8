"""The one guard around the CRDT engine: whatever the engine raises becomes an error the
caller handles, while interrupts and cancellation still go through."""

from __future__ import annotations

import asyncio

import pytest

from server.boards.document import EngineError, engine_guard


class PanicLike(BaseException):
    """What pycrdt raises for a Rust panic: not an ``Exception``."""


def test_a_panic_becomes_the_callers_error_naming_what_was_done() -> None:
    with (
        pytest.raises(ValueError, match=r"^invalid update: boom$") as caught,
        engine_guard("invalid update", ValueError),
    ):
        raise PanicLike("boom")
    assert isinstance(caught.value.__cause__, PanicLike)


def test_an_engine_error_is_the_default() -> None:
    with pytest.raises(EngineError, match="not a Yjs update"), engine_guard("not a Yjs update"):
        raise RuntimeError("unexpected end of buffer")


@pytest.mark.parametrize("interrupt", [asyncio.CancelledError, KeyboardInterrupt])
def test_cancellation_and_interrupts_go_through(interrupt: type[BaseException]) -> None:
    with pytest.raises(interrupt), engine_guard("invalid update"):
        raise interrupt()
