"""``preview``: PNG pictures of a writer's packet pages, or of an e-mail, for a quick look.

Opening a PDF after every edit is slow; a row of thumbnails shows at once whether the
cover sheet fits on a page and which CV entries are marked. The packet is rendered in
memory from the sources, exactly as ``build`` renders it, so a preview never touches
the build folder. An e-mail is shown as its recipient would read it (headers,
attachments, text) by laying its .eml out with the same PDF renderer.

Rasterising is done by ``pdftoppm`` (poppler), which draws PDFs faithfully and is one
package on every platform; without it, the command says what to install.

A first look should take about a second. When the build folder already holds this
writer's PDF and the manifest shows a build now would leave it as it is, that PDF is
drawn: the application is not even read, nor the PDF writer imported. Drawing costs pdftoppm about
0.15 s of CPU a page, so the pages are drawn in parallel, one pdftoppm per page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from typing import TYPE_CHECKING

from .errors import InputError, Problem, WorkError
from .incremental import current_record, regular_bytes
from .model import Document, Fields, Paragraph, Run, Section
from .outputs import check_out_dir, ensure_dir, write_atomic

if TYPE_CHECKING:  # reading the application, and the PDF writer, only when the packet is laid out
    from .config import Writer
    from .sources import Application

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


def rasterize(pdf: bytes, width: int, tool: str, pages: int = 0) -> list[bytes]:
    """Each page of ``pdf`` as PNG bytes, ``width`` pixels wide; with the number of
    ``pages`` known, the pages are drawn by one pdftoppm each, as many at a time as
    there are CPUs."""
    with tempfile.TemporaryDirectory(prefix="packetbuilder-preview-") as temp:
        source = Path(temp) / "in.pdf"
        source.write_bytes(pdf)
        command = [tool, "-png", "-scale-to-x", str(width), "-scale-to-y", "-1"]
        ranges = [["-f", str(n), "-l", str(n)] for n in range(1, pages + 1)] or [[]]
        at_once = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        for start in range(0, len(ranges), at_once):
            _draw([[*command, *r, str(source), str(Path(temp) / "page")] for r in ranges[start:start + at_once]])
        # pdftoppm zero-pads page numbers to the page count's width: sort numerically.
        found = sorted(Path(temp).glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
        return [p.read_bytes() for p in found]


def _draw(commands: list[list[str]]) -> None:
    """Run pdftoppm commands side by side; a WorkError if one cannot run or fails."""
    try:
        running = [subprocess.Popen(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                   for c in commands]
    except OSError as exc:
        raise WorkError(Problem(PDFTOPPM, f"could not run ({exc})", INSTALL_HINT)) from None
    failures = []
    for child in running:
        try:
            _, errors = child.communicate(timeout=300)
        except subprocess.TimeoutExpired:
            child.kill()
            _, errors = child.communicate()
            errors = "timed out"
        if child.returncode != 0:
            failures.append(errors.strip() or str(child.returncode))
    if failures:
        raise WorkError(Problem(PDFTOPPM, f"failed: {failures[0]}", "run `pdftoppm -v` to check the installation"))


def built_pdf(folder: Path, writer_id: str, built: Path) -> tuple[bytes, int] | None:
    """The writer's PDF in the build folder and its page count, if a build now would
    leave it as it is (see :func:`.incremental.current_record`); else None."""
    record = current_record(folder, built, writer_id)
    name = next((n for n in record.outputs if n.endswith(".pdf")), None) if record else None
    data = regular_bytes(built / name) if name else None
    pages = record.report.get("pages") if record else None
    return (data, pages) if data is not None and isinstance(pages, int) else None


def laid_out_pdf(app: Application, writer: Writer) -> tuple[bytes, int]:
    """The writer's packet as PDF bytes with its page count, rendered in memory exactly
    as ``build`` renders it (the fit's typesetter draws it), never written to the build folder."""
    from .build import build_packet, typesetter_for

    typesetter = typesetter_for(app.folder, app.config.application.page_size)
    document, fitted = build_packet(app, writer, typesetter)
    return typesetter.render(document), fitted.pages


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
    built ``<kind>.eml`` (``<id>-<kind>-N.png``) into ``out`` (default DIR/build/preview).
    ``built`` is where ``build`` wrote (default DIR/build): the e-mail's place, and a
    current PDF there is drawn as it is."""
    tool = find_pdftoppm()
    out = out or folder / "build" / "preview"
    check_out_dir(out, [folder])
    built = built or folder / "build"
    found = None if email else built_pdf(folder, writer_id, built)
    if found is not None:
        pdf, pages = found
        return write_pictures(rasterize(pdf, width, tool, pages), out, f"{writer_id}-page")
    from .sources import load_application

    app = load_application(folder)
    writer = app.config.writer(writer_id)
    if email:
        from .render.pdf import render_pdf

        path = built / writer.id / f"{email}.eml"
        pdf, pages = render_pdf(email_document(read_eml(path), path.name), app.config.application.page_size), 0
        prefix = f"{writer.id}-{email}"
    else:
        (pdf, pages), prefix = laid_out_pdf(app, writer), f"{writer.id}-page"
    return write_pictures(rasterize(pdf, width, tool, pages), out, prefix)
