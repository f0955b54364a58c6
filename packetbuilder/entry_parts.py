"""Recognising the parts of a CV entry's first line: title, the rest of the line, dates.

Word CVs and Markdown CVs write an entry's first line the same few ways —
``**Sub-internship in Surgery**, Northfield Hospital, July 2026`` or a ``### Title``
heading with ``Northfield Hospital · July 2026`` under it — and the fitter and the
writers need its parts: the dates order "oldest first" by what an entry's *end* date
is (not where it stands in the file), and the title is what a report names. Pure text
work over the model; the Markdown reader calls :func:`with_parts` on every entry.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .model import DateSpan, Entry, Heading, Paragraph, YearMonth, plain

_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_SEASONS = {"spring": 3, "summer": 6, "fall": 9, "autumn": 9, "winter": 12}
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
          r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_SEASON = r"(?:spring|summer|fall|autumn|winter)"
_YEAR = r"(?:19|20)\d{2}"
_DAYS = r"(?:\d{1,2}(?:\s*[–—-]\s*\d{1,2})?,?\s+)"
# One date: "July 2026", "June 1–28, 2026", "Summer 2025", "03/2024", "07/06/2026", "2022".
_POINT = rf"(?:(?:{_MONTH}|{_SEASON})\s+{_DAYS}?{_YEAR}|(?:0?[1-9]|1[0-2])/(?:(?:0?[1-9]|[12]\d|3[01])/)?{_YEAR}|{_YEAR})"
_OPEN = r"(?:present|current|now|ongoing|today)"
_DASH = r"\s*(?:–|—|-|to|until)\s*"
# A range's start may leave its year (and its day) to the end: "Jan – Mar 2025", "January 6 – December 19, 2025".
_RANGE = re.compile(rf"(?<![\w/])(?P<a>{_POINT}|(?:{_MONTH}|{_SEASON})(?:\s+\d{{1,2}})?){_DASH}(?P<b>{_POINT}|{_OPEN})"
                    r"(?![\w/])", re.IGNORECASE)
_SINGLE = re.compile(rf"(?<![\w/]){_POINT}(?![\w/])", re.IGNORECASE)
_YEAR_IN = re.compile(_YEAR)
_AND = re.compile(r"\s*(?:,|and|&|,\s*and)\s*", re.IGNORECASE)  # between dates listed one after another
# A bold lead that is the applicant's own name in an author list names no entry: a
# citation has no title line of its own. APA puts the surname first ("**Łukasiewicz, Z.**,
# Okeke, A. N., …", "**Chen, M. J.**"), which no title does. Vancouver/AMA ("**Nguyen A**,
# Patel R, …") and initials first ("**M. Quintero-Baptiste**, K. Oduya, …") also look
# like titles ("**Volunteer EMT**", "**B.S. in Biology**"), so those count only when
# another author follows.
_SURNAME = r"[^\W\d_][\w'’-]*(?: [^\W\d_][\w'’-]*)?"
_INITIALS = r"(?:[A-Z]\.[ -]?){1,3}"
_APA = re.compile(rf"^{_SURNAME},? [A-Z]\.(?:[ -]?[A-Z]\.){{0,2}}$")
_VANCOUVER = re.compile(rf"^{_SURNAME} [A-Z]{{1,3}}$")
_INITIALS_FIRST = re.compile(rf"^{_INITIALS} ?{_SURNAME}$")
_NEXT_AUTHOR = re.compile(rf"^,\s*(?:&\s*|and\s+)?(?:{_INITIALS} ?[^\W\d_]|{_SURNAME},? (?:[A-Z]{{1,3}}\b|[A-Z]\.))")


def _is_author(lead: str, rest: str) -> bool:
    return bool(_APA.match(lead) or ((_VANCOUVER.match(lead) or _INITIALS_FIRST.match(lead))
                                     and _NEXT_AUTHOR.match(rest)))


_LEAD = re.compile(r"^[\s,;:·|—–-]+")
_TRAIL = re.compile(r"[\s,;:·|—–(-]+$")


def _month(text: str) -> int:
    word = text.strip().lower()
    for number, name in enumerate(_MONTH_NAMES, 1):
        if word.startswith(name):
            return number
    return next((m for s, m in _SEASONS.items() if word.startswith(s)), 0)


def _point(text: str, year: int | None = None) -> YearMonth:
    """(year, month) of one written date; a bare month takes ``year`` (the range's end)."""
    found = _YEAR_IN.search(text)
    if "/" in text and found:
        return int(found.group()), int(text.split("/")[0])
    return (int(found.group()) if found else year or 0), _month(text) if not text[:1].isdigit() else 0


def find_dates(text: str) -> tuple[DateSpan, int, int] | None:
    """The first date range in the text, else its last single date, with where it stands.

    Ranges: ``2023–2027``, ``Sept 2018 – June 2022``, ``Jan – Mar 2025``, ``2024–present``.
    A single date is taken from the end, since a first line closes with its dates.
    """
    m = _RANGE.search(text)
    if m:
        end_text = m.group("b")
        end = None if re.fullmatch(_OPEN, end_text, re.IGNORECASE) else _point(end_text)
        start = _point(m.group("a"), end[0] if end else None)
        if start[0]:
            return DateSpan(m.group().strip(), start, end), m.start(), m.end()
    singles = list(_SINGLE.finditer(text))
    if not singles:
        return None
    first = last = len(singles) - 1
    while first and _AND.fullmatch(text, singles[first - 1].end(), singles[first].start()):
        first -= 1  # "Summer 2021 and Summer 2022": both, not the last with "Summer 2021 and" left behind
    start, end = singles[first].start(), singles[last].end()
    span = DateSpan(text[start:end].strip(), _point(singles[first].group()), _point(singles[last].group()),
                    listed=first < last)
    return span, start, end


def _clean(text: str) -> str:
    return _TRAIL.sub("", _LEAD.sub("", text)).strip()


def _first_line(entry: Entry) -> tuple[str, str]:
    """(title, the rest of the first line): a ``###`` heading and the paragraph after it,
    or a paragraph's bold lead and what follows it."""
    head = entry.blocks[: entry.head]
    if head and isinstance(head[0], Heading):
        rest = next((plain(b.runs) for b in head[1:] if isinstance(b, Paragraph)), "")
        return plain(head[0].runs).strip(), rest
    if head and isinstance(head[0], Paragraph):
        runs = head[0].runs
        if runs and runs[0].bold and runs[0].text.strip() and not _is_author(_clean(runs[0].text), plain(runs[1:])):
            return _clean(runs[0].text), plain(runs[1:])
        return "", plain(runs)
    return "", ""


def with_parts(entry: Entry) -> Entry:
    """The entry with ``title``, ``line`` and ``dates`` filled in where recognisable.

    ``line`` is the rest of the first line up to and including its dates, or up to the
    end of its first sentence, so a description written on the same line stays out.
    """
    title, rest = _first_line(entry)
    sentence = re.split(r"(?<=[a-z0-9)])\.\s+(?=[A-Z])", rest, maxsplit=1)[0]
    found = find_dates(sentence) or find_dates(rest) or (find_dates(title) if title else None)
    line = sentence
    if found is not None and found[0].text in sentence:
        span, _, end = found
        line = sentence[:end]
        line = line[: line.rfind(span.text)] + line[line.rfind(span.text) + len(span.text):]
    return replace(entry, title=title, line=_clean(line)[:200], dates=found[0] if found else None)
