"""`make profile`: where a build of the sample spends its time, to find what to speed up.

Two views, each of one real build of ``samples/`` (every writer, PDF + DOCX + request
.eml, ``--force``) in one process (``--jobs 1``, so that every call is seen):

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
import os
import pstats
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
        slowest_imports(Path(temp) / "imports", args.top)
        build_profile(Path(temp) / "build", args.top)


if __name__ == "__main__":
    main()
