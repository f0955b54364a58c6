"""A Word CV (.docx) → its paragraphs and tables as typed facts, and what has no place in them.

The importer (:mod:`.cv_shapes`) decides what is a name, a section or an entry from
what Word shows: a style, bold, capitals, a larger size, a border under a line, a list
level. Those are spread over the run, its character style, the paragraph style and its
``basedOn`` chain, the numbering definitions and the document defaults, so they are
resolved here, once, into plain values — and the shaping rules never see XML.

The body is walked on the XML rather than through python-docx's objects, because the
objects skip what a CV holds and the import must account for: text in hyperlinks made
as fields, content controls (Word's CV templates are full of them), tracked insertions,
text boxes, pictures. Nothing is dropped silently: what is not text of a paragraph (a
text box, an image, a header, a comment, a footnote, hidden text) is returned as
:class:`Unplaced`, with the number of the paragraph it is in, for the import report.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from docx import Document as open_docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from .errors import InputError, Problem
from .model import Run, Runs  # a run: a piece of a paragraph's text with one look (bold, italic, a link)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_NS = {
    "w": W,
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "m": "http://schemas.openxmlformats.org/officeDocument/2006/math",
}


# A part python-docx does not parse itself is parsed here as it parses its own: no entities
# resolved (an entity could name a file on this computer), no network.
_SAFE = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


# -- the facts ---------------------------------------------------------------------------

TAB = "\t"  # a run holding only this is a tab (or a run of alignment spaces)
BREAK = "\n"  # ... a line break inside the paragraph


@dataclass(frozen=True)
class WordParagraph:
    """One body paragraph, with its formatting resolved to what the shaping rules ask."""

    number: int  # 1-based, in body order (table cells included): the numbers reports use
    spans: Runs
    style: str = "Normal"  # the paragraph style's name, as Word shows it
    outline: int | None = None  # heading level 1–9 (a Heading style or an outline level), else None
    title: bool = False  # Word's Title style
    list_level: int | None = None  # 0-based list level of a list paragraph, else None
    ordered: bool = False  # a numbered (not bulleted) list paragraph
    size: float = 11.0  # the largest font size of its text, in points
    caps: bool = False  # shown in capitals: every run is formatted as capitals
    border_below: bool = False  # a rule under the paragraph (a common unstyled section heading)
    indented: bool = False  # set in from the margin (a quarter inch or more), as text that continues a list item

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class WordTable:
    """A table: rows of cells, each cell its paragraphs (a nested table's are flattened in)."""

    rows: tuple[tuple[tuple[WordParagraph, ...], ...], ...]


WordBlock = WordParagraph | WordTable


@dataclass(frozen=True)
class Unplaced:
    """Text (or a picture) of the DOCX that is not text of a body paragraph."""

    paragraph: int  # the body paragraph it is in or after; 0 for headers and footers
    what: str  # "text box", "image", "header", "footer", "comment", "footnote", "hidden text", …
    text: str = ""


@dataclass(frozen=True)
class WordBody:
    """A DOCX's body in order, what could not be placed in it, and its usual text size."""

    blocks: tuple[WordBlock, ...]
    unplaced: tuple[Unplaced, ...]
    body_size: float  # the font size most of the text is in, to tell a larger name or heading


def flat(blocks) -> list[WordParagraph]:
    """Every paragraph of the blocks, table cells' included, in reading order."""
    return [p for block in blocks for p in (
        [q for row in block.rows for cell in row for q in cell] if isinstance(block, WordTable) else [block])]


# -- refusing what is not a .docx --------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAIN_TYPES = {  # main-part content types python-docx refuses that hold the same WordprocessingML
    "application/vnd.ms-word.document.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
}
_DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_SAVE_AS = "open it in Word (or LibreOffice) and use Save As → Word Document (.docx), then import that file"


def _refusal(name: str, data: bytes) -> Problem | None:
    """Why these bytes are not a .docx we can read, naming what they are and what to do."""
    if data.startswith(_OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            return Problem(name, "is password-protected (an encrypted Word file), so it cannot be read",
                           "open it in Word, remove the password (File → Info → Protect Document → Encrypt with "
                           "Password, clear the box), save, and import it again")
        if "WordDocument".encode("utf-16-le") in data:
            return Problem(name, "is a Word 97–2003 document (.doc), not a .docx",
                           f"{_SAVE_AS}; or convert it with `soffice --headless --convert-to docx {Path(name).name}`")
        return Problem(name, "is an older Office file (not a Word .docx)", _SAVE_AS)
    if not zipfile.is_zipfile(io.BytesIO(data)):
        if data.startswith((b"%PDF", b"{\\rtf")):
            return Problem(name, f"is {'a PDF' if data.startswith(b'%PDF') else 'an RTF file'}, not a .docx", _SAVE_AS)
        return Problem(name, "is not a Word .docx file", "import the .docx file Word saved; a CV already in "
                                                          "Markdown goes in as it is (`packetbuilder init DIR --cv cv.md`)")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "word/document.xml" in names or any(n.endswith("document.xml") and n.startswith("word/") for n in names):
            return None
        if "content.xml" in names:
            return Problem(name, "is an OpenDocument text (.odt), not a .docx",
                           f"{_SAVE_AS}; or `soffice --headless --convert-to docx {Path(name).name}`")
    return Problem(name, "is a zip archive but not a Word document", "import the .docx file Word saved")


def _readable(data: bytes) -> bytes:
    """A macro-enabled document or a template, relabelled as the plain document it holds,
    since python-docx opens only that content type; the XML inside is the same."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
        if not any(t in types for t in _MAIN_TYPES):
            return data
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as copy:
            for item in archive.infolist():
                content = archive.read(item)
                if item.filename == "[Content_Types].xml":
                    for kind in _MAIN_TYPES:
                        types = types.replace(kind, _DOCX_TYPE)
                    content = types.encode("utf-8")
                copy.writestr(item, content)
        return out.getvalue()


def read_docx(path: Path, name: str | None = None) -> WordBody:
    """Read a .docx, or raise an InputError (exit 2) naming the file and what to do.

    ``name`` is how messages name the file (default: the path as given).
    """
    name = name or str(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(Problem(name, "file not found", "give the path of your Word CV (.docx)")) from None
    except IsADirectoryError:
        raise InputError(Problem(name, "is a folder, not a file", "give the path of your Word CV (.docx)")) from None
    except OSError as exc:
        raise InputError(Problem(name, f"cannot be read ({exc.strerror})", "check its permissions")) from None
    refusal = _refusal(name, data)
    if refusal is not None:
        raise InputError(refusal)
    try:
        document = open_docx(io.BytesIO(_readable(data)))
    except Exception as exc:  # python-docx raises KeyError, ValueError, XMLSyntaxError… on a damaged file
        raise InputError(Problem(name, f"is a damaged Word file ({type(exc).__name__}: {exc})",
                                 "open it in Word, save it again as .docx, and import that file")) from None
    return _Reader(document).body()


# -- resolving formatting ----------------------------------------------------------------

def _on(element) -> bool:
    """A toggle property (``<w:b/>``, ``<w:b w:val="0"/>``): present and not switched off."""
    return element.get(_w("val"), "true").lower() not in ("0", "false", "off", "none")


class _Styles:
    """Style lookups: a property from a style or the first of its ``basedOn`` ancestors."""

    def __init__(self, styles_element) -> None:
        self.by_id: dict[str, object] = {}
        self.default_paragraph = ""
        if styles_element is None:
            self.defaults = None
            return
        for style in styles_element.iterfind(_w("style")):
            style_id = style.get(_w("styleId"), "")
            self.by_id[style_id] = style
            if style.get(_w("type")) == "paragraph" and _on_attr(style.get(_w("default"))):
                self.default_paragraph = style_id
        self.defaults = styles_element.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")

    def chain(self, style_id: str | None):
        """The style and its ancestors, nearest first (a loop in basedOn is cut)."""
        seen = set()
        while style_id and style_id in self.by_id and style_id not in seen:
            seen.add(style_id)
            style = self.by_id[style_id]
            yield style
            based = style.find(_w("basedOn"))
            style_id = based.get(_w("val")) if based is not None else None

    def name(self, style_id: str) -> str:
        style = self.by_id.get(style_id)
        found = style.find(_w("name")) if style is not None else None
        return found.get(_w("val"), style_id) if found is not None else style_id

    def find(self, style_id: str | None, path: str):
        """The first element at ``path`` (e.g. ``w:rPr/w:b``) along the style's chain."""
        for style in self.chain(style_id):
            found = style.find(path, _NS)
            if found is not None:
                return found
        return None


def _int(value: str | None, default=0):
    """An integer attribute, or ``default`` when it is missing or not a whole number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _on_attr(value: str | None) -> bool:
    return value is not None and value.lower() in ("1", "true", "on")


def _heading_level(name: str) -> int | None:
    m = re.fullmatch(r"(?i)heading\s*([1-9])", name.strip())
    return int(m.group(1)) if m else None


class _Numbering:
    """Which list levels are bullets and which are numbers, from numbering.xml."""

    def __init__(self, element) -> None:
        self.formats: dict[tuple[str, int], str] = {}
        if element is None:
            return
        abstract = {a.get(_w("abstractNumId")): a for a in element.iterfind(_w("abstractNum"))}
        for num in element.iterfind(_w("num")):
            ref = num.find(_w("abstractNumId"))
            levels = {}
            if ref is not None and ref.get(_w("val")) in abstract:
                for lvl in abstract[ref.get(_w("val"))].iterfind(_w("lvl")):
                    levels[_int(lvl.get(_w("ilvl")))] = lvl
            for override in num.iterfind(_w("lvlOverride")):
                lvl = override.find(_w("lvl"))
                if lvl is not None:
                    levels[_int(override.get(_w("ilvl")))] = lvl
            for level, lvl in levels.items():
                fmt, text = lvl.find(_w("numFmt")), lvl.find(_w("lvlText"))
                shown = fmt.get(_w("val"), "decimal") if fmt is not None else "decimal"
                if text is not None and not (text.get(_w("val")) or "").strip():
                    shown = "none"  # a level that shows no marker: text continuing a list item (as pandoc writes it)
                self.formats[(num.get(_w("numId"), ""), level)] = shown

    def format(self, num_id: str, level: int) -> str:
        return self.formats.get((num_id, level), "bullet")


_MANUAL_BULLET = re.compile(r"^\s*([•◦▪▫‣⁃·●○■□➢➤►✓✔\-–*])\s+")
_STYLE_LEVEL = re.compile(r"(?i)^list(?: bullet| number| continue)?\s*([2-9])$")


class _Reader:
    """One pass over a document's body, numbering paragraphs and resolving their formatting."""

    def __init__(self, document) -> None:
        self.document = document
        part = document.part
        self.styles = _Styles(document.styles.element)
        self.numbering = _Numbering(part.numbering_part.element)
        self.rels = part.rels
        self.number = 0
        self.unplaced: list[Unplaced] = []
        self.sizes: Counter[float] = Counter()
        # the paragraph each footnote, endnote and comment is anchored in, by kind and id
        self.anchors: dict[str, dict[str, int]] = {"footnote": {}, "endnote": {}, "comment": {}}

    # -- the body --------------------------------------------------------------------------

    def body(self) -> WordBody:
        blocks = self._blocks(self.document.element.body)
        self._notes()
        self._headers_and_footers()
        size = self.sizes.most_common(1)[0][0] if self.sizes else 11.0
        unplaced = sorted(self.unplaced, key=lambda u: u.paragraph)
        return WordBody(tuple(blocks), tuple(unplaced), size)

    def _blocks(self, container) -> list[WordBlock]:
        out: list[WordBlock] = []
        for child in container:
            if child.tag == _w("p"):
                out.append(self._paragraph(child))
            elif child.tag == _w("tbl"):
                out.append(self._table(child))
            elif child.tag in (_w("sdt"), _w("customXml")):  # content controls: their content is body text
                content = child.find(_w("sdtContent")) if child.tag == _w("sdt") else child
                if content is not None:
                    out.extend(self._blocks(content))
            elif child.tag == _w("altChunk"):  # a whole other document (HTML, RTF) pasted in
                self.unplaced.append(Unplaced(self.number, "embedded document"))
        return out

    def _table(self, element) -> WordTable:
        rows = []
        for tr in _children(element, "tr"):
            cells = []
            for tc in _children(tr, "tc"):
                cells.append(tuple(flat(self._blocks(tc))))  # a nested table's paragraphs flattened in
            rows.append(tuple(cells))
        return WordTable(tuple(rows))

    # -- a paragraph -----------------------------------------------------------------------

    def _paragraph(self, p) -> WordParagraph:
        self.number += 1
        number = self.number
        ppr = p.find(_w("pPr"))
        style_id = None
        if ppr is not None and ppr.find(_w("pStyle")) is not None:
            style_id = ppr.find(_w("pStyle")).get(_w("val"))
        style_id = style_id if style_id in self.styles.by_id else self.styles.default_paragraph
        style = self.styles.name(style_id) if style_id else "Normal"
        spans, sizes, caps = self._inline(p, style_id, number)
        text = "".join(s.text for s in spans)
        for size, count in sizes.items():
            self.sizes[size] += count
        level, ordered = self._list(ppr, style_id, style)
        if level is None and (m := _MANUAL_BULLET.match(text)) and len(text) > len(m.group(0)):
            # a bullet typed by hand ("• Led the…"); indented, or a hollow one, is a level down
            level, ordered = int(m.group(0)[0] in " \t" or m.group(1) in "◦○▫"), False
            spans = _drop_prefix(spans, len(m.group(0)))
        outline = _heading_level(style)
        found = self._property(ppr, style_id, "w:outlineLvl")
        if outline is None and found is not None and _int(found.get(_w("val")), 9) < 9:  # 9: body text
            outline = _int(found.get(_w("val"))) + 1
        border = self._property(ppr, style_id, "w:pBdr/w:bottom")
        indent = self._property(ppr, style_id, "w:ind")
        left = _int(indent.get(_w("left")) or indent.get(_w("start"))) if indent is not None else 0
        left = max(left, 720 if level is None and self._in_list(ppr, style_id) else 0)
        return WordParagraph(
            number, tuple(spans), style, outline, style.strip().lower() == "title", level, ordered,
            max(sizes) if sizes else self._size(None, style_id), caps,
            border is not None and border.get(_w("val"), "none") not in ("none", "nil"),
            left >= 360)

    def _property(self, ppr, style_id, path):
        """A paragraph property, set on the paragraph or by its style."""
        found = ppr.find(path, _NS) if ppr is not None else None
        return found if found is not None else self.styles.find(style_id, f"w:pPr/{path}")

    def _list(self, ppr, style_id, style: str) -> tuple[int | None, bool]:
        """(0-based level, numbered) of a list paragraph: numPr on it or on its style; the
        level from numPr's ilvl, else from a "List Bullet 2"-style name."""
        numpr = ppr.find(_w("numPr")) if ppr is not None else None
        own_level = numpr.find(_w("ilvl")) if numpr is not None else None
        num = numpr.find(_w("numId")) if numpr is not None else None
        if num is None:
            num = self.styles.find(style_id, "w:pPr/w:numPr/w:numId")
        if num is None or num.get(_w("val"), "0") == "0":
            return None, False
        ilvl = own_level if own_level is not None else self.styles.find(style_id, "w:pPr/w:numPr/w:ilvl")
        level = _int(ilvl.get(_w("val")), None) if ilvl is not None else None
        if level is None or (own_level is None and level == 0):
            m = _STYLE_LEVEL.match(style.strip())
            level = int(m.group(1)) - 1 if m else (level or 0)
        fmt = self.numbering.format(num.get(_w("val"), ""), level)
        if fmt == "none":
            return None, False  # (indented by its list level: see WordParagraph.indented)
        return level, fmt not in ("bullet",)

    def _in_list(self, ppr, style_id) -> bool:
        """A paragraph numbered with a level that shows no marker: it continues a list item."""
        numpr = ppr.find(_w("numPr")) if ppr is not None else None
        num = numpr.find(_w("numId")) if numpr is not None else self.styles.find(style_id, "w:pPr/w:numPr/w:numId")
        return num is not None and num.get(_w("val"), "0") != "0"

    def _size(self, rpr, style_id, run_style=None) -> float:
        found = rpr.find(_w("sz")) if rpr is not None else None
        for source in (run_style, style_id):
            if found is None and source:
                found = self.styles.find(source, "w:rPr/w:sz")
        if found is None and self.styles.defaults is not None:
            found = self.styles.defaults.find(_w("sz"))
        return _int(found.get(_w("val")), 20) / 2 if found is not None else 10.0  # Word's default: 10 pt

    def _toggle(self, rpr, style_id, run_style, tag: str) -> bool:
        found = rpr.find(_w(tag)) if rpr is not None else None
        for source in (run_style, style_id):
            if found is None and source:
                found = self.styles.find(source, f"w:rPr/w:{tag}")
        if found is None and self.styles.defaults is not None:
            found = self.styles.defaults.find(_w(tag))
        return found is not None and _on(found)

    def _inline(self, p, style_id, number) -> tuple[list[Run], Counter[float], bool]:
        """The paragraph's text as spans; the sizes its text is in (by characters); whether
        every run is formatted in capitals."""
        spans: list[Run] = []
        sizes: Counter[float] = Counter()
        caps = [True, False]  # (all runs in caps, any run at all)
        fields: list[dict] = []  # open complex fields: {"code": str, "showing": bool, "href": str | None}

        def href_of_fields() -> str | None:
            return next((f["href"] for f in reversed(fields) if f["href"] and f["showing"]), None)

        def run(r, href: str | None) -> None:
            rpr = r.find(_w("rPr"))
            run_style = rpr.find(_w("rStyle")).get(_w("val")) if rpr is not None and rpr.find(_w("rStyle")) is not None \
                else None
            bold = self._toggle(rpr, style_id, run_style, "b")
            italic = self._toggle(rpr, style_id, run_style, "i")
            hidden = self._toggle(rpr, style_id, run_style, "vanish")
            size = self._size(rpr, style_id, run_style)
            shown_caps = self._toggle(rpr, style_id, run_style, "caps") or self._toggle(rpr, style_id, run_style,
                                                                                           "smallCaps")
            for child in r:
                tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
                if tag == "fldChar":
                    kind = child.get(_w("fldCharType"))
                    if kind == "begin":
                        fields.append({"code": "", "showing": False, "href": None})
                    elif kind == "separate" and fields:
                        fields[-1]["showing"] = True
                        fields[-1]["href"] = _field_link(fields[-1]["code"])
                    elif kind == "end" and fields:
                        fields.pop()
                    continue
                if tag == "instrText" and fields:
                    fields[-1]["code"] += child.text or ""
                    continue
                if fields and not fields[-1]["showing"]:
                    continue  # a field's code, not its shown result
                text = {"t": child.text or "", "tab": TAB, "ptab": TAB, "br": BREAK, "cr": BREAK,
                        "noBreakHyphen": "-", "sym": _symbol(child)}.get(tag)
                if tag == "br" and child.get(_w("type")) in ("page", "column"):
                    text = None
                if tag in ("drawing", "pict", "object"):
                    self._picture(child, number)
                elif tag == "AlternateContent":
                    choice = child.find("mc:Choice", _NS)
                    if choice is not None:
                        for inner in choice:
                            self._picture(inner, number)
                elif tag in ("footnoteReference", "endnoteReference", "commentReference"):
                    self.anchors[tag.removesuffix("Reference")].setdefault(child.get(_w("id"), ""), number)
                if not text:
                    continue
                if hidden:
                    if text.strip():
                        self.unplaced.append(Unplaced(number, "hidden text", text))
                    continue
                if text not in (TAB, BREAK):
                    sizes[size] += len(text.strip())
                    caps[0] = caps[0] and (shown_caps or not any(c.islower() for c in text))
                    caps[1] = caps[1] or bool(text.strip())
                spans.append(Run(text, bold, italic, href=href or href_of_fields()))

        def walk(container, href: str | None) -> None:
            for child in container:
                tag = etree.QName(child).localname if isinstance(child.tag, str) else ""
                if tag == "r":
                    run(child, href)
                elif tag == "hyperlink":
                    walk(child, self._hyperlink(child) or href)
                elif tag == "fldSimple":
                    walk(child, _field_link(child.get(_w("instr"), "")) or href)
                elif tag in ("ins", "moveTo", "smartTag", "customXml", "bdo", "dir"):
                    walk(child, href)
                elif tag == "sdt":
                    content = child.find(_w("sdtContent"))
                    if content is not None:
                        walk(content, href)
                elif tag == "AlternateContent":  # the first choice; the fallback repeats it for old readers
                    choice = child.find("mc:Choice", _NS)
                    if choice is not None:
                        walk(choice, href)
                elif tag in ("oMath", "oMathPara"):
                    math = "".join(t.text or "" for t in child.iter(f"{{{_NS['m']}}}t"))
                    if math:
                        spans.append(Run(math))
                elif tag == "commentRangeStart":
                    self.anchors["comment"].setdefault(child.get(_w("id"), ""), number)

        walk(p, None)
        return _merged(_alignment_spaces(spans)), sizes, caps[0] and caps[1]

    def _hyperlink(self, element) -> str | None:
        rid = element.get(f"{{{_NS['r']}}}id")
        if rid and rid in self.rels and self.rels[rid].is_external:
            return self.rels[rid].target_ref + (f"#{element.get(_w('anchor'))}" if element.get(_w("anchor")) else "")
        return None

    def _picture(self, element, number: int) -> None:
        """A drawing, VML shape or embedded object: its text boxes' text, or that it is an image."""
        boxes = list(element.iter(_w("txbxContent")))
        if boxes:
            for box in boxes:
                text = " ".join(" ".join(t.text or "" for t in p.iter(_w("t"))).strip() for p in box.iter(_w("p")))
                self.unplaced.append(Unplaced(number, "text box", re.sub(r"\s+", " ", text).strip()))
            return
        described = next((d.get("descr") or d.get("title") for d in element.iter(f"{{{_NS['wp']}}}docPr")
                          if d.get("descr") or d.get("title")), "")
        graphic = next((g.get("uri", "") for g in element.iter(f"{{{_NS['a']}}}graphicData")), "")
        what = ("chart" if "chart" in graphic else "diagram" if "diagram" in graphic
                else "embedded object" if etree.QName(element).localname == "object" else "image")
        self.unplaced.append(Unplaced(number, what, described))

    # -- outside the body ------------------------------------------------------------------

    def _parts(self, reltype: str):
        seen = set()
        for rel in self.rels.values():
            if rel.reltype == reltype and not rel.is_external and id(rel.target_part) not in seen:
                seen.add(id(rel.target_part))
                yield rel.target_part

    @staticmethod
    def _xml(part):
        element = getattr(part, "element", None)
        return element if element is not None else etree.fromstring(part.blob, _SAFE)

    def _notes(self) -> None:
        """Footnotes, endnotes and comments: text a CV seldom means to keep, reported."""
        for reltype, kind, tag in ((RT.FOOTNOTES, "footnote", "footnote"), (RT.ENDNOTES, "endnote", "endnote"),
                                   (RT.COMMENTS, "comment", "comment")):
            for part in self._parts(reltype):
                for note in self._xml(part).iterfind(_w(tag)):
                    if note.get(_w("type")) in ("separator", "continuationSeparator", "continuationNotice"):
                        continue
                    text = _plain(note)
                    if text:
                        author = f" by {note.get(_w('author'))}" if kind == "comment" and note.get(_w("author")) else ""
                        self.unplaced.append(Unplaced(self.anchors[kind].get(note.get(_w("id"), ""), 0),
                                                      kind + author, text))

    def _headers_and_footers(self) -> None:
        for reltype, kind in ((RT.HEADER, "header"), (RT.FOOTER, "footer")):
            for part in self._parts(reltype):
                root = self._xml(part)
                for p in root.iter(_w("p")):  # a text box's paragraphs too
                    text = _plain(p) if p.find(f".//{_w('p')}") is None else ""
                    if text:
                        self.unplaced.append(Unplaced(0, kind, text))


def _children(element, tag: str):
    """The ``w:<tag>`` children of a table or row, also those wrapped in content controls."""
    for child in element:
        if child.tag == _w(tag):
            yield child
        elif child.tag in (_w("sdt"), _w("customXml")):
            content = child.find(_w("sdtContent")) if child.tag == _w("sdt") else child
            if content is not None:
                yield from _children(content, tag)


def _plain(element) -> str:
    """The visible text of an element: its w:t, tabs as spaces."""
    parts = []
    for node in element.iter(_w("t"), _w("tab")):
        parts.append(" " if node.tag == _w("tab") else node.text or "")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _field_link(code: str) -> str | None:
    """The target of a ``HYPERLINK "https://…"`` field; a field to a bookmark (``\\l``) has none."""
    m = re.match(r'\s*HYPERLINK\s+(?!\\l)"?([^"\s]+)"?', code)
    return m.group(1) if m else None


_SYMBOLS = {"F0B7": "•", "F0A7": "▪", "F0D8": "➢", "F0FC": "✓", "F0A8": "□", "F06E": "■", "F02D": "-"}


def _symbol(element) -> str:
    """A ``w:sym`` (a character from a symbol font): Wingdings bullets as the bullets they show."""
    code = (element.get(_w("char")) or "").upper()
    if code in _SYMBOLS:
        return _SYMBOLS[code]
    try:
        value = int(code, 16)
    except ValueError:
        return ""
    return chr(value) if value < 0xE000 or value > 0xF8FF else ""


def _alignment_spaces(spans: list[Run]) -> list[Run]:
    """Runs of three or more spaces, which people type to push dates to the right, as tabs."""
    out = []
    for span in spans:
        pieces = re.split(r"( {3,}|\u00a0{3,})", span.text) if span.text not in (TAB, BREAK) else [span.text]
        for piece in pieces:
            if piece and not piece.strip(" \u00a0") and len(piece) >= 3:
                out.append(Run(TAB))
            elif piece:
                out.append(replace(span, text=piece))
    return out


def _merged(spans: list[Run]) -> list[Run]:
    """Neighbouring spans with the same look joined (Word splits text into runs at every edit)."""
    out: list[Run] = []
    for span in spans:
        special = span.text in (TAB, BREAK)
        if out and not special and out[-1].text not in (TAB, BREAK) and \
                (out[-1].bold, out[-1].italic, out[-1].href) == (span.bold, span.italic, span.href):
            out[-1] = replace(out[-1], text=out[-1].text + span.text)
        else:
            out.append(span)
    return out


def _drop_prefix(spans: list[Run], count: int) -> list[Run]:
    """The spans without their first ``count`` characters (a typed bullet and its space)."""
    out = []
    for span in spans:
        if count <= 0:
            out.append(span)
        elif len(span.text) <= count:
            count -= len(span.text)
        else:
            out.append(replace(span, text=span.text[count:]))
            count = 0
    return out
