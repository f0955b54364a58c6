"""Incremental builds: a manifest in ``--out`` of what went into each writer's outputs.

Students rebuild after every edit, so a rebuild must cost only what changed. For each
writer the manifest records a key — a hash of every input that reached that writer's
files: the application files it read (packet.toml, CV, its track's statement, goals,
programs, its own notes, the folder's e-mail templates), the requested formats and the
*toolchain* (this package's code, style sheet, reference DOCX, fonts and templates, the
installed distributions, the Python and zlib versions, ``SOURCE_DATE_EPOCH``). A writer
whose key is unchanged and whose recorded files are still there, byte for byte, is
skipped without rewriting anything; editing one writer's notes changes only that key.

This module imports nothing heavy on purpose: :func:`unchanged` answers "is everything
current?" from the manifest and file hashes alone, without parsing the application or
loading the PDF/DOCX writers, so a no-op rebuild returns in a blink.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import sys
import tomllib
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from . import __version__
from .errors import InputError, Problem
from .textfiles import CONFIG_NAME, TEMPLATES

if TYPE_CHECKING:
    from .config import Writer
    from .sources import Application

MANIFEST_NAME = ".packetbuilder-manifest.json"
REPORT_NAME = "build-report.json"
SCHEMA = 1
PACKAGE_DIR = Path(__file__).resolve().parent


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def _regular_file(path: Path) -> Iterator[BinaryIO | None]:
    """The open file if ``path`` is a regular file that can be read, else None (gone,
    a folder, a FIFO, a device such as /dev/zero, also behind a link).

    The file is opened without blocking and checked on the open descriptor, so a FIFO
    can never hang a build and a device can never be read until memory runs out, even
    if the name is swapped between a check and the read."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        yield None
        return
    with os.fdopen(fd, "rb") as handle:
        try:
            regular = stat.S_ISREG(os.fstat(fd).st_mode)
        except OSError:
            regular = False
        yield handle if regular else None


def regular_bytes(path: Path) -> bytes | None:
    """A regular file's bytes, or None for anything else or an unreadable file."""
    with _regular_file(path) as handle:
        try:
            return handle.read() if handle else None
        except OSError:
            return None


def file_digest(path: Path) -> str | None:
    """The SHA-256 of a regular file's bytes, or None if it is not one or cannot be
    read; read in chunks, so that a huge file costs time, never memory."""
    with _regular_file(path) as handle:
        if handle is None:
            return None
        h = hashlib.sha256()
        try:
            while chunk := handle.read(1 << 20):
                h.update(chunk)
        except OSError:
            return None
        return h.hexdigest()


# How to reach the mail servers, not what the packets say: adding [smtp] after a build
# must not make `send` refuse the packets as out of date.
MAIL_TABLES = ("smtp", "imap")


def _toml_value(value: Any) -> Any:
    """TOML dates and times for JSON, tagged so that a date never equals a string."""
    return {f"${type(value).__name__}": value.isoformat()}


def content_digest(name: str, data: bytes) -> str:
    """The hash of one application input's bytes, as the manifest records it.

    packet.toml is hashed as its parsed content without the mail tables, in a canonical
    form (keys sorted), so neither [smtp]/[imap] nor a comment or a blank line makes a
    packet stale; a file tomllib cannot read is hashed as bytes (its build fails anyway).
    """
    if name != CONFIG_NAME:
        return digest(data)
    try:
        parsed = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return digest(data)
    for table in MAIL_TABLES:
        parsed.pop(table, None)
    return digest(json.dumps(parsed, sort_keys=True, ensure_ascii=False, default=_toml_value).encode("utf-8"))


def input_digest(path: Path, name: str) -> str | None:
    """The hash of one application input as it is on disk now, or None if it is not a
    regular file that can be read."""
    if name != CONFIG_NAME:
        return file_digest(path)
    data = regular_bytes(path)
    return None if data is None else content_digest(name, data)


def _tree_files(root: Path, skip: Path | None = None) -> list[Path]:
    """Files under ``root`` in a stable order, leaving out hidden folders, caches and ``skip``."""
    found = []
    for here, dirs, files in os.walk(root):
        base = Path(here)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__"
                         and (skip is None or (base / d).resolve() != skip))
        found.extend(base / name for name in sorted(files) if not name.endswith((".pyc", ".pyo")))
    return found


@lru_cache(maxsize=None)
def toolchain() -> str:
    """A hash of everything outside the application folder that shapes the output bytes.

    The package's own files (code, style sheet, reference DOCX, fonts, templates) are
    hashed by content, so a changed style or a development edit rebuilds; installed
    distributions are named by their ``*.dist-info`` folders (name and version), which
    is cheap and needs no ``importlib.metadata`` import; zlib's version changes the
    compressed bytes of both PDF and DOCX; SOURCE_DATE_EPOCH sets the DOCX dates.
    """
    h = hashlib.sha256()
    for path in _tree_files(PACKAGE_DIR):
        h.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    distributions = set()
    for entry in sys.path:
        try:
            distributions.update(n for n in os.listdir(entry or ".") if n.endswith(".dist-info"))
        except OSError:
            continue
    facts = [__version__, sys.version, zlib.ZLIB_RUNTIME_VERSION, os.environ.get("SOURCE_DATE_EPOCH", ""),
             *sorted(distributions)]
    h.update("\n".join(facts).encode())
    return h.hexdigest()


def folder_listing(folder: Path, out: Path) -> str:
    """A hash of the names of the files in an application folder (not their contents).

    Optional inputs (goals.md, notes/<id>.md, templates/) are read only if they exist,
    so a file that appears is a change even before it is in the manifest.
    """
    root = folder.resolve()
    names = [p.relative_to(root).as_posix() for p in _tree_files(root, out.resolve())]
    return digest("\n".join(names).encode())


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path.resolve(), root)).as_posix()


def application_inputs(app: Application) -> dict[str, str]:
    """Every file of the application that a build reads → its SHA-256, keyed by its path
    relative to the folder: the sources in ``app.files``, hashed from the very bytes
    they were parsed from (``app.data``), and the folder's templates.

    Of templates/ only regular files are read, as only those can be loaded as a
    template: a link there to /dev/zero or a FIFO is neither read nor waited on."""
    root = app.folder.resolve()
    inputs = {}
    for name, path in app.files.items():
        data = app.data.get(name)
        relative = _relative(path, root)
        inputs[relative] = content_digest(relative, data) if data is not None else input_digest(path, relative) or ""
    templates = root / TEMPLATES
    if templates.is_dir():
        for path in _tree_files(templates):
            inputs[_relative(path, root)] = input_digest(path, _relative(path, root)) or ""
    return inputs


def writer_inputs(app: Application, writer: Writer, inputs: dict[str, str]) -> list[str]:
    """Of the application's ``inputs``, those that reach one writer's outputs: all but
    other writers' notes and other tracks' statements (a file this writer uses stays in)."""
    from .sources import notes_name  # late, not for a cycle: see the module docstring

    root = app.folder.resolve()

    def path_of(name: str | None) -> str | None:
        return _relative(app.files[name], root) if name and name in app.files else None

    track = app.config.track_of(writer)
    mine = {path_of(notes_name(writer)), path_of(track.statement)}
    others = {path_of(notes_name(w)) for w in app.config.writers if w.id != writer.id}
    others |= {path_of(t.statement) for t in app.config.tracks if t.id != track.id}
    return sorted(set(inputs) - (others - mine))


def writer_key(writer_id: str, names: list[str], inputs: dict[str, str], formats: tuple[str, ...]) -> str:
    """The hash that must match for a writer to be skipped."""
    facts = {"writer": writer_id, "formats": format_set(formats), "toolchain": toolchain(),
             "inputs": {name: inputs[name] for name in names}}
    return digest(json.dumps(facts, sort_keys=True).encode())


def writer_is_current(app: Application, writer: Writer, out: Path) -> bool:
    """Whether a build into ``out`` would skip this writer now, in the formats it last
    built: its inputs and the toolchain unchanged, its files intact."""
    record = Manifest.load(out).current(out, writer.id)
    if record is None:
        return False
    inputs = application_inputs(app)
    return record.key == writer_key(writer.id, writer_inputs(app, writer, inputs), inputs, tuple(record.formats))


def current_record(folder: Path, out: Path, writer_id: str) -> WriterRecord | None:
    """The writer's record in ``out`` if a build now would skip the writer, told from
    the manifest and file hashes alone, without reading the application (as
    :func:`unchanged` does for a whole build); else None.

    The last build must have built or confirmed this writer (so its record's key was
    checked against that build's inputs), and since then neither the toolchain, nor
    the folder's file names, nor any of the writer's inputs may have changed; its
    files must be intact. When in doubt the answer is None: the caller builds."""
    manifest = Manifest.load(out)
    if writer_id not in manifest.requested or manifest.folder != str(folder.resolve()):
        return None
    record = manifest.current(out, writer_id)
    if record is None or manifest.toolchain != toolchain() or folder_listing(folder, out) != manifest.listing:
        return None
    root = folder.resolve()
    if any(name not in manifest.inputs or input_digest(root / name, name) != manifest.inputs[name]
           for name in record.inputs):
        return None
    return record


@dataclass
class WriterRecord:
    """What the last successful build of one writer used and wrote."""

    key: str
    formats: list[str]
    inputs: list[str]
    outputs: dict[str, str]  # path relative to --out → SHA-256
    report: dict[str, Any]  # the writer's entry in build-report.json


@dataclass
class Manifest:
    folder: str = ""
    toolchain: str = ""
    listing: str = ""
    inputs: dict[str, str] = field(default_factory=dict)
    writers: list[str] = field(default_factory=list)  # all writers in packet.toml, in order
    requested: list[str] = field(default_factory=list)  # the writers of the last build report
    report: str = ""  # SHA-256 of the last build-report.json
    records: dict[str, WriterRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, out: Path) -> Manifest:
        """The manifest in ``out``; an empty one if there is none or it is unreadable
        (then everything is rebuilt, which is always safe)."""
        try:
            raw = json.loads((out / MANIFEST_NAME).read_bytes())
            if raw.pop("schema", None) != SCHEMA:
                return cls()
            records = {k: WriterRecord(**v) for k, v in raw.pop("records").items()}
            return cls(**raw, records=records)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return cls()

    def to_json(self) -> bytes:
        return (json.dumps({"schema": SCHEMA, **asdict(self)}, indent=1, sort_keys=True, ensure_ascii=False)
                + "\n").encode("utf-8")

    def current(self, out: Path, writer_id: str, key: str | None = None) -> WriterRecord | None:
        """The writer's record if its key matches (when given) and its files are intact."""
        record = self.records.get(writer_id)
        if record is None or (key is not None and record.key != key):
            return None
        if any(file_digest(out / name) != sha for name, sha in record.outputs.items()):
            return None
        return record


def output_folders(folders: tuple[Path, ...], out: Path | None) -> list[tuple[Path, Path]]:
    """Each application folder with where its files go: DIR/build by default; --out for
    one folder; one subfolder of --out per application (named like its folder) for several."""
    if out is None:
        return [(folder, folder / "build") for folder in folders]
    if len(folders) == 1:
        return [(folders[0], out)]
    names = [folder.resolve().name for folder in folders]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(Problem("--out", f"several application folders are named {', '.join(twice)}, so their "
                                          "packets would go to the same subfolder of --out",
                                 "build them with separate --out folders, or rename one"))
    return [(folder, out / name) for folder, name in zip(folders, names)]


def split_formats(text: str) -> tuple[str, ...]:
    return tuple(f.strip().lower() for f in text.split(",") if f.strip())


def format_set(formats: tuple[str, ...]) -> list[str]:
    """The formats as the manifest records them: their order on the command line changes no file."""
    return sorted(set(formats))


def unchanged(folder: Path, out: Path, writer_ids: tuple[str, ...], formats: tuple[str, ...]) -> list[str] | None:
    """The requested writers if the last build in ``out`` is still current for all of
    them — same toolchain, same application files, same formats, outputs and report
    untouched — else None. Reads only the manifest and hashes files."""
    manifest = Manifest.load(out)
    if not manifest.records or manifest.folder != str(folder.resolve()) or manifest.toolchain != toolchain():
        return None
    requested = list(writer_ids) or manifest.writers
    if requested != manifest.requested or file_digest(out / REPORT_NAME) != manifest.report:
        return None
    if folder_listing(folder, out) != manifest.listing:
        return None
    root = folder.resolve()
    if any(input_digest(root / name, name) != sha for name, sha in manifest.inputs.items()):
        return None
    for writer_id in requested:
        record = manifest.current(out, writer_id)
        if record is None or record.formats != format_set(formats):
            return None
    return requested


@dataclass
class FolderSummary:
    """What a build did to one application folder, for the closing summary."""

    folder: str
    lines: list[str] = field(default_factory=list)  # one per writer, in packet.toml order
    built: int = 0
    skipped: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)  # why the folder could not be read

    def summary(self) -> str:
        state = "FAILED" if self.problems else f"{self.built} built, {self.skipped} unchanged, {self.failed} failed"
        return f"{self.folder}: {state}"


def unchanged_summaries(targets: list[tuple[Path, Path]], writer_ids: tuple[str, ...],
                        formats: tuple[str, ...]) -> list[FolderSummary] | None:
    """A summary per folder if nothing in any of them needs building, else None."""
    summaries = []
    for folder, out in targets:
        current = unchanged(folder, out, writer_ids, formats)
        if current is None:
            return None
        summaries.append(FolderSummary(str(folder), [f"{w}: unchanged" for w in current], skipped=len(current)))
    return summaries
