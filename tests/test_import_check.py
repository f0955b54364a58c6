"""`check` after an import: what the import guessed, as tips at the cv.md lines, and what it
could not place, as warnings — read from cv.import.json, following the student's edits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from docx import Document as WordDocument

import docx_cvs
from packetbuilder.check import check_application
from packetbuilder.docx_import import import_docx
from packetbuilder.sources import load_application
from test_docx_import import CONFIG, bold_led, text_box

TODAY = dt.date(2026, 7, 1)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """An application whose cv.md was imported from a CV with capitals for sections, a
    table of dates, and a text box."""
    doc = WordDocument()
    doc.add_paragraph(docx_cvs.NAME, style="Title")
    doc.add_paragraph(docx_cvs.EMAIL)
    doc.add_paragraph("EDUCATION")
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "2022 – 2026"
    bold_led(table.rows[0].cells[1].paragraphs[0], "Doctor of Medicine", f", {docx_cvs.SCHOOL}")
    doc.add_paragraph("RESEARCH")
    entry = bold_led(doc.add_paragraph(), "Hernia recurrence registry", ", Whitfield Group, 2024 – present")
    text_box(entry, "Boxed award words")
    doc.save(str(tmp_path / "cv.docx"))
    app = tmp_path / "app"
    app.mkdir()
    import_docx(tmp_path / "cv.docx", app / "cv.md")
    (app / "packet.toml").write_text(CONFIG, encoding="utf-8")
    return app


def import_findings(folder: Path):
    findings = check_application(load_application(folder), TODAY)
    return [f for f in findings.items if "import" in f.message or "not imported" in f.message]


def test_check_names_each_guess_at_its_line(folder: Path) -> None:
    lines = (folder / "cv.md").read_text(encoding="utf-8").split("\n")
    found = {f.subject: f for f in import_findings(folder)}
    line = lines.index("## EDUCATION") + 1
    tip = found[f"cv.md:{line}"]
    assert tip.level == "tip" and "treated 'EDUCATION' as a section title (a short line in capitals)" in tip.message
    assert "`- EDUCATION`" in tip.fix
    row = found[f"cv.md:{line + 2}"]
    assert "table" in row.message and "left column" in row.message
    assert found["cv.import.json"].level == "tip" and "delete cv.import.json" in found["cv.import.json"].fix


def test_what_was_not_placed_is_a_warning_until_cv_md_has_it(folder: Path) -> None:
    warning = next(f for f in import_findings(folder) if f.level == "warning")
    assert "text box in cv.docx paragraph" in warning.message and "'Boxed award words'" in warning.message
    cv = folder / "cv.md"
    cv.write_text(cv.read_text(encoding="utf-8") + "\n## Honors\n\n- Boxed award words, 2025\n", encoding="utf-8")
    assert not any(f.level == "warning" for f in import_findings(folder))


def test_the_tips_follow_edits_and_go_with_the_line(folder: Path) -> None:
    cv = folder / "cv.md"
    text = cv.read_text(encoding="utf-8")
    cv.write_text(text.replace("## EDUCATION\n", "## Summary\n\n- Aspiring surgeon\n\n## EDUCATION\n"), encoding="utf-8")
    lines = cv.read_text(encoding="utf-8").split("\n")
    subjects = {f.subject for f in import_findings(folder) if "treated 'EDUCATION'" in f.message}
    assert subjects == {f"cv.md:{lines.index('## EDUCATION') + 1}"}
    cv.write_text(cv.read_text(encoding="utf-8").replace("## EDUCATION", "## Education"), encoding="utf-8")
    assert not any("treated 'EDUCATION'" in f.message for f in import_findings(folder))


def test_no_report_no_tips_and_a_broken_report_is_named(folder: Path) -> None:
    report = folder / "cv.import.json"
    report.write_text("{not json", encoding="utf-8")
    (broken,) = import_findings(folder)
    assert broken.level == "warning" and broken.subject == "cv.import.json" and "delete cv.import.json" in broken.fix
    report.unlink()
    assert import_findings(folder) == []
