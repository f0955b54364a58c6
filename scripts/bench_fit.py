"""`make bench`: what fitting a packet to its page limit costs, in layouts and milliseconds.

For each page limit (2, 3, 4) a generated application with five writers has a CV of
three times the limit in pages of content. Per writer it prints the packet's pages
before and after fitting, what went, the full layouts the fit cost, and the median
milliseconds of a whole fit (as ``build`` runs it: fit, then the cover sheet's page
numbers) in one warm process. One layout of the untrimmed packet, by a fresh
typesetter, is timed too: a fit's first layout costs that much, and the ones after it
far less, as they reuse its paragraphs' line breaks. A writer whose protected entries alone exceed the limit is
named and left out of the averages. Not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from appgen import write_application  # noqa: E402  (the tests' generator of applications)

from packetbuilder.build import build_packet  # noqa: E402
from packetbuilder.fit import TooLong  # noqa: E402
from packetbuilder.packet import assemble  # noqa: E402
from packetbuilder.render.pdf import layout  # noqa: E402
from packetbuilder.sources import load_application  # noqa: E402


def median_ms(action, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def bench_limit(work: Path, limit: int, repeat: int) -> list[tuple[int, float]]:
    app = load_application(write_application(work / f"limit-{limit}", pages=3 * limit, page_limit=limit))
    page_size = app.config.application.page_size
    print(f"\npage_limit = {limit}, a CV of about {3 * limit} pages of content, {len(app.config.writers)} writers")
    print(f"   {'writer':<8} {'untrimmed':>9} {'fitted':>6} {'entries cut':>11} {'layouts':>7} {'fit ms':>7} "
          f"{'1 layout ms':>11}")
    rows = []
    for writer in app.config.writers:
        one, _ = median_ms(lambda: layout(assemble(app, writer), page_size), repeat)
        try:
            ms, (_, fitted) = median_ms(lambda: build_packet(app, writer), repeat)
        except TooLong:  # what may not be cut (a research mentor's publications) exceeds the limit
            print(f"   {writer.id:<8} {'':>9} {'too long: what may not be cut exceeds the limit':>48}")
            continue
        cut = sum(len(c.entries) for c in fitted.cuts)
        print(f"   {writer.id:<8} {fitted.untrimmed_pages:>9} {fitted.pages:>6} {cut:>11} {fitted.layouts:>7} "
              f"{ms:>7.0f} {one:>11.0f}")
        rows.append((fitted.layouts, ms))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per timing, the median is shown (3)")
    args = parser.parse_args()
    print(f"fit bench — {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average {os.getloadavg()[0]:.1f} at start")
    with tempfile.TemporaryDirectory(prefix="pb-bench-fit-") as temp:
        work = Path(temp)
        warm = load_application(write_application(work / "warm", pages=1))
        build_packet(warm, warm.config.writers[0])  # imports, fonts and styles load once, untimed
        rows = [row for limit in (2, 3, 4) for row in bench_limit(work, limit, args.repeat)]
    layouts = [r[0] for r in rows]
    print(f"\nover {len(rows)} fits: {statistics.mean(layouts):.1f} layouts per fit on average, at most "
          f"{max(layouts)}; {statistics.median(r[1] for r in rows):.0f} ms per writer (median)")


if __name__ == "__main__":
    main()
