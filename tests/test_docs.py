"""The README is part of the contract: every close code and every setting is documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.core.errors import CloseCode
from server.core.settings import documented_settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("code", list(CloseCode), ids=lambda c: c.name)
def test_every_close_code_is_documented(code: CloseCode) -> None:
    assert f"| {int(code)} | `{code.name}` |" in README


@pytest.mark.parametrize(("name", "default"), documented_settings(), ids=lambda v: str(v))
def test_every_setting_is_documented_with_its_default(name: str, default: str) -> None:
    row = next((line for line in README.splitlines() if line.startswith(f"| `{name}` |")), None)
    assert row is not None, f"{name} is not in the README's settings table"
    shown = row.split("|")[2].strip().strip("`")
    assert shown == default or (default in {"", "data"} and shown in {"(empty)", "data"})


def test_readme_gives_the_run_and_test_commands() -> None:
    assert "make run" in README
    assert "make test" in README
