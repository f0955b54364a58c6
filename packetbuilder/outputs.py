"""Writing outputs: atomically, privately, and never over an input.

Packets, e-mails and logs hold personal data, so files are created 0600 and folders
0700. Every file is written to a temporary file in the same folder, flushed to disk,
then renamed over the target: an interrupted build leaves the old file or the new
one, never half of one. What is read back from an output folder (the packets to
attach, the files a manifest records) is not trusted: it must be a bounded regular
file inside the folder (:func:`output_file`).
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import tempfile
from pathlib import Path

from .errors import InputError, Problem, WorkError
from .textfiles import read_regular

FILE_MODE = 0o600
DIR_MODE = 0o700
PART = ".part"
# A temp file of write_atomic: ".<name>.<pid of the writer>.<random>.part".
_PART_NAME = re.compile(r"\..+\.(\d+)\.\w+\.part")


def ensure_dir(path: Path) -> Path:
    """Create an output folder, and each missing parent, 0700 (``mkdir(parents=True)``
    would make the parents world-readable), or fail with a clear message."""
    try:
        missing = []
        for folder in (path, *path.parents):  # up to the first that exists
            if folder.exists():
                break
            missing.append(folder)
        for folder in reversed(missing):
            folder.mkdir(mode=DIR_MODE, exist_ok=True)
    except OSError as exc:
        raise WorkError(Problem(str(path), f"cannot create the output folder ({exc.strerror})",
                                "choose another --out folder or fix its permissions")) from None
    if not path.is_dir():
        raise WorkError(Problem(str(path), "the output folder is a file", "choose another --out folder"))
    if not os.access(path, os.W_OK | os.X_OK):
        raise WorkError(Problem(str(path), "the output folder is not writable",
                                "choose another --out folder or fix its permissions"))
    return path


def write_atomic(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Write ``data`` to ``path`` via a same-folder temp file, fsync and rename; ``mode``:
    private by default, a rewritten input keeps its own.

    A full disk or a read-only folder is failed work the user can act on, so an OSError
    becomes a WorkError naming the file; the temp file is removed on any failure.
    """
    ensure_dir(path.parent)
    temp = None
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=PART, dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException as exc:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        if isinstance(exc, OSError):
            raise WorkError(Problem(str(path), f"cannot be written ({exc.strerror or exc})",
                                    "check the free disk space and the output folder's permissions")) from None
        raise


def check_out_dir(out: Path, inputs: list[Path], holding: bool = True) -> None:
    """Refuse an output folder that is, or (``holding``) holds, an application's input folder.

    A build writes a subfolder per writer, which could land on an input folder below it;
    a single file (``schedule --ics``) is safe in any folder but an input's own, so it
    passes ``holding=False``.
    """
    target = out.resolve()
    for folder in inputs:
        source = folder.resolve()
        if target == source or (holding and target in source.parents):
            raise InputError(Problem(str(out), "the output folder would be the application folder itself or hold it",
                                     f"use a separate folder such as {folder / 'build'}"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_stale_parts(out: Path) -> None:
    """Remove the temp files that a killed run of ``write_atomic`` left in ``out`` and in
    the folders in it (one per writer), as they may hold personal data.

    Only files whose writer process is gone are removed, so a build writing into the
    same folder right now keeps its own. Nothing here is an error: a folder that does
    not exist yet has nothing to clean."""
    try:
        folders = [out, *(entry for entry in os.scandir(out) if entry.is_dir(follow_symlinks=False))]
    except OSError:
        return
    for folder in folders:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            match = _PART_NAME.fullmatch(name)
            if match and not _alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))


def output_file(out: Path, name: str, limit: int) -> Path | None:
    """The file ``name`` (relative to ``out``, as a manifest records it) if it exists:
    inside ``out`` after resolving links, a regular file, at most ``limit`` bytes; None if
    there is nothing there. Anything else is an InputError naming it.

    Output folders are written by packetbuilder but can be edited by hand or by anyone
    who shares them: a recorded ``/dev/zero`` or a link to a FIFO must not be read.
    """
    root = out.resolve()
    path = Path(name)
    try:
        target = (root / path).resolve()
    except ValueError:  # a NUL in the name: no file has it
        target = root
    if path.is_absolute() or root not in target.parents:
        raise InputError(Problem(str(out / name), "is not a file inside the output folder",
                                 "delete the output folder's records (or the folder) and build again"))
    try:
        info = target.stat()
    except (FileNotFoundError, NotADirectoryError):  # nothing there: a folder that is a file is ensure_dir's to report
        return None
    except OSError as exc:
        raise InputError(Problem(str(out / name), f"cannot be read ({exc.strerror})", "check its permissions")) from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(Problem(str(out / name), "is not a regular file", "delete it and build again"))
    if info.st_size > limit:
        raise InputError(Problem(str(out / name), f"is larger than {limit // 2**20} MB, more than packetbuilder writes",
                                 "delete it and build again"))
    return target


def read_output(out: Path, name: str, limit: int) -> bytes | None:
    """The bytes of :func:`output_file`, read from a regular file and never past ``limit``."""
    target = output_file(out, name, limit)
    if target is None:
        return None
    data = read_regular(target, str(out / name), limit, "delete it and build again", follow=False)
    if len(data) > limit:
        raise InputError(Problem(str(out / name), f"is larger than {limit // 2**20} MB, more than packetbuilder writes",
                                 "delete it and build again"))
    return data
