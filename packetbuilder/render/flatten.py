"""Document → a flat sequence of styled paragraphs that both writers draw.

Everything that is a *decision* about layout — which Word style a block takes, list
labels and numbering restarts, which paragraphs form one unbreakable entry, which are
highlighted, where the outline entries and page breaks go — is made here once, so
the PDF and DOCX writers only translate items into their library's calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import count

from ..model import (Block, BulletList, CodeBlock, Document, Entry, Fields, Heading, Paragraph, Run, Runs,
                     Section, Table, plain)

PARAGRAPH_STYLES = {"body": "Body Text", "small": "Body Text", "lead": "Lead", "note": "Quote", "name": "CV Name",
                    "contact": "CV Contact"}
MAX_DEPTH = 6  # deeper lists are drawn at this depth, so thirty-deep nesting still fits the page


@dataclass(frozen=True)
class Item:
    """One paragraph-like thing to draw, in a Word style name both writers know."""

    style: str
    runs: Runs = ()
    depth: int = 0  # list nesting: indentation steps
    label: str = ""  # "•" or "3." drawn in the hanging indent
    highlight: bool = False
    group: int = 0  # non-zero: items of one entry, kept on one page
    outline: tuple[str, int] | None = None  # (key, level) for the PDF outline
    new_page: bool = False
    list_id: int = 0  # numbered lists: a new id restarts numbering
    fields: tuple[tuple[str, tuple["Item", ...]], ...] = ()
    table: Table | None = None
    code: str = ""
    aside: Runs = ()  # an entry's dates, in a right-aligned column beside its first line
    gap_after: bool = False  # a table with text under it that is no heading: the page's table_gap between


@dataclass
class _State:
    groups: count = field(default_factory=lambda: count(1))
    lists: count = field(default_factory=lambda: count(1))


def _block_items(block: Block, state: _State, depth: int = 0, highlight: bool = False,
                 group: int = 0) -> list[Item]:
    if isinstance(block, Paragraph):
        return [Item(PARAGRAPH_STYLES.get(block.style, "Body Text"), block.runs, depth, highlight=highlight,
                     group=group)]
    if isinstance(block, Heading):
        return [Item(f"Heading {min(max(block.level, 1), 3)}", block.runs, highlight=highlight, group=group)]
    if isinstance(block, CodeBlock):
        return [Item("Code", depth=depth, highlight=highlight, group=group, code=block.text)]
    if isinstance(block, Table):
        return [Item("Body Text", depth=depth, highlight=highlight, group=group, table=block)]
    if isinstance(block, Fields):
        rows = tuple((label, tuple(i for b in value for i in _block_items(b, state))) for label, value in block.rows)
        return [Item("Body Text", fields=rows, group=group)]
    if isinstance(block, BulletList):
        return _list_items(block.items, block.ordered, state, depth, highlight, group)
    if isinstance(block, Entry):
        return _entry_items(block, state, depth)
    return []


def _labelled(items: list[Item], ordered: bool, depth: int, label: str, list_id: int, highlight: bool,
              group: int) -> list[Item]:
    """Put a list label on the first item; an empty line carries it if that item is no plain paragraph."""
    if not items or items[0].style != "Body Text" or items[0].table or items[0].fields or items[0].label:
        items.insert(0, Item("Body Text", (), depth, highlight=highlight, group=group))
    items[0] = replace(items[0], style="List Number" if ordered else "List Bullet", depth=depth, label=label,
                       list_id=list_id)
    return items


def _list_items(items, ordered: bool, state: _State, depth: int, highlight: bool, group: int) -> list[Item]:
    out: list[Item] = []
    list_id = next(state.lists) if ordered else 0
    level = min(depth + 1, MAX_DEPTH)
    for number, item in enumerate(items, 1):
        inner = [i for b in item.blocks for i in _block_items(b, state, level, highlight, group)]
        out.extend(_labelled(inner, ordered, level, f"{number}." if ordered else "•", list_id, highlight, group))
    return out


_LEADING = " ,.;:·—–-"
_TRAILING = " ,;:·—–-("


def _cut(runs: Runs, start: int, end: int) -> Runs:
    """The runs covering characters ``start:end`` of their plain text."""
    out, at = [], 0
    for run in runs:
        a, b = max(start, at), min(end, at + len(run.text))
        if a < b:
            out.append(replace(run, text=run.text[a - at:b - at]))
        at += len(run.text)
    return tuple(out)


def _strip(runs: Runs, lead: str, trail: str) -> Runs:
    text = plain(runs)
    start = len(text) - len(text.lstrip(lead))
    end = len(text.rstrip(trail))
    return _cut(runs, start, end) if start < end else ()


_RANGE_DASH = re.compile(r"(?<=\w)\s*(?:--|[-–—])\s*(?=\w)")


def _range_dash(dates: str) -> str:
    """The date column's ranges set one way whatever was typed: an en dash, closed up
    between numbers and single words ("2019 - 2023" → "2019–2023", "June 1–28, 2026",
    "2024–present"), spaced where a side is a date of several words ("Jan 2025 – Mar
    2025"), so the column reads as one list."""
    match = _RANGE_DASH.search(dates)
    if match is None or "/" in dates:  # 07/06/2026 – 07/31/2026: left as typed
        return dates
    before, after = dates[:match.start()], dates[match.end():]
    left, right = before.split()[-1], after.split()[0].rstrip(",")
    words = len(before.split()) > 1 or len(after.split("(")[0].split()) > 1
    closed = (left.isdigit() and right.isdigit()) or not words
    return before + ("–" if closed else " – ") + after


def _repeated(title: str, line: str) -> int:
    """How much of the line's start repeats the end of the title, at a phrase's edges
    (a place written in both); 0 when none does."""
    for size in range(min(len(title), len(line)), 3, -1):
        head = line[:size]
        if (title.endswith(head) and title[-size - 2:-size].strip() in ("—", "–", ",", "-", "·", "|", "")
                and line[size:size + 1] in ("", ",", ";", "·")):
            return size
    return 0


def entry_lines(entry: Entry) -> tuple[Runs, Runs, Runs] | None:
    """An entry's first line as (title and the rest of the line, its dates, what followed
    the dates on that line), for entries whose title and dates were recognised; None for
    the others (a citation, an entry without dates), which are drawn as written."""
    if entry.dates is None or not entry.title or entry.bullet == "number":
        return None
    head = entry.blocks[: entry.head]
    if isinstance(head[0], Heading):
        title = tuple(replace(r, bold=True) for r in head[0].runs)
        line = head[1].runs if len(head) > 1 and isinstance(head[1], Paragraph) else ()
    elif isinstance(head[0], Paragraph) and head[0].runs and head[0].runs[0].bold:
        title, line = head[0].runs[:1], head[0].runs[1:]
    else:
        return None
    text = plain(line)
    where = text.find(entry.dates.text)
    if where < 0:
        return None
    close = where + len(entry.dates.text)
    if text[where - 1:where] == "(" and text[close:close + 1] == ")":  # "Lab (2019–2021)": the brackets go too
        if text[close + 1:].lstrip()[:1] in tuple(".,;:"):  # "W. (2026). Title.": a citation's year stays
            return None
        close += 1
    before = _strip(_cut(line, 0, where), _LEADING, _TRAILING)
    repeated = _repeated(plain(title), plain(before))
    if repeated:  # "Sub-internship — Tidewater Hospitals" over "Tidewater Hospitals, Norfolk, VA": the place once
        before = _strip(_cut(before, repeated, len(plain(before))), _LEADING, _TRAILING)
    after = _strip(_cut(line, close, len(text)), _LEADING, " ")
    dates: Runs = (Run(_range_dash(entry.dates.text)),)
    qualifier = plain(after)
    if qualifier.startswith("(") and ")" in qualifier[:24]:  # "2023 – 2027 (expected)"
        close = qualifier.index(")") + 1
        dates = (Run(f"{_range_dash(entry.dates.text)} {qualifier[:close]}"),)
        after = _strip(_cut(after, close, len(qualifier)), _LEADING, " ")
    joiner = " " if plain(before)[:1] in "([" else ", "
    first = title + ((Run(joiner),) + before if before else ())
    if plain(after)[:1].islower():  # "…, 2024 – 2026: mentor to eight students" → "Mentor to eight students"
        after = (replace(after[0], text=after[0].text[0].upper() + after[0].text[1:]),) + after[1:]
    return first, dates, after


def _entry_items(entry: Entry, state: _State, depth: int, number: int = 0, list_id: int = 0) -> list[Item]:
    lines = entry_lines(entry) if depth == 0 else None
    if lines is not None:
        return _typeset_entry(entry, lines, state)
    group = next(state.groups)
    level = depth + (1 if entry.bullet else 0)
    items = [i for b in entry.blocks for i in _block_items(b, state, level, entry.highlight, group)]
    if entry.bullet:
        ordered = entry.bullet == "number"
        items = _labelled(items, ordered, level, f"{number}." if ordered else "•", list_id, entry.highlight, group)
    return items


def _typeset_entry(entry: Entry, lines: tuple[Runs, Runs, Runs], state: _State) -> list[Item]:
    """An entry from its parts: title and place on its first line, the dates beside it on
    the right, then what followed the dates and the details beneath, as rendercv and
    most CV designs set them."""
    group = next(state.groups)
    first, dates, after = lines
    items = [Item("Entry", first, highlight=entry.highlight, group=group, aside=dates)]
    if after:
        items.append(Item("Entry Detail", after, highlight=entry.highlight, group=group))
    for block in entry.details:
        items += _block_items(block, state, 0, entry.highlight, group)
    return items


PROSE_SECTIONS = ("statement", "goals")  # read as running text: set in "Prose", at a readable measure


def _section_items(section: Section, state: _State, level: int) -> list[Item]:
    body: list[Item] = []
    number, list_id = 0, 0
    for block in section.blocks:
        if section.key in PROSE_SECTIONS and isinstance(block, Paragraph) and block.style == "body":
            body.append(Item("Prose", block.runs))
            continue
        if isinstance(block, Entry) and block.bullet == "number":
            if number == 0:
                list_id = next(state.lists)
            number += 1
            body.extend(_entry_items(block, state, 0, number, list_id))
            continue
        number = 0
        body.extend(_block_items(block, state))
    for child in section.children:
        body.extend(_section_items(child, state, min(level + 1, 3)))
    if not body:
        return []  # never an empty heading (e.g. every entry of the section was trimmed)
    if not (section.show_title and section.title):
        return [replace(body[0], new_page=section.new_page), *body[1:]]
    title = section.title + (f" {section.note}" if section.note else "")
    heading = Item(f"Heading {level}", (Run(title),), outline=(section.key or title, level - 1),
                   new_page=section.new_page)
    return [heading, *body]


def flatten(document: Document) -> list[Item]:
    """The document as items, in reading order."""
    state = _State()
    items: list[Item] = []
    if document.title:
        items.append(Item("Title", (Run(document.title),)))
    if document.subtitle:
        items.append(Item("Subtitle", (Run(document.subtitle),)))
    for block in document.preamble:
        items.extend(_block_items(block, state))
    for section in document.sections:
        items.extend(_section_items(section, state, 1))
    items = [_linked(item) for item in items]
    return [replace(item, gap_after=True) if item.fields and _continued(items[n + 1:]) else item
            for n, item in enumerate(items)]


def _continued(following: list[Item]) -> bool:
    """Whether text follows a table directly, not under a heading of its own (notes whose
    first list has no heading would read as the table's last row)."""
    after = following[0] if following else None
    return after is not None and not (after.style.startswith("Heading") or after.group or after.new_page
                                      or after.fields or after.table)


_LINKS = re.compile(
    r"(?P<url>https?://[^\s<>\"]+)"
    r"|(?P<email>(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)"
    r"|(?:doi:\s?|(?<![\w/]))(?P<doi>10\.\d{4,9}/[^\s<>\"]+)"
    r"|(?<![\w-])(?P<orcid>\d{4}-\d{4}-\d{4}-\d{3}[\dX])(?![\w-])")
_TRAILING_PUNCTUATION = ".,;:!?)]}'\u2019\u201d"


def _target(m: re.Match) -> tuple[int, int, str]:
    """(start, end, href) of a found link, its trailing punctuation left out."""
    kind = m.lastgroup
    start, end = m.span(kind)
    text = m.group(kind)
    while text and text[-1] in _TRAILING_PUNCTUATION and not (text[-1] == ")" and "(" in text):
        text, end = text[:-1], end - 1
    href = {"url": text, "email": f"mailto:{text}", "doi": f"https://doi.org/{text}",
            "orcid": f"https://orcid.org/{text}"}[kind]
    return start, end, href


def autolink(runs: Runs) -> Runs:
    """Runs with every e-mail address, web address, DOI and ORCID iD in their text made a
    live link (mailto: or https: only), as a reader clicks them in a PDF; runs that are
    links or code already stay as they are."""
    out: list[Run] = []
    for run in runs:
        if run.href or run.code or not _LINKS.search(run.text):
            out.append(run)
            continue
        at = 0
        for m in _LINKS.finditer(run.text):
            start, end, href = _target(m)
            if start < at or start >= end:
                continue
            if start > at:
                out.append(replace(run, text=run.text[at:start]))
            out.append(replace(run, text=run.text[start:end], href=href))
            at = end
        if at < len(run.text):
            out.append(replace(run, text=run.text[at:]))
    return tuple(out)


# Where a line must not break (the space becomes a no-break space): a state after its city
# or a degree after a name ("Norfolk, VA", "Maya Chen, MD"), a number and its unit ("4
# weeks", "2 a.m."), a date's parts ("September 24, 2026", "Summer 2025"), and before a
# dash or a middle dot, so that "– June 2026" or "· top choice" never opens a line.
_TIES = tuple((re.compile(pattern), tie) for pattern, tie in (
    (r",[ \t]+(?=[A-Z]{2}\b)", ",\u00a0"),
    (r"(?<=\d)[ \t]+(?=(?:weeks?|days?|hours?|hrs?|months?|years?|patients?|children|nights?|cases|[ap]\.m\.)(?!\w))",
     "\u00a0"),
    (r"\b((?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|Spring|Summer|Fall|Autumn|Winter)[a-z]*\.?)[ \t]+(?=\d)",
     "\\1\u00a0"),
    (r"(?<=\d),[ \t]+(?=\d{4}\b)", ",\u00a0"),
    (r"(?<=\S)[ \t]+(?=[–—·][ \t])", "\u00a0"),
))


def tied(runs: Runs) -> Runs:
    """Runs with the spaces where a line should not break made no-break spaces (see
    :data:`_TIES`); code stays as typed."""
    out = []
    for run in runs:
        text = run.text
        if not run.code:
            for pattern, tie in _TIES:
                text = pattern.sub(tie, text)
        out.append(run if text == run.text else replace(run, text=text))
    return tuple(out)


@lru_cache(maxsize=8192)
def _finished(runs: Runs) -> Runs:
    """Runs as both writers draw them: tied, then linked. Kept for the process, as the
    fit flattens each packet once per layout and the packets of an application share most
    of their runs: redoing both each time was a tenth of a class build's time."""
    return autolink(tied(runs))


def _linked(item: Item) -> Item:
    fields = tuple((label, tuple(_linked(i) for i in value)) for label, value in item.fields)
    return replace(item, runs=_finished(item.runs), aside=_finished(item.aside), fields=fields)
