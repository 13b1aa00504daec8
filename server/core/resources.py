"""Where the non-Python parts live: ``web/`` and ``schemas/`` sit beside the package in a
checkout and inside it (as ``server/web``, ``server/schemas``) once installed."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]


def resource_dir(name: str, marker: str = ".") -> Path:
    """The folder ``name`` (``"web"`` or ``"schemas"``) holding ``marker``, checkout first."""
    for candidate in (PACKAGE_DIR.parent / name, PACKAGE_DIR / name):
        if (candidate / marker).is_dir():
            return candidate
    raise FileNotFoundError(f"{name}/{marker} is missing from this installation")
