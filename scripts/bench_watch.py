"""`make bench`: how long a student waits under `build --watch`, from a save to the new PDF.

Runs the real command (``build DIR --watch``) on a copy of the sample in a child process
and saves, in turn, 20 times one writer's notes (``notes/chen.md``) and 20 times
``cv.md``, which concerns every writer. Each save writes the file as an editor does
(truncate and write); the time runs from just before the write until the writer's PDF
on disk is a new file (the build renames a new one over it), watched by ``stat`` every
millisecond. For ``cv.md`` it also gives how long until every writer's PDF is new.
Between saves the script waits for the command's report line, so saves never overlap.
Not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MEDIAN, TARGET_P95 = 0.150, 0.300
POLL = 0.001
REPORT = re.compile(r"watching |\d\d:\d\d:\d\d .* changed → ")
GIVE_UP = 30.0  # seconds without a new PDF: the watcher is stuck


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns


class Watcher:
    """The `build --watch` child and the lines it printed, read by a thread."""

    def __init__(self, app: Path, out: Path) -> None:
        self.lines: list[str] = []
        self.seen = threading.Condition()
        self.child = subprocess.Popen([sys.executable, "-m", "packetbuilder", "build", str(app), "--out", str(out),
                                       "--watch"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                      cwd=ROOT)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.child.stdout:
            with self.seen:
                self.lines.append(line.rstrip("\n"))
                self.seen.notify_all()

    def wait_for(self, count: int, timeout: float = GIVE_UP) -> None:
        """Until the child has printed ``count`` lines that start watching or report a change."""
        deadline = time.monotonic() + timeout
        with self.seen:
            while sum(1 for line in self.lines if REPORT.match(line)) < count:
                left = deadline - time.monotonic()
                if left <= 0 or self.child.poll() is not None:
                    sys.exit("bench_watch: the watcher stopped answering:\n" + "\n".join(self.lines))
                self.seen.wait(left)

    def stop(self) -> None:
        self.child.terminate()
        try:
            self.child.wait(10)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()


def save_and_time(source: Path, pdfs: list[Path], number: int) -> tuple[float, float]:
    """Save ``source`` once; seconds until the first PDF is new and until all are."""
    before = {pdf: _identity(pdf) for pdf in pdfs}
    text = source.read_text(encoding="utf-8")
    start = time.perf_counter()
    with open(source, "w", encoding="utf-8") as handle:  # as an editor saves: truncate, write, close
        handle.write(text + f"\nEdit number {number}.\n")
    first = None
    pending = set(pdfs)
    while pending:
        now = time.perf_counter()
        if now - start > GIVE_UP:
            sys.exit(f"bench_watch: no new PDF {GIVE_UP:.0f} s after saving {source.name}")
        for pdf in list(pending):
            if _identity(pdf) != before[pdf]:
                pending.discard(pdf)
                first = now - start if first is None else first
        time.sleep(POLL)
    return first, time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def row(label: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return f"   {label:<34} {statistics.median(ms):7.0f} {percentile(ms, 0.95):7.0f} {max(ms):7.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=20, help="saves of each file (20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pb-bench-watch-") as temp:
        app, out = Path(temp) / "app", Path(temp) / "out"
        shutil.copytree(ROOT / "samples", app, ignore=shutil.ignore_patterns("build"))
        writers = [w["id"] for w in tomllib.loads((app / "packet.toml").read_text("utf-8"))["writers"]]
        watcher = Watcher(app, out)
        try:
            watcher.wait_for(1)  # the first build is done and the watch has begun
            pdfs = {w: next((out / w).glob("*.pdf")) for w in writers}
            reports = 1
            notes, cv_first, cv_all = [], [], []
            for number in range(args.saves):
                notes.append(save_and_time(app / "notes" / "chen.md", [pdfs["chen"]], number)[0])
                reports += 1
                watcher.wait_for(reports)
                first, every = save_and_time(app / "cv.md", list(pdfs.values()), number)
                cv_first.append(first)
                cv_all.append(every)
                reports += 1
                watcher.wait_for(reports)
        finally:
            watcher.stop()
    print(f"   save → new PDF on disk under `build --watch`, {args.saves} saves each "
          f"(target: median <= {TARGET_MEDIAN * 1000:.0f} ms, p95 <= {TARGET_P95 * 1000:.0f} ms)")
    print(f"   {'ms':<34} {'median':>7} {'p95':>7} {'max':>7}")
    print(row("notes/chen.md → chen's PDF", notes))
    print(row("cv.md → first writer's PDF", cv_first))
    print(row(f"cv.md → all {len(writers)} writers' PDFs", cv_all))
    ok = statistics.median(notes) <= TARGET_MEDIAN and percentile(notes, 0.95) <= TARGET_P95
    print(f"   one writer's notes: {'ok' if ok else 'MISSED'}   (CPUs: {os.cpu_count()})")


if __name__ == "__main__":
    main()
