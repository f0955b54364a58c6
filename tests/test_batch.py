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


def _build_in_process(*args: str):
    from click.testing import CliRunner

    return CliRunner().invoke(cli.main, ["build", *args, "--writer", "chen", "--format", "pdf", "--jobs", "1"],
                              env={"NO_COLOR": "1", "PACKETBUILDER_DEBUG": None})


def _ended(out: Path, name: str) -> bool:
    """The folder's run ended as a run should: its packet, report and manifest written."""
    from packetbuilder.incremental import MANIFEST_NAME, REPORT_NAME

    return all((out / name / part).is_file() for part in (f"chen/{PACKET}", REPORT_NAME, MANIFEST_NAME))


def test_a_folder_with_a_deadline_near_year_one_fails_alone_at_its_line(klass: list[Path], tmp_path: Path) -> None:
    """`eras_deadline = 0001-01-05` ended the class build with only
    "internal error", and no folder got its summary or manifest."""
    anh, broken, ben = klass
    config = broken / "packet.toml"
    config.write_text(config.read_text("utf-8").replace("bogus = 1", "").replace(
        "deadline = 2026-09-24", "eras_deadline = 0001-01-05", 1), "utf-8")
    out = tmp_path / "packets"

    result = _build_in_process(str(anh), str(broken), str(ben), "--out", str(out))

    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output
    assert f"error: {config}:21: [application.eras_deadline] 0001-01-05 is outside" in result.stderr
    assert result.stdout.splitlines()[-3:] == [f"  {anh}: 1 built, 0 unchanged, 0 failed", f"  {broken}: FAILED",
                                               f"  {ben}: 1 built, 0 unchanged, 0 failed"]
    assert _ended(out, "anh") and _ended(out, "ben")


def test_a_bug_in_one_folder_still_lets_every_other_folder_end(klass: list[Path], tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever happens in one folder, the others end with their summary and manifest,
    and the failing one is named with the internal error."""
    import packetbuilder.build as build

    anh, broken, ben = klass
    config = broken / "packet.toml"
    config.write_text(config.read_text("utf-8").replace("bogus = 1", ""), "utf-8")
    real = build.build_packet

    def broken_for_one(app, writer, typesetter=None):
        if app.folder.name == "broken":
            raise RuntimeError("injected failure")
        return real(app, writer, typesetter)

    monkeypatch.setattr(build, "build_packet", broken_for_one)
    out = tmp_path / "packets"

    result = _build_in_process(str(anh), str(broken), str(ben), "--out", str(out))

    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"error: {broken.resolve()}: internal error (RuntimeError: injected failure) — this is a bug" \
        in result.stderr
    assert result.stdout.splitlines()[-3:] == [f"  {anh}: 1 built, 0 unchanged, 0 failed", f"  {broken}: FAILED",
                                               f"  {ben}: 1 built, 0 unchanged, 0 failed"]
    assert _ended(out, "anh") and _ended(out, "ben")
