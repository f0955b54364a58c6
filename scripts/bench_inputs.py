"""`make bench`: reading one large input costs time in proportion to its size.

For each shape of a hostile paragraph (open brackets, images, brackets nested
thousands deep, `<` and `&`, plain words) it reads CVs whose one paragraph grows from
2,500 to 19,000 characters (under the 20,000 a paragraph may hold) and prints the
milliseconds of ``read_cv`` and their ratio to the smallest: doubling the paragraph
should about double the time, never quadruple it. Then a CV of ten times the largest
CV of the corpus is read. Not a test: nothing fails on a slow machine.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from packetbuilder.markdown import read_cv  # noqa: E402

SHAPES = {"open brackets": "[a", "images": "![", "nested brackets": None, "less-than": "<a", "ampersands": "&a",
          "emphasis": "*a", "words": "heart failure "}
SIZES = (2_500, 5_000, 10_000, 19_000)


def paragraph(atom: str | None, size: int) -> str:
    if atom is None:
        return "[" * (size // 2) + "]" * (size // 2)
    return (atom * size)[:size]


def ms(text: str) -> float:
    start = time.perf_counter()
    read_cv(text)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    print("read_cv of one paragraph, ms (× the smallest):", ", ".join(f"{n:,} chars" for n in SIZES))
    for name, atom in SHAPES.items():
        times = [ms(f"## A\n\n- {paragraph(atom, size)}\n") for size in SIZES]
        print(f"  {name:16}" + "".join(f"{t:9.0f} ({t / times[0]:4.1f}×)" for t in times))
    largest = max((p.read_text("utf-8") for p in (ROOT / "tests" / "corpus").glob("*/cv.md")), key=len)
    body = largest.split("\n## ", 1)[1]
    big = largest + "".join(f"\n## Part {i} " + body.replace("\n## ", f"\n## Part {i} ") for i in range(9))
    print(f"ten times the largest corpus CV ({len(big.encode()) / 1000:.0f} KB): {ms(big):.0f} ms "
          f"(the largest itself: {ms(largest):.0f} ms)")


if __name__ == "__main__":
    main()
