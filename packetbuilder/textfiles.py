"""Reading a source file as text: the one place it is done, below everything that reads one.

The CV, statements, notes, packet.toml itself and the e-mail templates a user overrides
are all read here, so every one is checked the same way (inside the application
folder, a file, UTF-8 text rather than UTF-16 or a Word file) and refused with the same
plain fix. It sits at the bottom, importing only :mod:`.errors`, so that ``config``
(which reads packet.toml), ``sources`` and ``mail`` can all use it without importing
one another.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import InputError, Problem

CONFIG_NAME = "packet.toml"  # the settings file: a path written in it that leaves the folder is reported there
# The largest source read: ten times a long academic CV in Markdown. Laying out text
# costs time with its size, so a file past this (a log, a database dump, a CV pasted
# a thousand times) is refused at once rather than taking minutes to be cut to pages.
MAX_TEXT_BYTES = 1_000_000
TEMPLATES = "templates"  # FORMAT.md: the application's own e-mail templates, read like any other source


def resolve_inside(folder: Path, relative: str, key: str = "") -> Path:
    """The path of ``relative`` inside ``folder``; an error if it leaves the folder.

    Symlinks are resolved first, so a link that points outside is refused too.
    """
    root = folder.resolve()
    candidate = Path(relative)
    if candidate.is_absolute():
        raise InputError(Problem(CONFIG_NAME, f"path {relative!r} is absolute",
                                 "write it relative to the application folder", key=key))
    target = (root / candidate).resolve()
    if target != root and root not in target.parents:
        raise InputError(Problem(CONFIG_NAME, f"path {relative!r} leaves the application folder",
                                 "keep every source file inside the folder that holds packet.toml", key=key))
    return target


def _guess_encoding(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    try:
        data.decode("cp1252")
        return "Windows-1252 (Latin-1)"
    except UnicodeDecodeError:
        return "an 8-bit encoding"


def _utf16_without_bom(data: bytes) -> bool:
    """UTF-16 saved without a byte-order mark: mostly ASCII text, so every other byte is NUL."""
    if len(data) % 2:
        return False
    for codec, high, low in (("utf-16-le", data[1::2], data[::2]), ("utf-16-be", data[::2], data[1::2])):
        if high.count(0) > len(high) * 0.6 and low.count(0) < len(low) * 0.1:
            try:
                data.decode(codec)
                return True
            except UnicodeDecodeError:
                pass
    return False


def read_regular(path: Path, label: str, limit: int, fix: str, follow: bool = True) -> bytes:
    """At most ``limit`` + 1 bytes of a regular file (the caller words its own size error),
    else an InputError naming ``label``: "is not a regular file" with ``fix``, or "cannot
    be read". Opened without blocking and checked on the open descriptor, so a FIFO never
    hangs a command and a device is never read, even if the name is swapped after a
    check; ``follow=False`` also refuses a last link (files packetbuilder wrote itself)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | (0 if follow else getattr(os, "O_NOFOLLOW", 0))
    try:
        with os.fdopen(os.open(path, flags), "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise InputError(Problem(label, "is not a regular file", fix))
            return handle.read(limit + 1)
    except OSError as exc:
        raise InputError(Problem(label, f"cannot be read ({exc.strerror})", "check its permissions")) from None


def read_text(folder: Path, name: str, path: Path | None = None) -> str:
    """Read a UTF-8 text file (a BOM is accepted) or raise a clear InputError."""
    return read_source(folder, name, path)[0]


def read_source(folder: Path, name: str, path: Path | None = None) -> tuple[str, bytes]:
    """:func:`read_text`, with the bytes the text was decoded from: a build hashes those,
    not the file read again, so a save in between can never be recorded as built."""
    path = path or resolve_inside(folder, name)
    if not path.exists():
        raise InputError(Problem(name, "file not found", f"create {name} or fix the path in packet.toml"))
    if path.is_dir():
        raise InputError(Problem(name, "is a folder, not a file", "point the setting at a Markdown file"))
    data = read_regular(path, name, MAX_TEXT_BYTES, "point the setting at a Markdown file")  # no more, whatever its size
    try:
        size = max(len(data), path.stat().st_size)
    except OSError as exc:
        raise InputError(Problem(name, f"cannot be read ({exc.strerror})", "check its permissions")) from None
    if len(data) > MAX_TEXT_BYTES:
        raise InputError(Problem(name, f"is {size / 1e6:.1f} MB, larger than a CV, statement or notes file (at "
                                       f"most {MAX_TEXT_BYTES / 1e6:.1f} MB)",
                                 "this does not look like one: check that packet.toml names the right file"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(data):
        raise InputError(Problem(name, "is UTF-16 text", "save it as UTF-8 (in most editors: Save As → UTF-8)"))
    if b"\x00" in data:
        raise InputError(Problem(name, "is a binary file, not text",
                                 "export it as Markdown text (e.g. `pandoc cv.docx -t gfm -o cv.md`)"))
    try:
        return data.decode("utf-8-sig"), data
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(Problem(name, f"is not UTF-8; it looks like {_guess_encoding(data)}",
                                 "save it as UTF-8 (in most editors: Save As → UTF-8)", line)) from None
