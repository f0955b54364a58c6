"""Nothing is lost or leaked: atomic outputs, untouched inputs, private files.

An interrupted build must leave each output either as it was or complete, never
truncated; a build must not write to, rename or delete anything in the application
folder; and packets, e-mails and the sent log hold personal data, so files are 0600
and folders 0700 whatever the umask.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import os
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder import outputs
from packetbuilder.cli import main
from packetbuilder.errors import WorkError

OLD, NEW = b"old packet " * 50_000, b"new packet " * 60_000

# A child that writes NEW over the target with write_atomic and stops at one point of
# the write, says so, and waits there to be killed.
STALLING_WRITER = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from packetbuilder import outputs

    stage, target = sys.argv[1], Path(sys.argv[2])
    real = {"fsync": os.fsync, "replace": os.replace}

    def stall(name):
        def wrapper(*args):
            if name == "replace":
                real["replace"](*args)   # the rename has happened: only then stall
            print("stalled", flush=True)
            sys.stdin.read()             # until killed
        return wrapper

    setattr(os, "fsync" if stage == "before-rename" else "replace",
            stall("fsync" if stage == "before-rename" else "replace"))
    outputs.write_atomic(target, b"new packet " * 60_000)
""")

# A child that rewrites the target over and over, alternating two contents.
LOOPING_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from packetbuilder import outputs

    target = Path(sys.argv[1])
    for n in range(10_000):
        outputs.write_atomic(target, (b"A" if n % 2 else b"B") * 3_000_000)
        print(n, flush=True)
""")


def _child(script: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", script, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)


@pytest.mark.parametrize("stage,survivor", [("before-rename", OLD), ("after-rename", NEW)])
def test_killed_during_write_atomic_leaves_old_or_new_file(tmp_path: Path, stage: str, survivor: bytes) -> None:
    target = tmp_path / "Anh_Nguyen_LOR_Packet.pdf"
    target.write_bytes(OLD)
    child = _child(STALLING_WRITER, stage, str(target))

    assert child.stdout.readline().strip() == "stalled"
    child.kill()
    child.wait()

    assert target.read_bytes() == survivor
    leftovers = [p.name for p in tmp_path.iterdir() if p != target]
    assert all(name.startswith(".Anh_Nguyen_LOR_Packet.pdf.") and name.endswith(".part") for name in leftovers)


def test_killed_mid_rewrite_never_leaves_a_truncated_file(tmp_path: Path) -> None:
    """Wherever in a write the kill lands, the target holds one whole version."""
    target = tmp_path / "request.eml"
    child = _child(LOOPING_WRITER, str(target))
    for _ in range(3):  # some writes completed; the kill lands somewhere in a later one
        child.stdout.readline()
    child.kill()
    child.wait()

    data = target.read_bytes()
    assert data in (b"A" * 3_000_000, b"B" * 3_000_000)


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_write_keeps_old_file_and_says_which(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    failing: str) -> None:
    target = tmp_path / "Anh_Nguyen_LOR_Packet.docx"
    target.write_bytes(OLD)

    def disk_full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, failing, disk_full)
    with pytest.raises(WorkError) as caught:
        outputs.write_atomic(target, NEW)

    [problem] = caught.value.problems
    assert problem.file == str(target)
    assert "No space left on device" in problem.message and "free disk space" in problem.fix
    assert target.read_bytes() == OLD
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # the temp file is gone


def _digest(folder: Path, skip: str = "build") -> str:
    """Contents, modes and modification times of everything under ``folder`` but ``skip``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if skip not in p.relative_to(folder).parts):
        info = path.lstat()
        digest.update(f"{path.relative_to(folder)}|{info.st_mode}|{info.st_mtime_ns}".encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


class _WriteWatch:
    """Records every write-like operation the process makes below one folder (audit hooks
    cannot be removed, so the hook stays installed and this switches it on and off)."""

    EVENTS = {"os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.utime", "os.truncate",
              "os.symlink", "os.link", "shutil.rmtree", "shutil.copyfile", "shutil.move"}
    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND

    def __init__(self) -> None:
        self.root: Path | None = None
        self.seen: list[tuple[str, str]] = []
        sys.addaudithook(self._hook)

    def _inside(self, path: object) -> bool:
        if self.root is None or not isinstance(path, (str, bytes, os.PathLike)) or isinstance(path, int):
            return False
        return os.path.abspath(os.fsdecode(path)).startswith(str(self.root) + os.sep)

    def _hook(self, event: str, args: tuple) -> None:
        if self.root is None:
            return
        if event == "open" and args and self._inside(args[0]):
            mode, flags = args[1], args[2]
            if (isinstance(mode, str) and set(mode) & set("wax+")) or (isinstance(flags, int) and flags & self.WRITE_FLAGS):
                self.seen.append((event, os.fsdecode(args[0])))
        elif event in self.EVENTS and any(self._inside(a) for a in args):
            self.seen.append((event, repr(args)))

    @contextlib.contextmanager
    def watching(self, root: Path) -> Iterator[None]:
        self.root, self.seen = root.resolve(), []
        try:
            yield
        finally:
            self.root = None


_WATCH = _WriteWatch()


def test_build_never_writes_to_the_application_folder(sample: Path, tmp_path: Path) -> None:
    before = _digest(sample)
    with _WATCH.watching(sample):
        result = CliRunner().invoke(main, ["build", str(sample), "--out", str(tmp_path / "out"), "--jobs", "1"])

    assert result.exit_code == 0, result.output
    assert _WATCH.seen == []
    assert _digest(sample) == before


def test_default_build_folder_leaves_the_sources_unchanged(sample: Path) -> None:
    """The default --out is DIR/build, inside the application: only build/ may change."""
    before = _digest(sample)
    result = CliRunner().invoke(main, ["build", str(sample), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert (sample / "build").is_dir()
    assert _digest(sample) == before


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that would make everything world-readable: privacy must not rely on the user's."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root.parent)): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


def test_outputs_are_private_files_in_private_folders(sample: Path, tmp_path: Path, open_umask: None) -> None:
    out = tmp_path / "class-of-2027" / "anh" / "packets"  # three folders that do not exist yet
    result = CliRunner().invoke(main, ["build", str(sample), "--out", str(out), "--jobs", "1"])
    assert result.exit_code == 0, result.output

    modes = _modes(tmp_path / "class-of-2027")
    files = {name: mode for name, mode in modes.items() if (tmp_path / name).is_file()}
    folders = {name: mode for name, mode in modes.items() if (tmp_path / name).is_dir()}
    assert any(name.endswith(".pdf") for name in files) and any(name.endswith(".eml") for name in files)
    assert set(files.values()) == {0o600}, files
    assert set(folders.values()) == {0o700}, folders


def test_sent_log_is_private(tmp_path: Path, open_umask: None) -> None:
    send = pytest.importorskip("packetbuilder.send")
    record = send.SentRecord("chen", "request", "<request.chen@med.example.edu>",
                             dt.datetime(2026, 7, 20, 14, 3, tzinfo=dt.timezone.utc))
    send.append_sent(tmp_path / "out", record)

    assert stat.S_IMODE((tmp_path / "out").stat().st_mode) == 0o700
    assert stat.S_IMODE(send.log_path(tmp_path / "out").stat().st_mode) == 0o600
