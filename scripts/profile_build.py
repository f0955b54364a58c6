"""`make profile`: where a build of the sample spends its time, to find what to speed up.

Views, each of one real build of ``samples/`` (every writer, PDF + DOCX + request
.eml, ``--force``) in one process (``--jobs 1``, so that every call is seen):

  0. wall time by phase, in a fresh process: imports, reading and hashing the folder,
     each writer, the report and manifest; and the start-up share, what the first
     packet cost beyond a warm rebuild of it plus everything before it, which is what
     a build pays before its packets and is compared with the import floor;
  1. start-up: the slowest imports by their own time, from ``python -X importtime``;
  2. the build: cProfile's functions with the most time of their own;
  3. the packetbuilder functions with the most time including what they call.

cProfile slows small Python calls more than C calls, so read its shares as pointers
to look at, and check a change with ``make bench``. Not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run in a fresh child: the build as the command runs it, with a mark (wall, CPU) at
# each phase; then the first writer again, warm, as the build's first writer (no
# paragraphs kept), to tell its own work from what only the first packet pays.
PHASES = """
import time
wall0, cpu0 = time.perf_counter(), time.process_time()
marks = []
def mark(what):
    marks.append((what, time.perf_counter() - wall0, time.process_time() - cpu0))
import contextlib, io, json, sys
import packetbuilder.cli as cli
mark("import the command line")
import packetbuilder.build as build
mark("import build (config, readers, fit, mail)")
def timed(name, label):
    real = getattr(build, name)
    def wrapper(*args, **kwargs):
        result = real(*args, **kwargs)
        mark(label(args) if callable(label) else label)
        return result
    setattr(build, name, wrapper)
build_writer = build.build_writer
timed("_plan", "read the folder, hash inputs, plan")
timed("build_writer", lambda args: "writer " + args[1].id)
timed("_finish", "report and manifest")
folder, out, jobs = sys.argv[1:4]
with contextlib.redirect_stdout(io.StringIO()):
    try:
        cli.main(["build", folder, "--out", out, "--force", "--jobs", jobs])
    except SystemExit as stopped:
        assert not stopped.code, stopped.code
mark("exit")
from packetbuilder.sources import load_application
app = load_application(build.Path(folder))
build.typesetter_for.cache_clear()
start = time.perf_counter()
build_writer(app, app.config.writers[0], build.Path(out), build.FORMATS)
print(json.dumps({"marks": marks, "warm_first": time.perf_counter() - start}))
"""


def phase_times(folder: Path, out: Path, jobs: int = 1) -> dict:
    """One build of ``folder`` in a fresh process: its marks and the warm first writer."""
    done = subprocess.run([sys.executable, "-c", PHASES, str(folder), str(out), str(jobs)], capture_output=True,
                          text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def start_up_share(times: dict) -> float:
    """Seconds a build spends before its packets: up to the end of the first writer,
    less what a warm rebuild of that writer costs."""
    first = next(wall for what, wall, _ in times["marks"] if what.startswith("writer "))
    return first - times["warm_first"]


def wall_phases(out: Path) -> None:
    times = phase_times(ROOT / "samples", out)
    print("0. Wall time by phase, one build in a fresh process (--jobs 1; wall and CPU seconds, each phase)")
    previous = (0.0, 0.0)
    for what, wall, cpu in times["marks"]:
        print(f"   {what:<42} {wall - previous[0]:6.3f} s  (CPU {cpu - previous[1]:.3f} s)")
        previous = (wall, cpu)
    print(f"   the first writer again, warm                {times['warm_first']:6.3f} s")
    print(f"   start-up share (before the packets)         {start_up_share(times):6.3f} s\n")


def slowest_imports(out: Path, top: int) -> None:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "packetbuilder", "build", str(ROOT / "samples"),
                           "--out", str(out), "--force", "--jobs", "1"], capture_output=True, text=True, cwd=ROOT)
    own: Counter[str] = Counter()
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            own[match.group(2)] += int(match.group(1))
    total = sum(own.values())
    print(f"1. Start-up: {len(own)} modules imported in {total / 1000:.0f} ms (their own time, one run)")
    by_package: Counter[str] = Counter()
    for module, microseconds in own.items():
        by_package[module.split(".")[0]] += microseconds
    print("   by package:  " + ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in by_package.most_common(top // 2)))
    print("   by module:   " + ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in own.most_common(top // 2)))


def build_profile(out: Path, top: int) -> None:
    sys.path.insert(0, str(ROOT))
    from packetbuilder.cli import main

    profile = cProfile.Profile()
    profile.enable()
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # the build's own report
            main(["build", str(ROOT / "samples"), "--out", str(out), "--force", "--jobs", "1"])
    except SystemExit as stopped:
        if stopped.code:
            sys.exit(f"profile: the build failed ({stopped.code})")
    finally:
        profile.disable()
    stdlib = str(Path(os.__file__).parent) + "/"
    for number, title, order, only in ((2, "own time", "tottime", ()),
                                       (3, "time with callees, packetbuilder only", "cumulative", ("packetbuilder/",))):
        text = io.StringIO()
        pstats.Stats(profile, stream=text).sort_stats(order).print_stats(*only, top)
        lines = [line for line in text.getvalue().splitlines() if re.match(r"\s+\d", line) or "ncalls" in line]
        print(f"\n{number}. The build, {title} (cProfile, top {top}):")
        for line in lines:
            print("   " + line.replace(str(ROOT) + "/", "").replace(stdlib, ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=20, help="rows per table (20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pb-profile-") as temp:
        wall_phases(Path(temp) / "phases")
        slowest_imports(Path(temp) / "imports", args.top)
        build_profile(Path(temp) / "build", args.top)


if __name__ == "__main__":
    main()
