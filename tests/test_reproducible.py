"""Reproducible outputs: the same inputs give byte-identical PDF, DOCX, .eml and .ics,
whichever folder they are built into and whichever process builds them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.build import build_application
from packetbuilder.cli import main
from packetbuilder.incremental import MANIFEST_NAME, REPORT_NAME


def outputs(out: Path) -> dict[str, bytes]:
    """The built files (not the report and manifest, which name the output folder)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name not in (REPORT_NAME, MANIFEST_NAME)}


def test_builds_in_different_folders_and_processes_are_byte_identical(sample: Path, tmp_path: Path) -> None:
    here, there = tmp_path / "here", tmp_path / "elsewhere" / "there"
    build_application(sample, here, jobs=1)
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("SOURCE_DATE_EPOCH", None)
    result = subprocess.run([sys.executable, "-m", "packetbuilder", "build", str(sample), "--out", str(there),
                             "--jobs", "2"], capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr

    first, second = outputs(here), outputs(there)
    suffixes = {Path(name).suffix for name in first}
    assert {".pdf", ".docx", ".eml"} <= suffixes
    assert first.keys() == second.keys()
    different = [name for name in first if first[name] != second[name]]
    assert not different, f"not reproducible: {different}"
    report = (here / REPORT_NAME).read_text("utf-8").replace(str(here), "OUT")
    assert report == (there / REPORT_NAME).read_text("utf-8").replace(str(there), "OUT")


def test_a_rebuild_with_force_gives_the_same_bytes(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_application(sample, out, ("chen",), jobs=1)
    before = outputs(out)
    build_application(sample, out, ("chen",), jobs=1, force=True)
    assert outputs(out) == before


@pytest.mark.skipif("schedule" not in main.commands, reason="the schedule command does not exist yet")
def test_the_calendar_is_byte_identical(sample: Path, tmp_path: Path) -> None:
    calendars = []
    for name in ("one.ics", "two.ics"):
        result = CliRunner().invoke(main, ["schedule", str(sample), "--ics", str(tmp_path / name),
                                           "--today", "2026-08-01"])
        assert result.exit_code == 0, result.output
        calendars.append((tmp_path / name).read_bytes())
    assert calendars[0] == calendars[1]
    assert calendars[0].startswith(b"BEGIN:VCALENDAR")
