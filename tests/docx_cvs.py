"""Word CVs in the shapes students' CVs take, made here with python-docx, pandoc and
LibreOffice, each with what an import must find in it.

One CV's content is laid out seven ways: Word's styles; bold lines as headings with
bullets typed by hand; a two-column table of dates and text; dates pushed right with a
tab under ruled headings; nested list levels (numPr ilvl 0/1/2); pandoc's DOCX of a
Markdown CV; LibreOffice's DOCX of an .odt. :class:`Expected` is what the imported
cv.md must read back as: the sections, each entry's title and details in order, and
which entries have dates.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from docx import Document as WordDocument
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches, Pt

NAME = "Łucja Nguyễn-Ferreira"
EMAIL = "lucja.nf@med.example.edu"
PHONE = "+1 (555) 010-2288"
SCHOOL = "Lakeside University School of Medicine"


@dataclass(frozen=True)
class Item:
    title: str
    rest: str  # what follows the title on its first line (organisation, place)
    dates: str
    details: tuple[str, ...] = ()
    sub: dict[int, tuple[str, ...]] = field(default_factory=dict)  # detail index → its own sub-bullets


# Text with Markdown's special characters, Unicode, and a link, so that escaping is tested too.
SECTIONS: list[tuple[str, list[Item]]] = [
    ("Education", [
        Item("Doctor of Medicine", SCHOOL, "2022 – 2026"),
        Item("B.S. in Biochemistry", "Universidade de São Paulo", "Sept 2017 – June 2021",
             ("Thesis: *not* a_snake_case [draft] #1 of 40 — 3 < 4 & AT&T",)),
    ]),
    ("Clinical Experience", [
        Item("Sub-internship in Surgery", "Northfield Hospital", "July 2026",
             ("First assist on 31 cases", "Took call every fourth night"), {0: ("including 12 laparoscopic",)}),
        Item("Trauma elective", "Harbor County Trauma Center, Gdańsk", "03/2026",
             ("Ran the secondary survey on 40 activations",)),
    ]),
    ("Research", [
        Item("Hernia recurrence registry", "Whitfield Surgical Outcomes Group", "2024 – present",
             ("Built the REDCap database", "Fitted the recurrence models -- with R...")),
    ]),
    ("Honors and Awards", [
        Item("Alpha Omega Alpha", "Lakeside chapter", "2025"),
        Item("Dean’s Research Fellowship", "Lakeside", "2024"),
    ]),
]


@dataclass(frozen=True)
class Expected:
    """What the imported cv.md must read back as."""

    name: str = NAME
    sections: tuple[str, ...] = tuple(title for title, _ in SECTIONS)
    nested: bool = True  # the DOCX has the sub-bullets
    # entries whose details are lost to the shape (none, in every shape here)

    def entries(self, section: str) -> list[tuple[str, list[str], bool]]:
        """(title, details in order, has dates) for the section's entries."""
        items = dict(SECTIONS)[_plain_title(section)]
        out = []
        for item in items:
            details: list[str] = []
            for index, detail in enumerate(item.details):
                details.append(detail)
                if self.nested:
                    details.extend(item.sub.get(index, ()))
            out.append((item.title, details, True))
        return out


def _plain_title(section: str) -> str:
    return next(title for title, _ in SECTIONS if title.lower() == section.lower())


def _bold_lead(paragraph, item: Item, dates: str | None = None, sep: str = ", ") -> None:
    paragraph.add_run(item.title).bold = True
    tail = (sep + item.rest if item.rest else "") + (", " + item.dates if dates is None else dates)
    paragraph.add_run(tail)


def _link(paragraph, text: str, url: str) -> None:
    """A real w:hyperlink with an external relationship, as Word makes one."""
    rid = paragraph.part.relate_to(url, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                                   "hyperlink", is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _contact(doc, tabs: bool = False) -> None:
    paragraph = doc.add_paragraph()
    _link(paragraph, EMAIL, f"mailto:{EMAIL}")
    paragraph.add_run(("\t" if tabs else " · ") + PHONE + (" · " + SCHOOL))


def _details(doc, item: Item, style: str = "List Bullet", sub_style: str | None = "List Bullet 2",
             typed: bool = False) -> None:
    for index, detail in enumerate(item.details):
        if typed:
            doc.add_paragraph("• " + detail)
        else:
            doc.add_paragraph(detail, style=style)
        for sub in item.sub.get(index, ()) if sub_style or typed else ():
            if typed:
                doc.add_paragraph("    ◦ " + sub)
            else:
                doc.add_paragraph(sub, style=sub_style)


# -- 1. Word's styles ------------------------------------------------------------------

def styled(path: Path) -> Expected:
    """Title, Heading 1 sections, bold-led entries, List Bullet / List Bullet 2 details."""
    doc = WordDocument()
    doc.add_paragraph(NAME, style="Title")
    _contact(doc)
    for section, items in SECTIONS:
        doc.add_heading(section, level=1)
        for item in items:
            _bold_lead(doc.add_paragraph(), item)
            _details(doc, item)
    doc.save(str(path))
    return Expected()


# -- 2. bold lines as headings, bullets typed by hand ---------------------------------

def bold_headings(path: Path) -> Expected:
    """No styles: a large bold name, bold section lines, an entry as a bold title line with
    its place and dates on the line under it, "•" typed before each detail."""
    doc = WordDocument()
    name = doc.add_paragraph()
    run = name.add_run(NAME)
    run.bold, run.font.size = True, Pt(20)
    _contact(doc)
    for section, items in SECTIONS:
        doc.add_paragraph().add_run(section).bold = True
        for item in items:
            doc.add_paragraph().add_run(item.title).bold = True
            doc.add_paragraph(f"{item.rest}, {item.dates}")
            _details(doc, item, typed=True)
    doc.save(str(path))
    return Expected()


# -- 3. a two-column table: dates | text ----------------------------------------------

def table_layout(path: Path) -> Expected:
    """Sections in capitals (Word's All Caps on lower-case text); each section a table,
    one row per entry, dates in the left column — the Research section the other way
    round — and the details as bullets inside the text cell."""
    doc = WordDocument()
    doc.add_paragraph(NAME, style="Title")
    _contact(doc, tabs=True)
    for section, items in SECTIONS:
        heading = doc.add_paragraph()
        run = heading.add_run(section)
        run.font.all_caps, run.bold = True, True
        table = doc.add_table(rows=0, cols=2)
        dates_left = section != "Research"
        for item in items:
            cells = table.add_row().cells
            dates_cell, text_cell = (cells[0], cells[1]) if dates_left else (cells[1], cells[0])
            dates_cell.paragraphs[0].add_run(item.dates)
            _bold_lead(text_cell.paragraphs[0], item, dates="")
            for index, detail in enumerate(item.details):
                text_cell.add_paragraph(detail, style="List Bullet")
                for sub in item.sub.get(index, ()):
                    text_cell.add_paragraph(sub, style="List Bullet 2")
    doc.save(str(path))
    return Expected()


# -- 4. dates set right with a tab, headings ruled under ------------------------------

def _rule_under(paragraph) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" '
                         'w:color="auto"/></w:pBdr>'))


def tab_dates(path: Path) -> Expected:
    """A name in large type; headings as plain lines with a bottom border; each entry
    "**Title**, Organisation<tab>Dates" against a right tab stop."""
    doc = WordDocument()
    name = doc.add_paragraph()
    name.add_run(NAME).font.size = Pt(24)
    _contact(doc)
    for section, items in SECTIONS:
        heading = doc.add_paragraph(section)
        _rule_under(heading)
        for item in items:
            paragraph = doc.add_paragraph()
            paragraph.paragraph_format.tab_stops.add_tab_stop(Inches(6.5), WD_TAB_ALIGNMENT.RIGHT)
            _bold_lead(paragraph, item, dates="\t" + item.dates)
            _details(doc, item)
    doc.save(str(path))
    return Expected()


# -- 5. nested list levels: numPr ilvl 0, 1, 2 ----------------------------------------

def _bullets_numbering(doc) -> str:
    """A three-level bullet list definition, as Word writes one; its numId."""
    numbering = doc.part.numbering_part.element
    levels = "".join(f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/>'
                     f'<w:lvlJc w:val="left"/><w:pPr><w:ind w:left="{360 * (i + 1)}" w:hanging="360"/></w:pPr>'
                     "</w:lvl>" for i in range(3))
    numbering.insert(0, parse_xml(f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">{levels}</w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _numbered(paragraph, num_id: str, level: int) -> None:
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def nested_bullets(path: Path) -> Expected:
    """Heading 2 sections (no Heading 1); every entry a bullet of its own at ilvl 0, with
    its title in bold and its dates; details at ilvl 1, their sub-details at ilvl 2 —
    all "List Paragraph" with numPr, as Word's bullet button makes them."""
    doc = WordDocument()
    doc.add_paragraph(NAME, style="Title")
    _contact(doc)
    num = _bullets_numbering(doc)
    for section, items in SECTIONS:
        doc.add_heading(section, level=2)
        for item in items:
            paragraph = doc.add_paragraph(style="List Paragraph")
            _bold_lead(paragraph, item)
            _numbered(paragraph, num, 0)
            for index, detail in enumerate(item.details):
                _numbered(doc.add_paragraph(detail, style="List Paragraph"), num, 1)
                for sub in item.sub.get(index, ()):
                    _numbered(doc.add_paragraph(sub, style="List Paragraph"), num, 2)
    doc.save(str(path))
    return Expected()


# -- 6. pandoc's DOCX of a Markdown CV ------------------------------------------------

def _markdown_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]#<>&-])", r"\\\1", text)


def markdown_cv() -> str:
    lines = [f"# {NAME}", "", f"<{EMAIL}> · {_markdown_escape(PHONE)} · {SCHOOL}", ""]
    for section, items in SECTIONS:
        lines += [f"## {section}", ""]
        for item in items:
            lines.append(f"- **{item.title}**, {_markdown_escape(item.rest)}, {item.dates}")
            for index, detail in enumerate(item.details):
                lines.append(f"    - {_markdown_escape(detail)}")
                lines += [f"        - {_markdown_escape(sub)}" for sub in item.sub.get(index, ())]
        lines.append("")
    return "\n".join(lines)


def pandoc_docx(path: Path) -> Expected:
    """``pandoc cv.md -o cv.docx``: # name, ## sections, entries as list items."""
    source = path.with_suffix(".md")
    source.write_text(markdown_cv(), encoding="utf-8")
    subprocess.run(["pandoc", "-f", "markdown-smart", str(source), "-o", str(path)], check=True, timeout=60)
    return Expected()


# -- 7. LibreOffice's DOCX of an .odt -------------------------------------------------

_ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0" '
           'xmlns:xlink="http://www.w3.org/1999/xlink" office:version="1.3"')


def _x(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _odt_list(items: list[str]) -> str:
    return "".join(items)


def odt(path: Path) -> None:
    """A real .odt (zip: mimetype, content.xml, manifest), as LibreOffice Writer saves one:
    Title and Heading 1 paragraphs, bold spans, nested lists."""
    body = [f'<text:p text:style-name="Title">{_x(NAME)}</text:p>',
            f'<text:p><text:a xlink:type="simple" xlink:href="mailto:{EMAIL}">{_x(EMAIL)}</text:a>'
            f' · {_x(PHONE)} · {_x(SCHOOL)}</text:p>']
    for section, items in SECTIONS:
        body.append(f'<text:h text:style-name="Heading_20_1" text:outline-level="1">{_x(section)}</text:h>')
        for item in items:
            body.append(f'<text:p><text:span text:style-name="B">{_x(item.title)}</text:span>, '
                        f"{_x(item.rest)}, {_x(item.dates)}</text:p>")
            if item.details:
                entries = []
                for index, detail in enumerate(item.details):
                    sub = item.sub.get(index, ())
                    inner = ("<text:list>" + "".join(f"<text:list-item><text:p>{_x(s)}</text:p></text:list-item>"
                                                     for s in sub) + "</text:list>") if sub else ""
                    entries.append(f"<text:list-item><text:p>{_x(detail)}</text:p>{inner}</text:list-item>")
                body.append(f'<text:list text:style-name="L1">{"".join(entries)}</text:list>')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODT_NS}>'
               '<office:automatic-styles>'
               '<style:style style:name="B" style:family="text"><style:text-properties fo:font-weight="bold"/>'
               '</style:style>'
               '<text:list-style style:name="L1">'
               + "".join(f'<text:list-level-style-bullet text:level="{i}" text:bullet-char="•"/>' for i in (1, 2, 3))
               + "</text:list-style></office:automatic-styles>"
               f'<office:body><office:text>{"".join(body)}</office:text></office:body></office:document-content>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
                '<manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
                "</manifest:manifest>")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, zipfile.ZIP_DEFLATED)


def libreoffice_docx(path: Path) -> Expected:
    """``soffice --headless --convert-to docx`` of an .odt, with a private profile."""
    source = path.with_suffix(".odt")
    odt(source)
    profile = path.parent / "lo-profile"
    subprocess.run([shutil.which("soffice") or "soffice", "--headless", "--norestore",
                    f"-env:UserInstallation=file://{profile}", "--convert-to", "docx", "--outdir",
                    str(path.parent), str(source)], check=True, timeout=120, capture_output=True)
    return Expected()


SHAPES = {
    "styled": styled,
    "bold-headings": bold_headings,
    "table": table_layout,
    "tab-dates": tab_dates,
    "nested-bullets": nested_bullets,
    "pandoc": pandoc_docx,
    "libreoffice": libreoffice_docx,
}
NEEDS = {"pandoc": "pandoc", "libreoffice": "soffice"}
