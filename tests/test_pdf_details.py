"""What a PDF reader shows beyond the text: live links, the language, the outline opening
at each heading, font subsets told apart, one measure for every edge, dates that mean
something and keep the bytes the same."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from packetbuilder.build import build_packet
from packetbuilder.render.pdf import render_pdf
from packetbuilder.render.styles import load_styles
from packetbuilder.sources import load_application


@pytest.fixture(scope="module")
def chen_pdf(tmp_path_factory) -> bytes:
    from conftest import SAMPLES

    folder = tmp_path_factory.mktemp("pdf") / "app"
    shutil.copytree(SAMPLES, folder)
    cv = folder / "cv.md"
    cv.write_text(cv.read_text("utf-8").replace("## Education", "ORCID 0000-0002-1825-0097\n\n## Education", 1)
                  .replace("*J Gen Intern Med* (under review), 2026.", "*J Gen Intern Med* (under review), 2026. "
                           "doi:10.1000/jgim.2026.123"), "utf-8")
    app = load_application(folder)
    document, _ = build_packet(app, app.config.writer("okafor"))
    return render_pdf(document)


def test_addresses_web_links_dois_and_orcid_ids_are_live_links(chen_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(chen_pdf))
    uris = {annot.get_object()["/A"]["/URI"] for page in reader.pages for annot in page.get("/Annots") or []
            if annot.get_object().get("/A", {}).get("/URI")}
    assert "mailto:anh.nguyen@med.example.edu" in uris
    assert "https://orcid.org/0000-0002-1825-0097" in uris
    assert "https://doi.org/10.1000/jgim.2026.123" in uris
    assert all(u.startswith(("mailto:", "https://", "http://", "tel:")) for u in uris)


def test_language_outline_open_and_bookmarks_at_their_heading(chen_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(chen_pdf))
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-US"
    assert root["/PageMode"] == "/UseOutlines"
    tops = []
    for item in reader.outline:
        if isinstance(item, list):
            continue
        assert item["/Type"] == "/XYZ"
        tops.append(float(item["/Top"]))
    height = float(reader.pages[0].mediabox.height)
    assert any(top < height - load_styles().page["margin_top"] - 20 for top in tops)  # not all at the page top


def test_each_font_subset_has_a_tag_of_its_own(chen_pdf: bytes) -> None:
    tags = re.findall(rb"/BaseFont\s*/([A-Z]{6})\+([\w-]+)", chen_pdf)
    by_font: dict[bytes, set[bytes]] = {}
    for tag, font in tags:
        by_font.setdefault(tag, set()).add(font)
    assert tags and all(len(fonts) == 1 for fonts in by_font.values()), by_font


def test_creation_date_is_the_request_date_or_source_date_epoch(sample, monkeypatch) -> None:
    app = load_application(sample)
    writer = app.config.writer("chen")
    document, _ = build_packet(app, writer)
    created = PdfReader(io.BytesIO(render_pdf(document))).metadata.creation_date
    assert created.date() == writer.asked == dt.date(2026, 7, 20)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
    again = render_pdf(document)
    assert PdfReader(io.BytesIO(again)).metadata.creation_date.date() == dt.date(2026, 1, 1)
    assert render_pdf(document) == again


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_text_rules_and_footer_share_one_measure(chen_pdf: bytes, tmp_path) -> None:
    (tmp_path / "p.pdf").write_bytes(chen_pdf)
    boxes = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "p.pdf"), "-"], capture_output=True, text=True,
                           check=True, timeout=60).stdout
    xs = [(float(a), float(b)) for a, b in re.findall(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', boxes)]
    page = load_styles().page
    left, right = page["margin_left"], 612 - page["margin_right"]
    assert min(x for x, _ in xs) == pytest.approx(left, abs=0.6)  # the footer and the headings start here
    assert max(x for _, x in xs) <= right + 0.6  # "page X of Y" and the dates end here
    assert max(x for _, x in xs) == pytest.approx(right, abs=1.5)
