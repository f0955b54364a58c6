"""What an import guessed and could not place, kept beside cv.md for ``check``.

A Markdown comment cannot hold it: packetbuilder prints raw HTML and comments as text,
so a note in cv.md would reach the writers. It goes in a sidecar instead,
``cv.import.json`` beside ``cv.md`` (``<stem>.import.json`` for another name), which
``check`` reads if it is there and the student deletes once the guesses are right.

Each note keeps the cv.md line it points at *and that line's text*: the student edits
cv.md after the import, so ``check`` finds the line again by its text, and a line
that is gone (rewritten by the student) is taken as dealt with. Pure: the callers do
the reading and writing.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .findings import Finding

FORMAT = 1
SUFFIX = ".import.json"
TITLE_LEFT_OUT = "document title"  # "Curriculum Vitae" above the name: the packet titles the CV page itself


def sidecar_for(cv: Path) -> Path:
    """Where the import report of a cv.md goes: ``cv.md`` → ``cv.import.json``."""
    return cv.with_name(cv.stem + SUFFIX)


@dataclass(frozen=True)
class Note:
    """One guess, or one thing not placed, at the cv.md line it concerns."""

    line: int  # in cv.md as imported
    line_text: str  # that line, to find it again after edits
    paragraph: int  # in the DOCX (0: a header or footer)
    message: str  # what was guessed; for a thing not placed, its text
    what: str = ""  # for a thing not placed: "text box", "image", "header", …
    fix: str = ""  # for a guess: how to undo it if it is wrong


@dataclass(frozen=True)
class ImportReport:
    source: str  # the DOCX's file name
    guesses: tuple[Note, ...] = ()
    unplaced: tuple[Note, ...] = ()

    def to_json(self) -> bytes:
        data = {"format": FORMAT, "source": self.source, "guesses": [asdict(n) for n in self.guesses],
                "not_placed": [asdict(n) for n in self.unplaced]}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, text: str) -> "ImportReport":
        """Read a sidecar back; ValueError if it is not one (edited by hand, another tool's)."""
        try:
            data = json.loads(text)
            return cls(str(data["source"]), tuple(Note(**n) for n in data.get("guesses", [])),
                       tuple(Note(**n) for n in data.get("not_placed", [])))
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(str(exc)) from None

    def unplaced_lines(self) -> list[str]:
        """What was not placed, one line each, as ``import`` prints it on stderr."""
        return [f"not placed: {_where(self.source, n.paragraph)}: {n.what}"
                + (f": {_quoted(n.message)}" if n.message else "") + f" (would go near cv.md line {n.line})"
                for n in self.unplaced]

    def guess_lines(self) -> list[str]:
        return [f"guessed: line {n.line} (paragraph {n.paragraph}): {n.message}" for n in self.guesses]


def _where(source: str, paragraph: int) -> str:
    return f"{source} paragraph {paragraph}" if paragraph else f"{source}, outside the body"


def _quoted(text: str, width: int = 70) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _find(lines: list[str], note: Note) -> int | None:
    """The line the note points at now: where it was, else the nearest line with its text."""
    if 0 < note.line <= len(lines) and lines[note.line - 1] == note.line_text:
        return note.line
    found = [i + 1 for i, line in enumerate(lines) if line == note.line_text]
    return min(found, key=lambda n: abs(n - note.line)) if found else None


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def import_findings(report: ImportReport, cv_text: str, cv_name: str, report_name: str) -> list[Finding]:
    """``check``'s tips on an imported cv.md: each guess at the line it made, and each
    thing not placed that cv.md still lacks (a warning when it held words)."""
    lines = cv_text.split("\n")
    findings = []
    for note in report.guesses:
        line = _find(lines, note)
        if line is not None:
            findings.append(Finding("tip", f"{cv_name}:{line}", f"import of {report.source}: {note.message}",
                                    note.fix or f"if that is wrong, edit line {line}"))
    if findings:
        findings.append(Finding("tip", report_name, f"lists what the import of {report.source} guessed (above)",
                                f"once each guess is right (or fixed), delete {report_name}: it only feeds these tips"))
    words = _words(cv_text)
    for note in report.unplaced:
        if note.message and _words(note.message) <= words:
            continue  # the student has added it since
        line = min(max(note.line, 1), max(len(lines), 1))
        what = f"{note.what} in {_where(report.source, note.paragraph)}"
        if note.what == TITLE_LEFT_OUT:
            findings.append(Finding("tip", f"{cv_name}:{line}", f"{what} was left out: {_quoted(note.message)}",
                                    "nothing to do: the packet heads your CV page itself"))
        elif note.message:
            findings.append(Finding("warning", f"{cv_name}:{line}",
                                    f"{what} was not imported: {_quoted(note.message)}",
                                    "if it belongs in your CV, add it to cv.md near this line"))
        else:
            findings.append(Finding("tip", f"{cv_name}:{line}", f"{what} was not imported",
                                    "CVs sent with letter requests seldom need pictures; add a caption as text "
                                    "if it matters"))
    return findings
