"""`packetbuilder init DIR --cv CV.docx|CV.md`: an application started from the student's
own CV, with their name and contact in packet.toml, every key explained, and no one
else's writers — that builds once the student has filled in one writer."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import docx_cvs
from packetbuilder.build import build_application
from packetbuilder.cli import main
from packetbuilder.config import Applicant, ApplicationSettings, Smtp, Track, Writer, parse_config
from packetbuilder.errors import InputError
from packetbuilder.scaffold import SCHEMA_DIRECTIVE, create_from_cv
from packetbuilder.sources import load_application
from packetbuilder.starter_config import PLACEHOLDERS, applicant_facts

from conftest import SAMPLES


def unexplained_keys(text: str) -> list[str]:
    """Keys of packet.toml's tables that the file neither uses nor shows commented, each
    with a comment on its line or the line above (as the sample explains every key)."""
    missing = []
    for model in (Applicant, ApplicationSettings, Track, Writer, Smtp):
        for key in model.model_fields:
            found = re.search(rf"^(?:# )?{key} = [^\n]*$", text, re.MULTILINE)
            commented_line = found and ("#" in found.group(0).removeprefix("# ")
                                        or re.search(rf"^# .*\n{re.escape(found.group(0))}$", text, re.MULTILINE))
            if not commented_line:
                missing.append(f"{model.__name__}.{key}")
    return missing


def fill_one_writer(text: str) -> str:
    """What a student does first: name the specialty, and uncomment and fill the writer
    template's required lines."""
    text = text.replace(f'specialty = "{PLACEHOLDERS["specialty"]}"', 'specialty = "General Surgery"', 1)
    template = text.index("# [[writers]]")
    head, tail = text[:template], text[template:]
    values = {"id": '"whitfield"', "name": '"James Whitfield, MD"', "salutation": '"Dr. Whitfield"',
              "email": '"jwhitfield@hospital.example.org"', "role": '"research"'}
    tail = tail.replace("# [[writers]]", "[[writers]]", 1)
    for key, value in values.items():
        tail = re.sub(rf"^# {key} = \"[^\"]*\"", f"{key} = {value}", tail, count=1, flags=re.MULTILINE)
    return head + tail


@pytest.fixture
def word_cv(tmp_path: Path) -> Path:
    path = tmp_path / "CV.docx"
    docx_cvs.styled(path)
    return path


def test_init_from_a_word_cv_fills_the_applicant_and_leaves_no_sample_writers(tmp_path: Path, word_cv: Path) -> None:
    created = create_from_cv(tmp_path / "app", word_cv)
    folder = created.folder
    assert sorted(p.name for p in folder.iterdir()) == ["cv.import.json", "cv.md", "packet.schema.json",
                                                         "packet.toml"]
    text = (folder / "packet.toml").read_text(encoding="utf-8")
    assert text.startswith(SCHEMA_DIRECTIVE)
    config = parse_config(text)
    assert (config.applicant.name, config.applicant.email, config.applicant.phone, config.applicant.school) == (
        docx_cvs.NAME, docx_cvs.EMAIL, docx_cvs.PHONE, docx_cvs.SCHOOL)
    assert config.applicant.class_year == 2026  # the end of the MD's dates
    assert config.writers == [] and "Maya Chen" in text  # the template, commented
    assert "okafor" not in text and config.tracks[0].statement is None and config.application.goals is None
    assert unexplained_keys(text) == []
    assert load_application(folder).cv.title == docx_cvs.NAME


def test_the_generated_file_builds_once_one_writer_is_filled_in(tmp_path: Path, word_cv: Path) -> None:
    folder = create_from_cv(tmp_path / "app", word_cv).folder
    config = folder / "packet.toml"
    config.write_text(fill_one_writer(config.read_text(encoding="utf-8")), encoding="utf-8")
    report = build_application(folder, folder / "build")
    assert [w.writer for w in report.writers] == ["whitfield"] and not report.failed, report.summary().lines
    assert (folder / "build" / "whitfield" / "request.eml").is_file()
    assert list((folder / "build" / "whitfield").glob("*_LOR_Packet.pdf"))


def test_init_from_a_markdown_cv_copies_it_as_it_is(tmp_path: Path) -> None:
    created = create_from_cv(tmp_path / "app", SAMPLES / "cv.md")
    assert (created.folder / "cv.md").read_bytes() == (SAMPLES / "cv.md").read_bytes()
    assert not (created.folder / "cv.import.json").exists()
    config = parse_config((created.folder / "packet.toml").read_text(encoding="utf-8"))
    assert config.applicant.name == "Nguyễn Thị Minh Anh" and config.applicant.email == "anh.nguyen@med.example.edu"
    assert config.applicant.school == "Example University School of Medicine" and config.applicant.class_year == 2027


def test_what_the_cv_does_not_give_is_a_placeholder_check_reports(tmp_path: Path) -> None:
    cv = tmp_path / "cv.md"
    cv.write_text("## Education\n\n- **B.S.**, Somewhere College, 2020\n", encoding="utf-8")
    folder = create_from_cv(tmp_path / "app", cv).folder
    text = (folder / "packet.toml").read_text(encoding="utf-8")
    config = parse_config(text)
    assert (config.applicant.name, config.applicant.email, config.applicant.school) == (
        PLACEHOLDERS["name"], PLACEHOLDERS["email"], PLACEHOLDERS["school"])
    assert "# phone = " in text and "# class_year = " in text
    result = CliRunner().invoke(main, ["check", str(folder), "--today", "2026-07-01"])
    for placeholder in ("[your name]", "TODO", "[insert your medical school]", "[specialty]"):
        assert f"placeholder '{placeholder}" in result.output


def test_init_cv_on_the_command_line_says_what_to_fill_in(tmp_path: Path, word_cv: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path / "app"), "--cv", str(word_cv)])
    assert result.exit_code == 0, result.output
    steps = [line.strip() for line in result.stdout.splitlines() if line.startswith("  packetbuilder ")]
    assert steps == [f"packetbuilder check {tmp_path / 'app'}", f"packetbuilder build {tmp_path / 'app'}"]
    assert "one [[writers]] table per letter writer" in result.stdout


def test_init_cv_refuses_a_folder_in_use_and_a_doc_and_writes_nothing(tmp_path: Path, word_cv: Path) -> None:
    used = tmp_path / "used"
    used.mkdir()
    (used / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(InputError, match="never overwrites"):
        create_from_cv(used, word_cv)
    doc = tmp_path / "CV.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100 + "WordDocument".encode("utf-16-le"))
    result = CliRunner().invoke(main, ["init", str(tmp_path / "new"), "--cv", str(doc)])
    assert result.exit_code == 2 and "Word 97–2003 document (.doc)" in result.stderr
    assert not (tmp_path / "new").exists()


def test_facts_are_not_taken_from_dates_or_the_wrong_school() -> None:
    facts = applicant_facts("# A B\n\nab@x.edu · 2019 – 2023\n\n## Education\n\n"
                            "- **B.A.**, Harbor College, 2019 – 2023\n"
                            "- **Doctor of Medicine**, Lakeside College of Medicine, 2023 – present\n")
    assert facts.phone is None and facts.school == "Lakeside College of Medicine" and facts.class_year is None


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed (scripts/ensure-tools)")
def test_init_from_pandocs_docx_of_the_sample_cv_keeps_its_tags(tmp_path: Path) -> None:
    """A DOCX made from a packetbuilder cv.md carries its `{: .keep }` tags as text: they come back as tags."""
    subprocess.run(["pandoc", str(SAMPLES / "cv.md"), "-o", str(tmp_path / "cv.docx")], check=True, timeout=60)
    folder = create_from_cv(tmp_path / "app", tmp_path / "cv.docx").folder
    cv = load_application(folder).cv
    education = [b for b in cv.sections[0].blocks]
    assert all("keep" in e.tags for e in education)
