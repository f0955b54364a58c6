"""Model → PDF (reportlab platypus).

The items from :mod:`.flatten` become flowables: headings keep with their next block,
each CV entry is kept on one page, highlighted entries sit on a tinted panel with a
bar in the margin, level-1/2 headings become PDF outline entries, and every page has
a footer with the applicant's name and "page X of Y". Output is deterministic
(reportlab's invariant mode), so the same inputs give the same bytes.
"""

from __future__ import annotations

import calendar
import copy
import datetime as dt
import hashlib
import io
import os
import re
import time
from dataclasses import dataclass, field
from html import escape as _html_escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.lib.utils import TimeStamp
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, HRFlowable, KeepTogether, PageBreak, PageTemplate,
                                Paragraph, Table, TableStyle)
from reportlab.platypus.doctemplate import ActionFlowable

from ..model import Document, Runs
from . import fonts
from .flatten import Item, flatten
from .styles import StyleSheet, indents, load_styles, tightened

PAGE_SIZES = {"letter": LETTER, "a4": A4}
REPEATED_HEADER_MAX = 72  # points, about five lines: the tallest table header repeated on each page


@dataclass(frozen=True)
class Layout:
    """What a layout pass learned: page count and the first page of each outlined section.

    The measurements let page fitting estimate what a cut saves without laying the
    document out again: ``entries`` maps each CV entry (numbered 1, 2, … in document
    order, as :mod:`.flatten` numbers its groups) to the points it took on the page,
    ``sections`` maps each outlined section key to the points its heading and body took
    up to the next outlined heading, and ``page_used`` how far down each page the text runs.
    """

    pages: int
    starts: dict[str, int]
    entries: dict[int, float] = field(default_factory=dict)
    sections: dict[str, float] = field(default_factory=dict)
    frame_height: float = 0.0
    page_used: tuple[float, ...] = ()


def _color(hex_rgb: str) -> colors.Color:
    return colors.HexColor("#" + hex_rgb)


def escape(text: str) -> str:
    """Text for paragraph markup: ``&``, ``<`` and ``>`` as entities. (Not
    ``xml.sax.saxutils``, which imports urllib, http and ssl: 19 ms of every start.)"""
    return _html_escape(text, quote=False)


def markup(runs: Runs, sheet: StyleSheet) -> str:
    """Runs as reportlab paragraph markup. Every text node is escaped: Paragraph parses
    its text as markup, so an unescaped ``AT&T`` or ``<jane@x.org>`` would be mangled."""
    parts = []
    for run in runs:
        text = escape(fonts.displayable(run.text)).replace("\n", "<br/>")
        if run.code:
            text = f'<font face="{fonts.MONO}">{text}</font>'
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        if run.href:
            text = f'<a href="{_html_escape(run.href)}" color="#{sheet.colors["link"]}">{text}</a>'
        parts.append(text)
    return "".join(parts)


class _Styles:
    """ParagraphStyle objects, made once per (style, depth)."""

    def __init__(self, sheet: StyleSheet):
        self.sheet = sheet
        self._cache: dict[tuple[str, int], ParagraphStyle] = {}

    def __call__(self, name: str, depth: int = 0) -> ParagraphStyle:
        key = (name, depth)
        if key not in self._cache:
            spec = self.sheet.styles.get(name) or self.sheet.styles["Body Text"]
            font = fonts.MONO if spec.mono else fonts.FAMILY
            if not spec.mono and (spec.bold or spec.italic):
                font += "-" + ("Bold" if spec.bold else "") + ("Italic" if spec.italic else "")
            left, label = indents(self.sheet, name, depth)
            self._cache[key] = ParagraphStyle(
                f"{name}-{depth}", fontName=font, fontSize=spec.size, leading=spec.leading,
                textColor=_color(spec.color), spaceBefore=spec.space_before, spaceAfter=spec.space_after,
                leftIndent=left, rightIndent=spec.right_indent, bulletIndent=label, bulletFontName=fonts.FAMILY,
                alignment=TA_RIGHT if spec.align == "right" else TA_LEFT,
                keepWithNext=spec.keep_with_next, splitLongWords=1,
                allowWidows=0, allowOrphans=0)
        return self._cache[key]


def _table_style(commands: list[tuple]) -> TableStyle:
    """A TableStyle whose cells default to the embedded font (reportlab's default is an
    unembedded Helvetica, which would land in every page's resources)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.FAMILY), *commands])


class _Para(Paragraph):
    """A paragraph that remembers its line breaks, and draws nothing in a layout pass.

    The fit lays a packet out several times and the PDF is drawn once more; between
    passes most paragraphs are the same text in the same style at the same width (see
    :class:`Typesetter`), and a profile of fitting showed line breaking
    (``Paragraph.breakLines``) as over half of each pass. ``wrap`` depends only on the
    width, so its result is kept per width and put back as ``wrap`` would leave it. A
    layout pass only learns where things fall; drawing (``drawPara``) was close to half of
    the rest, and where a paragraph breaks and falls does not depend on drawing it."""

    _WRAPPED = ("width", "height", "blPara", "_wrapWidths", "_width_max", "_splitLongWordCount", "_hyphenations")
    outline: tuple[str, int] | None = None  # (section key, level): a heading that opens a PDF outline entry
    title = ""  # the outline entry's text
    entry_group = 0  # the CV entry it belongs to, read back by _Doc._measure

    def split(self, availWidth, availHeight):
        """The parts of a paragraph taller than the room left (a pasted essay as a
        heading): each stays in the paragraph's entry, and the first opens its outline
        entry. reportlab makes the parts as new paragraphs of the same class, without
        either."""
        parts = super().split(availWidth, availHeight)
        for part in parts:
            part.entry_group = self.entry_group
        if parts:
            parts[0].outline, parts[0].title = self.outline, self.title
        return parts

    def wrap(self, availWidth, availHeight):
        breaks = self.__dict__.setdefault("_breaks", {})
        if availWidth not in breaks:
            size = super().wrap(availWidth, availHeight)
            breaks[availWidth] = (size, {a: self.__dict__[a] for a in self._WRAPPED if a in self.__dict__})
        size, state = breaks[availWidth]
        self.__dict__.update(state)
        return size

    def draw(self) -> None:
        if not isinstance(self.canv, _MeasuringCanvas):
            super().draw()


def _new_para(text: str, style: ParagraphStyle, bullet: str | None, outline: tuple[str, int] | None,
              title: str) -> _Para:
    paragraph = _Para(text, style, bulletText=bullet)
    paragraph.outline, paragraph.title = outline, title
    return paragraph


class _MeasuringCanvas(Canvas):
    """For layout passes: pages are counted, never written out, and nothing is saved."""

    def showPage(self) -> None:
        self._startPage()

    def save(self) -> None:
        pass


class _Doc(BaseDocTemplate):
    """The page: one frame exactly the page's measure (platypus' default frame pads its
    text 6 pt inside the margins, so the text, the rules and the footer stood on three
    different edges), and the measurements fitting reads back."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        frame = Frame(self.leftMargin, self.bottomMargin, self.width, self.height, id="body", leftPadding=0,
                      rightPadding=0, topPadding=0, bottomPadding=0)
        self.addPageTemplates([PageTemplate("page", [frame])])
        self.starts: dict[str, int] = {}
        self.entry_heights: dict[int, float] = {}
        self.section_heights: dict[str, float] = {}
        self._section = ""
        self.page_used: dict[int, float] = {}
        self._last = (0, 0.0)  # (page, frame y) after the previous flowable

    def build(self, flowables: list[Flowable], **kwargs) -> None:
        """Build, then undo what layout changed on the flowables, as ``multiBuild`` does
        between its passes: reportlab marks a flowable it moved to the next page
        (``_postponed``; a second mark is a LayoutError) and clears ``keepWithNext`` on
        what it keeps together, and the next layout of the same paragraphs (see
        :class:`Typesetter`) must start from them as they were made."""
        edits: list[tuple] = []
        self._multiBuildEdits = edits.append
        try:
            super().build(flowables, **kwargs)
        finally:
            for undo, *args in edits:
                undo(*args)
            del self._multiBuildEdits

    def _measure(self, flowable: Flowable) -> None:
        """Charge the vertical space the flowable just took (spacing included) to its entry
        and section; a flowable that opened a page is charged from the top of the frame."""
        frame = self.frame
        top = frame._y2 - frame._topPadding
        page, y = self._last
        used = (y if page == self.page else top) - frame._y
        self._last = (self.page, frame._y)
        self.page_used[self.page] = top - frame._y
        outline = getattr(flowable, "outline", None)
        if outline:
            self._section = outline[0]
        self.section_heights[self._section] = self.section_heights.get(self._section, 0.0) + used
        group = getattr(flowable, "entry_group", 0)
        if group:
            self.entry_heights[group] = self.entry_heights.get(group, 0.0) + used

    def afterFlowable(self, flowable: Flowable) -> None:
        if not isinstance(flowable, ActionFlowable):
            self._measure(flowable)
        if getattr(flowable, "outline", None):
            key, level = flowable.outline
            self.starts.setdefault(key, self.page)
            top = self.frame._y + getattr(flowable, "height", 0) + flowable.getSpaceBefore()
            self.canv.bookmarkPage(key, fit="XYZ", left=0, top=top)  # opens at the heading, not the page top
            self.canv.addOutlineEntry(flowable.title, key, level=level, closed=False)


def _stamp(day: dt.date | None) -> TimeStamp:
    """The PDF's creation and modification date: ``SOURCE_DATE_EPOCH`` when set (as
    reproducible builds expect), else the day the document is for, so the same inputs
    always give the same bytes and the date still means something."""
    stamp = TimeStamp(invariant=1)
    if day is not None and not os.environ.get("SOURCE_DATE_EPOCH", "").strip():
        stamp.t = calendar.timegm(day.timetuple())
        stamp.lt = time.gmtime(stamp.t)
        stamp.YMDhms = tuple(stamp.lt)[:6]
    return stamp


_SUBSET = re.compile(rb"/([A-Z]{6})\+([A-Za-z0-9_-]+)")


def unique_subset_tags(pdf: bytes) -> bytes:
    """Give each embedded font subset a tag of its own. reportlab names the first subset of
    every font "AAAAAA+", and PDF readers and checkers expect a tag to tell subsets apart.
    The tag comes from the font's name, so the bytes stay the same for the same inputs,
    and keeps its length, so no offset in the file moves."""

    def tag(m: re.Match) -> bytes:
        digest = hashlib.sha1(m.group(1) + b"+" + m.group(2)).digest()
        return b"/" + bytes(65 + b % 26 for b in digest[:6]) + b"+" + m.group(2)

    return _SUBSET.sub(tag, pdf)


def _footer_canvas(footer: str, sheet: StyleSheet, day: dt.date | None = None):
    """A canvas that draws 'name · page X of Y' once the page count is known.

    It holds every page back until ``save``, so bookmarks (the outline's destinations)
    are held with their page too: set at once, they would all name the first page, as
    the PDF's page objects are made only when the pages are written."""

    class FooterCanvas(Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._doc._timeStamp = _stamp(day)
            self._saved: list[dict] = []
            self._page_bookmarks: list[tuple[str, dict]] = []

        def bookmarkPage(self, key: str, **kwargs) -> None:
            self._page_bookmarks.append((key, kwargs))

        def showPage(self) -> None:
            self._saved.append(dict(self.__dict__))
            self._page_bookmarks = []
            self._startPage()

        def save(self) -> None:
            total = len(self._saved)
            for number, state in enumerate(self._saved, 1):
                self.__dict__.update(state)
                for key, kwargs in self._page_bookmarks:
                    super().bookmarkPage(key, **kwargs)
                width, _ = self._pagesize
                y = sheet.page["margin_bottom"] / 2
                self.setFont(fonts.FAMILY, sheet.page["footer_size"])
                self.setFillColor(_color(sheet.colors["muted"]))
                self.drawString(sheet.page["margin_left"], y, fonts.displayable(footer))
                self.drawRightString(width - sheet.page["margin_right"], y, f"page {number} of {total}")
                super().showPage()
            self.showOutline()  # the reader opens with the packet's parts listed beside it
            super().save()

    return FooterCanvas


class _Table(Table):
    """A table that, like :class:`_Para`, draws nothing in a layout pass: drawing each CV
    entry's table (and the paragraphs in it) was a third of every layout pass of a fit,
    and where a table splits and falls does not depend on drawing it."""

    def draw(self) -> None:
        if not isinstance(self.canv, _MeasuringCanvas):
            super().draw()


class _Panel(_Table):
    """A CV entry's panel, kept on one page as KeepTogether would keep it, at a fraction
    of the cost (KeepTogether deep-copies the frame at every wrap, and fitting lays each
    packet out several times): a panel that fits on an empty page refuses to split, so
    platypus moves it whole to the next; only one taller than a page splits in its row.
    ``page_height`` is set on the panel the builder makes; the pieces reportlab splits a
    taller one into are made by Table itself and keep the default, so they split freely."""

    page_height = 0.0

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self._height <= self.page_height:  # _height: set by the wrap that found it too tall here
            return []
        return super().split(availWidth, availHeight)


class _Builder:
    """Items → flowables. Paragraphs are made once per builder, so the layouts of a
    packet's versions, and the packets of one application, share them and their line
    breaks (see :class:`_Para`)."""

    def __init__(self, sheet: StyleSheet, width: float, height: float):
        self.sheet, self.width, self.height, self.style = sheet, width, height, _Styles(sheet)
        self._made: dict[tuple, _Para] = {}
        self._in_story: set[tuple] = set()

    def para(self, text: str, style: ParagraphStyle, bullet: str | None = None,
             outline: tuple[str, int] | None = None, title: str = "") -> _Para:
        """The paragraph of this text in this style: the one made before, unless this
        story already has it (the same line in two CV entries), as ``story`` marks each
        top-level flowable with its entry for the layout to read back."""
        key = (text, style.name, bullet, outline)
        if key in self._in_story:
            return _new_para(text, style, bullet, outline, title)
        if key not in self._made:
            self._made[key] = _new_para(text, style, bullet, outline, title)
        self._in_story.add(key)
        return self._made[key]

    def paragraph(self, item: Item, width: float) -> list[Flowable]:
        if item.fields:
            return [self.fields(item, width)]
        if item.table is not None:
            return [self.table(item, width)]
        style = self.style(item.style, item.depth)
        if item.code:
            code = self.style("Code", item.depth)
            lines = [escape(fonts.displayable(line)) for line in item.code.split("\n")]
            text = "<br/>".join(line.replace(" ", "&nbsp;", len(line) - len(line.lstrip(" "))) for line in lines)
            return [self.para(text or "&nbsp;", code)]
        text = markup(item.runs, self.sheet) or "&nbsp;"
        bullet = escape(item.label) if item.label else None
        if item.outline:
            title = "".join(r.text for r in item.runs).replace("\u00a0", " ")  # the outline's entry: plain spaces
            paragraph = self.para(text, style, outline=item.outline, title=title)
        else:
            paragraph = self.para(text, style, bullet)
        spec = self.sheet.styles.get(item.style)
        if spec is not None and spec.rule_below:
            return [paragraph, HRFlowable(width="100%", thickness=0.8, color=_color(self.sheet.colors["rule"]),
                                          spaceBefore=0, spaceAfter=spec.space_after)]
        return [paragraph]

    def beside(self, items: list[Item], width: float) -> tuple[list[Flowable], _Para]:
        """An entry whose first line has dates: its lines and details for a column beside a
        right-aligned column of its dates (see :meth:`panel`), so every entry's dates stand
        at the right edge and what the entry says wraps beside them (the DOCX sets the same
        table)."""
        head = items[0]
        main = [self.para(markup(head.runs, self.sheet) or "&nbsp;", self.style(head.style, head.depth))]
        main += [f for sub in items[1:] for f in self.paragraph(sub, width - self.sheet.page["date_column"])]
        return main, self.para(markup(head.aside, self.sheet), self.style("Entry Date"))

    def fields(self, item: Item, width: float) -> Table:
        label_w = 112
        label_style = self.style("Label")
        rows = [[self.para(escape(label), label_style),
                 [f for sub in value for f in self.paragraph(sub, width - label_w - 12)]]
                for label, value in item.fields]
        table = _Table(rows, colWidths=[label_w, width - label_w], hAlign="LEFT", splitInRow=1,
                       spaceAfter=self.sheet.page["table_gap"] if item.gap_after else 0)
        table.setStyle(_table_style([
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6), ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, -2), 0.4, _color(self.sheet.colors["rule"]))]))
        return table

    def table(self, item: Item, width: float) -> Table:
        body = self.style("Body Text")
        head = self.style("Label")
        rows = item.table.rows
        columns = max(len(r) for r in rows)
        cells = [[self.para(markup(c, self.sheet) or "&nbsp;", head if item.table.header and i == 0 else body)
                  for c in row] + [""] * (columns - len(row)) for i, row in enumerate(rows)]
        indent = self.style("Body Text", item.depth).leftIndent
        column = (width - indent) / columns
        # The header row is repeated on each page only when it is short: reportlab cannot
        # repeat one taller than the page (a LayoutError), and a tall one crowds out its rows.
        repeat = item.table.header and max(cell.wrap(column - 12, 1e6)[1] for cell in cells[0]
                                           if cell != "") <= REPEATED_HEADER_MAX
        table = _Table(cells, colWidths=[column] * columns, hAlign="LEFT", repeatRows=1 if repeat else 0,
                      splitInRow=1)
        table.setStyle(_table_style([("GRID", (0, 0), (-1, -1), 0.4, _color(self.sheet.colors["rule"])),
                                   ("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return table

    def panel(self, flowables: list[Flowable], width: float, highlight: bool,
              dates: Flowable | None = None) -> Table:
        """One CV entry on a panel as wide as the page's measure. Every entry has the same
        panel and the same padding, so marked and unmarked entries align and stand the same
        distance apart; a marked one's panel is tinted, with a bar at the left edge. An
        entry's ``dates`` take a second column of the panel itself, not a table inside it:
        nested tables made every dated entry cost reportlab two tables' wraps at each of the
        fit's layouts."""
        # Every Table here may split inside a row: a row taller than a page (a pasted essay,
        # a 3,000-character word in a table cell) would otherwise stop the build with a LayoutError.
        pad, column = self.sheet.page["entry_padding"], self.sheet.page["date_column"]
        if dates is None:
            panel = _Panel([[flowables]], colWidths=[width], splitInRow=1)
            sides = [("LEFTPADDING", (0, 0), (0, 0), pad), ("RIGHTPADDING", (0, 0), (0, 0), pad)]
        else:
            panel = _Panel([[flowables, dates]], colWidths=[width - pad - column, column + pad], splitInRow=1)
            sides = [("VALIGN", (0, 0), (1, 0), "TOP"), ("LEFTPADDING", (0, 0), (0, 0), pad),
                     ("RIGHTPADDING", (0, 0), (0, 0), 0), ("LEFTPADDING", (1, 0), (1, 0), 0),
                     ("RIGHTPADDING", (1, 0), (1, 0), pad)]
        panel.page_height = self.height
        commands = sides + [("TOPPADDING", (0, 0), (-1, -1), self.sheet.page["entry_panel"]),
                            ("BOTTOMPADDING", (0, 0), (-1, -1), self.sheet.page["entry_panel"])]
        if highlight:  # the padding stays white, so marked entries next to each other stand apart
            gap = 2 * self.sheet.page["entry_panel"]
            commands += [("BACKGROUND", (0, 0), (-1, -1), _color(self.sheet.colors["highlight_fill"])),
                         ("LINEBEFORE", (0, 0), (0, -1), 2.5, _color(self.sheet.colors["highlight_bar"])),
                         ("LINEABOVE", (0, 0), (-1, 0), gap, colors.white, 2),  # square caps: over the bar's ends
                         ("LINEBELOW", (0, -1), (-1, -1), gap, colors.white, 2)]
        panel.setStyle(_table_style(commands))
        return panel

    def story(self, items: list[Item]) -> list[Flowable]:
        """Flowables for the items. An entry is kept on one page (by its :class:`_Panel`),
        and headings are kept with what follows them (explicitly: platypus' keepWithNext
        does not hold when the next flowable is itself a KeepTogether)."""
        self._in_story.clear()
        story: list[Flowable] = []
        held: list[Flowable] = []  # headings waiting for their first block
        index = 0
        while index < len(items):
            item = items[index]
            if item.new_page and (story or held):
                story.extend(_alone(held))
                held = []
                story.append(PageBreak())
            end = index + 1
            if item.group:
                while end < len(items) and items[end].group == item.group:
                    end += 1
            inner_width = self.width - (2 * self.sheet.page["entry_padding"] if item.group else 0)
            if item.aside:  # a dated entry: always an entry's group (see flatten)
                main, dates = self.beside(items[index:end], inner_width)
                flowables: list[Flowable] = [self.panel(main, self.width, item.highlight, dates)]
            else:
                flowables = [f for sub in items[index:end] for f in self.paragraph(sub, inner_width)]
                if item.group:
                    flowables = [self.panel(flowables, self.width, item.highlight)]
            for flowable in flowables:
                flowable.entry_group = item.group  # read back by _Doc._measure
            index = end
            if self.sheet.styles.get(item.style, self.sheet["Body Text"]).keep_with_next:
                held.extend(flowables)
                continue
            if held:
                story.append(KeepTogether(held + flowables))
                held = []
            else:
                story.extend(flowables)
        story.extend(_alone(held))
        return story


def _alone(held: list[Flowable]) -> list[Flowable]:
    """Headings with nothing after them to keep with (at the end, before a page break):
    reportlab loops forever on a keep-with-next paragraph taller than the page there, as
    a ``###`` heading of a pasted essay would be. The style changes (on a copy: the
    builder shares paragraphs between layouts), as the parts a paragraph splits into take
    their parent's style."""
    alone = []
    for flowable in held:
        style = getattr(flowable, "style", None)
        if isinstance(style, ParagraphStyle) and style.keepWithNext:
            flowable = copy.copy(flowable)
            flowable.__dict__.pop("_breaks", None)
            flowable.style = ParagraphStyle(f"{style.name}-alone", parent=style, keepWithNext=0)
        alone.append(flowable)
    return alone


class Typesetter:
    """Lays out and draws versions of packets, sharing what they have in common.

    Fitting lays a writer's packet out several times, cutting a few entries each time,
    and then the PDF is drawn; the packets of one application share their CV and
    statement. One typesetter for all of them makes each paragraph once and breaks it
    into lines once per width (:class:`_Builder`, :class:`_Para`). It keeps every
    paragraph it has made: use one per application.
    """

    def __init__(self, page_size: str = "letter"):
        fonts.register()
        self.sheet, self.page_size = load_styles(), page_size
        self._builders: dict[int, _Builder] = {}  # one per tightening step: its styles and width differ

    def layout(self, document: Document) -> Layout:
        """Lay the document out exactly as :meth:`render` would, and report its pages."""
        return self._run(document, measuring=True)[1]

    def render(self, document: Document) -> bytes:
        """The PDF bytes of a document."""
        return self._run(document, measuring=False)[0]

    def _run(self, document: Document, measuring: bool) -> tuple[bytes, Layout]:
        """Lay out and draw the document; when ``measuring``, only lay it out (no PDF bytes)."""
        sheet = tightened(self.sheet, document.density)
        page = sheet.page
        buffer = io.BytesIO()
        doc = _Doc(buffer, pagesize=PAGE_SIZES[self.page_size], leftMargin=page["margin_left"],
                   rightMargin=page["margin_right"], topMargin=page["margin_top"],
                   bottomMargin=page["margin_bottom"], title=document.title, author=document.author,
                   subject=document.subject, keywords=", ".join(document.keywords), creator="packetbuilder",
                   invariant=1, initialFontName=fonts.FAMILY,  # else every page names an unembedded Helvetica
                   lang=document.lang)
        if document.density not in self._builders:
            self._builders[document.density] = _Builder(sheet, doc.width, doc.height)
        story = self._builders[document.density].story(flatten(document))
        doc.build(story, canvasmaker=_MeasuringCanvas if measuring
                  else _footer_canvas(document.footer, sheet, document.date))
        used = tuple(doc.page_used.get(number, 0.0) for number in range(1, doc.page + 1))
        return unique_subset_tags(buffer.getvalue()), Layout(doc.page, dict(doc.starts), dict(doc.entry_heights),
                                         dict(doc.section_heights), doc.frame._aH, used)


def render_pdf(document: Document, page_size: str = "letter") -> bytes:
    """The PDF bytes of a document."""
    return Typesetter(page_size).render(document)


def layout(document: Document, page_size: str = "letter") -> Layout:
    """Lay the document out exactly as :func:`render_pdf` would, and report its pages."""
    return Typesetter(page_size).layout(document)
