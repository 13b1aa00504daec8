"""The server process's peak memory since a chosen moment, for the limit tests: what an
attack made it hold at its worst, not what is left once it was refused."""

from __future__ import annotations

from pathlib import Path

MIB = 1024 * 1024


def reset_peak(pid: int) -> None:
    """Start measuring now (Linux: writing 5 to ``clear_refs`` resets ``VmHWM``)."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def peak_rss(pid: int) -> int:
    """Highest resident memory (``VmHWM``) since the last ``reset_peak``, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


def open_fds(pid: int) -> int:
    return len(list(Path(f"/proc/{pid}/fd").iterdir()))
