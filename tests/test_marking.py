"""Why an entry is marked for a writer: tags, co-authorship, name, setting, keywords, the cap."""

from __future__ import annotations

import pytest

from packetbuilder.marking import COAUTHOR, KEYWORD, NAMED, SETTING, TAG, keyword_pattern, mark, writer_keys
from packetbuilder.markdown import read_cv

CV = """## Research

- **Perinatal outcomes registry**, Haddad Lab for Perinatal Outcomes, 2024–present
- **Cardiac imaging pilot**, Division of Cardiology, 2023

## Publications

1. Patel R, **Ortiz M**, Haddad S. Perinatal registry outcomes. *J Obstet*. 2025;12:34-40.
2. **Ortiz M**, S. Haddad. Second paper. *Obstet Gynecol*. 2024.
3. **Ortiz M**, Haddad, S. Third paper. Poster, 2023.
4. **Ortiz M**, Haddad T. A paper by another Haddad. 2023.

## Leadership

- **Class president**, Example University School of Medicine, 2024. Led the class. {: .haddad }
- **Mentor** to first-years, mentored by Dr. Haddad, 2023
- **Art club**, 2022 {: .optional }
"""


def keys(keywords=(), setting="", name="Samira Haddad, MD", salutation="Dr. Haddad"):
    return writer_keys("haddad", name, salutation, list(keywords), setting, "Example University School of Medicine")


def reasons_by_title(marking) -> dict[str, set[str]]:
    return {(m.entry.title or m.entry.text[:30]): {r.kind for r in m.reasons} for m in marking.marked}


def test_coauthor_forms_mark_publications_and_only_the_right_initial() -> None:
    found = reasons_by_title(mark(read_cv(CV), keys()))
    pubs = [t for t, kinds in found.items() if COAUTHOR in kinds]
    assert len(pubs) == 3, found
    assert not any("another Haddad" in t for t in found)


def test_tag_setting_and_name() -> None:
    found = reasons_by_title(mark(read_cv(CV), keys(setting="Haddad Lab for Perinatal Outcomes, Example University")))
    assert found["Perinatal outcomes registry"] == {SETTING}
    assert TAG in found["Class president"]
    assert NAMED in found["Mentor"]


def test_the_applicants_school_in_a_setting_marks_nothing() -> None:
    marking = mark(read_cv(CV), keys(setting="Example University School of Medicine"))
    assert not any(r.kind == SETTING for m in marking.marked for r in m.reasons)


HOSPITAL_CV = """## Clinical Experience

- **Sub-internship in Trauma Surgery**, Lakeland University Hospitals, July 2026
- **Sub-internship in Colorectal Surgery**, Lakeland University Hospitals, June 2026
- **Internal Medicine Clerkship**, Lakeland University Hospitals, 2025
"""


@pytest.mark.parametrize("setting, marked", [
    # a group, then its place: an entry at the place shares a word of the group
    ("Trauma and Acute Care Surgery sub-internship, Lakeland University Hospitals",
     {"Sub-internship in Trauma Surgery", "Sub-internship in Colorectal Surgery"}),
    # the place alone, or a place of its own after a dash: every entry there
    ("Lakeland University Hospitals", {"Sub-internship in Trauma Surgery", "Sub-internship in Colorectal Surgery",
                                       "Internal Medicine Clerkship"}),
    ("Rural surgery track — Lakeland University Hospitals", {"Sub-internship in Trauma Surgery",
                                                             "Sub-internship in Colorectal Surgery",
                                                             "Internal Medicine Clerkship"}),
])
def test_a_setting_place_after_its_group_marks_only_that_groups_work(setting: str, marked: set[str]) -> None:
    found = reasons_by_title(mark(read_cv(HOSPITAL_CV), keys(setting=setting)))
    assert set(found) == marked and all(kinds == {SETTING} for kinds in found.values())


@pytest.mark.parametrize("keyword, text, hit", [
    ("lead", "Leadership committee", False),
    ("lead", "Led the class; lead author", True),
    ("art", "cardiac arrest", False),
    ("trauma case", "two trauma cases a night", True),
    ("trauma cases", "one trauma case", True),
    ("study", "pilot studies", True),
    ("box", "boxes", True),
    ("QI", "a QI project", True),
    ("QI", "QIAGEN kits", False),
    ("sub-internship", "Sub-internship in Surgery", True),
    ("heart failure", "heart-failure clinic", True),
])
def test_keywords_are_whole_words_with_simple_plurals(keyword: str, text: str, hit: bool) -> None:
    assert bool(keyword_pattern(keyword).search(text)) == hit


def test_keyword_reasons_and_unmatched_keywords() -> None:
    marking = mark(read_cv(CV), keys(keywords=["registry", "lead", "nothing-here"]))
    kinds = reasons_by_title(marking)
    assert kinds["Perinatal outcomes registry"] == {KEYWORD}
    assert "Class president" in kinds  # tagged
    # "lead" is only inside "Leadership" and "Led" is another word: it matches nothing
    assert marking.unmatched_keywords == ("lead", "nothing-here")
    assert not any(r.detail == "lead" for m in marking.marked for r in m.reasons)


def test_an_optional_entry_is_not_marked_on_a_keyword_alone() -> None:
    marking = mark(read_cv(CV), keys(keywords=["art club"]))
    assert not any("Art club" in (m.entry.title or "") for m in marking.marked)


def test_the_cap_keeps_the_strongest_weak_marks() -> None:
    cv = "## Clinical\n\n" + "".join(f"- **Rotation {i}**, sepsis{' and shock' * (i % 3)}, 20{10 + i}\n"
                                     for i in range(12))
    marking = mark(read_cv(cv), keys(keywords=["sepsis", "shock"]), cap=4)
    assert len(marking.marked) == 4 and len(marking.over_cap) == 8
    assert all(len(m.reasons) == 2 for m in marking.marked)  # both keywords beat one
