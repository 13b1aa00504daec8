"""``atelier verify`` is safe on any file: what it cannot read within its bounds exits 2 with
a reason, memory stays bounded whatever the zip declares, and a readable bundle that is
malformed fails its checks (exit 1) instead of crashing."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.archive import verify
from tests.support.atelier_server import ROOT

MIB = 1024 * 1024
RSS_BOUND_KIB = 400 * 1024
"""Peak RSS of the verifier process; a 1 GiB member read whole took 2.1 GB."""
TIMEOUT = 120.0


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    peak_rss_kib: int


def run_verify(path: Path) -> Run:
    """``atelier verify`` in its own process, with that process's peak RSS (from wait4)."""
    out, err = path.with_suffix(".out"), path.with_suffix(".err")
    command = [sys.executable, "-m", "server.cli", "verify", str(path)]
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(command, cwd=ROOT, stdout=stdout, stderr=stderr)
    killer = threading.Timer(TIMEOUT, process.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(process.returncode, out.read_text(), err.read_text(), usage.ru_maxrss)


def assert_unreadable(run: Run, reason: str) -> None:
    assert run.returncode == 2, run.stdout + run.stderr
    assert "cannot read" in run.stderr
    assert reason in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout == ""


def zeros_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    """A member of ``size`` zero bytes, written in chunks (never held whole)."""
    chunk = bytes(MIB)
    with archive.open(name, "w", force_zip64=size >= 2**31) as member:
        for _ in range(size // MIB):
            member.write(chunk)


def test_a_1_gib_member_of_a_1_mb_zip_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        zeros_member(archive, "log/updates.jsonl", 1024 * MIB)
    assert path.stat().st_size < 2 * MIB
    run = run_verify(path)
    assert_unreadable(run, f"bytes uncompressed, more than {verify.MAX_MEMBER_BYTES}")
    assert run.peak_rss_kib < RSS_BOUND_KIB


def test_a_member_that_inflates_a_hundredfold_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ratio.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        zeros_member(archive, "snapshots/0001.yjs", 64 * MIB)
    run = run_verify(path)
    assert_unreadable(run, f"more than {verify.MAX_RATIO} (a zip bomb?)")
    assert run.peak_rss_kib < RSS_BOUND_KIB


def test_a_member_larger_than_it_declares_is_read_only_up_to_its_declared_size(
    tmp_path: Path,
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        zeros_member(archive, "manifest.json", 200 * MIB)
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        data[at + offset : at + offset + 4] = (1000).to_bytes(4, "little")
    path = tmp_path / "liar.zip"
    path.write_bytes(bytes(data))
    run = run_verify(path)
    assert_unreadable(run, "not a readable zip file")
    assert run.peak_rss_kib < RSS_BOUND_KIB


def test_a_zip_of_65_000_files_is_refused_from_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for index in range(65_000):
            archive.writestr(f"f{index}", b"")
    run = run_verify(path)
    assert_unreadable(run, f"files, more than {verify.MAX_MEMBERS}")


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"%PDF-1.7 not a zip at all\n" * 100, "not a zip file"),
    ],
    ids=["empty", "not-a-zip"],
)
def test_an_empty_or_foreign_file_exits_2(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bundle.zip"
    path.write_bytes(content)
    assert_unreadable(run_verify(path), reason)


def test_a_truncated_zip_exits_2(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(20):
            archive.writestr(f"snapshots/{index:04d}.json", os.urandom(4096))
    path = tmp_path / "bundle.zip"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    assert_unreadable(run_verify(path), "not a zip file")


def test_a_deeply_nested_manifest_fails_verification_instead_of_crashing(
    tmp_path: Path,
) -> None:
    manifest = b"[" * 100_000 + b"]" * 100_000
    sums = f"{hashlib.sha256(manifest).hexdigest()}  manifest.json\n".encode()
    path = tmp_path / "deep.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", manifest)
        archive.writestr("SHA256SUMS", sums)
    run = run_verify(path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "[FAIL] manifest_schema: manifest.json is nested deeper than 64 levels" in run.stdout
    assert "VERDICT: NOT VERIFIED" in run.stdout
    assert "Traceback" not in run.stderr
