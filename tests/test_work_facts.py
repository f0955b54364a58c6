"""Notes facts read into shapes a sentence can hold, on the values that broke sentences."""

from __future__ import annotations

import datetime as dt

import pytest

from packetbuilder.formatting import typographic
from packetbuilder.work_facts import learned_parts, together_title, weeks_phrase, work_facts

TODAY = dt.date(2026, 9, 24)


@pytest.mark.parametrize("patients, phrase", [
    ("5–7 per shift, 12 shifts", ""),  # no count of patients: never after "cared for"
    ("4-6 as primary student", ""),
    ("6–8 patients per day on a general medicine ward team", "6–8 patients per day on a general medicine ward team"),
    ("about 12 new patients a week", "about 12 new patients a week"),
])
def test_patients_reach_a_sentence_only_as_a_count_of_patients(patients: str, phrase: str) -> None:
    assert work_facts({"patients": patients}, TODAY).patients == phrase


@pytest.mark.parametrize("weeks, phrase", [("4", "4 weeks"), ("80", "80 weeks"), ("1", "1 week"), ("four", "4 weeks"),
                                           ("4 weeks", "4 weeks"), ("part-time over 3 years", "")])
def test_weeks(weeks: str, phrase: str) -> None:
    assert weeks_phrase(weeks) == phrase


@pytest.mark.parametrize("dates, when", [
    ("June 1–28, 2026", "in June 2026"),
    ("June 29 – July 24, 2026", "from June 29 to July 24, 2026"),
    ("September 2023 – May 2026", "from September 2023 to May 2026"),
    ("2024–present", "since 2024"),
    ("Summer 2025", "in summer 2025"),
    ("Summer 2024 and Summer 2025", ""),  # two dates: none rather than half
    ("07/06/2026 – 07/31/2026", "from July 6 to 31, 2026"),
])
def test_dates_become_a_phrase_or_nothing(dates: str, when: str) -> None:
    assert work_facts({"dates": dates}, TODAY).when == when


def test_a_longitudinal_mentor_of_three_years_is_not_given_a_year() -> None:
    facts = work_facts({"dates": "August 2023 – May 2026"}, TODAY)
    assert facts.span == "three years" and together_title("longitudinal", facts) == "Our three years together"
    assert together_title("longitudinal", work_facts({"dates": "August 2024 – June 2025"}, TODAY)) == \
        "Our year together"
    assert together_title("longitudinal", work_facts({"dates": "July 2026"}, TODAY)) == "Our work together"
    assert together_title("research", facts) == "Our research together"


@pytest.mark.parametrize("learned, phrase, sentence, rule", [
    ("how to run a family meeting", "how to run a family meeting", "", ""),
    ("Dr. Lee taught me to ask what matters most to the patient.", "", "You taught me to ask what matters most to "
                                                                       "the patient.", ""),
    ("Hannah showed me how to lead a meeting.", "", "You showed me how to lead a meeting.", ""),
    ("teaching a skill means breaking it into steps", "that teaching a skill means breaking it into steps", "", ""),
    ("Test the fixture before you test the knee.", "", "", "Test the fixture before you test the knee."),
    ("I learned to write the figure legends first.", "", "I learned to write the figure legends first.", ""),
    ("patience with families", "patience with families", "", ""),
])
def test_learned_in_the_shape_it_is_written_in(learned: str, phrase: str, sentence: str, rule: str) -> None:
    assert learned_parts(learned, ("Dr. Lee", "Lee", "Hannah")) == (phrase, sentence, rule)


def test_why_is_kept_as_written_and_made_a_sentence() -> None:
    facts = work_facts({"why": "you saw me grow over a year of clinic"}, TODAY)
    assert facts.why == "You saw me grow over a year of clinic."


def test_typed_quotes_are_typeset() -> None:
    assert typographic("Dr. O'Neil said \"yes\"") == "Dr. O’Neil said “yes”"
    assert typographic("the patients' rights") == "the patients’ rights"


def test_dates_listed_are_no_span_of_time() -> None:
    facts = work_facts({"dates": "Summer 2024 and Summer 2025"}, TODAY)
    assert facts.when == "" and facts.months == 0 and together_title("longitudinal", facts) == "Our work together"
