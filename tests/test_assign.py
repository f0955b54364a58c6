"""``assign``: at most four letters per program, each program's requirements met first."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from click.testing import CliRunner

from packetbuilder.assign import assign_all
from packetbuilder.check import check_application
from packetbuilder.cli import main
from packetbuilder.sources import load_application
from packetbuilder.specialties import load_specialties

PROGRAMS = """program,city,state,type,priority,letters,requires
Riverside University Hospital,Riverside,CA,academic,top,3,specialty:2
Harborview Medical Center,Seattle,WA,academic,top,4,chair;specialty:2
Oregon Health & Science University,Portland,OR,academic,,3,
Santa Clara Valley Medical Center,San Jose,CA,county,,3,specialty:2
Highland Hospital,Oakland,CA,county,,,
Stanford Health Care,Stanford,CA,academic,top,4,specialty:2
UCSF,San Francisco,CA,academic,top,4,
Kaiser Oakland,Oakland,CA,community,,3,
Virginia Mason,Seattle,WA,community,,3,
Providence Portland,Portland,OR,community,,2,
UC Davis,Sacramento,CA,academic,,4,specialty:1
Legacy Emanuel,Portland,OR,community,,3,specialty:2
"""


def test_assign_meets_requirements_and_names_the_program_it_cannot_satisfy(sample: Path) -> None:
    (sample / "programs.csv").write_text(PROGRAMS, "utf-8")
    result = CliRunner().invoke(main, ["assign", str(sample)])
    assert result.exit_code == 1, result.output  # Harborview wants a chair's letter
    out = result.output
    assert "Harborview Medical Center [ERAS, im]: chen, okafor, lee, wisniewski" in out
    assert "! needs a chair's (department) letter; no Internal Medicine writer has role chair" in out
    assert "12 programs, 1 with a problem" in out
    rows = list(csv.DictReader(io.StringIO((sample / "build" / "assignments.csv").read_text("utf-8"))))
    assert len(rows) == 12
    for row in rows:
        letters = row["letters"].split(";")
        assert 1 <= len(letters) <= 4 and len(set(letters)) == len(letters)
    by_name = {r["program"]: r for r in rows}
    assert by_name["Providence Portland"]["letters"] == "chen;okafor"  # asks for two
    # specialty:2 is met by the two Internal Medicine writers
    assert {"chen", "lee"} <= set(by_name["Riverside University Hospital"]["letters"].split(";"))


def test_check_reports_the_same_unmet_programs_at_their_line(sample: Path) -> None:
    (sample / "programs.csv").write_text(PROGRAMS, "utf-8")
    import datetime as dt
    findings = check_application(load_application(sample), dt.date(2026, 8, 1))
    unmet = [f for f in findings.items if f.subject.startswith("programs.csv")]
    assert [f.subject for f in unmet] == ["programs.csv:3"]
    assert "Harborview Medical Center: needs a chair's (department) letter" in unmet[0].message


def test_a_residencycas_track_is_capped_and_named(tmp_path: Path) -> None:
    corpus = Path(__file__).resolve().parent / "corpus" / "obgyn-nested"
    folder = tmp_path / "app"
    shutil.copytree(corpus, folder)
    (folder / "programs.csv").write_text("program,letters,requires\nA,5,\nB,3,slor\n", "utf-8")
    text = (folder / "packet.toml").read_text("utf-8")
    if "programs =" not in text:
        (folder / "packet.toml").write_text(text.replace("[application]\n", '[application]\nprograms = "programs.csv"\n', 1),
                                            "utf-8")
    app = load_application(folder)
    a, b = assign_all(app.programs, app.config, load_specialties())
    assert a.service == "ResidencyCAS" and len(a.writers) == 4
    assert "asks for 5 letters; ResidencyCAS sends at most 4" in a.problems
    assert any("no Obstetrics and Gynecology writer has role slor" in p for p in b.problems)


def test_bad_requirements_are_located_input_errors(sample: Path) -> None:
    (sample / "programs.csv").write_text("program,letters,requires\nA,three,\nB,3,dean\n", "utf-8")
    result = CliRunner().invoke(main, ["assign", str(sample)])
    assert result.exit_code == 2
    assert "programs.csv:2" in result.output and "'three', not a number of letters" in result.output
    assert "programs.csv:3" in result.output and "use chair, slor, specialty:N or track:<id>" in result.output


def _problems_of(sample: Path, programs: str) -> list:
    (sample / "programs.csv").write_text(programs, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(sample), "--today", "2026-07-01"])
    assert result.exit_code == 2, result.output
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def test_a_stray_quote_that_would_merge_programs_is_refused_at_its_line(sample: Path) -> None:
    """One `"` opened a field that swallowed every program after it."""
    lines = PROGRAMS.splitlines()
    lines[3] = '"' + lines[3]
    [error] = _problems_of(sample, "\n".join(lines) + "\n")
    assert error.startswith("error: programs.csv:4: [application.programs] ")
    assert "a quote (\") opened on line 4 runs to line 13" in error and "delete the stray" in error


def test_a_quote_closed_lines_later_is_refused_too(sample: Path) -> None:
    lines = PROGRAMS.splitlines()
    lines[3], lines[5] = '"' + lines[3], lines[5].replace(",", '",', 1)
    [error] = _problems_of(sample, "\n".join(lines) + "\n")
    assert "programs.csv:4:" in error and "runs to line 6" in error


def test_a_field_over_the_csv_limit_is_a_located_input_error(sample: Path) -> None:
    """A field over 128 KB was csv's internal error."""
    [error] = _problems_of(sample, PROGRAMS + "Huge" + "x" * 140_000 + ",Seattle,WA,academic,,3,\n")
    assert error.startswith("error: programs.csv:14: [application.programs] ")
    assert "longer than" in error
