"""Orchestration of ``build``: which writers, which formats, where the files go.

This is where the pure stages (assemble → lay out → render) meet the file system.
The report it returns is what the CLI prints and what goes to build-report.json.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .config import Writer
from .errors import InputError, Problem
from .fit import FitReport, TooLong, fit
from .formatting import file_stem
from .model import Document, Entry, walk_sections
from .outputs import check_out_dir, ensure_dir, write_atomic
from .packet import assemble, entry_text, finish, statement_section
from .sources import Application, load_application

FORMATS = ("pdf", "docx", "eml")
REPORT_NAME = "build-report.json"


@dataclass
class WriterReport:
    writer: str
    pages: int = 0
    highlighted: list[str] = field(default_factory=list)
    trimmed: list[str] = field(default_factory=list)
    statement_shortened: bool = False
    files: list[str] = field(default_factory=list)
    error: str = ""

    def summary(self) -> str:
        if self.error:
            return f"{self.writer}: FAILED — {self.error}"
        trimmed = "; ".join(self.trimmed) if self.trimmed else "nothing"
        return (f"{self.writer}: {self.pages} pages; highlighted {len(self.highlighted)} entries; "
                f"trimmed: {trimmed}")


@dataclass
class BuildReport:
    folder: str
    out: str
    writers: list[WriterReport] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(w.error for w in self.writers)

    def to_json(self) -> bytes:
        return (json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def packet_stem(app: Application) -> str:
    applicant = app.config.applicant
    return file_stem(applicant.short_name, "LOR_Packet")


def highlighted_entries(document: Document) -> list[str]:
    return [entry_text(b) for s in walk_sections(document.sections) for b in s.blocks
            if isinstance(b, Entry) and b.highlight]


def build_packet(app: Application, writer: Writer) -> tuple[Document, FitReport]:
    """The final packet for one writer, fitted to the page limit, with page numbers on its
    cover sheet, and what fitting did.

    Fitting measures with the PDF writer's own layout, and its last layout gives the
    section starts. The cover sheet is exactly one page, so filling in the page numbers
    cannot move anything that follows it. Raises :class:`TooLong` when what may not be
    cut exceeds the limit.
    """
    from .render.pdf import layout

    settings = app.config.application
    goals = statement_section(app.goals, "goals") if app.goals is not None else None
    fitted, report = fit(assemble(app, writer), writer, settings.page_limit,
                         lambda document: layout(document, settings.page_size), goals)
    parts = [s for s in fitted.sections if s.key != "request"]
    return finish(app, writer, parts, report.starts), report


def render(document: Document, fmt: str, page_size: str) -> bytes:
    if fmt == "pdf":
        from .render.pdf import render_pdf

        return render_pdf(document, page_size)
    from .render.docx import render_docx

    return render_docx(document, page_size)


def select_writers(app: Application, ids: tuple[str, ...] | list[str]) -> list[Writer]:
    if not ids:
        return list(app.config.writers)
    return [app.config.writer(i) for i in ids]


def parse_formats(text: str) -> tuple[str, ...]:
    chosen = tuple(f.strip().lower() for f in text.split(",") if f.strip())
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise InputError(Problem("--format", f"unknown format {', '.join(unknown) or '(none)'}",
                                 f"use a comma-separated list of {', '.join(FORMATS)}"))
    return chosen


def build_application(folder: Path, out: Path | None = None, writer_ids: tuple[str, ...] = (),
                      formats: tuple[str, ...] = FORMATS) -> BuildReport:
    """Build the packets of one application folder into ``out`` (default ``folder/build``)."""
    app = load_application(folder)
    out = out or folder / "build"
    check_out_dir(out, [folder] + [p.parent for p in app.files.values()])
    ensure_dir(out)
    writers = select_writers(app, writer_ids)
    report = BuildReport(str(folder), str(out))
    stem = packet_stem(app)
    page_size = app.config.application.page_size
    for writer in writers:
        entry = WriterReport(writer.id)
        try:
            document, fitted = build_packet(app, writer)
        except TooLong as exc:  # this writer fails; the others still build
            entry.error = "; ".join(f"{p.message} — {p.fix}" for p in exc.problems)
            report.writers.append(entry)
            continue
        entry.pages, entry.trimmed = fitted.pages, fitted.trimmed()
        entry.statement_shortened = fitted.statement_shortened
        entry.highlighted = highlighted_entries(document)
        target = ensure_dir(out / writer.id)
        for fmt in (f for f in formats if f != "eml"):
            data = render(document, fmt, page_size)
            path = target / f"{stem}.{fmt}"
            write_atomic(path, data)
            entry.files.append(str(path.relative_to(out)))
        if "eml" in formats:  # after the packet files, which the request attaches
            from .mail import compose, eml_bytes, eml_name

            path = target / eml_name("request")
            write_atomic(path, eml_bytes(compose(app, writer, "request", target)))
            entry.files.append(str(path.relative_to(out)))
        report.writers.append(entry)
    write_atomic(out / REPORT_NAME, report.to_json())
    return report
