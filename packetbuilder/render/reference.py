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
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from .styles import REFERENCE_DOCX, StyleSheet, load_styles

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PARAGRAPH_STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Body Text", "List Bullet",
                    "List Bullet 2", "List Bullet 3", "List Number", "List Number 2", "List Number 3", "Quote")
NEW_STYLES = ("Lead", "Label", "Code")


def _apply(style, spec, sheet: StyleSheet) -> None:
    font = style.font
    font.name = sheet.fonts["word_mono"] if spec.mono else sheet.fonts["word_body"]
    font.size = Pt(spec.size)
    font.bold = spec.bold
    font.italic = spec.italic
    font.color.rgb = RGBColor.from_string(spec.color)
    fmt = style.paragraph_format
    fmt.space_before = Pt(spec.space_before)
    fmt.space_after = Pt(spec.space_after)
    fmt.line_spacing = Pt(spec.leading)
    if spec.rule_below:
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "single"), ("sz", "6"), ("space", "4"), ("color", sheet.colors["rule"])):
            bottom.set(qn(f"w:{key}"), value)
        borders.append(bottom)
        style.element.get_or_add_pPr().append(borders)


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
        base = name.rstrip(" 23") if name.startswith("List") else name
        spec = sheet.styles.get(base) or sheet["Body Text"]
        _apply(styles[name], spec, sheet)
    footer = styles["Footer"]
    footer.font.size = Pt(sheet.page["footer_size"])
    footer.font.color.rgb = RGBColor.from_string(sheet.colors["muted"])
    doc.core_properties.author = "packetbuilder"
    doc.core_properties.title = "packetbuilder reference styles"
    doc.core_properties.created = doc.core_properties.modified = dt.datetime(2000, 1, 1)
    doc.core_properties.revision = 1
    buffer = io.BytesIO()
    doc.save(buffer)
    path.write_bytes(stable_zip(buffer.getvalue()))


if __name__ == "__main__":
    make_reference()
