"""One ``send`` or ``drafts`` at a time per output folder.

Two runs at once would both read "not sent yet" from the sent log and both send: two
``send --send`` in two terminals once delivered 8 messages for 4 writers. The runs
take an exclusive ``flock`` on ``.packetbuilder.lock`` in the output folder before they
read the log and hold it until their last record is written. A second run waits a
little (the first is usually done in seconds), then stops with a message naming the
run that holds the lock. The kernel releases the lock when its holder exits, however
it exits, so a crash never leaves the folder locked; the file itself stays, holding
the last holder's description, and is never followed through a symbolic link.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Problem, WorkError
from .outputs import FILE_MODE, ensure_dir

LOCK_NAME = ".packetbuilder.lock"
WAIT = 10.0  # seconds a second run waits for the first before it gives up
_POLL = 0.1


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return f" ({text})" if text else ""


@contextmanager
def folder_lock(out: Path, command: str, wait: float | None = None) -> Iterator[None]:
    """Hold the output folder's lock for the block; WorkError if another run keeps it past ``wait``."""
    ensure_dir(out)
    path = out / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE)
    except OSError as exc:
        raise WorkError(Problem(str(path), f"the lock file cannot be opened ({exc.strerror or exc})",
                                "check the output folder's permissions; a symbolic link there is refused")) from None
    try:
        give_up = time.monotonic() + (WAIT if wait is None else wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= give_up:
                    raise WorkError(Problem(str(out), f"another packetbuilder send or drafts is working on this "
                                            f"folder{_holder(fd)}, so this {command} did nothing",
                                            "wait for it to finish, then run this command again")) from None
                time.sleep(_POLL)
        started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"packetbuilder {command}, process {os.getpid()}, since {started}\n".encode(), 0)
        yield
    finally:
        os.close(fd)
