"""``mark``: a writer's status changed in packet.toml in place, comments and layout kept.

Students edited ``status = "…"`` by hand and forgot the date they asked, or moved a
writer from planned straight to thanked. Here the file is edited as a TOML document
(tomlkit keeps every comment, blank line and key order), only the writer's ``status``,
``asked`` and ``letter_id`` keys change, a move that makes no sense is refused with the
reason, the result is validated as packet.toml before anything is written, and the file
is replaced atomically with its own permissions.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from pathlib import Path

import tomlkit

from .config import STATUSES, parse_config
from .errors import InputError, Problem
from .outputs import write_atomic
from .textfiles import CONFIG_NAME, read_text

# Where a writer can go from each status. Declined may be asked again; nothing undoes
# an uploaded letter.
MOVES = {
    "planned": ("asked", "agreed", "declined"),
    "asked": ("agreed", "declined", "uploaded"),
    "agreed": ("uploaded", "declined"),
    "uploaded": ("thanked",),
    "thanked": (),
    "declined": ("planned", "asked"),
}


def mark(folder: Path, writer_id: str, status: str, on: dt.date, letter_id: str | None = None) -> str:
    """Set the writer's status (and ``asked`` when marking asked; ``letter_id`` when
    given); return what changed, in one line."""
    if status not in STATUSES:
        raise InputError(Problem("STATUS", f"unknown status {status!r}", f"use one of {', '.join(STATUSES)}"))
    path = Path(folder) / CONFIG_NAME
    text = read_text(Path(folder), CONFIG_NAME, path)
    config = parse_config(text)
    writer = config.writer(writer_id)
    if status != writer.status and status not in MOVES[writer.status]:
        allowed = ", ".join(MOVES[writer.status]) or "none"
        raise InputError(Problem(CONFIG_NAME, f"{writer_id} cannot go from {writer.status} to {status}",
                                 f"from {writer.status} a writer can become: {allowed}", key=f"writers.{writer_id}"))
    document = tomlkit.parse(text)
    index = next(i for i, t in enumerate(document["writers"]) if t.get("id") == writer_id)
    table = document["writers"][index]
    changes, added = [], {}
    for key, value, change in (("status", status, status != writer.status),
                               ("asked", on, status == "asked" and writer.asked != on),
                               ("letter_id", letter_id, letter_id is not None and letter_id != writer.letter_id)):
        if not change:
            continue
        if key in table:
            table[key] = value
        else:
            added[key] = value
        changes.append(f"{key} {writer.status} → {status}" if key == "status" else f"{key} {value}")
    if not changes:
        return f"{writer_id}: already {status}, nothing changed"
    updated = _insert_keys(tomlkit.dumps(document), index, added)
    parse_config(updated)  # never write a file that would not load
    write_atomic(path, updated.encode("utf-8"), stat.S_IMODE(os.stat(path).st_mode))
    return f"{writer_id}: " + "; ".join(changes)


def _insert_keys(text: str, index: int, keys: dict[str, object]) -> str:
    """New keys of the ``index``-th writer, each on its own line after the last line of
    that writer's table that is not a comment or blank (a multi-line array ends there
    too), before the comments that lead to the next table: where a person types them."""
    if not keys:
        return text
    lines = text.split("\n")
    tables = [n for n, line in enumerate(lines) if line.strip().startswith("[[writers]]")]
    start = tables[index]
    end = next((n for n, line in enumerate(lines) if n > start and line.strip().startswith("[")), len(lines))
    last = max(n for n in range(start, end) if lines[n].strip() and not lines[n].lstrip().startswith("#"))
    new = [f"{key} = {tomlkit.item(value).as_string()}" for key, value in keys.items()]
    return "\n".join(lines[:last + 1] + new + lines[last + 1:])
