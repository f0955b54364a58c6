"""`packetbuilder import`: a Word CV becomes a cv.md that reads back as the same CV.

For each shape Word CVs take (tests/docx_cvs.py), the imported cv.md must give the same
sections, each entry with its own details under it and its dates recognised, lose no
word of the DOCX's body (every word is in cv.md or named as not placed), and build.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Pt
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from PIL import Image

import docx_cvs
from packetbuilder.build import build_packet
from packetbuilder.cli import main
from packetbuilder.cv_shapes import Detail, ImportedCv, ImportedEntry, ImportedSection
from packetbuilder.cv_writer import paragraph_text, to_markdown
from packetbuilder.docx_import import convert, import_docx
from packetbuilder.errors import InputError
from packetbuilder.import_report import ImportReport, sidecar_for
from packetbuilder.markdown import read_cv
from packetbuilder.model import Document, Entry, Run, block_text, plain
from packetbuilder.render.pdf import render_pdf
from packetbuilder.sources import load_application
from test_fit import pdf_text, words
from test_word_cv import CONFIG  # an application with a research writer: any CV builds under it

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def docx_words(path: Path) -> Counter[str]:
    """Every word of a DOCX's body as Word shows it: the text of each paragraph (tables and
    text boxes included), read straight from document.xml, independently of the importer."""
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    texts: dict[object, list[str]] = {}
    for t in root.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr"):
        paragraph = next((a for a in t.iterancestors() if a.tag == f"{W}p"), None)
        if paragraph is not None:  # (a w:tab in a paragraph's tab stops has none)
            texts.setdefault(paragraph, []).append(t.text or "" if t.tag == f"{W}t" else " ")
    return Counter(w for parts in texts.values() for w in re.findall(r"\w+", "".join(parts)))


def read_back_words(cv: Document, report: ImportReport) -> Counter[str]:
    """The words of the imported cv.md as packetbuilder reads it, and of what was not placed."""
    parts = [cv.title, block_text(cv.preamble)]
    for section in cv.sections:
        parts.append(section.title)
        parts.extend(section.tags)
        parts.extend(block_text((b,)) for b in section.blocks)
        parts.extend(t for b in section.blocks if isinstance(b, Entry) for t in b.tags)
    parts.extend(n.message for n in report.unplaced)
    return Counter(re.findall(r"\w+", " ".join(parts)))


def bold_led(paragraph, title: str, rest: str):
    """An entry's first line as Word CVs write it: the title in bold, then the rest."""
    paragraph.add_run(title).bold = True
    paragraph.add_run(rest)
    return paragraph


def entries(section) -> list[Entry]:
    return [b for b in section.blocks if isinstance(b, Entry)]


def detail_lines(entry: Entry) -> list[str]:
    return [line for line in block_text(entry.details).split("\n") if line]


@pytest.fixture(params=list(docx_cvs.SHAPES))
def imported(request, tmp_path: Path):
    """(the DOCX, what it must read back as, the application folder with the imported cv.md)."""
    tool = docx_cvs.NEEDS.get(request.param)
    if tool and shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed (scripts/ensure-tools installs it)")
    source = tmp_path / "source" / "cv.docx"
    source.parent.mkdir()
    expected = docx_cvs.SHAPES[request.param](source)
    folder = tmp_path / "app"
    folder.mkdir()
    import_docx(source, folder / "cv.md")
    (folder / "packet.toml").write_text(CONFIG, encoding="utf-8")
    return source, expected, folder


def test_every_entry_reads_back_with_its_details_and_dates(imported) -> None:
    _, expected, folder = imported
    cv = read_cv((folder / "cv.md").read_text(encoding="utf-8"))
    assert cv.title == expected.name
    assert docx_cvs.EMAIL in block_text(cv.preamble) and docx_cvs.PHONE in block_text(cv.preamble)
    assert [s.title for s in cv.sections] == list(expected.sections)
    for section in cv.sections:
        found = [(e.title, detail_lines(e), e.dates is not None) for e in entries(section)]
        assert found == expected.entries(section.title), section.title


def test_no_word_of_the_body_is_lost(imported) -> None:
    source, _, folder = imported
    cv = read_cv((folder / "cv.md").read_text(encoding="utf-8"))
    report = ImportReport.from_json((folder / "cv.import.json").read_text(encoding="utf-8"))
    lost = docx_words(source) - read_back_words(cv, report)
    assert not lost, f"words of the DOCX missing from cv.md and from the report: {dict(lost)}"


def test_the_imported_cv_builds(imported) -> None:
    _, _, folder = imported
    app = load_application(folder)
    document, report = build_packet(app, app.config.writers[0])
    assert report.pages <= 2
    text = pdf_text(render_pdf(document))
    for needed in ("First assist on 31 cases", "including 12 laparoscopic", "Universidade de São Paulo",
                   "a_snake_case [draft] #1 of 40"):
        assert words(needed) in text


def test_links_and_emphasis_survive(tmp_path: Path) -> None:
    source = tmp_path / "cv.docx"
    docx_cvs.styled(source)
    cv = read_cv(convert(source).markdown)
    mail = next(r for r in cv.preamble[0].runs if r.href)
    assert mail.href == f"mailto:{docx_cvs.EMAIL}" and mail.text == docx_cvs.EMAIL
    doctor = entries(cv.sections[0])[0]
    assert doctor.blocks[0].runs[0].bold and doctor.blocks[0].runs[0].text == "Doctor of Medicine"


# -- other shapes: descriptions, numbered lists, headings over groups ----------------------

def test_an_entry_keeps_its_description_indented_under_it(tmp_path: Path) -> None:
    """A paragraph of description under an entry: indented under the list item, with the
    entry's bullets; a numbered list of its own is numbered entries."""
    doc = WordDocument()
    doc.add_paragraph("Ana Lima", style="Title")
    doc.add_heading("Clinical Experience", 1)
    bold_led(doc.add_paragraph(), "Sub-internship in Medicine", ", Riverside County Hospital, July 2026")
    doc.add_paragraph("Carried six to eight patients on a general medicine team as the primary sub-intern, "
                      "and led two family meetings.")
    doc.add_paragraph("Presented on rounds daily", style="List Bullet")
    bold_led(doc.add_paragraph(), "Surgery Clerkship", ", Riverside County Hospital, Jan – Mar 2025")
    doc.add_heading("Publications", 1)
    for citation in ("Lima A, Chen M. Readmission after heart failure. J Gen Intern Med. 2026.",
                     "Lima A. Discharge checklists. Poster, SGIM, 2025."):
        doc.add_paragraph(citation, style="List Number")
    doc.save(str(tmp_path / "cv.docx"))
    converted = convert(tmp_path / "cv.docx")
    assert "- **Sub-internship in Medicine**, Riverside County Hospital, July 2026\n\n    Carried six" \
        in converted.markdown
    clinical, publications = read_cv(converted.markdown).sections
    sub, clerkship = entries(clinical)
    assert sub.title == "Sub-internship in Medicine" and sub.dates.text == "July 2026"
    assert detail_lines(sub) == ["Carried six to eight patients on a general medicine team as the primary "
                                 "sub-intern, and led two family meetings.", "Presented on rounds daily"]
    assert clerkship.title == "Surgery Clerkship" and not clerkship.details
    assert [e.bullet for e in entries(publications)] == ["number", "number"]
    assert all(e.dates for e in entries(publications))
    assert any("description" in g.message for g in converted.report.guesses)


def test_an_entry_dated_in_its_description_makes_its_section_heading_entries(tmp_path: Path) -> None:
    """Its dates are found only if the paragraph is read as part of its first line, as a
    ### entry reads the paragraph under its heading: the section takes that shape."""
    doc = WordDocument()
    doc.add_heading("Clinical Experience", 1)
    doc.add_heading("Sub-internship in Medicine — Riverside County Hospital", 2)
    doc.add_paragraph("July 2026 · 4 weeks. Carried six to eight patients on a general medicine team as the "
                      "primary sub-intern.")
    doc.add_paragraph("Led two family meetings", style="List Bullet")
    bold_led(doc.add_paragraph(), "Surgery Clerkship", ", Riverside County Hospital, Jan – Mar 2025")
    doc.add_paragraph("Scrubbed on 64 cases", style="List Bullet")
    doc.save(str(tmp_path / "cv.docx"))
    markdown = convert(tmp_path / "cv.docx").markdown
    assert "### Sub-internship in Medicine — Riverside County Hospital\nJuly 2026 · 4 weeks." in markdown
    assert "### Surgery Clerkship\nRiverside County Hospital, Jan – Mar 2025\n- Scrubbed on 64 cases" in markdown
    sub, clerkship = entries(read_cv(markdown).sections[0])
    assert sub.dates.text == "July 2026" and detail_lines(sub) == ["Led two family meetings"]
    assert clerkship.dates.text == "Jan – Mar 2025" and detail_lines(clerkship) == ["Scrubbed on 64 cases"]


def test_a_heading_over_dated_items_groups_them(tmp_path: Path) -> None:
    doc = WordDocument()
    doc.add_heading("Publications and Presentations", 1)
    doc.add_heading("Posters", 2)
    for poster in ("Readmission after heart failure, SGIM, 2026", "Discharge checklists, ACP, 2025"):
        doc.add_paragraph(poster, style="List Number")
    doc.add_heading("Oral presentations", 2)
    for talk in ("Registry methods, Surgical Grand Rounds, 2025", "Mesh choice, Regional ACS, 2024"):
        doc.add_paragraph(talk, style="List Number")
    doc.save(str(tmp_path / "cv.docx"))
    cv = read_cv(convert(tmp_path / "cv.docx").markdown)
    blocks = cv.sections[0].blocks
    assert [plain(b.runs) if not isinstance(b, Entry) else "entry" for b in blocks] == [
        "Posters", "entry", "entry", "Oral presentations", "entry", "entry"]


def test_a_cv_without_section_titles_still_builds_one_section(tmp_path: Path) -> None:
    doc = WordDocument()
    doc.add_paragraph("Some experience at a clinic, 2024")
    doc.add_paragraph("Volunteer work at a shelter, 2023")
    doc.save(str(tmp_path / "cv.docx"))
    converted = convert(tmp_path / "cv.docx")
    cv = read_cv(converted.markdown)
    assert [s.title for s in cv.sections] == ["Curriculum Vitae"] and len(entries(cv.sections[0])) == 2
    assert any("no section titles" in g.message for g in converted.report.guesses)


# -- what cannot be placed is reported, never dropped --------------------------------------

def text_box(paragraph, text: str) -> None:
    """A DrawingML text box, as Word's Insert → Text Box makes one."""
    run = paragraph.add_run()
    run._r.append(parse_xml(
        f'<w:drawing {nsdecls("w", "wp", "a")} '
        'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        '<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="1" behindDoc="0" '
        'locked="0" layoutInCell="1" allowOverlap="1"><wp:simplePos x="0" y="0"/>'
        '<wp:positionH relativeFrom="column"><wp:posOffset>0</wp:posOffset></wp:positionH>'
        '<wp:positionV relativeFrom="paragraph"><wp:posOffset>0</wp:posOffset></wp:positionV>'
        '<wp:extent cx="914400" cy="457200"/><wp:wrapNone/><wp:docPr id="7" name="Text Box 7"/>'
        '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
        f'<wps:wsp><wps:txbx><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent></wps:txbx>'
        '<wps:bodyPr/></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing>'))


def _footnote(doc, paragraph, text: str) -> None:
    """A footnote part and a reference to it (python-docx has no footnote API)."""
    xml = (f'<w:footnotes {nsdecls("w")}><w:footnote w:type="separator" w:id="-1"><w:p/></w:footnote>'
           f'<w:footnote w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml", xml.encode(),
                doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    paragraph.add_run()._r.append(parse_xml(f'<w:footnoteReference {nsdecls("w")} w:id="1"/>'))


@pytest.fixture
def cluttered(tmp_path: Path) -> Path:
    """A CV with a text box, a photo, a header and footer, a comment, a footnote and hidden text."""
    doc = WordDocument()
    doc.sections[0].header.paragraphs[0].text = "Confidential draft header"
    doc.sections[0].footer.paragraphs[0].text = "Footer page note"
    doc.add_paragraph("Ana Lima", style="Title")
    photo = tmp_path / "photo.png"
    Image.new("RGB", (20, 20), "white").save(photo)
    doc.add_picture(str(photo))
    doc.add_heading("Education", 1)
    entry = bold_led(doc.add_paragraph(), "Doctor of Medicine", ", Lakeside, 2022 – 2026")
    text_box(entry, "Sidebar boxed words")
    doc.add_comment(entry.runs[0], text="Check this date", author="Advisor")
    _footnote(doc, entry, "Footnoted explanation words")
    hidden = entry.add_run(" secretly hidden")
    hidden.font.hidden = True
    doc.save(str(tmp_path / "cv.docx"))
    return tmp_path / "cv.docx"


def test_what_cannot_be_placed_is_reported_with_its_paragraph(cluttered: Path) -> None:
    report = convert(cluttered).report
    found = {(n.what, n.message, n.paragraph) for n in report.unplaced}
    assert ("text box", "Sidebar boxed words", 4) in found
    assert ("image", "", 2) in found
    assert ("header", "Confidential draft header", 0) in found and ("footer", "Footer page note", 0) in found
    assert ("comment by Advisor", "Check this date", 4) in found
    assert ("footnote", "Footnoted explanation words", 4) in found
    assert ("hidden text", " secretly hidden", 4) in found
    assert docx_words(cluttered) - read_back_words(read_cv(convert(cluttered).markdown), report) == Counter()


def test_import_prints_what_it_could_not_place_on_stderr(cluttered: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["import", str(cluttered), "--out", str(tmp_path / "out.md")])
    assert result.exit_code == 0, result.output
    assert "not placed: cv.docx paragraph 4: text box: 'Sidebar boxed words'" in result.stderr
    assert "not placed: cv.docx, outside the body: header: 'Confidential draft header'" in result.stderr
    assert "wrote" in result.stdout and "not placed" not in result.stdout
    assert sidecar_for(tmp_path / "out.md").is_file()


# -- refusals --------------------------------------------------------------------------------

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(("content", "says", "fix"), [
    (b"# My CV\n\nplain text\n", "not a Word .docx file", "init DIR --cv cv.md"),
    (OLE + "WordDocument".encode("utf-16-le") + b"\x00" * 64, "Word 97–2003 document (.doc)", "Save As"),
    (OLE + "EncryptionInfo".encode("utf-16-le") + "EncryptedPackage".encode("utf-16-le"), "password-protected",
     "remove the password"),
    (b"%PDF-1.7\n", "is a PDF", "Save As"),
])
def test_a_file_that_is_not_a_readable_docx_is_refused_with_what_to_do(tmp_path: Path, content: bytes, says: str,
                                                                      fix: str) -> None:
    source = tmp_path / "cv.docx"
    source.write_bytes(content)
    result = CliRunner().invoke(main, ["import", str(source), "--out", str(tmp_path / "cv.md")])
    assert result.exit_code == 2
    assert f"error: {source}: " in result.stderr and says in result.stderr and fix in result.stderr
    assert not (tmp_path / "cv.md").exists() and not (tmp_path / "cv.import.json").exists()


def test_an_odt_is_refused_with_how_to_convert_it(tmp_path: Path) -> None:
    docx_cvs.odt(tmp_path / "cv.odt")
    with pytest.raises(InputError, match=r"OpenDocument text \(\.odt\).*--convert-to docx"):
        convert(tmp_path / "cv.odt")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="soffice is not installed (scripts/ensure-tools)")
def test_a_real_doc_made_by_libreoffice_is_refused(tmp_path: Path) -> None:
    docx_cvs.styled(tmp_path / "cv.docx")
    subprocess.run(["soffice", "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path / 'lo'}",
                    "--convert-to", "doc", "--outdir", str(tmp_path / "doc"), str(tmp_path / "cv.docx")],
                   check=True, timeout=120, capture_output=True)
    with pytest.raises(InputError, match=r"Word 97–2003 document"):
        convert(tmp_path / "doc" / "cv.doc")


def test_an_existing_target_is_never_overwritten_unless_forced(tmp_path: Path) -> None:
    source = tmp_path / "cv.docx"
    docx_cvs.styled(source)
    target = tmp_path / "cv.md"
    target.write_text("my own cv\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(source), "--out", str(target)])
    assert result.exit_code == 2 and "already exists; import never overwrites" in result.stderr
    assert target.read_text(encoding="utf-8") == "my own cv\n"
    result = CliRunner().invoke(main, ["import", str(source), "--out", str(target), "--force"])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").startswith(f"# {docx_cvs.NAME}\n")


def test_an_existing_report_is_not_overwritten_either(tmp_path: Path) -> None:
    source = tmp_path / "cv.docx"
    docx_cvs.styled(source)
    (tmp_path / "cv.import.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputError, match="already exists"):
        import_docx(source, tmp_path / "cv.md")
    assert not (tmp_path / "cv.md").exists()


def test_out_may_be_a_folder(tmp_path: Path) -> None:
    source = tmp_path / "cv.docx"
    docx_cvs.styled(source)
    (tmp_path / "app").mkdir()
    target, sidecar, _ = import_docx(source, tmp_path / "app")
    assert target == tmp_path / "app" / "cv.md" and sidecar == tmp_path / "app" / "cv.import.json"


# -- escaping: any text reads back as written ------------------------------------------------

_TEXT = st.text(alphabet=st.sampled_from(list("ab ÿŁ*_[]`#<>&;.-!{}()\\|~=+1:'\"\u00a0%@/^")), min_size=1,
                max_size=12)
_SPAN = st.builds(Run, _TEXT, st.booleans(), st.booleans(),
                  href=st.sampled_from([None, "https://example.org/a b"]))


def _squeezed(text: str) -> str:
    """Whitespace as the reader leaves it: runs of spaces as one (a no-break space in a list
    item's plain text too), none at the ends of a paragraph."""
    return re.sub(r"[ \t\r\n\u00a0]+", " ", text).strip()


@settings(max_examples=300, deadline=None)
@given(st.lists(_SPAN, min_size=1, max_size=5))
def test_text_written_by_the_import_reads_back_as_the_same_characters(spans) -> None:
    line = paragraph_text(tuple(spans))
    expected = _squeezed("".join(s.text for s in spans))
    if not expected:
        return
    cv = read_cv(f"## S\n\n- {line}\n")
    runs = entries(cv.sections[0])[0].blocks[0].runs
    got = plain(runs)
    typeset = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
    if re.search(r"\{:?\s*(?:[.#][\w-]+\s*)+\}\s*$", expected):
        return  # a trailing {: .x } is read as tags: by design (docs/format.md)
    assert _squeezed(got).translate(typeset) == expected.translate(typeset), line


_WORDS = st.lists(_SPAN, min_size=1, max_size=10).filter(lambda spans: _squeezed("".join(s.text for s in spans)))
_DETAIL = st.tuples(_WORDS, st.sampled_from(["prose", 0, 1]))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_DETAIL, max_size=4), min_size=1, max_size=3), st.booleans())
def test_entries_with_any_details_read_back_each_under_its_own_entry(shapes, dated_by_prose) -> None:
    """Wrapped at 92 columns, with bullets and paragraphs in any order, as list items or
    (an entry dated only in its description) ### entries: every detail reads back under
    its own entry, as written, and no line starts a list, a rule or a quote."""
    if dated_by_prose:
        shapes = [[([Run("July 2026 · 4 weeks.")], "prose")] + shapes[0]] + shapes[1:]
    made = []
    for index, details in enumerate(shapes):
        items = []
        for spans, kind in details:
            items.append(Detail(tuple(spans), 10 * index + len(items) + 2, depth=0 if kind == "prose" else kind,
                                prose=kind == "prose"))
        if items and not items[0].prose and items[0].depth:
            items[0] = Detail(items[0].spans, items[0].paragraph)  # a first bullet is at the first level
        rest = () if dated_by_prose and index == 0 else (Run(", 2024"),)
        made.append(ImportedEntry((Run(f"Entry {index}", bold=True), *rest), 10 * index + 1, tuple(items)))
    cv = ImportedCv((), 0, (), (ImportedSection("S", 0, tuple(made)),), (), ())
    markdown, _ = to_markdown(cv)
    found = entries(read_cv(markdown).sections[0])
    typeset = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
    expected = [[_squeezed("".join(s.text for s in d.spans)).translate(typeset) for d in e.details] for e in made]
    if dated_by_prose:
        assert markdown.count("### ") == len(made)
        expected[0] = expected[0][1:]  # the paragraph under a bare ### heading is its first line
    if any(re.search(r"\{:?\s*(?:[.#][\w-]+\s*)+\}\s*$", line) for lines in expected for line in lines):
        return  # read as tags, by design
    assert [e.title for e in found] == [f"Entry {i}" for i in range(len(made))], markdown
    assert [[_squeezed(line).translate(typeset) for line in detail_lines(e)] for e in found] == expected, markdown


def test_a_template_or_macro_enabled_file_is_read_like_a_docx(tmp_path: Path) -> None:
    docx_cvs.styled(tmp_path / "cv.docx")
    main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    for name, kind in (("cv.dotx", b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml"),
                       ("cv.docm", b"application/vnd.ms-word.document.macroEnabled.main+xml")):
        with zipfile.ZipFile(tmp_path / "cv.docx") as source, zipfile.ZipFile(tmp_path / name, "w") as copy:
            for item in source.infolist():
                data = source.read(item)
                if item.filename == "[Content_Types].xml":
                    data = data.replace(main, kind)
                copy.writestr(item, data)
        assert read_cv(convert(tmp_path / name).markdown).title == docx_cvs.NAME


def test_a_docx_with_no_text_in_its_body_is_refused(tmp_path: Path) -> None:
    doc = WordDocument()
    doc.sections[0].header.paragraphs[0].text = "Ana Lima, MD candidate"
    doc.save(str(tmp_path / "cv.docx"))
    with pytest.raises(InputError, match="has no text in its body .only text boxes, pictures or headers."):
        convert(tmp_path / "cv.docx")


def test_a_layout_table_with_sections_in_its_left_column(tmp_path: Path) -> None:
    """Many Word CV templates are one table: the name and contact in a top row, each
    section's title in the left column and its entries in the right."""
    doc = WordDocument()
    top = doc.add_table(rows=1, cols=2).rows[0].cells
    run = top[0].paragraphs[0].add_run("Ana Lima")
    run.bold, run.font.size = True, Pt(22)
    top[1].paragraphs[0].text = "ana@med.example.edu"
    top[1].add_paragraph("+1 (555) 010-9999")
    rows = doc.add_table(rows=2, cols=2).rows
    for row, (section, title, rest, detail) in zip(rows, [
            ("EDUCATION", "Doctor of Medicine", ", Lakeside School of Medicine, 2022 – 2026", "Class president"),
            ("RESEARCH", "Registry study", ", Whitfield Lab, 2024 – present", "Built the database")]):
        row.cells[0].paragraphs[0].add_run(section).bold = True
        bold_led(row.cells[1].paragraphs[0], title, rest)
        row.cells[1].add_paragraph(detail, style="List Bullet")
    doc.save(str(tmp_path / "cv.docx"))
    cv = read_cv(convert(tmp_path / "cv.docx").markdown)
    assert cv.title == "Ana Lima" and plain(cv.preamble[0].runs) == "ana@med.example.edu · +1 (555) 010-9999"
    assert [(s.title, [(e.title, detail_lines(e), e.dates is not None) for e in entries(s)]) for s in cv.sections] == [
        ("EDUCATION", [("Doctor of Medicine", ["Class president"], True)]),
        ("RESEARCH", [("Registry study", ["Built the database"], True)])]


def test_a_curriculum_vitae_line_is_left_out_and_said_so(tmp_path: Path) -> None:
    doc = WordDocument()
    doc.add_paragraph("Curriculum Vitae")
    doc.add_paragraph("Ana Lima", style="Title")
    doc.add_heading("Education", 1)
    doc.add_paragraph("Lakeside School of Medicine, MD, 2022 – 2026")
    doc.save(str(tmp_path / "cv.docx"))
    converted = convert(tmp_path / "cv.docx")
    assert "Curriculum Vitae" not in converted.markdown and read_cv(converted.markdown).title == "Ana Lima"
    assert [(n.what, n.message) for n in converted.report.unplaced] == [("document title", "Curriculum Vitae")]


CORPUS = sorted(p.parent for p in (Path(__file__).resolve().parent / "corpus").glob("*/cv.md"))


@pytest.mark.skipif(shutil.which("pandoc") is None, reason="pandoc is not installed (scripts/ensure-tools)")
@pytest.mark.parametrize("folder", CORPUS, ids=[p.name for p in CORPUS])
def test_each_corpus_cv_comes_back_through_word_with_the_same_entries(folder: Path, tmp_path: Path) -> None:
    """The corpus's CVs, made Word files by pandoc and imported: the same sections, the same
    entries with their titles and dates, their tags, no word lost. (Details are compared
    above: pandoc turns a list written straight under a line into text of that line.)"""
    docx = tmp_path / "cv.docx"
    subprocess.run(["pandoc", "-f", "markdown-smart", str(folder / "cv.md"), "-o", str(docx)], check=True, timeout=60)
    converted = convert(docx)
    original, imported = read_cv((folder / "cv.md").read_text(encoding="utf-8")), read_cv(converted.markdown)

    def shape(cv: Document) -> list:
        return [(s.title, [(e.title, e.dates.text if e.dates else None, e.tags) for e in entries(s)])
                for s in cv.sections]

    assert imported.title == original.title and shape(imported) == shape(original)
    assert docx_words(docx) - read_back_words(imported, converted.report) == Counter()


def test_an_entity_in_a_part_is_never_resolved(tmp_path: Path) -> None:
    """A footnotes part naming a file on this computer as an XML entity: its text stays out."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRETWORD", encoding="utf-8")
    doc = WordDocument()
    doc.add_heading("Education", 1)
    entry = doc.add_paragraph("Lakeside School of Medicine, 2022 – 2026")
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:footnotes [<!ENTITY e SYSTEM "file://{secret}">]>'
           f'<w:footnotes {nsdecls("w")}><w:footnote w:id="1"><w:p><w:r><w:t>&e;</w:t></w:r></w:p></w:footnote>'
           "</w:footnotes>")
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml", xml.encode(),
                doc.part.package)
    doc.part.relate_to(part, RT.FOOTNOTES)
    entry.add_run()._r.append(parse_xml(f'<w:footnoteReference {nsdecls("w")} w:id="1"/>'))
    doc.save(str(tmp_path / "cv.docx"))
    converted = convert(tmp_path / "cv.docx")
    assert "TOPSECRETWORD" not in converted.markdown + converted.report.to_json().decode()
