"""Make ``styles/reference.docx``: the Word styles the DOCX writer uses, from the style sheet.

As with pandoc's ``--reference-doc``, the DOCX writer takes every style from this file
by Word's own names (Title, Heading 1–3, Body Text, List Bullet, List Number, Quote,
Hyperlink…), so a user can restyle packets in Word by editing a copy of it. This
module regenerates it from ``styles/packet.toml`` so the PDF and the DOCX start in
step: ``python -m packetbuilder.render.reference``.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from .styles import REFERENCE_DOCX, StyleSheet, load_styles

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PARAGRAPH_STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Body Text", "List Bullet",
                    "List Bullet 2", "List Bullet 3", "List Number", "List Number 2", "List Number 3", "Quote")
NEW_STYLES = ("Lead", "Label", "Code", "Prose", "Entry", "Entry Detail", "Entry Date", "CV Name", "CV Contact")
OTHER_STYLES = ("Normal", "Hyperlink", "Footer", "Table Grid")  # the rest the DOCX writer names
# Parts of python-docx's default template that packets do not need: a Word 2010 copy of
# the styles (Word rebuilds it), a preview picture of that template's blank page, a
# bibliography store, and app.xml, which claims "Microsoft Macintosh Word", one page and
# no words for every packet (it is optional, and Word writes its own on save).
UNUSED_PARTS = ("stylesWithEffects", "thumbnail", "customXml", "docProps/app")


def apply_metrics(style, spec) -> None:
    """A Word style's size, spacing and leading from the sheet's: the reference's, and a
    packet's own after typographic tightening (``Document.density``)."""
    style.font.size = Pt(spec.size)
    fmt = style.paragraph_format
    fmt.space_before = Pt(spec.space_before)
    fmt.space_after = Pt(spec.space_after)
    fmt.line_spacing = Pt(spec.leading)
    if spec.right_indent:
        fmt.right_indent = Pt(spec.right_indent)


def _reset(style) -> None:
    """Clear what python-docx's template gave the style (Title's blue rule, Subtitle's
    letter spacing and outline level, theme fonts), so the style is the sheet's alone;
    a list style keeps its numbering."""
    ppr, rpr = style.element.pPr, style.element.rPr
    if ppr is not None:
        for child in list(ppr):
            if child.tag != qn("w:numPr") or not style.name.startswith("List"):
                ppr.remove(child)
    if rpr is not None:
        for child in list(rpr):
            rpr.remove(child)


def style_spec(name: str, sheet: StyleSheet):
    """The sheet's style for a Word style name (List Bullet 2 takes List Bullet's)."""
    base = name.rstrip(" 23") if name.startswith("List") else name
    return sheet.styles.get(base) or sheet["Body Text"]


def _apply(style, spec, sheet: StyleSheet) -> None:
    _reset(style)
    font = style.font
    font.name = sheet.fonts["word_mono"] if spec.mono else sheet.fonts["word_body"]
    font.bold = spec.bold
    font.italic = spec.italic
    font.color.rgb = RGBColor.from_string(spec.color)
    apply_metrics(style, spec)
    style.paragraph_format.keep_with_next = spec.keep_with_next or None
    if spec.align == "right":
        style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if spec.rule_below:
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        # the rule stands as far below the text as the PDF draws it: the style's space after
        # (Word allows at most 31 pt), with the space after again below the rule
        gap = str(min(31, round(spec.space_after)))
        for key, value in (("val", "single"), ("sz", "6"), ("space", gap), ("color", sheet.colors["rule"])):
            bottom.set(qn(f"w:{key}"), value)
        borders.append(bottom)
        # in schema order: w:pBdr stands before w:spacing, w:ind and w:jc
        style.element.get_or_add_pPr().insert_element_before(borders, "w:shd", "w:tabs", "w:spacing", "w:ind",
                                                            "w:contextualSpacing", "w:jc")


def _prune(doc) -> None:
    """Keep only the styles packets use (with those they are based on, continue as or are
    linked to, and Word's defaults) and drop the parts they do not need.

    python-docx's default template defines some 160 styles, nearly 800 KB of XML with
    its stylesWithEffects copy; every DOCX is made from this file, and a profile of the
    DOCX writer showed reading, writing and compressing that XML as over half its time.
    Word offers its other built-in styles from the kept ``w:latentStyles`` all the same.
    """
    root = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in root.iterfind(qn("w:style"))}
    todo = [doc.styles[name].element for name in PARAGRAPH_STYLES + NEW_STYLES + OTHER_STYLES]
    todo += [s for s in by_id.values() if s.get(qn("w:default")) == "1"]
    kept: set[str] = set()
    while todo:
        style = todo.pop()
        style_id = style.get(qn("w:styleId"))
        if style_id in kept:
            continue
        kept.add(style_id)
        for tag in ("w:basedOn", "w:next", "w:link"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) in by_id:
                todo.append(by_id[ref.get(qn("w:val"))])
    for style_id, style in by_id.items():
        if style_id not in kept:
            root.remove(style)
    for owner in (doc.part.package, doc.part):
        for rel_id, rel in list(owner.rels.items()):
            if not rel.is_external and any(name in str(rel.target_part.partname) for name in UNUSED_PARTS):
                del owner.rels[rel_id]


def stable_zip(data: bytes) -> bytes:
    """Rewrite a .docx zip with fixed entry times, so equal documents are equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def make_reference(path: Path = REFERENCE_DOCX) -> None:
    sheet = load_styles()
    doc = Document()
    styles = doc.styles
    normal = styles["Normal"]
    normal.font.name = sheet.fonts["word_body"]
    normal.font.size = Pt(sheet["Body Text"].size)
    for name in NEW_STYLES:
        styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH).base_style = styles["Normal"]
    link = styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    link.font.color.rgb = RGBColor.from_string(sheet.colors["link"])
    link.font.underline = True
    for name in PARAGRAPH_STYLES + NEW_STYLES:
        _apply(styles[name], style_spec(name, sheet), sheet)
    footer = styles["Footer"]
    footer.font.size = Pt(sheet.page["footer_size"])
    footer.font.color.rgb = RGBColor.from_string(sheet.colors["muted"])
    footer.paragraph_format.tab_stops.clear_all()  # the template's stop at 6.5" would take "page X of Y"
    doc.core_properties.author = "packetbuilder"
    doc.core_properties.title = "packetbuilder reference styles"
    doc.core_properties.created = doc.core_properties.modified = dt.datetime(2000, 1, 1)
    doc.core_properties.revision = 1
    _prune(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(stable_zip(buffer.getvalue()))


if __name__ == "__main__":
    make_reference()
