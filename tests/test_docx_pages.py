"""The DOCX fits too: LibreOffice lays each fitted DOCX out within the page limit.

The DOCX names Calibri, and the PDF embeds its metric twin Carlito; Word has Calibri,
and LibreOffice substitutes Carlito when it can find it. Without Carlito LibreOffice
falls back to a wider font (DejaVu Sans) and the same DOCX runs a page longer, so
these tests point LibreOffice at the Carlito files the package ships (a private
fontconfig file) and check that the converted PDF really used Carlito. Each
conversion runs in a private LibreOffice profile, all files of a test in one call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from appgen import WRITERS, write_application
from packetbuilder.cli import main
from packetbuilder.packet import assemble, entry_text
from packetbuilder.render.fonts import FONT_DIR
from packetbuilder.sources import load_application
from test_fit import cv_entries

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed; `make tools` "
                                "(scripts/ensure-tools) installs libreoffice-writer-nogui on Debian as root")

FONTS_CONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    """Convert DOCX files to PDF with LibreOffice: {name: PDF path}."""
    home = tmp_path_factory.mktemp("office")
    conf = home / "fonts.conf"
    conf.write_text(FONTS_CONF.format(fonts=FONT_DIR, cache=home / "fontcache"), encoding="utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}

    def convert(files: dict[str, Path]) -> dict[str, Path]:
        inbox, outbox = home / "in", home / "out"
        for folder in (inbox, outbox):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
        for name, path in files.items():
            shutil.copy(path, inbox / f"{name}.docx")
        subprocess.run([SOFFICE, "--headless", "--norestore", f"-env:UserInstallation={(home / 'profile').as_uri()}",
                        "--convert-to", "pdf", "--outdir", str(outbox), *sorted(str(p) for p in inbox.iterdir())],
                       env=env, check=True, capture_output=True, timeout=600)
        return {name: outbox / f"{name}.pdf" for name in files}

    return convert


def text_of(pdf: Path) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def fonts_of(pdf: Path) -> set[str]:
    return {str(font["/BaseFont"]).split("+")[-1] for page in PdfReader(pdf).pages
            for font in (page["/Resources"].get("/Font") or {}).values()}


def check_docx_packets(folder: Path, out: Path, office, limit: int) -> None:
    """Every writer's DOCX, laid out by LibreOffice, fits the limit and holds the same
    CV entries as the writer's PDF."""
    app = load_application(folder)
    converted = office({w.id: next((out / w.id).glob("*.docx")) for w in app.config.writers})
    for writer in app.config.writers:
        pdf = converted[writer.id]
        assert len(PdfReader(pdf).pages) <= limit, writer.id
        assert any(name.startswith("Carlito") for name in fonts_of(pdf)), fonts_of(pdf)
        office_text, own_text = text_of(pdf), text_of(next((out / writer.id).glob("*.pdf")))
        for _, entry in cv_entries(assemble(app, writer)):
            first = " ".join((entry.title or entry_text(entry, 5)).split())
            assert (first in office_text) == (first in own_text), (writer.id, first)
            if entry.highlight:
                assert first in office_text, (writer.id, first)


def test_sample_docx_fits_its_page_limit_in_libreoffice(sample: Path, tmp_path: Path, office) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(sample), "--out", str(out), "--format", "pdf,docx"])
    assert result.exit_code == 0, result.output
    check_docx_packets(sample, out, office, limit=3)


def test_long_application_docx_fits_three_pages_in_libreoffice(tmp_path: Path, office) -> None:
    folder = write_application(tmp_path / "app", pages=6, page_limit=3)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out), "--format", "pdf,docx"])
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("*/*.docx"))) == len(WRITERS)
    check_docx_packets(folder, out, office, limit=3)


def first_words(pdf: Path, n: int = 5) -> list[str]:
    """Each page's first words (list labels left out: Word's bullet is a Symbol glyph)."""
    pages = []
    for page in PdfReader(pdf).pages:
        text = unicodedata.normalize("NFKC", page.extract_text()).replace("\uf0b7", " ").replace("•", " ")
        pages.append(" ".join(text.split()[:n]))
    return pages


def test_libreoffice_breaks_the_docx_where_the_pdf_breaks(sample: Path, tmp_path: Path, office) -> None:
    """The DOCX is the same document as the PDF: same page count for every packet, and
    (nearly) every page starts with the same words, for the sample and two corpus
    applications of other shapes (### entries with bullets; nested bullets)."""
    corpus = Path(__file__).resolve().parent / "corpus"
    pages = same = 0
    for folder in (sample, corpus / "gensurg-headings", corpus / "obgyn-nested"):
        out = tmp_path / "out" / folder.name
        result = CliRunner().invoke(main, ["build", str(folder), "--out", str(out), "--format", "pdf,docx"])
        assert result.exit_code == 0, result.output
        app = load_application(folder)
        converted = office({w.id: next((out / w.id).glob("*.docx")) for w in app.config.writers})
        for writer in app.config.writers:
            ours, theirs = first_words(next((out / writer.id).glob("*.pdf"))), first_words(converted[writer.id])
            assert len(ours) == len(theirs), (folder.name, writer.id, ours, theirs)
            pages += len(ours)
            same += sum(a == b for a, b in zip(ours, theirs))
    assert same >= 0.9 * pages, f"{same} of {pages} pages start with the same words"
