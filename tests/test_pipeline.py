"""End to end: sources → model → PDF and DOCX, read back with pypdf and python-docx."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
from docx.text.paragraph import Paragraph as DocxParagraph
import lxml.etree
import pytest
from pypdf import PdfReader

from packetbuilder.build import build_application
from packetbuilder.markdown import read_cv, read_notes
from packetbuilder.model import Entry, plain
from test_fit import words

HOSTILE = "R&D at AT&T <b>not bold</b> a<b µg/kg – “quoted” Łódź Wiśniewski jane@x.org"


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _docx_text(path: Path) -> str:
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells).replace("\u00a0", " ")  # no-break spaces read as spaces


@pytest.fixture
def built(sample: Path, tmp_path: Path) -> Path:
    cv = sample / "cv.md"
    cv.write_text(cv.read_text("utf-8").replace(
        "- **Data**: R, Python, SQL, REDCap", f"- **Data**: R, Python, SQL, REDCap; {HOSTILE} {{: .chen }}"), "utf-8")
    out = tmp_path / "out"
    report = build_application(sample, out, formats=("pdf", "docx"))
    assert not report.failed
    return out


def test_outputs_follow_the_layout(built: Path):
    for writer in ("chen", "okafor", "lee", "wisniewski"):
        names = sorted(p.name for p in (built / writer).iterdir())
        assert "Anh_Nguyen_LOR_Packet.pdf" in names and "Anh_Nguyen_LOR_Packet.docx" in names
    assert (built / "build-report.json").is_file()


def test_pdf_text_fonts_outline_and_metadata(built: Path):
    path = built / "chen" / "Anh_Nguyen_LOR_Packet.pdf"
    text = _pdf_text(path)
    assert "Nguyễn Thị Minh Anh" in text
    assert "Dr. Wiśniewski" not in text  # another writer's packet detail does not leak in
    for fragment in ("R&D at AT&T", "<b>not bold</b>", "jane@x.org", "a<b", "µg/kg", "–", "Łódź"):
        assert fragment in text, fragment
    assert "\u25a0" not in text and "\x00" not in text
    assert "{:" not in text and ".keep" not in text and ".optional" not in text
    reader = PdfReader(path)
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] if "/DescendantFonts" in font \
                else font.get("/FontDescriptor")
            assert descriptor is not None and "/FontFile2" in descriptor.get_object(), font["/BaseFont"]
            fonts.add(str(font["/BaseFont"]).split("+")[-1])
    assert {"Carlito", "Carlito-Bold"} <= fonts
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles[:2] == ["Our work together", "Personal Statement — Internal Medicine (draft)"]
    assert "Curriculum vitae" in titles
    pages = []  # every outline entry, sections within parts too, opens the page its heading is on
    entries = list(reader.outline)
    while entries:
        item = entries.pop(0)
        if isinstance(item, list):
            entries[:0] = item
            continue
        number = reader.get_destination_page_number(item)
        assert words(item.title) in words(reader.pages[number].extract_text()), (item.title, number + 1)
        pages.append(number + 1)
    # the parts start on page 2, or under the cover sheet when it shares its page to fit
    assert pages[0] in (1, 2) and pages == sorted(pages) and pages[-1] == len(reader.pages) > 2
    meta = reader.metadata
    assert meta.author == "Nguyễn Thị Minh Anh"
    assert meta.title == "Anh Nguyen — Letter of Recommendation request"
    assert "Maya Chen, MD" in meta.subject
    assert reader.pages[0].mediabox.width == 612  # US Letter


def test_pdf_footer_and_cover_sheet(built: Path):
    reader = PdfReader(built / "chen" / "Anh_Nguyen_LOR_Packet.pdf")
    first = " ".join(reader.pages[0].extract_text().split())
    total = len(reader.pages)
    assert f"page 1 of {total}" in first
    for label in ("Please upload by", "Thursday, September 10, 2026", "Letter ID LOR-4821-0917",
                  "FERPA waiver signed", "You might speak to", "clinical reasoning on a busy ward",
                  "calm under pressure", "At least two letters", "Riverside University Hospital",
                  "In this packet", "Curriculum vitae p."):
        assert label in first, label


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def every_paragraph(document) -> list[DocxParagraph]:
    """All paragraphs, those in table cells too (an entry's first line and dates are a row)."""
    return [DocxParagraph(p, document) for p in document.element.body.iter(f"{W}p")]


def is_shaded(paragraph: DocxParagraph) -> bool:
    """Tinted as a marked entry: on the paragraph, or on the table cell it stands in."""
    p = paragraph._p
    cell = next((a for a in p.iterancestors(f"{W}tc")), None)
    return (p.pPr is not None and p.pPr.find(f"{W}shd") is not None) or (
        cell is not None and cell.find(f"{W}tcPr/{W}shd") is not None)


def test_docx_styles_properties_and_highlights(built: Path):
    path = built / "chen" / "Anh_Nguyen_LOR_Packet.docx"
    document = docx.Document(str(path))
    used = {p.style.name for p in every_paragraph(document)}
    assert {"Title", "Subtitle", "Heading 1", "Heading 2", "Entry", "Entry Date", "Body Text", "List Bullet",
            "List Number", "CV Name", "Prose"} <= used
    assert document.core_properties.author == "Nguyễn Thị Minh Anh"
    assert document.core_properties.title == "Anh Nguyen — Letter of Recommendation request"
    assert document.styles["Body Text"].font.name == "Calibri"
    section = document.sections[0]
    assert (section.page_width.pt, section.page_height.pt) == (612, 792)
    text = _docx_text(path)
    assert "Nguyễn Thị Minh Anh" in text and HOSTILE in text
    assert "{:" not in text and ".keep" not in text
    shaded = [p.text for p in every_paragraph(document) if is_shaded(p)]
    assert any(t.startswith("Sub-internship in Internal Medicine") for t in shaded)
    assert not any("Protein folding" in t for t in shaded)  # not relevant to Dr. Chen
    footer = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_reference_docx_is_generated_and_slim(built: Path, tmp_path: Path):
    """styles/reference.docx is what the generator makes from packet.toml (the same parts
    and styles, so the two never drift), and a packet carries only the styles it can use
    and no stray parts."""
    from packetbuilder.render.reference import make_reference
    from packetbuilder.render.styles import REFERENCE_DOCX

    def parts_and_styles(path: Path) -> tuple[list[str], list[str]]:
        package = zipfile.ZipFile(path)
        return package.namelist(), re.findall(r'w:styleId="([^"]+)"', package.read("word/styles.xml").decode())

    fresh = tmp_path / "reference.docx"
    make_reference(fresh)
    assert parts_and_styles(fresh) == parts_and_styles(REFERENCE_DOCX), "run: python -m packetbuilder.render.reference"
    packet = zipfile.ZipFile(built / "chen" / "Anh_Nguyen_LOR_Packet.docx")
    names = set(packet.namelist())
    assert not any("thumbnail" in n or "stylesWithEffects" in n or n.startswith("customXml") for n in names)
    styles = packet.read("word/styles.xml").decode("utf-8")
    defined = set(re.findall(r'w:styleId="([^"]+)"', styles))
    referenced = set(re.findall(r'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', packet.read("word/document.xml")
                                .decode("utf-8")))
    assert referenced and referenced <= defined
    assert 20 <= len(defined) <= 40 and len(styles) < 40_000  # python-docx's template has ~160, 350 KB
    document = docx.Document(str(built / "chen" / "Anh_Nguyen_LOR_Packet.docx"))
    assert document.styles["Heading 1"].font.bold and document.styles["Footer"].font.size.pt == 8
    # "page X of Y" goes to the right margin: the footer's own right tab, no style stop before it
    assert len(document.styles["Footer"].paragraph_format.tab_stops) == 0
    [stop] = document.sections[0].footer.paragraphs[0].paragraph_format.tab_stops
    assert stop.position.pt == 612 - 2 * 58


def test_pdf_link_targets_keep_quotes_and_ampersands():
    from packetbuilder.model import Paragraph, Run, Section
    from packetbuilder.model import Document as Model
    from packetbuilder.render.pdf import render_pdf

    href = "https://example.org/q?a=1&b='two'&c=\"3\"<4>"
    document = Model("T", (Section("S", (Paragraph((Run("AT&T <site>", href=href),)),), key="s"),))
    page = PdfReader(io.BytesIO(render_pdf(document))).pages[0]
    [uri] = [a.get_object()["/A"]["/URI"] for a in page["/Annots"]]
    assert uri == href
    assert "AT&T <site>" in page.extract_text()


# ECMA-376 CT_PPrBase + CT_PPr: the order Word requires of a paragraph's properties.
PPR_ORDER = ("pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
             "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
             "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
             "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange").split()


def test_docx_paragraph_properties_in_schema_order(sample: Path, tmp_path: Path):
    """Word refuses a file whose properties are out of order: a highlighted entry with an
    indented second paragraph and a numbered point has its style, spacing, numbering and
    indent in order, and its cell its width, bar and tint."""
    cv = sample / "cv.md"
    cv.write_text(cv.read_text("utf-8").replace("## Education", "## Posters\n\n- Poster on ward rounds, 2026 {: .chen }"
                                                "\n\n    Its second paragraph.\n\n    1. a numbered point\n\n"
                                                "## Education", 1), "utf-8")
    build_application(sample, tmp_path / "out", ("chen",), ("docx",))
    body = zipfile.ZipFile(tmp_path / "out" / "chen" / "Anh_Nguyen_LOR_Packet.docx").read("word/document.xml")
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    seen = set()
    for ppr in lxml.etree.fromstring(body).iter(f"{ns}pPr"):
        names = [child.tag.removeprefix(ns) for child in ppr]
        assert names == sorted(names, key=PPR_ORDER.index), names
        seen.update(names)
    assert {"pStyle", "numPr", "spacing", "ind"} <= seen
    cells = [[child.tag.removeprefix(ns) for child in tcpr] for tcpr in lxml.etree.fromstring(body).iter(f"{ns}tcPr")]
    assert ["tcW", "tcBorders", "shd"] in cells  # the marked entry's cell


def test_numbered_lists_restart(sample: Path, tmp_path: Path):
    cv = sample / "cv.md"
    cv.write_text(cv.read_text("utf-8") + "\n## Posters\n\n1. First poster\n2. Second poster\n", "utf-8")
    build_application(sample, tmp_path / "out", ("okafor",), ("docx",))  # publications are kept for a researcher
    document = docx.Document(str(tmp_path / "out" / "okafor" / "Anh_Nguyen_LOR_Packet.docx"))
    ns = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    num_ids = [p._p.pPr.find(f"{ns}numPr").find(f"{ns}numId").get(f"{ns}val")
               for p in every_paragraph(document) if p.style.name == "List Number"]
    assert len(num_ids) == 5 and len(set(num_ids)) == 2  # publications (3) and posters (2)
    assert num_ids[:3] == [num_ids[0]] * 3


def test_highlights_differ_by_writer(built: Path):
    report = (built / "build-report.json").read_text("utf-8")
    assert "Sub-internship in Internal Medicine" in report
    chen = docx.Document(str(built / "chen" / "Anh_Nguyen_LOR_Packet.docx"))
    okafor = docx.Document(str(built / "okafor" / "Anh_Nguyen_LOR_Packet.docx"))

    def shaded(document):
        return {p.text[:30] for p in every_paragraph(document) if is_shaded(p)}

    assert shaded(chen) != shaded(okafor)
    assert any(t.startswith("Thirty-day readmission") for t in shaded(okafor))


def test_markdown_tags_on_line_and_own_line():
    doc = read_cv("## Work\n\n- One {: .chen .keep }\n- Two\n    {: .lee }\n- Three\n\n### Head {: .x }\nBody\n")
    entries = [b for b in doc.sections[0].blocks if isinstance(b, Entry)]
    assert [sorted(e.tags) for e in entries] == [["chen", "keep"], ["lee"], [], ["x"]]
    assert [e.text for e in entries][:3] == ["One", "Two", "Three"]
    assert entries[3].bullet is None and entries[3].text == "Head\nBody"


def test_raw_html_is_text():
    doc = read_cv("## A\n\n<div onclick=x>raw <b>bold</b></div>\n\n- item <i>x</i>\n")
    texts = [plain(b.blocks[0].runs) for b in doc.sections[0].blocks]
    assert texts == ["<div onclick=x>raw <b>bold</b></div>", "item <i>x</i>"]


def test_notes_facts_and_sections():
    notes = read_notes("Setting: Ward 5\nWeeks: 4\nLearned: patience\n\n## Cases\n- one\n")
    assert notes.facts == {"setting": "Ward 5", "weeks": "4", "learned": "patience"}
    assert [s.title for s in notes.document.sections] == ["Cases"]


def test_cli_build_writes_and_reports(sample: Path, tmp_path: Path):
    out = tmp_path / "cli-out"
    result = subprocess.run([sys.executable, "-m", "packetbuilder", "build", str(sample), "--out", str(out),
                             "--writer", "lee", "--format", "pdf"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert re.search(r"lee: \d pages; highlighted \d+ entries", result.stdout)
    assert [p.name for p in out.iterdir() if p.is_dir()] == ["lee"]
