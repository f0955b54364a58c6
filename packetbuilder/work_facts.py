"""The notes' facts about the work with one writer, in shapes prose can use.

``Setting:``, ``Dates:``, ``Weeks:``, ``Patients:``, ``Learned:`` and ``Why:`` are free
text: "5–7 per shift, 12 shifts", "part-time over 2 years", "Dr. Lee taught me to ask
what matters most." Spliced into a sentence as written, they make sentences a writer
would wince at ("when I cared for 5–7 per shift"). Each is read here into a known shape
— a date phrase, a number of weeks, a noun phrase of patients, a phrase or a whole
sentence — or left out of sentences, to be shown as a labelled fact where its grammar
is unknown. Pure: text and a reference date in, phrases out.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .entry_parts import find_dates
from .formatting import typographic
from .model import DateSpan

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                "twelve")
_WEEKS = re.compile(r"^(?:about |around |~)?(\d{1,3})(?:\s*weeks?)?$", re.IGNORECASE)
_PATIENTS = re.compile(r"^(?:about |around |up to |~)?\d+(?:\s*[–-]\s*\d+)?\s+(?:new\s+|hospitalized\s+|"
                       r"inpatients?|outpatients?)?patients?\b", re.IGNORECASE)
# A phrase's first words that are not a name, so they may be lower-cased inside a sentence.
_PHRASE_STARTS = frozenset("how what when why where which that to the a an not never always "
                           "listening asking being taking making writing talking working".split())


@dataclass(frozen=True)
class WorkFacts:
    """What the notes say about the work together, each as prose can use it ("" when unknown)."""

    setting: str = ""  # a noun phrase, no leading article: "Sub-internship in Internal Medicine, Riverside"
    dates: DateSpan | None = None
    when: str = ""  # "in July 2026", "from August 2023 to May 2026", "since June 2024"
    months: int = 0  # how long the dates span, in months (0: unknown)
    weeks: str = ""  # "4 weeks", when Weeks is a number
    patients: str = ""  # a noun phrase that starts with a count of patients, else ""
    learned: str = ""  # a phrase that follows "You taught me …"
    learned_sentence: str = ""  # Learned written as a whole sentence, used as one
    why: str = ""  # the student's own words on why they ask this writer, as one or more sentences

    @property
    def span(self) -> str:
        """How long the work went on, as words: "two years", "a year", "four months", "4 weeks"."""
        if self.months >= 18:
            return f"{number(round(self.months / 12))} years"
        if self.months >= 10:
            return "a year"
        if self.months >= 2:
            return f"{number(self.months)} months"
        return self.weeks


def number(n: int) -> str:
    """Small numbers as words, as prose writes them."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 entry", "3 entries": a count with its noun."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def _month_year(point: tuple[int, int]) -> str:
    year, month = point
    return f"{MONTHS[month - 1]} {year}" if month else str(year)


def date_phrase(span: DateSpan | None) -> str:
    """ "in July 2026", "from June to August 2025", "from August 2023 to May 2026", "since 2024"."""
    if span is None or not span.start[0]:
        return ""
    start = _month_year(span.start)
    if span.end is None:
        return f"since {start}"
    if span.end == span.start:
        return f"in {start}"
    if span.end[0] == span.start[0] and span.start[1] and span.end[1]:
        return f"from {MONTHS[span.start[1] - 1]} to {_month_year(span.end)}"
    return f"from {start} to {_month_year(span.end)}"


def span_months(span: DateSpan | None, today: dt.date) -> int:
    """How many months the dates cover (an ongoing span runs to ``today``); 0 when unknown."""
    if span is None or not span.start[0]:
        return 0
    end = span.end or (today.year, today.month)
    start_month, end_month = span.start[1] or 1, end[1] or 12
    return max(0, (end[0] - span.start[0]) * 12 + end_month - start_month + 1)


def weeks_phrase(weeks: str) -> str:
    """ "4" or "4 weeks" → "4 weeks"; anything else (a sentence of its own) → ""."""
    m = _WEEKS.match(weeks.strip())
    if not m:
        return ""
    n = int(m.group(1))
    return plural(n, "week")


def sentence(text: str) -> str:
    """Text as one or more whole sentences: a capital first, a full stop last."""
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" or text.endswith(("\u201d", '"')) and text[-2:-1] in ".!?" else text + "."


def _is_sentence(text: str) -> bool:
    """Written as a whole sentence: it ends as one and has a verb-like length, or its
    first word is a name or "I" (Dr. Lee taught me …)."""
    words = text.split()
    return len(words) >= 4 and text.rstrip()[-1:] in ".!?" and not (words[0].lower() in _PHRASE_STARTS
                                                                     and not text[0].isupper())


def learned_parts(text: str) -> tuple[str, str]:
    """(phrase, sentence): what was learned, as a phrase for "You taught me …", or, when
    it is written as a whole sentence, as that sentence."""
    text = " ".join(text.split())
    if not text:
        return "", ""
    if _is_sentence(text) and text.split()[0].lower() not in _PHRASE_STARTS:
        return "", sentence(text)
    phrase = text.rstrip(".!; ")
    first = phrase.split()[0]
    if first.lower() in _PHRASE_STARTS:
        phrase = first.lower() + phrase[len(first):]
    return phrase, ""


def _setting(text: str) -> str:
    text = " ".join(text.split()).rstrip(".;,")
    return re.sub(r"^(?:the|at the|in the|at|in)\s+", "", text, flags=re.IGNORECASE)


def work_facts(facts: dict[str, str], today: dt.date) -> WorkFacts:
    """The notes' ``Key: value`` facts in the shapes above; ``today`` ends an ongoing span."""
    get = {k: typographic(v.strip()) for k, v in facts.items()}.get
    found = find_dates(get("dates", ""))
    span = found[0] if found else None
    patients = get("patients", "").rstrip(".")
    learned, learned_sentence = learned_parts(get("learned", ""))
    return WorkFacts(setting=_setting(get("setting", "")), dates=span, when=date_phrase(span),
                     months=span_months(span, today), weeks=weeks_phrase(get("weeks", "")),
                     patients=patients if _PATIENTS.match(patients) else "", learned=learned,
                     learned_sentence=learned_sentence, why=sentence(get("why", "")))


def together_title(role: str, facts: WorkFacts) -> str:
    """The heading of the notes part, true to the role and the dates: "Our research
    together", "Our two years together" (a longitudinal mentor), "Our work together"."""
    if role == "research":
        return "Our research together"
    if role == "leadership":
        return "What I led"
    if role == "longitudinal" and facts.months >= 10:
        return f"Our {facts.span.removeprefix('a ')} together"
    return "Our work together"
