"""The command line explains itself: every command's --help has a one-line summary and
an example, --version works, and colour appears only on a terminal without NO_COLOR."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from packetbuilder import __version__
from packetbuilder.cli import main

ANSI = re.compile(r"\x1b\[[0-9;]*m")
COMMANDS = sorted(main.commands)


def test_every_command_promised_to_users_exists() -> None:
    assert {"init", "build", "preview", "schema"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_a_one_line_summary_and_an_example(name: str) -> None:
    command = main.commands[name]
    summary = command.get_short_help_str(limit=200)
    assert summary and not summary.endswith("..."), f"{name}: the first docstring line is the summary"
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0
    assert re.search(r"^\s*Examples?:\s*$", result.output, re.MULTILINE), f"{name} --help has no Example:"
    assert re.search(rf"^\s+packetbuilder {name}\b", result.output, re.MULTILINE), \
        f"{name} --help shows no example command line"


def test_the_overview_lists_every_command_with_its_summary() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\s+\S", result.output, re.MULTILINE), f"{name} is missing from --help"
    assert "packetbuilder init" in result.output


def test_version() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"packetbuilder, version {__version__}"


def failing_run(tmp_path: Path, env: dict[str, str] | None = None, color: bool = True) -> click.testing.Result:
    return CliRunner().invoke(main, ["build", str(tmp_path / "missing")], env=env, color=color)


def test_errors_are_coloured_on_a_terminal(tmp_path: Path) -> None:
    result = failing_run(tmp_path, env={"NO_COLOR": ""})
    assert result.exit_code == 2
    assert ANSI.search(result.output)


def test_no_color_turns_colour_off(tmp_path: Path) -> None:
    result = failing_run(tmp_path, env={"NO_COLOR": "1"})
    assert result.exit_code == 2
    assert "error:" in result.output and not ANSI.search(result.output)


def test_piped_output_is_plain(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    done = subprocess.run([sys.executable, "-m", "packetbuilder", "build", str(tmp_path / "missing")],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and not ANSI.search(done.stderr + done.stdout)


def test_the_readme_documents_every_command_and_option() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    cell = r"(?:[^|\\\n]|\\.)*"  # a table cell, where \| is a literal bar
    rows = {m.group(1): m.group(0) for m in re.finditer(rf"^\| `(\w+){cell}\|", readme, re.MULTILINE)}
    for name, command in main.commands.items():
        assert name in rows, f"{name} is missing from the README's command table"
        for param in command.params:
            for option in (o for o in param.opts if o.startswith("--") and o != "--help"):
                assert option in rows[name], f"{name} {option} is missing from the README"
