"""The sent log: the memory that makes ``send`` and ``drafts`` safe to run again.

A faculty member who gets the same request twice thinks less of the student, so every
message is written down *before* it leaves and again once it has arrived. The log is
``sent-log.jsonl`` in the output folder, one JSON object per line::

    {"writer": "chen", "kind": "request", "message_id": "<request.chen.…@med.example.edu>",
     "time": "2026-07-20T14:03:11+00:00", "via": "smtp", "state": "in-flight"}
    {"writer": "chen", "kind": "request", "message_id": "<request.chen.…@med.example.edu>",
     "time": "2026-07-20T14:03:12+00:00", "via": "smtp", "state": "done"}

``via`` is ``smtp`` (sent to the writer) or ``imap`` (placed in the student's own Drafts
folder). ``state`` is ``in-flight`` (written and fsynced before the message is handed
over), then ``done`` (the server confirmed it) or ``failed`` (the server certainly did
not take it). An ``in-flight`` line with nothing after it means the run stopped while
the message was on its way (a crash, a dropped connection, a server that never
answered): the message *may* have arrived. That is recorded, reported by the next run,
and never resolved by guessing towards a second copy. Lines written before these
fields existed are ``smtp``/``done``.

The log is never opened through a symbolic link (``O_NOFOLLOW``): a link planted in the
output folder must not turn "append a line" into "write to some other file". A record
torn by a full disk (no final newline, not valid JSON) is the record that failed to be
written; it is ignored on reading and cut off before the next append. Any other
damaged line is an error: guessing could send a message twice.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import InputError, Problem, WorkError
from .outputs import FILE_MODE, ensure_dir

LOG_NAME = "sent-log.jsonl"
Via = Literal["smtp", "imap"]
State = Literal["in-flight", "done", "failed"]
_STATES = ("in-flight", "done", "failed")


@dataclass(frozen=True)
class SentRecord:
    """One line of the sent log."""

    writer: str
    kind: str
    message_id: str
    time: dt.datetime
    via: Via = "smtp"
    state: State = "done"

    def to_line(self) -> bytes:
        return (json.dumps({"writer": self.writer, "kind": self.kind, "message_id": self.message_id,
                            "time": self.time.isoformat(timespec="seconds"), "via": self.via,
                            "state": self.state}, ensure_ascii=False) + "\n").encode("utf-8")


def log_path(out_dir: Path) -> Path:
    return Path(out_dir) / LOG_NAME


def _parse(line: str) -> SentRecord:
    raw = json.loads(line)
    via, state = raw.get("via", "smtp"), raw.get("state", "done")
    if via not in ("smtp", "imap") or state not in _STATES:
        raise ValueError(line)
    return SentRecord(str(raw["writer"]), str(raw["kind"]), str(raw["message_id"]),
                      dt.datetime.fromisoformat(raw["time"]), via, state)


def _cannot(path: Path, exc: OSError, doing: str) -> Problem:
    if exc.errno == errno.ELOOP:
        return Problem(str(path), "is a symbolic link, and the sent log is never written or read through one",
                       "replace the link with the file itself (or delete it if nothing was sent from this folder)")
    return Problem(str(path), f"the sent log cannot be {doing} ({exc.strerror or exc})",
                   "check the free disk space and the permissions of the log and its folder")


def _open(path: Path, flags: int) -> int:
    return os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)


def _check_regular(fd: int, path: Path) -> None:
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InputError(Problem(str(path), "is not a plain file", "move it away: the sent log must be a file"))


def read_log(out_dir: Path) -> list[SentRecord]:
    """Every record of ``out_dir/sent-log.jsonl``, in the order written; [] when there is no log."""
    path = log_path(out_dir)
    try:
        fd = _open(path, os.O_RDONLY)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise WorkError(_cannot(path, exc, "read")) from None
    _check_regular(fd, path)
    with os.fdopen(fd, "rb") as handle:
        data = handle.read()
    records = []
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, 1):
        torn = number == len(lines)  # no newline after it: a record torn while it was written
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            if torn:  # a full disk can cut a line inside a character too
                continue
            # decoding with replacement would turn a writer's id or a Message-ID into
            # another one, and a message could go twice
            raise InputError(Problem(str(path), "is not UTF-8 text (the sent log is written as UTF-8)",
                                     "restore the log from a backup, or repair that line in a UTF-8 editor",
                                     number)) from None
        if not line.strip():
            continue
        try:
            records.append(_parse(line))
        except (ValueError, KeyError, TypeError, AttributeError):
            if torn:
                continue
            raise InputError(Problem(str(path), "is not a valid sent-log line",
                                     "repair or delete that line (each line records one message handed over)",
                                     number)) from None
    return records


def read_sent_log(out_dir: Path) -> list[SentRecord]:
    """The messages a server confirmed it accepted for the writer (``status`` shows these)."""
    return [r for r in read_log(out_dir) if r.via == "smtp" and r.state == "done"]


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SentLog:
    """The sent log, open for appending for the length of one batch.

    Opening it is the check that it can be written at all, so a batch whose log is a
    link, read-only or in a read-only folder stops before its first message. A newly
    created log (and a newly created output folder) has its folder fsynced, so the
    file itself survives a crash, not only its contents.
    """

    def __init__(self, out_dir: Path):
        out = Path(out_dir).absolute()
        self.path = log_path(out)
        new_folders = []
        for folder in (out, *out.parents):  # up to the first that exists
            if folder.exists():
                break
            new_folders.append(folder)
        try:
            ensure_dir(out)
            try:
                self._fd = _open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL)
                created = True
            except FileExistsError:
                self._fd = _open(self.path, os.O_WRONLY | os.O_APPEND)
                created = False
            _check_regular(self._fd, self.path)
            if created:
                for folder in (out, *(f.parent for f in new_folders)):
                    _fsync_dir(folder)
            self._mend_torn_tail()
        except OSError as exc:
            raise WorkError(_cannot(self.path, exc, "written")) from None

    def _mend_torn_tail(self) -> None:
        """End the file on a newline: cut a torn record, or end a whole one that lacks it."""
        if os.fstat(self._fd).st_size == 0:
            return
        with os.fdopen(_open(self.path, os.O_RDONLY), "rb") as handle:
            data = handle.read()
        if data.endswith(b"\n"):
            return
        start = data.rfind(b"\n") + 1
        try:
            _parse(data[start:].decode("utf-8"))
            self._write(b"\n")
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
            os.ftruncate(self._fd, start)
            os.fsync(self._fd)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]
        os.fsync(self._fd)

    def append(self, record: SentRecord) -> None:
        """Append one record and fsync it; an OSError (a full disk) is a WorkError naming the log."""
        try:
            self._write(record.to_line())
        except OSError as exc:
            raise WorkError(_cannot(self.path, exc, "written")) from None

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> SentLog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True)
class History:
    """What the log says about one writer and kind of e-mail: the last SMTP record, the last
    one the server confirmed, and the last IMAP (draft) record."""

    smtp: SentRecord | None = None
    sent: SentRecord | None = None
    draft: SentRecord | None = None

    @classmethod
    def of(cls, records: list[SentRecord], writer: str, kind: str) -> History:
        mine = [r for r in records if r.writer == writer and r.kind == kind]
        smtp = [r for r in mine if r.via == "smtp"]
        sent = [r for r in smtp if r.state == "done"]
        drafts = [r for r in mine if r.via == "imap"]
        return cls(smtp[-1] if smtp else None, sent[-1] if sent else None, drafts[-1] if drafts else None)

    @property
    def uncertain(self) -> SentRecord | None:
        """The SMTP record of a message that may have reached the writer, unconfirmed."""
        return self.smtp if self.smtp is not None and self.smtp.state == "in-flight" else None


def append_sent(out_dir: Path, record: SentRecord) -> None:
    """Append one record on its own: the log opened (with every check above), written, closed."""
    with SentLog(out_dir) as log:
        log.append(record)
