"""Every DOCX part valid in schema order: Word refuses a file whose properties stand out of
the order ECMA-376 (Part 1, §17) gives them, and calls it damaged.

The orders below are the schema's sequences for the property elements the DOCX writer
and the reference document produce: paragraph, run, style, table, table-cell and section
properties. Each such element in every XML part of the packets of the sample and of
corpus applications is checked child by child.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from packetbuilder.build import build_packet
from packetbuilder.render.docx import render_docx
from packetbuilder.render.styles import REFERENCE_DOCX
from packetbuilder.sources import load_application

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ORDERS = {
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd tabs "
           "suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
           "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection "
           "textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
           "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText "
           "vertAlign rtl cs em lang eastAsianLayout specVanish oMath rPrChange",
    "style": "name aliases basedOn next link autoRedefine hidden uiPriority semiHidden unhideWhenUsed qFormat locked "
             "personal personalCompose personalReply rsid pPr rPr tblPr trPr tcPr tblStylePr",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
             "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription tblPrChange",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection tcFitText vAlign hideMark "
            "headers cellIns cellDel cellMerge tcPrChange",
    "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType "
              "pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid "
              "printerSettings sectPrChange",
}
ORDER = {name: order.split() for name, order in ORDERS.items()}
CORPUS = Path(__file__).resolve().parent / "corpus"


def out_of_order(xml: bytes) -> tuple[list[str], dict[str, int]]:
    """Problems found in one part, and how many elements of each kind were checked."""
    problems, checked = [], dict.fromkeys(ORDER, 0)
    for element in etree.fromstring(xml).iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(W):
            continue
        name = element.tag[len(W):]
        if name not in ORDER:
            continue
        # an rPr inside pPr is the paragraph mark's: the same order as a run's
        checked[name] += 1
        order = ORDER[name]
        last = -1
        for child in element:
            if not isinstance(child.tag, str) or not child.tag.startswith(W):
                continue
            tag = child.tag[len(W):]
            if tag not in order:
                problems.append(f"<w:{name}> holds <w:{tag}>, which the schema does not allow there")
                continue
            index = order.index(tag)
            if index < last:
                problems.append(f"<w:{name}>: <w:{tag}> after <w:{order[last]}>")
            last = max(last, index)
    return problems, checked


def docx_problems(data: bytes) -> tuple[list[str], dict[str, int]]:
    problems, checked = [], dict.fromkeys(ORDER, 0)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as package:
        for name in package.namelist():
            if name.endswith(".xml") and name.startswith("word/"):
                found, counts = out_of_order(package.read(name))
                problems += [f"{name}: {p}" for p in found]
                for kind, n in counts.items():
                    checked[kind] += n
        assert "docProps/app.xml" not in package.namelist(), "app.xml would claim a program, pages and words"
    return problems, checked


def test_the_reference_document_is_in_schema_order() -> None:
    problems, checked = docx_problems(REFERENCE_DOCX.read_bytes())
    assert not problems, problems
    assert checked["style"] >= 15 and checked["pPr"] and checked["rPr"]


@pytest.mark.parametrize("folder", [Path(__file__).resolve().parent.parent / "samples",
                                    CORPUS / "gensurg-headings", CORPUS / "obgyn-nested", CORPUS / "em-short-flat"])
def test_every_packet_part_is_in_schema_order(folder: Path) -> None:
    app = load_application(folder)
    for writer in app.config.writers:
        try:
            document, _ = build_packet(app, writer)
        except Exception:  # a writer that cannot fit is checked elsewhere
            continue
        data = render_docx(document, app.config.application.page_size)
        problems, checked = docx_problems(data)
        assert not problems, (writer.id, problems[:5])
        assert checked["pPr"] and checked["tblPr"] and checked["tcPr"] and checked["sectPr"] == 1


def test_the_cover_table_has_no_header_row(sample: Path) -> None:
    app = load_application(sample)
    document, _ = build_packet(app, app.config.writer("chen"))
    with zipfile.ZipFile(__import__("io").BytesIO(render_docx(document))) as package:
        body = etree.fromstring(package.read("word/document.xml"))
    for look in body.iter(f"{W}tblLook"):
        assert look.get(f"{W}firstRow") == "0" and look.get(f"{W}firstColumn") == "0"
    assert not list(body.iter(f"{W}tblHeader"))
