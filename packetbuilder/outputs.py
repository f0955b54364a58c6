"""Writing outputs: atomically, privately, and never over an input.

Packets, e-mails and logs hold personal data, so files are created 0600 and folders
0700. Every file is written to a temporary file in the same folder, flushed to disk,
then renamed over the target: an interrupted build leaves the old file or the new
one, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError, Problem, WorkError

FILE_MODE = 0o600
DIR_MODE = 0o700


def ensure_dir(path: Path) -> Path:
    """Create an output folder (0700) or fail with a clear message."""
    try:
        path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkError(Problem(str(path), f"cannot create the output folder ({exc.strerror})",
                                "choose another --out folder or fix its permissions")) from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise WorkError(Problem(str(path), "the output folder is not writable",
                                "choose another --out folder or fix its permissions"))
    return path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a same-folder temp file, fsync and rename."""
    ensure_dir(path.parent)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def check_out_dir(out: Path, inputs: list[Path]) -> None:
    """Refuse an output folder that is, or holds, an application's input folder."""
    target = out.resolve()
    for folder in inputs:
        source = folder.resolve()
        if target == source or target in source.parents:
            raise InputError(Problem(str(out), "the output folder would be the application folder itself or hold it",
                                     f"use a separate folder such as {folder / 'build'}"))
