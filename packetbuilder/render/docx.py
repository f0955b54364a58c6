"""Model → DOCX (python-docx), with every style taken from ``styles/reference.docx``.

The same items the PDF writer draws become Word paragraphs in Word's own styles, so
the student can edit the packet in Word and restyle it there. The page size, margins
and fonts match the PDF (Calibri/Courier New, metric twins of the embedded
Carlito/Liberation Mono), so Word paginates it like the PDF. What python-docx lacks
is done on the XML: hyperlinks, numbering restarts, shading and the page fields.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from copy import deepcopy
from dataclasses import replace

from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from ..model import Document, Runs
from . import fonts
from .flatten import Item, flatten
from .reference import NEW_STYLES, PARAGRAPH_STYLES, apply_metrics, stable_zip, style_spec
from .styles import REFERENCE_DOCX, StyleSheet, indents, load_styles, tightened

LABEL_WIDTH = 112  # the cover sheet's label column, as in the PDF
COVER_RULE = 4  # the rule under each cover-sheet row, in eighths of a point
# The cover sheet's cell padding (top, left, bottom, right) as in the PDF, less the rule
# below, which LibreOffice adds to a row's height (the PDF draws it over the padding).
COVER_CELL = (5, 0, 3 - COVER_RULE / 8, 6)
PAGE_SIZES_PT = {"letter": (612, 792), "a4": (595.28, 841.89)}
MARK_BAR = 20  # a marked entry's bar, in eighths of a point (2.5 pt, as the PDF draws it)
_STYLE_IDS: dict[tuple[str, WD_STYLE_TYPE], str | None] = {}  # see _Writer._style_id
_ENTRY_SKELETONS: dict[tuple, object] = {}  # see _Writer._entry_skeleton
_FIELD_ROW_SKELETONS: dict[tuple, object] = {}  # see _Writer._field_row_skeleton


def _fixed_time() -> dt.datetime:
    """Core-property dates: SOURCE_DATE_EPOCH if set, else a constant, for reproducible files."""
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "946684800"))
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc).replace(tzinfo=None)


def _property(text: str) -> str:
    """A core property (title, subject…) cut to the 255 characters Word allows; python-docx
    refuses longer ones, and a long name must not stop the build."""
    return text if len(text) <= 255 else text[:254] + "…"


def _element(tag: str, **attrs: str):
    """A new ``w:`` element with ``w:`` attributes."""
    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


def _set(element, tag: str, **attrs: str):
    """Append a new child element (see :func:`_element`) and return it."""
    child = _element(tag, **attrs)
    element.append(child)
    return child


def _set_style(p, style_id: str | None) -> None:
    """Give a new, empty ``w:p`` its style, as ``p.style = …`` does: python-docx places the
    ``w:pPr`` and ``w:pStyle`` by scanning the schema's successors for each, which a
    profile showed as a quarter of the DOCX writer's time once the reference was slim."""
    if style_id:
        props = OxmlElement("w:pPr")
        _set(props, "w:pStyle", val=style_id)
        p.insert(0, props)


class _Writer:
    def __init__(self, document: Document, page_size: str, sheet: StyleSheet):
        self.sheet = sheet
        self.doc = WordDocument(str(REFERENCE_DOCX))
        body = self.doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        self.source = document
        self.page_size = page_size
        self._numbering: dict[int, str] = {}

    def _style_id(self, name: str, kind: WD_STYLE_TYPE = WD_STYLE_TYPE.PARAGRAPH) -> str | None:
        """The id of a style by its Word name, looked up once per process: python-docx
        scans every style of the reference document on each lookup, which a profile of
        ``build`` showed to be most of the DOCX writer's time when done per paragraph.
        Every document starts from the same reference, so the answer never changes."""
        if (name, kind) not in _STYLE_IDS:
            _STYLE_IDS[name, kind] = self.doc.part.get_style_id(name, kind)
        return _STYLE_IDS[name, kind]

    def _measure(self) -> float:
        """The width between the margins, as in the PDF."""
        page = self.sheet.page
        return PAGE_SIZES_PT[self.page_size][0] - page["margin_left"] - page["margin_right"]

    # -- page, footer, metadata --------------------------------------------------------

    def setup(self) -> None:
        if self.source.density:  # tightened by fitting: the reference's sizes would not fit the pages
            for name in PARAGRAPH_STYLES + NEW_STYLES:
                apply_metrics(self.doc.styles[name], style_spec(name, self.sheet))
        section = self.doc.sections[0]
        width, height = PAGE_SIZES_PT[self.page_size]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Pt(width), Pt(height)
        page = self.sheet.page
        section.top_margin, section.bottom_margin = Pt(page["margin_top"]), Pt(page["margin_bottom"])
        section.left_margin, section.right_margin = Pt(page["margin_left"]), Pt(page["margin_right"])
        section.footer_distance = Pt(page["margin_bottom"] / 2 - 4)
        footer = section.footer.paragraphs[0]
        footer.style = self.doc.styles["Footer"]
        footer.paragraph_format.tab_stops.add_tab_stop(Pt(self._measure()), WD_TAB_ALIGNMENT.RIGHT)
        footer.add_run(fonts.displayable(self.source.footer) + "\tpage ")
        self._field(footer, "PAGE")
        footer.add_run(" of ")
        self._field(footer, "NUMPAGES")
        props = self.doc.core_properties
        props.author = _property(self.source.author)
        props.last_modified_by = _property(self.source.author)
        props.title = _property(self.source.title)
        props.subject = _property(self.source.subject)
        props.keywords = _property(", ".join(self.source.keywords))
        props.comments = ""
        props.revision = 1
        props.created = props.modified = _fixed_time()

    def _field(self, paragraph, code: str) -> None:
        run = paragraph.add_run()
        _set(run._r, "w:fldChar", fldCharType="begin")
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {code} "
        run._r.append(instr)
        _set(run._r, "w:fldChar", fldCharType="separate")
        text = OxmlElement("w:t")
        text.text = "1"
        run._r.append(text)
        _set(run._r, "w:fldChar", fldCharType="end")

    # -- inline ------------------------------------------------------------------------

    def runs(self, paragraph, runs: Runs) -> None:
        for r in runs:
            text = fonts.displayable(r.text)
            if r.href:
                self._hyperlink(paragraph, text, r.href, r)
                continue
            paragraph._p.append(self._run(paragraph, text, r))

    def _run(self, paragraph, text: str, r, style_id: str | None = None):
        """The ``w:r`` of one model run. Plain text is built here directly, as the same XML
        python-docx writes (an ``w:rPr`` always, even empty, as its setters leave one):
        python-docx places each child by scanning the schema's list of successors, which a
        profile of ``build`` showed as the largest share of the DOCX writer's time. Text
        with tabs or line breaks, rare, goes through python-docx."""
        if any(c in text for c in "\t\r\n"):
            run = paragraph.add_run(text)
            run._r.getparent().remove(run._r)
            if style_id:
                run._r.style = style_id
            self._style_run(run, r)
            return run._r
        element = OxmlElement("w:r")
        props = _set(element, "w:rPr")
        if style_id:
            _set(props, "w:rStyle", val=style_id)
        if r.code:
            mono = self.sheet.fonts["word_mono"]
            _set(props, "w:rFonts", ascii=mono, hAnsi=mono)
        if r.bold:
            _set(props, "w:b")
        if r.italic:
            _set(props, "w:i")
        if text:
            t = OxmlElement("w:t")
            t.text = text
            if len(text.strip()) < len(text):
                t.set(qn("xml:space"), "preserve")
            element.append(t)
        return element

    def _style_run(self, run, r) -> None:
        run.bold = r.bold or None
        run.italic = r.italic or None
        if r.code:
            run.font.name = self.sheet.fonts["word_mono"]

    def _hyperlink(self, paragraph, text: str, href: str, r) -> None:
        """python-docx has no hyperlink API: add the relationship and the w:hyperlink element."""
        rel = paragraph.part.relate_to(href, "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                                             "hyperlink", is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rel)
        link.append(self._run(paragraph, text, r, self._style_id("Hyperlink", WD_STYLE_TYPE.CHARACTER)))
        paragraph._p.append(link)

    # -- paragraphs --------------------------------------------------------------------

    def _style_name(self, item: Item) -> str:
        if item.style in ("List Bullet", "List Number"):
            return item.style + ("" if item.depth <= 1 else f" {min(item.depth, 3)}")
        return item.style

    def _restart(self, paragraph, list_id: int) -> None:
        """Each numbered list gets its own w:num with a startOverride, or Word would
        continue the numbering of the previous list."""
        if list_id not in self._numbering:
            numbering = self.doc.part.numbering_part.element
            style = self.doc.styles[paragraph.style.name]
            num_pr = style.element.pPr.numPr if style.element.pPr is not None else None
            if num_pr is None or num_pr.numId is None:
                return
            abstract = numbering.num_having_numId(num_pr.numId.val).abstractNumId.val
            num = numbering.add_num(abstract)
            override = _set(num, "w:lvlOverride", ilvl="0")
            _set(override, "w:startOverride", val="1")
            self._numbering[list_id] = str(num.numId)
        num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
        num_pr.get_or_add_ilvl().val = 0
        num_pr.get_or_add_numId().val = int(self._numbering[list_id])

    def paragraph(self, item: Item, container) -> Paragraph | None:
        if item.fields:
            self.fields(item, container)
            return
        if item.table is not None:
            self.table(item, container)
            return
        paragraph = container.add_paragraph()
        _set_style(paragraph._p, self._style_id(self._style_name(item)))
        if item.code:
            for number, line in enumerate(item.code.split("\n")):
                if number:
                    paragraph.add_run().add_break()
                paragraph.add_run(fonts.displayable(line))
        else:
            self.runs(paragraph, item.runs)
        self._indent(paragraph, item)
        fmt = paragraph.paragraph_format
        if item.style == "List Number":
            self._restart(paragraph, item.list_id)
        if item.new_page:  # the PDF drops a paragraph's space before at a page's top; Word keeps it there
            fmt.page_break_before = True  # after a page break it was asked for
            fmt.space_before = Pt(0)
        return paragraph

    def _indent(self, paragraph, item: Item) -> None:
        """The PDF's indents, set on the paragraph: the list label hangs where the PDF
        draws it (python-docx's template hangs bullets at the margin)."""
        left, label = indents(self.sheet, item.style, item.depth)
        spec = self.sheet.styles.get(item.style) or self.sheet["Body Text"]
        fmt = paragraph.paragraph_format
        if left:
            fmt.left_indent = Pt(left)
        if item.label:
            fmt.first_line_indent = Pt(label - left)
        if spec.right_indent:
            fmt.right_indent = Pt(spec.right_indent)

    def entry(self, group: list[Item]) -> None:
        """A CV entry as the PDF sets it, on its panel: one table row that never splits (an
        entry's page break, and a heading kept with it, then fall where the PDF's do), the
        panel's padding its cell margins, tinted with a bar when the entry is marked. A
        dated entry's first line is beside its dates, right-aligned in a second column.
        Undated entries (a citation) were paragraphs spaced to look like a panel, which
        LibreOffice spaced apart less than the PDF, so pages broke at other entries."""
        head = group[0]
        tbl = deepcopy(self._entry_skeleton(head.highlight, bool(head.aside)))
        self.doc.element.body.insert(self._body_end(), tbl)
        table = Table(tbl, self.doc._body)
        main, *dates = (_Cell(tc, table) for tc in tbl.tr_lst[0].tc_lst)
        first = main.paragraphs[0]
        if dates:
            self.runs(first, head.runs)
            self.runs(dates[0].paragraphs[0], head.aside)
        details = group[1:] if dates else group
        for item in details:
            self.paragraph(replace(item, group=0, highlight=False, new_page=False), main)
        if dates and details:  # the head keeps its style's space after; the last detail gives its own way
            first._p.pPr.spacing.attrib.pop(qn("w:after"))
        if not dates:  # the skeleton's empty paragraph held the cell's place
            first._p.getparent().remove(first._p)
            main.paragraphs[0].paragraph_format.space_before = Pt(0)
        if details:
            main.paragraphs[-1].paragraph_format.space_after = Pt(0)
        if head.new_page:  # a part whose first block is an entry: the PDF starts it on a new page
            main.paragraphs[0].paragraph_format.page_break_before = True

    def _entry_skeleton(self, highlight: bool, dated: bool):
        """The ``w:tbl`` of an entry with empty paragraphs, made once per geometry and
        copied for every entry: building each entry's table through python-docx, element by
        element with its schema scans, was most of the DOCX writer's time (``make profile``)."""
        pad, panel = self.sheet.page["entry_padding"], self.sheet.page["entry_panel"]
        column = self.sheet.page["date_column"] if dated else 0
        width = self._measure()
        colors = (self.sheet.colors["highlight_bar"], self.sheet.colors["highlight_fill"]) if highlight else None
        key = (width, pad, panel, column, colors)
        if key not in _ENTRY_SKELETONS:
            # LibreOffice takes a cell's border out of its text's width: the marked entry's
            # cell is wider by its bar, so its lines break where the PDF's do
            bar = MARK_BAR / 8 if highlight else 0
            widths = (width - 2 * pad - column + bar, column - bar) if dated else (width - 2 * pad + bar,)
            table = self._plain_table(WordDocument(str(REFERENCE_DOCX)), widths, indent=pad,
                                      margins=(panel, 0, panel, 0))
            row = table.add_row()
            _set(row._tr.get_or_add_trPr(), "w:cantSplit")
            cells = [_Cell(tc, table) for tc in row._tr.tc_lst]
            if dated:
                _set_style(cells[0].paragraphs[0]._p, self._style_id("Entry"))
                _set_style(cells[1].paragraphs[0]._p, self._style_id("Entry Date"))
            for cell in cells:
                self._as_in_a_cell(cell)
                if highlight:
                    self._shade(cell)
            if highlight:
                borders = _element("w:tcBorders")
                _set(borders, "w:left", val="single", sz=str(MARK_BAR), space="0", color=colors[0])
                cells[0]._tc.get_or_add_tcPr().insert_element_before(borders, "w:shd", "w:noWrap", "w:tcMar",
                                                                      "w:textDirection", "w:tcFitText", "w:vAlign",
                                                                      "w:hideMark")
            _ENTRY_SKELETONS[key] = table._tbl
        return _ENTRY_SKELETONS[key]

    def _plain_table(self, container, widths: tuple[float, ...], indent: float = 0,
                     margins: tuple[float, float, float, float] = (0, 0, 0, 0)):
        """A table with no borders and no header row, its cells' margins (top, left, bottom,
        right, in points) those of the PDF's table: a layout grid."""
        table = container.add_table(rows=0, cols=len(widths))
        table.autofit = False
        for column, column_width in zip(table.columns, widths):
            column.width = Pt(column_width)
        tbl_pr = table._tbl.tblPr
        look = tbl_pr.find(qn("w:tblLook"))
        if look is not None:  # python-docx marks the first row and column as headers
            for key in ("firstRow", "firstColumn", "lastRow", "lastColumn"):
                look.set(qn(f"w:{key}"), "0")
            look.set(qn("w:val"), "0400")
        cell_margins = _element("w:tblCellMar")
        for side, points in zip(("top", "left", "bottom", "right"), margins):
            _set(cell_margins, f"w:{side}", w=str(round(points * 20)), type="dxa")
        tbl_pr.insert_element_before(cell_margins, "w:tblLook", "w:tblCaption", "w:tblDescription", "w:tblPrChange")
        if indent:
            ind = _element("w:tblInd", w=str(round(indent * 20)), type="dxa")
            tbl_pr.insert_element_before(ind, "w:tblBorders", "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook",
                                         "w:tblCaption", "w:tblDescription", "w:tblPrChange")
        return table

    def _shade(self, cell) -> None:
        """A marked entry's tint on a table cell, as its paragraphs have it."""
        shading = _element("w:shd", val="clear", color="auto", fill=self.sheet.colors["highlight_fill"])
        cell._tc.get_or_add_tcPr().insert_element_before(shading, "w:noWrap", "w:tcMar", "w:textDirection",
                                                          "w:tcFitText", "w:vAlign", "w:hideMark", "w:headers",
                                                          "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange")

    def fields(self, item: Item, container) -> None:
        width = self._measure()
        widths = (LABEL_WIDTH, width - LABEL_WIDTH)
        table = self._plain_table(container, widths, margins=COVER_CELL)
        skeleton = self._field_row_skeleton(widths)
        for label, value in item.fields:
            row = deepcopy(skeleton)
            table._tbl.append(row)
            label_cell, value_cell = (_Cell(tc, table) for tc in row.tc_lst)
            label_cell.paragraphs[0].add_run(label)
            first = value_cell.paragraphs[0]
            for sub in value:
                self.paragraph(sub, value_cell)
            if len(value_cell.paragraphs) > 1:
                first._p.getparent().remove(first._p)
            self._as_in_a_cell(value_cell)

    def _field_row_skeleton(self, widths: tuple[float, float]):
        """The ``w:tr`` of a cover-sheet row, ruled below, its label paragraph styled and
        the value's cell empty: made once per geometry and copied for every row, as
        :meth:`_entry_skeleton` is, for the same reason."""
        key = (widths, self.sheet.colors["rule"])
        if key not in _FIELD_ROW_SKELETONS:
            table = self._plain_table(WordDocument(str(REFERENCE_DOCX)), widths, margins=COVER_CELL)
            cells = [_Cell(tc, table) for tc in table.add_row()._tr.tc_lst]
            _set_style(cells[0].paragraphs[0]._p, self._style_id("Label"))
            self._as_in_a_cell(cells[0])
            for cell in cells:
                borders = OxmlElement("w:tcBorders")
                _set(borders, "w:bottom", val="single", sz=str(COVER_RULE), color=self.sheet.colors["rule"])
                cell._tc.get_or_add_tcPr().append(borders)
            _FIELD_ROW_SKELETONS[key] = table._tbl.tr_lst[0]
        return _FIELD_ROW_SKELETONS[key]

    def table(self, item: Item, container) -> None:
        rows = item.table.rows
        columns = max(len(r) for r in rows)
        table = container.add_table(rows=len(rows), cols=columns)
        table.style = self.doc.styles["Table Grid"]
        for i, row in enumerate(rows):
            for j, cell_runs in enumerate(row):
                paragraph = table.cell(i, j).paragraphs[0]
                self.runs(paragraph, cell_runs)
                if item.table.header and i == 0:
                    for run in paragraph.runs:
                        run.bold = True

    def write(self, items: list[Item]) -> None:
        index = 0
        while index < len(items):
            item = items[index]
            if item.group:
                end = next((i for i in range(index + 1, len(items)) if items[i].group != item.group), len(items))
                self.entry(items[index:end])
                index = end
                continue
            paragraph = self.paragraph(item, self.doc)
            if index and items[index - 1].gap_after and paragraph is not None:  # as the PDF's table's space after
                spec = self.sheet.styles.get(item.style) or self.sheet["Body Text"]
                paragraph.paragraph_format.space_before = Pt(max(spec.space_before, self.sheet.page["table_gap"]))
            index += 1

    def _body_end(self) -> int:
        """Where the next block goes: before the body's closing w:sectPr."""
        body = self.doc.element.body
        return len(body) - (1 if len(body) and body[-1].tag == qn("w:sectPr") else 0)

    @staticmethod
    def _as_in_a_cell(cell) -> None:
        """A table cell's paragraphs spaced as reportlab spaces a cell's flowables: without
        the first one's space before and the last one's space after."""
        paragraphs = cell.paragraphs
        if paragraphs:
            paragraphs[0].paragraph_format.space_before = Pt(0)
            paragraphs[-1].paragraph_format.space_after = Pt(0)


def render_docx(document: Document, page_size: str = "letter") -> bytes:
    """The DOCX bytes of a document (deterministic: fixed dates and zip entry times)."""
    writer = _Writer(document, page_size, tightened(load_styles(), document.density))
    writer.setup()
    writer.write(flatten(document))
    buffer = io.BytesIO()
    writer.doc.save(buffer)
    return stable_zip(buffer.getvalue())
