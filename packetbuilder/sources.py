"""Reading an application folder: files in, one :class:`Application` out.

This is the input edge. Every source is read once, read-only, checked (inside the
folder, a file, text, UTF-8) and parsed into the neutral model; every later stage
works on the result. Problems across all files are collected and raised together.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, Track, Writer, key_lines, parse_config
from .cv_hints import cv_rules
from .errors import InputError, Problem
from .markdown import Notes, read_cv, read_notes, read_prose
from .model import Document
from .textfiles import CONFIG_NAME, TEMPLATES, read_source, read_text, resolve_inside


@dataclass(frozen=True)
class Program:
    """One target program; ``letters`` and ``requires`` say what it asks of the letters
    (``requires``: ``chair``, ``slor``, ``specialty:2``, ``track:<id>``)."""

    program: str
    city: str = ""
    state: str = ""
    type: str = ""
    priority: str = ""
    letters: int | None = None
    requires: tuple[str, ...] = ()
    line: int = 0  # its line in programs.csv, for messages


@dataclass(frozen=True)
class Application:
    """Everything the packets, emails, schedule and audit are made from."""

    folder: Path
    config: Config
    cv: Document
    statements: dict[str, Document] = field(default_factory=dict)  # by track id
    goals: Document | None = None
    notes: dict[str, Notes] = field(default_factory=dict)  # by writer id
    programs: tuple[Program, ...] = ()
    files: dict[str, Path] = field(default_factory=dict)  # display name → path, for hashing and checks
    # display name → the bytes that were parsed: the build hashes exactly these
    data: dict[str, bytes] = field(default_factory=dict)

    def writer_notes(self, writer: Writer) -> Notes | None:
        return self.notes.get(writer.id)

    def statement_for(self, track: Track) -> Document | None:
        return self.statements.get(track.id)

    def input_folders(self) -> list[Path]:
        """The folders an output file may not be written into (see ``check_out_dir``):
        the application folder, each source's folder and the e-mail templates' folder, so
        that ``--ics packet.toml`` or ``--out notes`` can never replace an input."""
        return [self.folder, self.folder / TEMPLATES, *(path.parent for path in self.files.values())]


def _unclosed_quote(row: dict, start: int, end: int, name: str) -> Problem | None:
    """A row whose fields hold line breaks: a `"` at the start of a field opens a quote
    that csv runs on to the next `"`, however many lines later, so one stray quote merged
    every program after it into one. No program name, city or requirement spans lines."""
    values = [v for value in row.values() for v in (value if isinstance(value, list) else [value])]
    if not any(isinstance(v, str) and ("\n" in v or "\r" in v) for v in values):
        return None
    return Problem(name, f"a quote (\") opened on line {start} runs to line {end}, making one program of "
                         f"{end - start + 1} lines", "delete the stray \" on that line, or close it before the comma",
                   start)


def _rows(reader: csv.DictReader, name: str, problems: list[Problem]):
    """(first line, last line, row) of each record; a csv error or an unclosed quote is a
    problem at the line where the record starts, and ends the file (what follows it is
    lost in the quote)."""
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            problems.append(Problem(name, f"has a field from line {start} on longer than {csv.field_size_limit()} "
                                          "characters", "a program's fields are short: look for a quote (\") on "
                                                        "that line that is never closed, and delete it", start))
            return
        unclosed = _unclosed_quote(row, start, reader.line_num, name)
        if unclosed is not None:
            problems.append(unclosed)
            return
        yield start, reader.line_num, row


def _read_programs(text: str, name: str) -> tuple[Program, ...]:
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        header = []
    if "program" not in header:
        raise InputError(Problem(name, "has no `program` column", "start the file with a header row: program,city,state,type,priority,letters,requires", 1))
    programs = []
    problems: list[Problem] = []
    for _, line, row in _rows(reader, name, problems):
        clean = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        if not clean.get("program"):
            continue
        letters = clean.get("letters", "")
        if letters and not (letters.isdigit() and 1 <= int(letters) <= 10):
            problems.append(Problem(name, f"`letters` of {clean['program']!r} is {letters!r}, not a number of letters",
                                    "write how many letters the program asks for, e.g. 3", line))
            letters = ""
        requires = tuple(r.strip().lower() for r in clean.get("requires", "").split(";") if r.strip())
        for requirement in requires:
            if not _REQUIREMENT.fullmatch(requirement):
                problems.append(Problem(name, f"`requires` of {clean['program']!r} has {requirement!r}",
                                        "use chair, slor, specialty:N or track:<id>, separated by ;", line))
        programs.append(Program(**{k: clean.get(k, "") for k in ("program", "city", "state", "type", "priority")},
                                letters=int(letters) if letters else None, requires=requires, line=line))
    if problems:
        raise InputError(problems)
    return tuple(programs)


_REQUIREMENT = re.compile(r"chair|slor|specialty(?::[1-4])?|track:[a-z0-9-]+")


def notes_name(writer: Writer) -> str:
    """The notes file of a writer: ``notes`` from packet.toml, else notes/<id>.md."""
    return writer.notes or f"notes/{writer.id}.md"


def _config_line(lines: dict[tuple, int], config: Config, key: str) -> int | None:
    """The packet.toml line of a key such as ``application.cv`` or ``writers[chen].notes``."""
    m = re.fullmatch(r"(tracks|writers)\[([^\]]+)\]\.(\w+)", key)
    if not m:
        return lines.get(tuple(key.split(".")))
    ids = [item.id for item in getattr(config, m[1])]
    return lines.get((m[1], ids.index(m[2]), m[3])) if m[2] in ids else None


def load_application(folder: Path) -> Application:
    """Read and validate a whole application folder, reporting every problem at once."""
    folder = Path(folder)
    if (folder / CONFIG_NAME).is_dir():
        raise InputError(Problem(str(folder / CONFIG_NAME), "is a folder, not a file",
                                 f"rename that folder; the settings go in a {CONFIG_NAME} file"))
    if not (folder / CONFIG_NAME).is_file():
        raise InputError(Problem(str(folder / CONFIG_NAME), "not found",
                                 "run the command in an application folder, or create one with `packetbuilder init DIR`"))
    config_text, config_data = read_source(folder, CONFIG_NAME, folder / CONFIG_NAME)
    config = parse_config(config_text)
    lines = key_lines(config_text)
    problems: list[Problem] = []
    files: dict[str, Path] = {CONFIG_NAME: folder / CONFIG_NAME}
    data: dict[str, bytes] = {CONFIG_NAME: config_data}

    def source(relative: str, key: str, parse, required: bool = True):
        try:
            path = resolve_inside(folder, relative, key)
            if not required and not path.exists():
                return None
            text, data[relative] = read_source(folder, relative, path)
            files[relative] = path
            return parse(text, relative)
        except InputError as exc:
            for p in exc.problems:  # a bad path is reported at its line in packet.toml
                line = p.line or (_config_line(lines, config, key) if p.file == CONFIG_NAME else None)
                problems.append(Problem(p.file, p.message, p.fix, line, p.key or key))
            return None

    app_settings = config.application
    cv = source(app_settings.cv, "application.cv", read_cv)
    if cv is not None and not cv.sections:
        hints = cv_rules(read_text(folder, app_settings.cv), app_settings.cv)
        fix = hints[0].fix if hints else "write sections such as `## Education` with one `- entry` per line"
        problems.append(Problem(app_settings.cv, "has no `## Section` headings" if cv.preamble else "is empty", fix,
                                key="application.cv"))
    statements = {}
    for track in config.tracks:
        if track.statement:
            doc = source(track.statement, f"tracks[{track.id}].statement", read_prose)
            if doc is not None:
                statements[track.id] = doc
    goals = source(app_settings.goals, "application.goals", read_prose) if app_settings.goals else \
        source("goals.md", "application.goals", read_prose, required=False)
    notes = {}
    for writer in config.writers:
        relative = notes_name(writer)
        parsed = source(relative, f"writers[{writer.id}].notes", read_notes, required=writer.notes is not None)
        if parsed is not None:
            notes[writer.id] = parsed
    programs: tuple[Program, ...] = ()
    if app_settings.programs:
        programs = source(app_settings.programs, "application.programs",
                          _read_programs) or ()
    if problems:
        raise InputError(problems)
    return Application(folder, config, cv, statements, goals, notes, programs, files, data)
