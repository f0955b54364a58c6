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
# A phrase's first words that are not a name, so they may be lower-cased inside a sentence,
# and that follow "You taught me" as they are ("how to …", "to listen", "the value of …").
_PHRASE_STARTS = frozenset("how what when why where whether which that to the a an not never always".split())
_FIRST_PERSON = ("I ", "I’", "My ", "We ")
_VERBS = frozenset("is are was were means matters starts begins comes lies takes makes can should must will".split())


@dataclass(frozen=True)
class WorkFacts:
    """What the notes say about the work together, each as prose can use it ("" when unknown)."""

    setting: str = ""  # a noun phrase, no leading article: "Sub-internship in Internal Medicine, Riverside"
    dates: DateSpan | None = None
    when: str = ""  # "in July 2026", "from August 2023 to May 2026", "since June 2024"
    months: int = 0  # how long the dates span, in months (0: unknown)
    weeks: str = ""  # "4 weeks", when Weeks is a number
    patients: str = ""  # a noun phrase that starts with a count of patients, else ""
    learned: str = ""  # a phrase that follows "You taught me …" ("how to …", "that …")
    learned_sentence: str = ""  # Learned as a whole sentence to the writer ("You taught me …", "I learned …")
    learned_rule: str = ""  # Learned written as a rule or maxim ("Test the fixture first."), to be quoted
    why: str = ""  # the student's own words on why they ask this writer, as one or more sentences

    @property
    def span(self) -> str:
        """How long the work went on, as words: "two years", "a year", "four months", "4 weeks"."""
        if self.months >= 18:
            return f"{number(round(self.months / 12))} years"
        if self.months >= 10:
            return "a year"
        if self.months >= 3 and not self.weeks:
            return f"{number(self.months)} months"
        return self.weeks  # a rotation's weeks say more than the months it touches


def number(n: int) -> str:
    """Small numbers as words, as prose writes them."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def plural(n: int, one: str, many: str | None = None) -> str:
    """ "1 entry", "3 entries": a count with its noun."""
    return f"{n} {one if n == 1 else many or one + 's'}"


def _month_year(point: tuple[int, int]) -> str:
    year, month = point
    return f"{MONTHS[month - 1]} {year}" if month else str(year)


_DAY_RANGE = re.compile(r"^(?P<m1>[A-Z][a-z]+)\.? (?P<d1>\d{1,2})\s*[–—-]\s*(?P<m2>[A-Z][a-z]+)\.? (?P<d2>\d{1,2}),? "
                        r"(?P<y>(?:19|20)\d{2})$")
_NUMERIC_DAYS = re.compile(r"^(?P<m1>\d{1,2})/(?P<d1>\d{1,2})/(?P<y1>\d{4})\s*[–—-]\s*(?P<m2>\d{1,2})/(?P<d2>\d{1,2})/"
                           r"(?P<y2>\d{4})$")
_SEASON = re.compile(r"\b(spring|summer|fall|autumn|winter)\b", re.IGNORECASE)
_ANY_DATE = re.compile(r"\b(?:19|20)\d{2}\b")


def _month_name(word: str) -> str:
    return next((m for m in MONTHS if m.lower().startswith(word.lower()[:3])), word)


def date_phrase(text: str) -> str:
    """The notes' Dates as a phrase that follows a verb: "in July 2026", "from June 29 to
    July 24, 2026", "from August 2023 to May 2026", "since 2024", "in summer 2025"; "" when
    the dates are not one date or one range ("Summer 2024 and Summer 2025")."""
    text = " ".join(text.split())
    found = find_dates(text)
    if found is None:
        return ""
    span, start, end = found
    if span.listed or len(_ANY_DATE.findall(text[:start] + text[end:])):
        return ""  # more dates than one span: say none rather than half
    if m := _DAY_RANGE.match(span.text):
        if m["m1"].lower()[:3] != m["m2"].lower()[:3]:
            return f"from {_month_name(m['m1'])} {int(m['d1'])} to {_month_name(m['m2'])} {int(m['d2'])}, {m['y']}"
    if m := _NUMERIC_DAYS.match(span.text):
        first, last = (int(m["m1"]), int(m["d1"]), m["y1"]), (int(m["m2"]), int(m["d2"]), m["y2"])
        if 1 <= first[0] <= 12 and 1 <= last[0] <= 12:
            if first[0] == last[0] and first[2] == last[2]:
                return f"from {MONTHS[first[0] - 1]} {first[1]} to {last[1]}, {last[2]}"
            return f"from {MONTHS[first[0] - 1]} {first[1]}, {first[2]} to {MONTHS[last[0] - 1]} {last[1]}, {last[2]}"
    if span.end == span.start and (season := _SEASON.search(span.text)):
        return f"in {season.group(1).lower()} {span.start[0]}"
    return _span_phrase(span)


def _span_phrase(span: DateSpan) -> str:
    """ "in July 2026", "from June to August 2025", "from August 2023 to May 2026", "since 2024"."""
    if not span.start[0]:
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
    """How many months the dates cover (an ongoing span runs to ``today``); 0 when unknown,
    or when the dates are listed ("Summer 2024 and Summer 2025" is not a year)."""
    if span is None or not span.start[0] or span.listed:
        return 0
    end = span.end or (today.year, today.month)
    start_month, end_month = span.start[1] or 1, end[1] or 12
    return max(0, (end[0] - span.start[0]) * 12 + end_month - start_month + 1)


def weeks_phrase(weeks: str) -> str:
    """ "4", "four" or "4 weeks" → "4 weeks"; anything else (a sentence of its own) → ""."""
    text = weeks.strip().lower()
    words = text.split()
    if words and words[0] in NUMBER_WORDS:
        text = " ".join([str(NUMBER_WORDS.index(words[0])), *words[1:]])
    m = _WEEKS.match(text)
    if not m:
        return ""
    return plural(int(m.group(1)), "week")


def sentence(text: str) -> str:
    """Text as one or more whole sentences: a capital first, a full stop last."""
    text = " ".join(text.split())
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?…" or text.endswith(("\u201d", '"')) and text[-2:-1] in ".!?" else text + "."


def _about_the_writer(text: str, names: tuple[str, ...]) -> str:
    """A sentence that names the writer as its subject, said to them: "Dr. Lee taught me to
    ask …" → "You taught me to ask …"; "" when it does not start with their name."""
    for name in sorted((n for n in names if n), key=len, reverse=True):
        if text.startswith(name + " ") and text[len(name) + 1:][:1].islower():
            return "You " + text[len(name) + 1:]
    return ""


def learned_parts(text: str, names: tuple[str, ...] = ()) -> tuple[str, str, str]:
    """(phrase, sentence, rule): what the student learned from the writer, in the one shape
    it is written in. A phrase follows "You taught me" ("how to run a family meeting";
    a clause gets "that": "that teaching a skill means …"); a sentence about the writer is
    turned to them ("You taught me …"); a first-person sentence stays one; any other
    whole sentence is a rule, to be quoted."""
    text = " ".join(text.split())
    if not text:
        return "", "", ""
    if you := _about_the_writer(text, names):
        return "", sentence(you), ""
    words = text.split()
    whole = len(words) >= 4 and text[-1] in ".!?"
    if whole and text.startswith(_FIRST_PERSON):
        return "", sentence(text), ""
    if whole and words[0].lower() not in _PHRASE_STARTS:
        return "", "", sentence(text)
    phrase = text.rstrip(".!; ")
    words = phrase.split()
    if words[0].lower() in _PHRASE_STARTS:
        return words[0].lower() + phrase[len(words[0]):], "", ""
    # "teaching a skill means …", "teenagers manage …": a clause, which "You taught me" takes with "that"
    if len(words) >= 4 and (not words[0].lower().endswith("ing") or _VERBS.intersection(words)):
        return "that " + phrase, "", ""
    return phrase, "", ""


def _setting(text: str) -> str:
    text = " ".join(text.split()).rstrip(".;,")
    return re.sub(r"^(?:the|at the|in the|at|in)\s+", "", text, flags=re.IGNORECASE)


def work_facts(facts: dict[str, str], today: dt.date, names: tuple[str, ...] = ()) -> WorkFacts:
    """The notes' ``Key: value`` facts in the shapes above; ``today`` ends an ongoing span,
    ``names`` are how the notes may name the writer ("Dr. Lee", "Lee", "Hannah")."""
    get = {k: typographic(v.strip()) for k, v in facts.items()}.get
    dates = get("dates", "")
    found = find_dates(dates)
    span = found[0] if found else None
    patients = get("patients", "").rstrip(".")
    learned, learned_sentence, learned_rule = learned_parts(get("learned", ""), names)
    when = date_phrase(dates)
    return WorkFacts(setting=_setting(get("setting", "")), dates=span, when=when,
                     months=span_months(span, today) if when else 0, weeks=weeks_phrase(get("weeks", "")),
                     patients=patients if _PATIENTS.match(patients) else "", learned=learned,
                     learned_sentence=learned_sentence, learned_rule=learned_rule, why=sentence(get("why", "")))


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
