"""The application service per track: ERAS or ResidencyCAS, in that service's words."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from packetbuilder.mail import render_draft
from packetbuilder.model import Fields, block_text
from packetbuilder.packet import assemble
from packetbuilder.schedule import timeline
from packetbuilder.sources import load_application

CORPUS = Path(__file__).resolve().parent / "corpus"
ON = dt.date(2026, 8, 20)


def cover(document) -> dict[str, str]:
    fields = next(b for b in document.sections[0].blocks if isinstance(b, Fields))
    return {label: block_text(value) for label, value in fields.rows}


def without_submission(tmp_path: Path, name: str) -> Path:
    """A corpus application with the default submission (the service's), as most students leave it."""
    folder = tmp_path / name
    shutil.copytree(CORPUS / name, folder)
    toml = folder / "packet.toml"
    toml.write_text(re.sub(r'(?m)^submission = .*\n', "", toml.read_text("utf-8")), "utf-8")
    return folder


def test_an_obgyn_application_speaks_residencycas(tmp_path: Path) -> None:
    app = load_application(without_submission(tmp_path, "obgyn-nested"))
    writer = app.config.writers[0]
    document = assemble(app, writer)
    rows = cover(document)
    assert "letters are due in ResidencyCAS by" in rows["Please upload by"]
    assert rows["How"].startswith("the request e-mail ResidencyCAS (Liaison) sends you, then Liaison Letters")
    assert "ERAS" not in document.subtitle and "ResidencyCAS 2027" in document.subtitle
    body = render_draft(app, writer, "request", ON, []).body
    assert "ERAS" not in body and "the ResidencyCAS deadline" in body
    assert any(e.title.startswith("ResidencyCAS deadline") for e in timeline(app.config))


def test_an_em_sloe_writer_is_sent_to_the_esloe_site(tmp_path: Path) -> None:
    app = load_application(without_submission(tmp_path, "em-short-flat"))
    sloe = next(w for w in app.config.writers if w.role == "slor")
    assert "the eSLOE site, with “Submit to ResidencyCAS”" in cover(assemble(app, sloe))["How"]


def test_an_im_application_keeps_eras_and_its_file_rules(sample: Path) -> None:
    app = load_application(sample)
    rows = cover(assemble(app, app.config.writer("chen")))
    assert "letters are due in ERAS by" in rows["Please upload by"]
    assert rows["Letter file"] == "PDF, US Letter size, at most 1 MB; letterhead and signature recommended"


def test_pronouns_and_the_roster_when_the_student_shares_them(sample: Path) -> None:
    toml = sample / "packet.toml"
    text = toml.read_text("utf-8").replace('# pronouns = "she/her"', 'pronouns = "she/her"')
    text = text.replace("# share_roster = true", "share_roster = true", 1)
    toml.write_text(text, "utf-8")
    app = load_application(sample)
    rows = cover(assemble(app, app.config.writer("chen")))
    assert rows["Pronouns"] == "she/her"
    assert "Chidi Okafor, PhD — a letter of recommendation (research)" in rows["Also writing for me"]
    assert "Maya Chen" not in rows["Also writing for me"]
    assert "Also writing for me" not in cover(assemble(app, app.config.writer("okafor")))


def test_eras_deadline_and_deadline_are_one_key(sample: Path) -> None:
    toml = sample / "packet.toml"
    toml.write_text(toml.read_text("utf-8").replace("deadline = 2026-09-24  ", "eras_deadline = 2026-09-24", 1),
                    "utf-8")
    config = load_application(sample).config
    assert config.application.eras_deadline == config.application.deadline == dt.date(2026, 9, 24)
