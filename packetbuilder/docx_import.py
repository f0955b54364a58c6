"""``import``: a Word CV (.docx) → cv.md and its import report, written beside each other.

Students have their CV in Word; retyping it as Markdown, or hand-fixing what a generic
converter makes of it, was most of the work of starting. This is the edge of the
import: it reads the file (:mod:`.docx_reader`), finds the CV's shape in it
(:mod:`.cv_shapes`), writes Markdown (:mod:`.cv_writer`), and records what it guessed
and what it could not place (:mod:`.import_report`) at the cv.md lines they concern.
Nothing is overwritten unless asked, and both files are written atomically.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cv_shapes import ImportedCv, shape
from .cv_writer import to_markdown
from .docx_reader import flat, read_docx
from .errors import InputError, Problem
from .import_report import ImportReport, Note, sidecar_for
from .outputs import write_atomic

DEFAULT_NAME = "cv.md"


@dataclass(frozen=True)
class Converted:
    """A DOCX read as cv.md: its text, the report, and the CV's shape (for counts)."""

    markdown: str
    report: ImportReport
    cv: ImportedCv

    def summary(self) -> str:
        entries = sum(len(s.entries) for s in self.cv.sections)
        details = sum(len(e.details) for s in self.cv.sections for e in s.entries)
        return (f"{len(self.cv.sections)} section{'s' * (len(self.cv.sections) != 1)}, {entries} entr"
                f"{'ies' if entries != 1 else 'y'}, {details} detail{'s' * (details != 1)}")


def convert(source: Path, name: str | None = None) -> Converted:
    """Read a .docx into cv.md's text and its report; nothing is written."""
    body = read_docx(source, name)
    if not any(p.text.strip() for p in flat(body.blocks)):
        raise InputError(Problem(name or str(source), "has no text in its body"
                                 + (" (only text boxes, pictures or headers)" if body.unplaced else ""),
                                 "import the Word file that holds your CV; text in text boxes or the page "
                                 "header has to be moved into the body (or typed into cv.md)"))
    cv = shape(body)
    markdown, starts = to_markdown(cv)
    lines = markdown.split("\n")
    numbers = sorted(starts)

    def line_of(paragraph: int) -> int:
        """The cv.md line of a paragraph, or of the nearest one before it that was written
        (a line joined to an entry's first line, a thing not placed)."""
        before = [n for n in numbers if n <= paragraph]
        return starts[before[-1]] if before else 1

    def note(paragraph: int, message: str, what: str = "", fix: str = "") -> Note:
        line = line_of(paragraph) if paragraph else 1
        return Note(line, lines[line - 1] if line <= len(lines) else "", paragraph, message, what, fix)

    report = ImportReport(source.name, tuple(note(g.paragraph, g.message, fix=g.fix) for g in cv.guesses),
                          tuple(note(u.paragraph, u.text, u.what) for u in cv.unplaced))
    return Converted(markdown, report, cv)


def _target(out: Path | None) -> Path:
    if out is None:
        return Path(DEFAULT_NAME)
    return out / DEFAULT_NAME if out.is_dir() else out


def import_docx(source: Path, out: Path | None = None, force: bool = False) -> tuple[Path, Path, Converted]:
    """Write ``source`` as cv.md (``out``: a file, or a folder to put cv.md in; default
    ./cv.md) and its report beside it; refuse to replace either unless ``force``."""
    target = _target(out)
    sidecar = sidecar_for(target)
    if target.suffix.lower() in (".docx", ".doc", ".docm"):
        raise InputError(Problem(str(target), "is where the Markdown would go, but it is named like a Word file",
                                 "give --out a .md name, e.g. --out cv.md"))
    for path in (target, sidecar):
        if path.exists() and not force:
            raise InputError(Problem(str(path), "already exists; import never overwrites",
                                     "give another --out, or add --force to replace it"))
    converted = convert(source)
    write_atomic(target, converted.markdown.encode("utf-8"))
    write_atomic(sidecar, converted.report.to_json())
    return target, sidecar, converted
