"""``preview``: PNG pictures of a writer's packet pages, or of an e-mail, for a quick look.

Opening a PDF after every edit is slow; a row of thumbnails shows at once whether the
cover sheet fits on a page and which CV entries are marked. The packet is rendered in
memory from the sources, exactly as ``build`` renders it, so a preview never touches
the build folder. An e-mail is shown as its recipient would read it (headers,
attachments, text) by laying its .eml out with the same PDF renderer.

Rasterising is done by ``pdftoppm`` (poppler), which draws PDFs faithfully and is one
package on every platform; without it, the command says what to install.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from .build import build_packet
from .errors import InputError, Problem, WorkError
from .model import Document, Fields, Paragraph, Run, Section
from .outputs import check_out_dir, ensure_dir, write_atomic
from .render.pdf import render_pdf
from .sources import load_application

PDFTOPPM = "pdftoppm"
INSTALL_HINT = ("install poppler: `sudo apt install poppler-utils` (Debian/Ubuntu), "
                "`sudo dnf install poppler-utils` (Fedora), `brew install poppler` (macOS), "
                "`conda install -c conda-forge poppler` (Windows)")
HEADERS = ("From", "To", "Cc", "Date")


@dataclass(frozen=True)
class Pictures:
    """The PNG files written, one per page, in page order."""

    folder: Path
    pages: list[Path]


def find_pdftoppm() -> str:
    """The pdftoppm executable, or a WorkError naming the package to install."""
    found = shutil.which(PDFTOPPM)
    if not found:
        raise WorkError(Problem(PDFTOPPM, "not found, and preview needs it to draw pages as pictures",
                                INSTALL_HINT))
    return found


def rasterize(pdf: bytes, width: int, tool: str) -> list[bytes]:
    """Each page of ``pdf`` as PNG bytes, ``width`` pixels wide."""
    with tempfile.TemporaryDirectory(prefix="packetbuilder-preview-") as temp:
        source = Path(temp) / "in.pdf"
        source.write_bytes(pdf)
        try:
            done = subprocess.run([tool, "-png", "-scale-to-x", str(width), "-scale-to-y", "-1",
                                   str(source), str(Path(temp) / "page")],
                                  capture_output=True, text=True, timeout=300, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise WorkError(Problem(PDFTOPPM, f"could not run ({exc})", INSTALL_HINT)) from None
        if done.returncode != 0:
            raise WorkError(Problem(PDFTOPPM, f"failed: {done.stderr.strip() or done.returncode}",
                                    "run `pdftoppm -v` to check the installation"))
        # pdftoppm zero-pads page numbers to the page count's width: sort numerically.
        pages = sorted(Path(temp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [p.read_bytes() for p in pages]


def email_document(message: EmailMessage, name: str) -> Document:
    """An e-mail as a one-section document: subject as title, headers and attachments
    as labelled rows, then the plain-text body with its paragraphs and line breaks."""
    rows = [(h, (Paragraph((Run(str(message[h])),)),)) for h in HEADERS if message[h]]
    attached = [part.get_filename() for part in message.iter_attachments() if part.get_filename()]
    if attached:
        rows.append(("Attachments", tuple(Paragraph((Run(f),)) for f in attached)))
    body_part = message.get_body(preferencelist=("plain",))
    body = body_part.get_content() if body_part is not None else ""
    paragraphs = tuple(Paragraph((Run(chunk.strip("\n")),)) for chunk in body.replace("\r\n", "\n").split("\n\n")
                       if chunk.strip())
    gap = Paragraph((Run(""),))  # between the headers and the text, as a mail program shows them
    return Document(title=str(message["Subject"] or "(no subject)"),
                    sections=(Section("", (Fields(tuple(rows)), gap, *paragraphs), key="email"),), footer=name)


def read_eml(path: Path) -> EmailMessage:
    if not path.is_file():
        raise InputError(Problem(str(path), "not found",
                                 "build the packets and e-mails first: packetbuilder build DIR --writer ID"))
    return BytesParser(policy=policy.default).parsebytes(path.read_bytes())


def write_pictures(pngs: list[bytes], out: Path, prefix: str) -> Pictures:
    """Write one PNG per page and remove pictures of pages the document no longer has."""
    ensure_dir(out)
    pages = []
    for number, data in enumerate(pngs, 1):
        path = out / f"{prefix}-{number}.png"
        write_atomic(path, data)
        pages.append(path)
    for old in out.glob(f"{prefix}-*.png"):
        number = old.stem.removeprefix(f"{prefix}-")
        if number.isdigit() and int(number) > len(pngs):
            old.unlink()
    return Pictures(out, pages)


def preview(folder: Path, writer_id: str, out: Path | None = None, email: str | None = None,
            built: Path | None = None, width: int = 800) -> Pictures:
    """Write PNGs of a writer's packet (``<id>-page-N.png``) or, with ``email``, of the
    built ``<kind>.eml`` (``<id>-<kind>-N.png``) into ``out`` (default DIR/build/preview)."""
    tool = find_pdftoppm()
    app = load_application(folder)
    writer = app.config.writer(writer_id)
    out = out or folder / "build" / "preview"
    check_out_dir(out, [folder])
    if email:
        path = (built or folder / "build") / writer.id / f"{email}.eml"
        document, prefix = email_document(read_eml(path), path.name), f"{writer.id}-{email}"
    else:
        document, prefix = build_packet(app, writer)[0], f"{writer.id}-page"
    pdf = render_pdf(document, app.config.application.page_size)
    return write_pictures(rasterize(pdf, width, tool), out, prefix)
