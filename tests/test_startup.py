"""Start-up: commands that draw no packet must not import the PDF and DOCX libraries,
which cost most of a cold start. Each command runs in a fresh interpreter that then
lists the modules it loaded."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from packetbuilder.cli import main

HEAVY = ("reportlab", "docx")
PROBE = """
import json, sys
from packetbuilder.cli import main
try:
    main(sys.argv[2:], prog_name="packetbuilder")
except SystemExit:
    pass
with open(sys.argv[1], "w") as handle:
    json.dump(sorted(sys.modules), handle)
"""


def loaded_modules(tmp_path: Path, *argv: str) -> list[str]:
    listing = tmp_path / "modules.json"
    result = subprocess.run([sys.executable, "-c", PROBE, str(listing), *argv], capture_output=True, text=True,
                            timeout=300)
    assert listing.exists(), result.stderr
    return json.loads(listing.read_text())


def heavy(modules: list[str]) -> list[str]:
    return [m for m in modules if m.split(".")[0] in HEAVY]


COMMANDS = [("--help",), ("status", "{app}", "--today", "2026-08-01"), ("schedule", "{app}", "--today", "2026-08-01")]


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda argv: argv[0])
def test_command_does_not_import_the_writers(argv: tuple[str, ...], sample: Path, tmp_path: Path) -> None:
    if argv[0] != "--help" and argv[0] not in main.commands:
        pytest.skip(f"the {argv[0]} command does not exist yet")
    modules = loaded_modules(tmp_path, *(a.format(app=sample) for a in argv))
    assert "packetbuilder.cli" in modules
    assert heavy(modules) == []


def test_an_unchanged_rebuild_loads_neither_the_writers_nor_the_parser(sample: Path, tmp_path: Path) -> None:
    """The no-op rebuild is answered from the manifest alone."""
    out = tmp_path / "out"
    argv = ("build", str(sample), "--out", str(out), "--writer", "chen", "--format", "pdf", "--jobs", "1")
    assert heavy(loaded_modules(tmp_path, *argv))  # the first build draws the packet
    modules = loaded_modules(tmp_path, *argv)
    assert heavy(modules) == []
    assert not [m for m in modules if m.split(".")[0] in ("pydantic", "markdown", "lxml")]
