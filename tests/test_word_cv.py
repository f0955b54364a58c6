"""A Word CV, as most students have one, through ``pandoc -t gfm``: it builds, and every
detail bullet stays under its own entry.

The DOCX is made here with python-docx in the shape Word CVs take: Heading 1 sections,
an entry as a paragraph that starts in bold, its details as List Bullet paragraphs,
publications as a numbered list.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document as WordDocument

from packetbuilder.build import build_packet
from packetbuilder.markdown import read_cv
from packetbuilder.model import Entry, block_text, walk_sections
from packetbuilder.sources import load_application
from test_fit import pdf_text, words
from packetbuilder.render.pdf import render_pdf

ENTRIES = {
    "Education": [("Doctor of Medicine", ", Lakeside University School of Medicine, 2022–2026", []),
                  ("B.S. in Chemistry", ", Northfield College, Sept 2017 – June 2021", [])],
    "Clinical Experience": [
        ("Sub-internship in Surgery", ", Northfield Hospital, July 2026",
         ["First assist on 31 cases", "Took call every fourth night"]),
        ("Surgery Clerkship", ", Lakeside University Hospital, Jan – Mar 2025",
         ["Honors; shelf examination in the 91st percentile"]),
        ("Trauma elective", ", Harbor County Trauma Center, 03/2026", ["Ran the secondary survey on 40 activations"]),
    ],
    "Research": [("Hernia recurrence registry", ", Whitfield Surgical Outcomes Group, 2024–present",
                  ["Built the REDCap database", "Fitted the recurrence models"])],
}
PUBLICATIONS = ["Whitfield J, Moreno-Díaz P. Mesh choice and recurrence. J Surg Res. 2025;300:1-8.",
                "Moreno-Díaz P, Whitfield J, Akande T. Registry methods in hernia surgery. Hernia. 2026."]
CONFIG = """[applicant]
name = "Paloma Moreno-Díaz"
email = "paloma@med.example.edu"
school = "Lakeside University School of Medicine"

[application]
eras_deadline = 2026-09-24
page_limit = 2

[[tracks]]
id = "gs"
specialty = "General Surgery"

[[writers]]
id = "whitfield"
name = "James Whitfield, MD"
salutation = "Dr. Whitfield"
email = "jwhitfield@hospital.example.org"
role = "research"

[[writers]]
id = "okoro"
name = "Ada Okoro, MD"
salutation = "Dr. Okoro"
email = "aokoro@hospital.example.org"
role = "clinical"
highlight = ["sub-internship"]
"""


def word_cv(path: Path) -> None:
    doc = WordDocument()
    doc.add_paragraph("Paloma Moreno-Díaz", style="Title")
    doc.add_paragraph("paloma@med.example.edu · +1 (555) 010-3030")
    for section, entries in ENTRIES.items():
        doc.add_heading(section, level=1)
        for title, rest, details in entries:
            paragraph = doc.add_paragraph()
            paragraph.add_run(title).bold = True
            paragraph.add_run(rest)
            for detail in details:
                doc.add_paragraph(detail, style="List Bullet")
    doc.add_heading("Publications", level=1)
    for citation in PUBLICATIONS:
        doc.add_paragraph(citation, style="List Number")
    doc.save(str(path))


@pytest.fixture
def application(tmp_path: Path) -> Path:
    if shutil.which("pandoc") is None:
        pytest.skip("pandoc is not installed (scripts/ensure-tools installs it)")
    folder = tmp_path / "app"
    folder.mkdir()
    word_cv(tmp_path / "cv.docx")
    subprocess.run(["pandoc", str(tmp_path / "cv.docx"), "-t", "gfm", "-o", str(folder / "cv.md")], check=True,
                   timeout=60)
    (folder / "packet.toml").write_text(CONFIG, "utf-8")
    return folder


def test_pandoc_markdown_of_a_word_cv_keeps_each_detail_under_its_entry(application: Path) -> None:
    cv = read_cv((application / "cv.md").read_text("utf-8"))
    assert [s.title for s in cv.sections] == [*ENTRIES, "Publications"]
    for section in cv.sections[:-1]:
        found = [b for b in section.blocks if isinstance(b, Entry)]
        assert [(e.title, block_text(e.details)) for e in found] == [
            (title, "\n".join(details)) for title, _, details in ENTRIES[section.title]]
        assert all(e.dates is not None for e in found)
    publications = [b for b in cv.sections[-1].blocks if isinstance(b, Entry)]
    assert len(publications) == 2 and all(e.bullet == "number" for e in publications)


def test_a_word_cv_builds_with_the_mentors_papers_marked(application: Path) -> None:
    app = load_application(application)
    for writer in app.config.writers:
        document, report = build_packet(app, writer)
        assert report.pages <= 2
        cv = next(s for s in document.sections if s.key == "cv")
        marked = [b for s in walk_sections(cv.children) for b in s.blocks if isinstance(b, Entry) and b.highlight]
        text = pdf_text(render_pdf(document))
        if writer.id == "whitfield":  # co-author of both papers, never tagged
            assert sum(1 for e in marked if e.bullet == "number") == 2
        assert words("Doctor of Medicine, Lakeside University School of Medicine") in text
        for e in marked:
            assert words(block_text(e.blocks))[:40] in text
