"""`make bench`: how fast packetbuilder builds, measured in one run on this machine.

Prints, against the targets of the performance work:
  1. a full build of the sample with a fifth writer added (PDF + DOCX + request .eml,
     fitted) against pandoc converting the same packets' Markdown to DOCX, one process
     per packet, the two taken in turns — the ratio of their medians, and of each turn;
  2. the unchanged rebuild: time, and how many files it rewrote;
  3. per writer, built in turn as a worker does: milliseconds to fit (and the layouts
     the fit cost), to draw the PDF, the DOCX and the request e-mail;
  4. a generated class of 50 applications x 4 writers: time, packets/s, peak memory;
  5. `preview` of one writer, warm (after a build, and again after an edit);
  6. then the other scripts/bench_*.py (fitting at each page limit, the latency of
     `build --watch`, reading one large input), so that `make bench` is this one script.

The start-up share in 1 is measured as scripts/profile_build.py's wall-time profile
does: a build's time up to the end of its first packet, less a warm rebuild of it.

Builds run as the real command in a child process, so start-up is included. Times are
wall-clock, the median of a few runs because the machine may be shared, with the CPU
time beside them (which load from other programs barely changes: on a busy machine the
wall time of a parallel build tends to its CPU time); peak memory is the largest single
process (from the kernel's accounting) and, on Linux, the peak of all the build's
processes together (sampled; pages the forked workers share with their parent count in
each, so this is an upper bound). Not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT / "scripts"))
from profile_build import phase_times, start_up_share  # noqa: E402  (the same measure as `make profile`)
BUILD = [sys.executable, "-m", "packetbuilder", "build"]
# What a build imports before its first packet: the floor under any build's time.
IMPORTS = [sys.executable, "-c", "import packetbuilder.cli, packetbuilder.build, packetbuilder.render.pdf, "
           "packetbuilder.render.docx, packetbuilder.mail; packetbuilder.render.fonts.register()"]


@dataclass
class Run:
    seconds: float
    cpu: float  # user + system, of the command and the worker processes it waited for
    peak_mb: float  # the largest single process
    tree_mb: float | None  # all processes of the run together, sampled; None without /proc
    output: str


def _children(pid: int) -> list[int]:
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except (OSError, ValueError):
        return []
    return found + [g for c in found for g in _children(c)]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run(argv: list[str]) -> Run:
    """Run a command; its wall time, peak memory and output. Fails loudly if it fails."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT)
    tree_peak = [0]
    sampling = Path(f"/proc/{child.pid}/status").exists()
    finished = threading.Event()

    def sample() -> None:  # must not reap the child: wait4 below does, for its rusage
        while not finished.is_set():
            tree_peak[0] = max(tree_peak[0], sum(_rss_kb(p) for p in [child.pid, *_children(child.pid)]))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample, daemon=True)
    if sampling:
        sampler.start()
    output = child.stdout.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    finished.set()
    child.returncode = os.waitstatus_to_exitcode(status)
    if sampling:
        sampler.join()
    if child.returncode != 0:
        sys.exit(f"bench: `{' '.join(map(str, argv))}` failed ({child.returncode}):\n{output}")
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return Run(seconds, usage.ru_utime + usage.ru_stime, peak, tree_peak[0] / 1024 if sampling else None, output)


def _spin(_: int = 0) -> float:
    start = time.process_time()
    while time.process_time() - start < 0.5:
        pass
    return time.process_time() - start


def parallel_capacity() -> float:
    """How many CPUs' worth of work this machine does right now: two half-second busy
    loops in two processes, against one. 2.0 on an idle two-CPU machine; near 1.0 when
    other programs keep a CPU busy, and then a parallel build's wall time nears its CPU time."""
    import multiprocessing

    start = time.perf_counter()
    _spin()
    alone = time.perf_counter() - start
    with multiprocessing.Pool(2) as pool:
        pool.map(_spin, [0, 0])  # start the workers
        start = time.perf_counter()
        pool.map(_spin, [0, 0])
        together = time.perf_counter() - start
    return 2 * alone / together


def median_run(argv: list[str], times: int) -> Run:
    return median_of([run(argv) for _ in range(times)])


def median_of(runs: list[Run]) -> Run:
    """The run of median wall time, with the largest memory any of them used."""
    middle = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    return Run(middle.seconds, middle.cpu, max(r.peak_mb for r in runs),
               max((r.tree_mb or 0) for r in runs) if middle.tree_mb is not None else None, middle.output)


def memory(r: Run) -> str:
    tree = f", all processes together {r.tree_mb:.0f} MB" if r.tree_mb is not None else ""
    return f"largest process {r.peak_mb:.0f} MB{tree}"


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def writers_of(folder: Path) -> list[dict]:
    return tomllib.loads((folder / "packet.toml").read_text("utf-8"))["writers"]


def packet_markdown(folder: Path, writer: dict) -> list[Path]:
    """The Markdown one writer's packet is made from: CV, the writer's track statement,
    goals and the writer's notes."""
    config = tomllib.loads((folder / "packet.toml").read_text("utf-8"))
    tracks = {t["id"]: t for t in config["tracks"]}
    track = tracks.get(writer.get("track", ""), config["tracks"][0])
    names = [config["application"].get("cv", "cv.md"), track.get("statement"),
             config["application"].get("goals"), writer.get("notes", f"notes/{writer['id']}.md")]
    return [folder / n for n in names if n and (folder / n).is_file()]


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, dt.date)):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def add_writer(folder: Path) -> None:
    """A fifth writer, like the first but with its own id, so the build matches the
    5-writer target (its packet is tailored the same way, without notes of its own)."""
    first = dict(writers_of(folder)[0], id="extra", name="Sam Extra, MD", salutation="Dr. Extra",
                 email="sextra@hospital.example.org")
    first.pop("notes", None)
    lines = ["", "[[writers]]", *(f"{key} = {toml_value(value)}" for key, value in first.items())]
    with open(folder / "packet.toml", "a", encoding="utf-8") as config:
        config.write("\n".join(lines) + "\n")


def stamps(out: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}


def pandoc_packets(pandoc: str, app: Path, writers: list[dict], target: Path) -> tuple[float, float]:
    """pandoc converting each writer's packet Markdown to DOCX, one process per packet as
    a script would: wall and CPU seconds."""
    start, used = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    for writer in writers:
        subprocess.run([pandoc, "-f", "markdown", "-t", "docx", "-o", str(target / f"{writer['id']}.docx"),
                        *map(str, packet_markdown(app, writer))], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.perf_counter() - start, after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime


def bench_sample(work: Path, repeat: int) -> None:
    app, out = work / "sample", work / "sample-out"
    shutil.copytree(SAMPLES, app, ignore=shutil.ignore_patterns("build"))
    add_writer(app)
    writers = writers_of(app)
    pandoc = shutil.which("pandoc")
    print(f"1. Full build of the sample plus a fifth writer: {len(writers)} writers, PDF + DOCX + request .eml, "
          f"fitted (median of {repeat}, --force, default --jobs = {os.cpu_count()} CPUs)")
    builds, conversions, startups, shares = [], [], [], []
    (work / "pandoc").mkdir()
    for _ in range(repeat):  # in turns, so that a busy spell of the machine falls on both
        builds.append(run([*BUILD, str(app), "--out", str(out), "--force"]))
        startups.append(run(IMPORTS))
        shares.append(start_up_share(phase_times(app, work / "phases")))
        if pandoc is not None:
            conversions.append(pandoc_packets(pandoc, app, writers, work / "pandoc"))
    full = median_of(builds)
    floor, share = median_of(startups).seconds, statistics.median(shares)
    print(f"   packetbuilder         {full.seconds:6.2f} s   (CPU {full.cpu:.2f} s)   {memory(full)}")
    print(f"     import floor        {floor:6.2f} s   Python and the imports a build needs (python -c \"import …\")")
    print(f"     start-up share      {share:6.2f} s   before the packets: up to the end of the first, less a warm "
          f"rebuild of it; {share - floor:+.2f} s against the floor, target <= +0.1 s: {verdict(share - floor <= 0.1)}")
    if pandoc is None:
        print("   pandoc                not installed: comparison skipped (apt-get install pandoc)")
    else:
        seconds = statistics.median(wall for wall, _ in conversions)
        version = subprocess.run([pandoc, "--version"], capture_output=True, text=True).stdout.split("\n")[0]
        print(f"   {version:<21} {seconds:6.2f} s   (CPU {statistics.median(c for _, c in conversions):.2f} s)   "
              f"{len(writers)} DOCX only, one process per packet, {seconds / len(writers) * 1000:.0f} ms each")
        ratio = full.seconds / seconds
        turns = sorted(b.seconds / wall for b, (wall, _) in zip(builds, conversions))
        print(f"   ratio                 {ratio:6.2f} x   target <= 1.3 x: {verdict(ratio <= 1.3)}   "
              f"(each turn: {turns[0]:.2f}–{turns[-1]:.2f} x)")

    before = stamps(out)
    noop = median_run([*BUILD, str(app), "--out", str(out)], max(repeat, 5))
    rewritten = sum(1 for path, stamp in stamps(out).items() if before.get(path) != stamp)
    print(f"\n2. Unchanged rebuild (median of {max(repeat, 5)})")
    print(f"   {noop.seconds:.3f} s (CPU {noop.cpu:.3f} s), {rewritten} files rewritten   target <= 0.3 s and none: "
          f"{verdict(noop.seconds <= 0.3 and rewritten == 0)}   {memory(noop)}")
    print("   " + noop.output.strip().splitlines()[-1])


def bench_writers(work: Path, repeat: int) -> None:
    """Per writer, in this process after a warm-up (so imports and fonts are not counted),
    as a build does it: the writers in turn, with one typesetter for the application,
    shared by the fits and the PDFs. CPU time, the least of ``repeat`` such turns, as it
    is what a build on an idle machine would spend."""
    sys.path.insert(0, str(ROOT))
    from packetbuilder.build import build_packet, render, typesetter_for
    from packetbuilder.formatting import packet_stem
    from packetbuilder.mail import compose, eml_bytes
    from packetbuilder.sources import load_application

    app = load_application(work / "sample")
    page_size = app.config.application.page_size
    target = work / "writers"
    target.mkdir()
    stem = packet_stem(app.config.applicant.short_name)

    def one(writer) -> tuple[list[float], int]:
        typesetter = typesetter_for(app.folder, page_size)
        times = []
        start = time.process_time()
        document, fitted = build_packet(app, writer, typesetter)
        times.append(time.process_time() - start)
        for fmt in ("pdf", "docx"):
            start = time.process_time()
            (target / f"{stem}.{fmt}").write_bytes(render(document, fmt, page_size, typesetter))
            times.append(time.process_time() - start)
        start = time.process_time()
        eml_bytes(compose(app, writer, "request", target))
        times.append(time.process_time() - start)
        return times, fitted.layouts

    one(app.config.writers[0])  # the warm-up
    best: dict[str, list[float]] = {}
    layouts: dict[str, int] = {}
    for _ in range(repeat):
        typesetter_for.cache_clear()  # each turn starts as a build does, with no paragraphs made
        for writer in app.config.writers:
            times, layouts[writer.id] = one(writer)
            best[writer.id] = [min(pair) for pair in zip(best[writer.id], times)] if writer.id in best else times
    print(f"\n3. Per writer, in turn (CPU ms, in one warm process, least of {repeat})")
    print(f"   {'writer':<12} {'fit':>7} {'layouts':>8} {'PDF':>7} {'DOCX':>7} {'e-mail':>7} {'total':>7}")
    for writer in app.config.writers:
        ms = [t * 1000 for t in best[writer.id]]
        print(f"   {writer.id:<12} {ms[0]:7.0f} {layouts[writer.id]:>8} {ms[1]:7.0f} {ms[2]:7.0f} {ms[3]:7.0f} "
              f"{sum(ms):7.0f}")


def make_class(work: Path, students: int) -> list[Path]:
    """Copies of the sample, one per student, each with its own name (so its own bytes)."""
    root = work / "class"
    folders = []
    config = (SAMPLES / "packet.toml").read_text("utf-8")
    for number in range(1, students + 1):
        folder = root / f"student-{number:02d}"
        shutil.copytree(SAMPLES, folder, ignore=shutil.ignore_patterns("build"))
        named = re.sub(r'^preferred_name = ".*"$', f'preferred_name = "Student {number:02d}"', config, count=1,
                       flags=re.MULTILINE)
        (folder / "packet.toml").write_text(named, "utf-8")
        folders.append(folder)
    return folders


def bench_class(work: Path, students: int) -> None:
    folders = make_class(work, students)
    writers = len(writers_of(folders[0]))
    packets = students * writers
    out = work / "class-out"
    print(f"\n4. A class: {students} applications x {writers} writers = {packets} packets "
          f"(PDF + DOCX + request .eml each), default --jobs = {os.cpu_count()} CPUs")
    full = run([*BUILD, *map(str, folders), "--out", str(out)])
    built = len(list(out.rglob("*.pdf")))
    rate = packets / full.seconds
    print(f"   {full.seconds:6.1f} s (CPU {full.cpu:.1f} s), {rate:.1f} packets/s, {built} PDFs   "
          f"target >= 20 packets/s: {verdict(rate >= 20)}")
    together = full.tree_mb if full.tree_mb is not None else full.peak_mb
    print(f"   peak memory: {memory(full)}   target <= 300 MB for all together: {verdict(together <= 300)}")
    again = median_run([*BUILD, *map(str, folders), "--out", str(out)], 3)
    print(f"   unchanged class rebuild: {again.seconds:.2f} s (median of 3)   target <= 0.3 s: "
          f"{verdict(again.seconds <= 0.3)}")


def bench_preview(work: Path, repeat: int) -> None:
    """`preview` of one writer after a build (warm: run once first), then after an edit
    of that writer's notes, when the packet must be laid out again."""
    app, out = work / "sample", work / "preview-out"
    preview = [sys.executable, "-m", "packetbuilder", "preview", str(app), "--writer", "chen", "--out", str(out)]
    print(f"\n5. preview of one writer, 800 px wide (median of {repeat}, after one run to warm the disk cache)")
    if shutil.which("pdftoppm") is None:
        print("   pdftoppm not installed: skipped (apt-get install poppler-utils)")
        return
    run([*BUILD, str(app), "--writer", "chen"])
    run(preview)
    current = median_run(preview, repeat)
    print(f"   the build's PDF current   {current.seconds:5.2f} s (CPU {current.cpu:.2f} s)   target <= 1 s: "
          f"{verdict(current.seconds <= 1)}")
    notes = app / "notes" / "chen.md"
    stale = []
    for number in range(repeat):
        notes.write_text(notes.read_text("utf-8") + f"\n- Edit {number}.\n", "utf-8")
        stale.append(run(preview))
    laid_out = median_of(stale)
    print(f"   after an edit (laid out)  {laid_out.seconds:5.2f} s (CPU {laid_out.cpu:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--students", type=int, default=50, help="applications in the generated class (50)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing, the median is shown (5)")
    args = parser.parse_args()
    print(f"packetbuilder bench — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f} at start, CPUs free for this run: {parallel_capacity():.1f}\n")
    with tempfile.TemporaryDirectory(prefix="pb-bench-") as temp:
        work = Path(temp)
        bench_sample(work, args.repeat)
        bench_writers(work, args.repeat)
        bench_class(work, args.students)
        bench_preview(work, args.repeat)
    for number, script in enumerate(sorted(ROOT.glob("scripts/bench_*.py")), 6):
        print(f"\n{number}. {script.relative_to(ROOT)}", flush=True)
        subprocess.run([sys.executable, str(script)], cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
