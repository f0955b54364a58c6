"""`check` explains CV Markdown that does not follow the conventions, with the rewrite."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.cli import main
from packetbuilder.cv_hints import cv_rules
from packetbuilder.errors import InputError
from packetbuilder.sources import load_application

from conftest import SAMPLES

# What `pandoc cv.docx -t gfm` makes of a typical Word CV: Heading 1 for sections, a
# bold line for another, one paragraph per entry.
FROM_WORD = """JANE Q. DOE

jane@example.edu \\| 555-0100

# Education

Doctor of Medicine, Example University School of Medicine, 2023–2027

B.S. Biology, State University, 2019–2023

**CLINICAL EXPERIENCE**

**Sub-internship, Internal Medicine**, County Hospital, July 2026

-   Volunteer, free clinic
"""


def test_section_titles_that_are_not_level_two_headings_get_their_rewrite() -> None:
    titles, paragraphs = cv_rules(FROM_WORD, "cv.md")
    assert (titles.level, titles.subject) == ("warning", "cv.md:5")
    assert "2 section titles are not a `##` heading (lines 5, 11)" in titles.message
    assert titles.fix == ("rewrite each as a `##` heading: line 5 `# Education` → `## Education`; "
                          "line 11 `**CLINICAL EXPERIENCE**` → `## CLINICAL EXPERIENCE`")
    assert paragraphs.subject == "cv.md:7"
    assert paragraphs.message.startswith("3 CV entries are plain paragraphs")
    assert "e.g. line 7: `- Doctor of Medicine, Example University School of Medicine…`" in paragraphs.fix
    assert "`### Title`" in paragraphs.fix


def test_the_conventions_raise_nothing() -> None:
    assert cv_rules((SAMPLES / "cv.md").read_text(encoding="utf-8"), "cv.md") == []
    conventional = """# Jane Doe

jane@example.edu

## Research

### Readmission registry {: .okafor }
Built the cleaning pipeline.

A second paragraph of the same entry.

- **Poster**, SGIM, 2026
  continued on the next line

  a loose list item's second paragraph

## HONORS

1. **AOA**, 2026

```
## not a heading
Plain text in code
```
"""
    assert cv_rules(conventional, "cv.md") == []


@pytest.mark.parametrize("line", ["**Sub-internship, Internal Medicine**", "**Clerkship 2025**",
                                  "USMLE STEP 1: PASS", "**A title that is much too long to be a heading**"])
def test_bold_or_capital_entries_are_not_taken_for_section_titles(line: str) -> None:
    findings = cv_rules(f"# Jane\n\n## Clinical\n\n{line}\n", "cv.md")
    assert [f.message.split(";")[0] for f in findings] == ["1 CV entry is plain paragraphs"]


def test_a_cv_without_sections_fails_to_load_with_the_rewrite(sample: Path) -> None:
    (sample / "cv.md").write_text(FROM_WORD, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_application(sample)
    [problem] = [p for p in caught.value.problems if p.file == "cv.md"]
    assert problem.message == "has no `## Section` headings"
    assert problem.fix.startswith("rewrite each as a `##` heading: line 5 `# Education` → `## Education`")


def test_check_prints_the_hint(sample: Path) -> None:
    text = (sample / "cv.md").read_text(encoding="utf-8")
    (sample / "cv.md").write_text(text.replace("## Teaching\n\n- **Anatomy", "## Teaching\n\n**Anatomy"),
                                  encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(sample), "--today", "2026-08-01"])
    output = " ".join(result.output.split())  # check wraps long lines
    assert "1 CV entry is plain paragraphs" in output
    assert "`- **Anatomy teaching assistant**, 2024." in output


def test_a_paragraph_after_a_heading_entrys_bullets_is_still_that_entry() -> None:
    """v2: a ### entry owns its lists and the paragraphs after them, up to the next heading."""
    text = "## Clinical\n\n### Sub-internship\nNorthfield, July 2026\n\n- First assist\n\nHonors.\n"
    assert cv_rules(text, "cv.md") == []
