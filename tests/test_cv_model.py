"""The CV model: entries as people write them, their parts, and dates.

Each shape below is one a real CV takes (a Word CV exported, a `###` entry with bullets,
nested bullets at two or four spaces); every detail must land in its own entry.
"""

from __future__ import annotations

import pytest

from packetbuilder.entry_parts import find_dates
from packetbuilder.errors import InputError
from packetbuilder.markdown import read_cv, read_notes
from packetbuilder.model import BulletList, Entry, Heading, Paragraph, block_text, plain
from packetbuilder.render.flatten import entry_lines


def entries(text: str, section: int = 0) -> list[Entry]:
    return [b for b in read_cv(text).sections[section].blocks if isinstance(b, Entry)]


HEADING_SHAPE = """## Clinical Experience

### Sub-internship in Surgery
Northfield Hospital, July 2026
- First assist on 31 cases
- Took call every fourth night

### Surgery Clerkship
Northfield Hospital, Jan – Mar 2025

Honors. Shelf exam 88th percentile.

- Presented at M&M
"""


def test_a_heading_entry_owns_its_paragraphs_and_lists() -> None:
    first, second = entries(HEADING_SHAPE)
    assert first.title == "Sub-internship in Surgery"
    assert first.line == "Northfield Hospital"
    assert first.dates is not None and first.dates.start == (2026, 7)
    assert first.head == 2 and len(first.details) == 1
    assert "First assist on 31 cases" in block_text(first.details)
    assert "Took call every fourth night" in block_text(first.details)
    assert "Shelf exam" in second.text and "Presented at M&M" in second.text
    assert first.condensed().blocks == first.blocks[:2]


@pytest.mark.parametrize("indent", ["  ", "   ", "    ", "\t"])
def test_nested_bullets_are_details_whatever_the_indent(indent: str) -> None:
    text = (f"## Research\n\n- **Registry study**, Haddad Lab, 2024–present\n{indent}- Built the pipeline\n"
            f"{indent}- Wrote the protocol\n- **Chart review**, QI program, 2023\n")
    first, second = entries(text)
    assert first.title == "Registry study" and second.title == "Chart review"
    assert isinstance(first.details[0], BulletList) and len(first.details[0].items) == 2
    assert first.dates is not None and first.dates.end is None
    assert not second.details


def test_bullets_right_under_a_first_line_are_its_details() -> None:
    """No blank line between a `###` entry's line and its bullets (as people type it)."""
    text = "## Clinical\n\n### Away rotation\nValley Medical Center, 03/2024\n- Ran the trauma bay\n"
    (entry,) = entries(text)
    assert entry.dates is not None and entry.dates.start == (2024, 3)
    assert "Ran the trauma bay" in block_text(entry.details)
    assert "- Ran" not in entry.text


def test_continuation_paragraphs_belong_to_their_item() -> None:
    text = "## Leadership\n\n- **Clinic co-director**, 2024 – 2025\n\n  Led 60 volunteers.\n- **Tutor**, 2023\n"
    first, second = entries(text)
    assert "Led 60 volunteers." in block_text(first.details)
    assert second.title == "Tutor"


def test_v1_sibling_entries_after_a_heading_entry_stay_entries() -> None:
    """v1 CVs put a list of whole entries after a `###` entry: each item starts with a
    bold title and has its own dates, so they stay entries of their own."""
    text = ("## Clinical Experience\n\n### Sub-internship — Riverside\nJuly 2026 · 4 weeks.\n\n"
            "- **Medicine Clerkship**, Riverside, Jan – Mar 2025. Honors.\n"
            "- **Surgery Clerkship**, Riverside, Jul – Aug 2025. High Pass.\n")
    found = entries(text)
    assert [e.title for e in found] == ["Sub-internship — Riverside", "Medicine Clerkship", "Surgery Clerkship"]
    assert not found[0].details


def test_tags_on_sections_entries_and_details() -> None:
    text = ("## Research {: .keep }\n\n- **Study**, 2024\n    - detail {: .okafor }\n\n"
            "## Hobbies\n{: .optional }\n\n- Running {: .optional }\n")
    cv = read_cv(text)
    assert cv.sections[0].tags == {"keep"}
    assert cv.sections[0].title == "Research"
    assert "okafor" in entries(text)[0].tags
    assert "{:" not in block_text(entries(text)[0].blocks)


def test_an_entry_without_recognisable_parts_still_works() -> None:
    (entry,) = entries("## Interests\n\n- Long-distance running and choir\n")
    assert entry.title == "" and entry.dates is None and entry.text == "Long-distance running and choir"


def test_citation_leads_are_not_titles() -> None:
    (entry,) = entries("## Publications\n\n1. **Ortiz M**, Haddad S. Perinatal outcomes. *J Obstet*. 2025;12:34-40.\n")
    assert entry.title == "" and entry.dates is not None and entry.dates.start == (2025, 0)


@pytest.mark.parametrize("text, start, end", [
    ("July 2026", (2026, 7), (2026, 7)),
    ("2023–2027", (2023, 0), (2027, 0)),
    ("Sept 2018 – June 2022", (2018, 9), (2022, 6)),
    ("2024–present", (2024, 0), None),
    ("03/2024", (2024, 3), (2024, 3)),
    ("Jan – Mar 2025", (2025, 1), (2025, 3)),
    ("June 1–28, 2026", (2026, 6), (2026, 6)),
    ("Summer 2025", (2025, 6), (2025, 6)),
    ("2019 - 2023", (2019, 0), (2023, 0)),
    ("Fall 2022 to present", (2022, 9), None),
    ("January 6 – December 19, 2025", (2025, 1), (2025, 12)),
])
def test_dates(text: str, start, end) -> None:
    found = find_dates(f"Riverside Hospital, {text}. Honors.")
    assert found is not None
    assert (found[0].start, found[0].end) == (start, end)


def test_oldest_first_reads_the_end_date_not_the_file_order() -> None:
    found = entries("## Research\n\n- **A**, 2019 – 2020\n- **B**, 2024–present\n- **C**, Sept 2018 – June 2022\n")
    assert sorted(found, key=lambda e: e.dates.latest)[0].title == "A"
    assert sorted(found, key=lambda e: e.dates.latest)[-1].title == "B"


def test_a_numbered_line_in_prose_is_not_a_list() -> None:
    notes = read_notes("Setting: Ward\n\nWe met in\n2024. Then it went on.\n")
    body = notes.document.sections[0].blocks
    assert len(body) == 1 and isinstance(body[0], Paragraph)


def test_heading_entry_keeps_a_heading_first() -> None:
    (entry,) = entries("## Clinical\n\n### Elective\n\n- one\n- two\n")
    assert isinstance(entry.blocks[0], Heading) and entry.head == 1 and len(entry.details) == 1


def test_an_apa_citation_lead_is_no_title_and_keeps_its_year() -> None:
    (entry,) = entries("## Publications\n\n- **Łukasiewicz, Z.**, Okeke, A. N., & Mwangi, W. (2026). Text-message "
                       "monitoring after preeclampsia. *Contemp Clin Trials*, 141, 107522.\n")
    assert entry.title == "" and entry_lines(entry) is None  # drawn as written: "(2026)." stays whole


@pytest.mark.parametrize("lead", ["**Chen, M. J.**", "**Chen MJ**", "**Chen, M.**", "**M. Quintero-Baptiste**",
                                  "**M.J. Chen**"])
def test_author_leads_in_several_styles_are_no_titles(lead: str) -> None:
    (entry,) = entries(f"## Publications\n\n- {lead}, K. Patel. A trial. *J Med*. 2025;1:2-3.\n")
    assert entry.title == ""


def test_a_bracketed_year_mid_citation_is_not_split_out() -> None:
    (entry,) = entries("## Publications\n\n- **Odd Lead Title**, Okeke A (2026). A protocol. *Trials*, 1, 2.\n")
    assert entry_lines(entry) is None


def test_bracketed_dates_at_the_end_of_a_line_lose_their_brackets() -> None:
    (entry,) = entries("## Research\n\n- **Research Assistant**, Mwangi Lab (2019–2021)\n")
    first, dates, after = entry_lines(entry)
    assert plain(first) == "Research Assistant, Mwangi Lab" and plain(dates) == "2019–2021" and plain(after) == ""


# From 254 nested `>` on, lxml dropped the rest of the CV without a word.

def _cv_with(deep: str) -> str:
    return "# N\n\n## A\n\n- a\n\n" + deep + "\n\n## B\n\n- b\n\n## C\n\n- c\n"


@pytest.mark.parametrize("deep", [">" * 254, "> " * 31 + "x", "\n".join("  " * i + "- x" for i in range(31)),
                                  "> " + "\n> ".join("    " * i + "- x" for i in range(40))])
def test_nesting_past_the_limit_is_refused_at_its_line(deep: str) -> None:
    with pytest.raises(InputError) as caught:
        read_cv(_cv_with(deep), "cv.md")
    [problem] = caught.value.problems
    assert problem.file == "cv.md" and problem.line is not None and 7 <= problem.line <= 46
    assert "nested more than 30 levels" in problem.message and problem.fix


@pytest.mark.parametrize("deep", ["> " * 30 + "x", "\n".join("  " * i + "- x" for i in range(30))])
def test_nesting_up_to_the_limit_keeps_every_section(deep: str) -> None:
    assert [s.title for s in read_cv(_cv_with(deep)).sections] == ["A", "B", "C"]


def test_check_names_the_too_deep_line(sample) -> None:
    from click.testing import CliRunner

    from packetbuilder.cli import main

    cv = sample / "cv.md"
    text = cv.read_text("utf-8").replace("## Education", "## Education\n\n" + ">" * 300 + " quote", 1)
    cv.write_text(text, "utf-8")
    line = text.splitlines().index(">" * 300 + " quote") + 1
    result = CliRunner().invoke(main, ["check", str(sample), "--today", "2026-07-01"])
    assert result.exit_code == 2
    assert f"error: cv.md:{line}: [application.cv] nested more than 30 levels" in result.stderr


def test_dates_listed_one_after_another_are_one_span() -> None:
    (entry,) = entries("## Service\n\n- **Volunteer EMT**, County Fair, Summer 2021 and Summer 2022. First aid tent.\n")
    first, dates, after = entry_lines(entry)
    assert plain(first) == "Volunteer EMT, County Fair" and plain(dates) == "Summer 2021 and Summer 2022"
    assert (entry.dates.start, entry.dates.end) == ((2021, 6), (2022, 6)) and plain(after) == "First aid tent."


def test_a_place_in_the_title_and_on_the_next_line_is_printed_once() -> None:
    (entry,) = entries("## Clinical\n\n### Sub-internship — Tidewater Hospitals\nTidewater Hospitals, Norfolk, VA · July 2026\n")
    assert plain(entry_lines(entry)[0]) == "Sub-internship — Tidewater Hospitals, Norfolk, VA"
    (entry,) = entries("## Clinical\n\n### Clerkship — Tidewater\nTidewater Children's, Norfolk · May 2026\n")
    assert plain(entry_lines(entry)[0]) == "Clerkship — Tidewater, Tidewater Children’s, Norfolk"


@pytest.mark.parametrize("lead", ["**Volunteer EMT**", "**Charge RN**", "**B.S. in Chemistry**"])
def test_a_title_ending_in_capitals_or_starting_with_initials_is_a_title(lead: str) -> None:
    (entry,) = entries(f"## Work\n\n- {lead}, Northfield Hospital, 2019–2021\n")
    assert entry.title == lead.strip("*")


@pytest.mark.parametrize("typed, printed", [("2019 - 2023", "2019–2023"), ("2024 – present", "2024–present"),
                                            ("Jan 2025 - Dec 2025", "Jan 2025 – Dec 2025"),
                                            ("June 1–28, 2026", "June 1–28, 2026")])
def test_the_date_column_sets_ranges_one_way(typed: str, printed: str) -> None:
    (entry,) = entries(f"## Work\n\n- **Research Assistant**, Mwangi Lab, {typed}\n")
    assert plain(entry_lines(entry)[1]) == printed
