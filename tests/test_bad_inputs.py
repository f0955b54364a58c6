"""The bad-input catalogue: every folder in tests/bad_inputs/ must get a clear answer.

Each case is a small application folder holding what is wrong with it, plus
``expected.txt`` (message fragments, one a line, all of which must appear),
optionally ``args.txt`` (the command line; ``{app}`` and ``{out}`` are filled in)
and ``exit.txt`` (the exit code when it is not 2). What is checked is what a user
would see: the exit code, one ``error: <file>:<line>: <what> — <how to fix>`` line
per problem, no traceback, and nothing written — neither an output nor a change to
the inputs.

``build`` and ``check`` run every case through click's runner, in-process (a child
process per case would cost the suite a minute); an exception other than an exit
fails the test, since a real user would see it as a traceback. A sample of cases,
one from each failure family, also runs as ``python -m packetbuilder`` in a child
process, and must print exactly what the in-process run printed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.cli import main as cli_main

CATALOGUE = Path(__file__).resolve().parent / "bad_inputs"
CASES = sorted(p.name for p in CATALOGUE.iterdir() if p.is_dir())
DEFAULT_ARGS = "build {app} --out {out}"
CASE_FILES = {"expected.txt", "args.txt", "exit.txt"}
# error: <file>[:<line>]: [<key>] <what> — <how to fix>
ERROR_LINE = re.compile(r"^error: [^:\s][^:]*(:\d+)?: (\[[^\]]+\] )?\S.* — \S.*$")


@dataclass(frozen=True)
class Outcome:
    """What a user saw: exit code, standard output and standard error."""

    returncode: int
    stdout: str
    stderr: str


def run_cli(args: list[str], cwd: Path) -> Outcome:
    """The real command line, in a child process."""
    env = {k: v for k, v in os.environ.items() if k != "PACKETBUILDER_DEBUG"}
    env.update(PYTHONIOENCODING="utf-8", NO_COLOR="1")
    done = subprocess.run([sys.executable, "-m", "packetbuilder", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)
    return Outcome(done.returncode, done.stdout, done.stderr)


def run_in_process(args: list[str]) -> Outcome:
    """The same command line through click's runner; an exception other than an exit
    would be a traceback for a real user, so it is raised here."""
    result = CliRunner().invoke(cli_main, args, env={"NO_COLOR": "1", "PACKETBUILDER_DEBUG": None})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.stdout, result.stderr)


def tree_digest(folder: Path) -> str:
    """Names, kinds, link targets and contents of everything under ``folder``."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_symlink():
            digest.update(b"link:" + os.readlink(path).encode())
        elif path.is_file():
            digest.update(b"file:" + path.read_bytes())
        else:
            digest.update(b"dir")
    return digest.hexdigest()


def prepare(case: str, tmp_path: Path) -> tuple[Path, Path, list[str]]:
    """Copy a case (symlinks kept as links) and return (app, out, argv)."""
    source = CATALOGUE / case
    app = tmp_path / "app"
    shutil.copytree(source, app, symlinks=True, ignore=lambda d, names: CASE_FILES & set(names))
    out = tmp_path / "out"
    args_file = source / "args.txt"
    template = args_file.read_text("utf-8").strip() if args_file.exists() else DEFAULT_ARGS
    argv = [a.format(app=app, out=out) for a in shlex.split(template)]
    return app, out, argv


def expectations(case: str) -> tuple[list[str], int]:
    source = CATALOGUE / case
    fragments = [line for line in (source / "expected.txt").read_text("utf-8").splitlines() if line.strip()]
    exit_file = source / "exit.txt"
    return fragments, int(exit_file.read_text().strip()) if exit_file.exists() else 2


def assert_clear_failure(result: Outcome, fragments: list[str], code: int) -> None:
    shown = result.stdout + result.stderr
    assert "Traceback" not in shown, shown
    assert "internal error" not in shown, shown
    assert result.returncode == code, shown
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors, shown
    for line in errors:
        assert ERROR_LINE.match(line), f"not `error: <file>:<line>: <what> — <fix>`: {line!r}"
    for fragment in fragments:
        assert fragment in result.stderr, f"{fragment!r} missing from:\n{result.stderr}"


def test_the_catalogue_keeps_every_case() -> None:
    """Every case has its expectations, and the catalogue is not quietly shrinking."""
    assert len(CASES) >= 90
    for case in CASES:
        fragments, _ = expectations(case)
        assert fragments, case


@pytest.mark.parametrize("case", CASES)
def test_build_rejects_bad_input_clearly(case: str, tmp_path: Path) -> None:
    app, out, argv = prepare(case, tmp_path)
    before = tree_digest(app)
    fragments, code = expectations(case)

    result = run_in_process(argv)

    assert_clear_failure(result, fragments, code)
    assert not out.exists() or not any(out.iterdir()), "a failed build wrote output"
    assert tree_digest(app) == before, "a failed build changed the application folder"


# One case per failure family: TOML syntax, schema, header injection, encoding, path
# escape, a bad command-line value, both kinds of output-folder problem, and what Python
# itself cannot hold (a date past its calendar, a number int() refuses, a CSV field past
# csv's limit, nesting past lxml's).
IN_A_CHILD_PROCESS = ["toml-syntax-error", "all-errors-at-once", "crlf-salutation", "latin1-cv", "path-symlink-out",
                      "unknown-format", "out-is-input-folder", "out-under-a-file", "date-year-one",
                      "integer-5000-digits", "programs-field-over-128k", "cv-quotes-nested-254"]


@pytest.mark.parametrize("case", IN_A_CHILD_PROCESS)
def test_real_process_prints_the_same(case: str, tmp_path: Path) -> None:
    app, out, argv = prepare(case, tmp_path)
    fragments, code = expectations(case)

    result = run_cli(argv, tmp_path)

    assert_clear_failure(result, fragments, code)
    assert result == run_in_process(argv)
    assert not out.exists() or not any(out.iterdir())


CHECKABLE = [c for c in CASES if not (CATALOGUE / c / "args.txt").exists()]


@pytest.mark.skipif("check" not in cli_main.commands, reason="the check command does not exist yet")
@pytest.mark.parametrize("case", CHECKABLE)
def test_check_rejects_bad_input_clearly(case: str, tmp_path: Path) -> None:
    app, _, _ = prepare(case, tmp_path)
    before = tree_digest(app)
    fragments, code = expectations(case)

    result = run_in_process(["check", str(app)])

    assert_clear_failure(result, fragments, code)
    assert tree_digest(app) == before, "check changed the application folder"


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not bind the superuser")
def test_read_only_output_folder_is_failed_work(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "locked"
    out.mkdir(mode=0o500)
    try:
        result = run_cli(["build", str(sample), "--out", str(out)], tmp_path)
    finally:
        out.chmod(0o700)
    assert_clear_failure(result, ["the output folder is not writable"], 1)
    assert not any(out.iterdir())


# A bug inside one writer's build (here: injected), run as the real program would.
BROKEN_BUILD = """
import sys
import packetbuilder.build as build

def broken(app, writer, typesetter=None):
    raise RuntimeError("injected failure for " + writer.id)

build.build_packet = broken
from packetbuilder.cli import main
main(prog_name="packetbuilder")
"""


def test_unexpected_exception_is_an_internal_error_not_a_traceback(sample: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PACKETBUILDER_DEBUG"}
    done = subprocess.run([sys.executable, "-c", BROKEN_BUILD, "build", str(sample), "--out", str(tmp_path / "out"),
                           "--jobs", "1"], env={**env, "NO_COLOR": "1"}, capture_output=True, text=True, timeout=300)

    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    [line] = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert ERROR_LINE.match(line)
    assert "internal error (RuntimeError: injected failure for chen)" in line
    assert "please report it" in line


@pytest.mark.parametrize("source", ["cv.md", "notes/chen.md"])
def test_a_source_that_is_a_fifo_is_refused_not_waited_on(sample: Path, source: str) -> None:
    """A named pipe as cv.md blocked `check` and `build` on its open, waiting for a writer
    that never came; run in a child process with a time limit, so a regression fails."""
    (sample / source).unlink()
    os.mkfifo(sample / source)
    done = subprocess.run([sys.executable, "-m", "packetbuilder", "check", str(sample)], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"{source}" in done.stderr and "is not a regular file" in done.stderr
