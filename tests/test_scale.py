"""The size of one input. A 1 MB single line or a 20 MB cv.md took
over 300 s to build and 600 s to `check`; the time went in laying out one huge
paragraph again at every page it was split over. What no CV holds is now refused at
once, with the size and the limit; what a CV can hold (here ten times the largest CV
of the corpus) is still read and checked. Speed is measured by scripts, not here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.cli import main
from packetbuilder.errors import InputError
from packetbuilder.markdown import MAX_BLOCK, read_cv
from packetbuilder.model import plain
from packetbuilder.sources import load_application
from packetbuilder.textfiles import MAX_TEXT_BYTES

CORPUS = Path(__file__).resolve().parent / "corpus"
WORDS = "lorem ipsum dolor sit amet heart failure consectetur 2019 adipiscing "


def largest_corpus_cv() -> str:
    return max((p.read_text("utf-8") for p in CORPUS.glob("*/cv.md")), key=len)


def check(folder: Path):
    return CliRunner().invoke(main, ["check", str(folder), "--today", "2026-07-01"], env={"NO_COLOR": "1"})


def test_a_cv_larger_than_any_cv_is_refused_with_its_size_and_the_limit(sample: Path) -> None:
    line = "- " + WORDS + "\n"
    (sample / "cv.md").write_text("## Education\n\n" + line * (20_000_000 // len(line)), "utf-8")
    result = check(sample)
    assert result.exit_code == 2, result.output
    assert re.search(r"^error: cv\.md: \[application\.cv\] is 20\.0 MB, larger than a CV, statement or notes file "
                     r"\(at most 1\.0 MB\) — ", result.stderr, re.M), result.stderr


def test_a_line_longer_than_any_entry_is_refused_at_its_line(sample: Path) -> None:
    cv = sample / "cv.md"
    text = cv.read_text("utf-8").replace("## Education", "## Education\n\n- " + (WORDS * 14_000)[:1_000_000], 1)
    cv.write_text(text, "utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if len(row) > 100_000)
    result = check(sample)
    assert result.exit_code == 2, result.output
    assert re.search(rf"^error: cv\.md:{line}: \[application\.cv\] a paragraph of 9\d\d,\d\d\d characters", result.stderr,
                     re.M), result.stderr
    assert f"at most {MAX_BLOCK:,}" in result.stderr


@pytest.mark.parametrize("shape", ["one line", "short lines"])
def test_the_paragraph_limit_is_on_the_text_not_on_how_it_is_broken(shape: str) -> None:
    text = "## A\n\n" + ("" if shape == "one line" else "\n").join(WORDS for _ in range(400))
    with pytest.raises(InputError) as caught:
        read_cv(text, "cv.md")
    [problem] = caught.value.problems
    assert problem.line == 3 and "characters" in problem.message


def test_ten_times_the_largest_realistic_cv_is_read_and_checked(sample: Path) -> None:
    largest = largest_corpus_cv()
    body = largest.split("\n## ", 1)[1]
    big = largest + "".join(f"\n## Part {i} " + body.replace("\n## ", f"\n## Part {i} ") for i in range(9))
    assert 10 * len(largest) * 0.9 < len(big.encode()) < MAX_TEXT_BYTES
    (sample / "cv.md").write_text(big, "utf-8")
    assert len(load_application(sample).cv.sections) > 9 * len(read_cv(largest).sections)
    result = check(sample)
    assert result.exit_code in (0, 1) and "error: cv.md" not in result.stderr, result.output


@pytest.mark.parametrize("atom", ["[a", "![", "[", "]["])
def test_a_paragraph_of_open_brackets_stays_text(atom: str) -> None:
    """Python-Markdown looks for each `[`'s closing bracket to the end of the paragraph, so
    19,000 characters of `[a` took 41 s to check, and of `![` 50 s; such a paragraph's
    brackets are now read as text (see ``scripts/bench_inputs.py`` for the times)."""
    line = (atom * 19_000)[:19_000]
    cv = read_cv(f"## A\n\n- {line}\n- a [link](https://example.org/x) and [b]\n")
    first, second = (entry.blocks[0] for entry in cv.sections[0].blocks)
    assert "\\" not in plain(first.runs) and plain(first.runs).count("[") == line.count("[")
    assert [run.href for run in second.runs if run.href] == ["https://example.org/x"]
    assert plain(second.runs) == "a link and [b]"


def test_nested_brackets_far_past_any_link_stay_text() -> None:
    line = "[" * 9_000 + "a" + "]" * 9_000
    [entry] = read_cv(f"## A\n\n- {line}\n").sections[0].blocks
    assert plain(entry.blocks[0].runs) == line
