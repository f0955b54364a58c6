"""`packetbuilder preview`: PNG pictures of a packet or an e-mail; a clear message without pdftoppm."""

from __future__ import annotations

import shutil
import struct
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.cli import main
from packetbuilder.model import Fields, Paragraph, plain
from packetbuilder.preview import email_document, write_pictures

needs_pdftoppm = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")


def png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">I", data[16:20])[0]


@needs_pdftoppm
def test_preview_draws_every_packet_page(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "pictures"
    out.mkdir()
    (out / "chen-page-9.png").write_bytes(b"left from a longer packet")
    result = CliRunner().invoke(main, ["preview", str(sample), "--writer", "chen", "--out", str(out),
                                       "--width", "200"])
    assert result.exit_code == 0, result.output
    pages = sorted(out.iterdir())
    assert [p.name for p in pages] == [f"chen-page-{n}.png" for n in range(1, len(pages) + 1)]
    assert len(pages) >= 2
    assert all(png_width(p) == 200 for p in pages)
    assert result.output.splitlines() == [f"wrote {p}" for p in pages]
    assert not (sample / "build").exists(), "a preview must not write into the build folder"


def test_without_pdftoppm_preview_says_what_to_install(sample: Path, monkeypatch) -> None:
    monkeypatch.setattr("packetbuilder.preview.shutil.which", lambda name: None)
    result = CliRunner().invoke(main, ["preview", str(sample), "--writer", "chen"])
    assert result.exit_code == 1
    assert "pdftoppm: not found" in result.output
    assert "apt install poppler-utils" in result.output and "brew install poppler" in result.output
    assert "Traceback" not in result.output


@needs_pdftoppm
def test_an_email_preview_needs_the_built_email(sample: Path) -> None:
    result = CliRunner().invoke(main, ["preview", str(sample), "--writer", "chen", "--email", "request"])
    assert result.exit_code == 2
    assert "request.eml: not found" in result.output and "packetbuilder build" in result.output


def test_an_email_becomes_headers_attachments_and_paragraphs() -> None:
    message = EmailMessage()
    message["From"] = "Anh Nguyen <anh@example.edu>"
    message["To"] = "Maya Chen <mchen@example.org>"
    message["Subject"] = "Letter request"
    message.set_content("Dear Dr. Chen,\n\nThank you.\nSee the packet.\n\n\nWith thanks,\nAnh\n")
    message.add_attachment(b"%PDF", maintype="application", subtype="pdf", filename="Anh_LOR_Packet.pdf")
    document = email_document(message, "request.eml")
    assert document.title == "Letter request" and document.footer == "request.eml"
    fields, *body = document.sections[0].blocks
    assert isinstance(fields, Fields)
    assert [label for label, _ in fields.rows] == ["From", "To", "Attachments"]
    assert plain(fields.rows[2][1][0].runs) == "Anh_LOR_Packet.pdf"
    assert all(isinstance(b, Paragraph) for b in body)
    assert [plain(b.runs) for b in body] == ["", "Dear Dr. Chen,", "Thank you.\nSee the packet.", "With thanks,\nAnh"]


def test_pictures_of_pages_a_document_lost_are_removed(tmp_path: Path) -> None:
    for name in ("chen-page-3.png", "chen-page-12.png", "chen-request-1.png", "chen-page-notes.png"):
        (tmp_path / name).write_bytes(b"old")
    pictures = write_pictures([b"one", b"two"], tmp_path, "chen-page")
    assert [p.name for p in pictures.pages] == ["chen-page-1.png", "chen-page-2.png"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chen-page-1.png", "chen-page-2.png",
                                                          "chen-page-notes.png", "chen-request-1.png"]


@needs_pdftoppm
def test_a_current_build_is_drawn_as_it_is_and_a_stale_one_laid_out_again(sample: Path, tmp_path: Path,
                                                                          monkeypatch) -> None:
    """A first look costs no layout when the build folder's PDF is current;
    after an edit the preview shows the edit, from the sources, and leaves the build alone."""
    from packetbuilder.render.pdf import Typesetter

    assert CliRunner().invoke(main, ["build", str(sample), "--writer", "chen", "--format", "pdf"]).exit_code == 0
    pdf = sample / "build" / "chen" / "Anh_Nguyen_LOR_Packet.pdf"
    built = pdf.read_bytes()
    out = tmp_path / "pictures"
    layouts = []
    real = Typesetter.layout
    monkeypatch.setattr(Typesetter, "layout", lambda *a, **k: layouts.append(1) or real(*a, **k))
    argv = ["preview", str(sample), "--writer", "chen", "--out", str(out), "--width", "200"]
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    assert layouts == [] and len(list(out.glob("chen-page-*.png"))) >= 2
    first = (out / "chen-page-1.png").read_bytes()
    notes = sample / "notes" / "chen.md"
    notes.write_text(notes.read_text("utf-8").replace("Setting: Sub-internship", "Setting: Acting internship"),
                     "utf-8")
    result = CliRunner().invoke(main, argv)
    assert result.exit_code == 0, result.output
    assert layouts and (out / "chen-page-1.png").read_bytes() != first
    assert pdf.read_bytes() == built
