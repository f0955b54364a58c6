"""What a killed build leaves behind: no worker process, and no temp file after the next run.

SIGKILL or SIGTERM of `build` left its workers running forever, and a
``.part`` temp file holding personal data was never removed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.cli import main

LINUX_PROC = Path("/proc/self/task").is_dir()


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting to be reaped."""
    try:
        state = next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                     if line.startswith("State:"))
    except (OSError, StopIteration):
        return False
    return "Z" not in state.split()[1]


def _class(tmp_path: Path, sample: Path, count: int) -> list[str]:
    folders = []
    for number in range(count):
        folder = tmp_path / f"student-{number}"
        shutil.copytree(sample, folder)
        folders.append(str(folder))
    return folders


@pytest.mark.skipif(not LINUX_PROC, reason="reads the process tree from /proc")
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killing_a_build_ends_its_workers(sample: Path, tmp_path: Path, how: signal.Signals) -> None:
    folders = _class(tmp_path, sample, 6)
    child = subprocess.Popen([sys.executable, "-m", "packetbuilder", "build", *folders, "--out", str(tmp_path / "out"),
                              "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while len(workers) < 2 and time.monotonic() < deadline and child.poll() is None:
            workers = _children(child.pid)
            time.sleep(0.02)
        assert len(workers) == 2, "the build never started its two workers"
        child.send_signal(how)
        child.wait(10)
        deadline = time.monotonic() + 15
        while any(_running(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [w for w in workers if _running(w)]
        assert not left, f"workers {left} outlived the killed build"
    finally:
        for pid in {child.pid, *workers, *_children(child.pid)}:  # a failed run leaves no stray process
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        child.wait()


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(done.stdout)


def test_a_temp_file_left_by_a_killed_build_is_removed_by_the_next(sample: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["build", str(sample), "--out", str(out), "--writer", "chen", "--format", "pdf", "--jobs", "1"]
    assert CliRunner().invoke(main, argv).exit_code == 0
    dead = _dead_pid()
    left = [out / "chen" / f".Anh_Nguyen_LOR_Packet.pdf.{dead}.k2j4x9q1.part",
            out / f".build-report.json.{dead}.a8d7c6b5.part"]
    for path in left:
        path.write_bytes(b"%PDF- half a packet of personal data")
    live = out / "chen" / f".Anh_Nguyen_LOR_Packet.pdf.{os.getpid()}.zz11yy22.part"  # a build writing right now
    live.write_bytes(b"being written")
    result = CliRunner().invoke(main, argv)  # an unchanged rebuild, which writes nothing itself
    assert result.exit_code == 0 and "1 unchanged" in result.output, result.output
    assert not any(p.exists() for p in left)
    assert live.exists()
