"""Whole-class builds: several application folders in one `build`, one subfolder of
--out each, a summary per folder, and a folder that fails does not stop the others."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from packetbuilder import cli

PACKET = "Anh_Nguyen_LOR_Packet.pdf"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "packetbuilder", "build", *args], capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture
def klass(sample: Path, tmp_path: Path) -> list[Path]:
    """Two good applications with a broken one between them."""
    root = tmp_path / "class"
    folders = [root / "anh", root / "broken", root / "ben"]
    for folder in folders:
        shutil.copytree(sample, folder)
    config = folders[1] / "packet.toml"
    config.write_text(config.read_text("utf-8") + "\nbogus = 1\n", "utf-8")
    return folders


def test_a_class_builds_every_folder_and_a_failing_one_does_not_stop_the_others(klass: list[Path],
                                                                                  tmp_path: Path) -> None:
    anh, broken, ben = klass
    out = tmp_path / "packets"
    result = run(str(anh), str(broken), str(ben), "--out", str(out), "--format", "pdf", "--jobs", "2")

    assert result.returncode == 1, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["anh", "ben"]
    for name in ("anh", "ben"):
        assert sorted(p.relative_to(out / name).as_posix() for p in (out / name).rglob("*.pdf")) == \
            sorted(f"{w}/{PACKET}" for w in ("chen", "lee", "okafor", "wisniewski"))
    summary = result.stdout.splitlines()[-4:]
    assert summary == ["summary:", f"  {anh}: 4 built, 0 unchanged, 0 failed", f"  {broken}: FAILED",
                       f"  {ben}: 4 built, 0 unchanged, 0 failed"]
    assert f"error: {broken / 'packet.toml'}:" in result.stderr and "bogus" in result.stderr
    assert "Traceback" not in result.stderr
    assert "building" not in result.stderr, "a progress bar was drawn into a pipe"

    again = run(str(anh), str(broken), str(ben), "--out", str(out), "--format", "pdf", "--jobs", "2")
    assert again.returncode == 1
    assert f"  {anh}: 0 built, 4 unchanged, 0 failed" in again.stdout.splitlines()


def test_without_out_each_folder_builds_into_its_own_build_folder(klass: list[Path]) -> None:
    anh, _, ben = klass
    result = run(str(anh), str(ben), "--writer", "chen", "--format", "pdf", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    for folder in (anh, ben):
        assert (folder / "build" / "chen" / PACKET).is_file()


def test_two_applications_with_the_same_folder_name_are_refused(sample: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a" / "app", tmp_path / "b" / "app"
    shutil.copytree(sample, first)
    shutil.copytree(sample, second)
    result = run(str(first), str(second), "--out", str(tmp_path / "packets"))
    assert result.returncode == 2
    assert "several application folders are named app" in result.stderr
    assert not (tmp_path / "packets").exists()


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    with cli._progress_bar() as progress:
        assert progress is None  # pytest's captured stderr is not a terminal
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    with cli._progress_bar() as progress:
        for done in range(9):
            progress(done, 8)
    assert "building" in terminal.getvalue() and "100%" in terminal.getvalue()
