"""A Word CV's paragraphs → a CV of sections and entries, and what that took guessing.

Word CVs say "this is a section" and "this is an entry" in a handful of ways, most of
them without styles: a Heading style, a short line in capitals or in bold, a rule under
a line; an entry as a line that starts in bold, a paragraph with its bullets under it,
a row of a two-column table with the dates in one column, dates pushed right with a
tab. This module reads those shapes from :mod:`.docx_reader`'s facts into
:class:`ImportedCv` — the name, the contact line, sections of entries, each with its
first line (title in bold, the rest, the dates last) and its details — the shape
:mod:`.markdown` reads best. Pure: no file, no XML.

Every decision a style did not make is a :class:`Guess`, kept with the DOCX paragraph
it came from, so the student is told (``check``) what to look at, instead of finding a
title under the wrong section in a packet.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from .docx_reader import BREAK, TAB, Unplaced, WordBody, WordParagraph, WordTable
from .entry_parts import find_dates
from .import_report import TITLE_LEFT_OUT
from .markdown import TAGS_AT_END
from .model import Run, Runs



@dataclass(frozen=True)
class Guess:
    """A decision the DOCX's styles did not make, at the paragraph it concerns."""

    paragraph: int
    message: str  # what was decided: "treated 'EDUCATION' as a section title (a short line in capitals)"
    fix: str = ""  # how to undo it in cv.md if it is wrong


_NAME_FIX = "if it is not your name, delete this `# …` line (or make it a line of its own)"
_SECTION_FIX = "if it is not a section title, rewrite it as an entry: `- {}` under the section above"


@dataclass(frozen=True)
class Detail:
    """A bullet under an entry (``depth`` 0 is the first level), or a paragraph of prose."""

    spans: Runs
    paragraph: int
    depth: int = 0
    ordered: bool = False
    prose: bool = False  # a description paragraph, not a bullet


@dataclass(frozen=True)
class ImportedEntry:
    """One entry: its first line as it is to be written, then its details in order."""

    first: Runs
    paragraph: int
    details: tuple[Detail, ...] = ()
    ordered: bool = False  # one of a numbered list (publications)


@dataclass(frozen=True)
class ImportedSection:
    """A section, its entries and the group headings among them (``groups``: entry index → title)."""

    title: str
    paragraph: int
    entries: tuple[ImportedEntry, ...] = ()
    groups: tuple[tuple[int, str, int], ...] = ()  # (index of the first entry under it, title, paragraph)


@dataclass(frozen=True)
class ImportedCv:
    name: Runs
    name_paragraph: int
    preamble: tuple[tuple[Runs, int], ...]  # the contact line first, then any other paragraph above the sections
    sections: tuple[ImportedSection, ...]
    guesses: tuple[Guess, ...]
    unplaced: tuple[Unplaced, ...]


# -- small text facts --------------------------------------------------------------------

# Section names Word CVs use, to tell a section title from an entry's title when both are
# short bold lines.
_SECTION_WORDS = re.compile(
    r"\b(?:education|experience|clinical|rotations?|clerkships?|research|publications?|presentations?|posters?|"
    r"abstracts?|honou?rs|awards?|scholarships?|grants?|leadership|teaching|service|volunteer(?:ing)?|"
    r"activities|extracurricular|interests|hobbies|skills|languages?|certifications?|licensure|memberships?|"
    r"affiliations|employment|work|training|summary|profile|objective|references|projects|involvement|"
    r"achievements|qualifications|courses|coursework|outreach|community|mentoring|professional|licen[cs]es|"
    r"licensure|positions|appointments|history|background|organizations)\b", re.IGNORECASE)
# Words that may stand beside those in a section's title ("Selected Publications", "Honors and Awards").
_TITLE_FILLERS = frozenset("and & of the in for with other selected relevant additional academic medical related key "
                           "recent oral personal technical peer-reviewed national international university "
                           "clinical".split())
_CV_TITLE = re.compile(r"(?i)^\s*(?:curriculum\s+vitae|c\.?v\.?|r[ée]sum[ée])\s*$")
_SEPARATOR = re.compile(r"^[\s,;:·|•—–-]*$")


def _text(spans: Runs) -> str:
    return "".join(s.text for s in spans)


def _letters(text: str) -> str:
    return "".join(c for c in text if c.isalpha())


def names_a_section(text: str) -> bool:
    """A line made of section words ("Clinical Experience", "Honors and Awards"), not an
    entry's title that has one in it ("Dean's Research Fellowship")."""
    words = re.findall(r"[\w’'&-]+", text.lower())
    return bool(words) and all(w in _TITLE_FILLERS or _SECTION_WORDS.fullmatch(w) for w in words) and \
        any(_SECTION_WORDS.fullmatch(w) for w in words)


def mostly_dates(text: str) -> bool:
    """Text that is a date or a range and little else ("July 2026", "Expected May 2027",
    "2019 – 2023"): a table column or a tab stop of dates."""
    found = find_dates(text)
    if found is None:
        return False
    _, start, end = found
    rest = re.sub(r"[^\w\s]", " ", text[:start] + text[end:])
    return len(rest.split()) <= 2 and not re.search(r"\d", rest)


def _strip(spans: Runs) -> Runs:
    """Runs without outer whitespace, and without empty ones."""
    items = [s for s in spans if s.text]
    while items and not items[0].text.strip():
        items.pop(0)
    while items and not items[-1].text.strip():
        items.pop()
    if items:
        items[0] = replace(items[0], text=items[0].text.lstrip())
        items[-1] = replace(items[-1], text=items[-1].text.rstrip())
    return tuple(items)


def split_at(spans: Runs, marks: tuple[str, ...] = (TAB,)) -> list[Runs]:
    """The spans cut at tabs (and any other mark given), empty pieces dropped."""
    pieces: list[list[Run]] = [[]]
    for span in spans:
        if span.text in marks:
            pieces.append([])
        else:
            pieces[-1].append(span)
    return [p for p in (_strip(tuple(piece)) for piece in pieces) if p and _text(p).strip()]


def join(parts: list[Runs], separator: str = ", ") -> Runs:
    """Pieces of one line joined with ``separator``, unless the text already has one there."""
    out: list[Run] = []
    for part in parts:
        part = _strip(part)
        if not part:
            continue
        if out:
            last, first = _text(tuple(out))[-1:], _text(part)[:1]
            if first and first in ",;:.)" or last == "(":
                pass
            elif last in ",;:·|—–-" or first in "·|—–-":
                out.append(Run(" "))
            else:
                out.append(Run(separator))
        out.extend(part)
    return tuple(out)


def _bold_lead(spans: Runs) -> bool:
    """A line that starts in bold: an entry's title."""
    first = next((s for s in spans if s.text.strip()), None)
    return first is not None and first.bold


def _all_bold(spans: Runs) -> bool:
    shown = [s for s in spans if s.text.strip() and s.text not in (TAB, BREAK)]
    return bool(shown) and all(s.bold for s in shown)


def _tidy_lead(spans: Runs) -> Runs:
    """A bold title's trailing comma or colon moved out of the bold (``**Title,** Org`` →
    ``**Title**, Org``), so the title is the words alone."""
    spans = list(spans)
    for index, span in enumerate(spans):
        if not span.text.strip():
            continue
        if span.bold:
            core = span.text.rstrip(" ,;:·|—–-")
            following = next((t for t in spans[index + 1:] if t.text.strip()), None)
            if core and core != span.text and following is not None and not following.bold:
                spans[index:index + 1] = [replace(span, text=core),
                                          Run(span.text[len(core):], italic=span.italic, href=span.href)]
        break
    return tuple(spans)


def _bold_title(spans: Runs) -> Runs:
    """A heading's text as an entry's bold title; tags at its end (``{: .chen }``, as a DOCX
    made from a packetbuilder cv.md has them) stay outside the bold."""
    out = [replace(s, bold=True) for s in spans]
    if out and (m := TAGS_AT_END.search(out[-1].text)) and m.start() > 0:
        last = out.pop()
        out += [replace(last, text=last.text[: m.start()]), replace(last, text=last.text[m.start():], bold=False)]
    return tuple(out)


# -- the stream of paragraphs ------------------------------------------------------------

@dataclass(frozen=True)
class _Row:
    """A table row read as one entry: its dates cell and the other cells' paragraphs."""

    number: int
    dates: Runs
    cells: tuple[tuple[WordParagraph, ...], ...]
    left: bool  # the dates are in the first column


_Item = WordParagraph | _Row


def _pieces(paragraph: WordParagraph) -> list[WordParagraph]:
    """A paragraph with line breaks as the lines it shows: a title, the line under it and a
    description typed as one paragraph with Shift+Enter are three paragraphs to a reader.
    A list paragraph stays one: its breaks are spaces."""
    if not any(s.text == BREAK for s in paragraph.spans):
        return [paragraph]
    if paragraph.list_level is not None:
        return [replace(paragraph, spans=tuple(Run(" ") if s.text == BREAK else s for s in paragraph.spans))]
    return [replace(paragraph, spans=line) for line in split_at(paragraph.spans, (BREAK,))]


def _row(table_row: tuple[tuple[WordParagraph, ...], ...]) -> _Row | None:
    """A row that is an entry: one cell of dates and at least one other cell with text."""
    filled = [(i, cell) for i, cell in enumerate(table_row) if any(p.text.strip() for p in cell)]
    dated = [(i, cell) for i, cell in filled if mostly_dates(" ".join(p.text for p in cell))]
    if len(dated) != 1 or len(filled) < 2:
        return None
    index, cell = dated[0]
    others = tuple(c for i, c in filled if i != index)
    dates = join([_strip(p.spans) for p in cell if p.text.strip()], " ")
    number = min(p.number for _, c in filled for p in c)
    return _Row(number, tuple(Run(s.text) for s in dates), others, index == filled[0][0])


def stream(body: WordBody) -> list[_Item]:
    """The body as one sequence: paragraphs (cut at line breaks), and table rows read as
    entries where they are one (else their cells' paragraphs, row by row)."""
    out: list[_Item] = []
    for block in body.blocks:
        if isinstance(block, WordTable):
            for table_row in block.rows:
                row = _row(table_row)
                if row is not None:
                    out.append(row)
                else:
                    out.extend(p for cell in table_row for para in cell for p in _pieces(para) if p.text.strip())
        elif block.text.strip():
            out.extend(_pieces(block))
    return out


# -- headings ----------------------------------------------------------------------------

def _heading_text(paragraph: WordParagraph) -> str:
    return re.sub(r"\s+", " ", paragraph.text.replace(TAB, " ")).strip().rstrip(":").strip()


def _candidate(paragraph: WordParagraph, body_size: float) -> str | None:
    """Why an unstyled paragraph looks like a section title, or None: short, no dates, no
    sentence; and ruled under, in capitals, larger, or bold."""
    text = _heading_text(paragraph)
    if (paragraph.list_level is not None or not _letters(text) or len(text) > 50 or len(text.split()) > 6
            or text.endswith(".") or "@" in text or re.search(r"\d", text) or find_dates(text)):
        return None
    if paragraph.border_below:
        return "a line with a rule under it"
    if paragraph.caps or (len(_letters(text)) >= 3 and _letters(text).isupper()):
        return "a short line in capitals"
    if paragraph.size >= body_size * 1.15:
        return "a short line in larger type"
    if _all_bold(paragraph.spans):
        return "a short bold line"
    return None


def _signature(paragraph: WordParagraph) -> tuple:
    """How a heading looks, so the other lines that look the same are headings too."""
    text = _heading_text(paragraph)
    return (_all_bold(paragraph.spans), paragraph.caps or _letters(text).isupper(), round(paragraph.size),
            paragraph.border_below, paragraph.style)


@dataclass
class _Plan:
    """Which paragraph is the name, which are sections, and which are entry headings."""

    name: int | None = None  # index in the stream
    sections: dict[int, str] = field(default_factory=dict)  # stream index → why (empty: a Heading style)
    subheadings: set[int] = field(default_factory=set)
    guesses: list[Guess] = field(default_factory=list)


def _plan(items: list[_Item], body_size: float) -> _Plan:
    plan = _Plan()
    paragraphs = [(i, p) for i, p in enumerate(items) if isinstance(p, WordParagraph)]
    plan.name = _name(items, paragraphs, body_size, plan)
    styled = [(i, p) for i, p in paragraphs if p.outline is not None and i != plan.name and not p.title]
    if styled:
        top = min(p.outline for _, p in styled)
        for i, p in styled:
            if p.outline == top:
                plan.sections[i] = ""
            else:
                plan.subheadings.add(i)
        return plan
    candidates = [(i, p, why) for i, p in paragraphs
                  if i != plan.name and i + 1 < len(items) and (why := _candidate(p, body_size))]
    named = {i for i, p, _ in candidates if names_a_section(_heading_text(p))}
    vocabulary = {_signature(p) for i, p, _ in candidates if i in named}
    if vocabulary:  # the lines that look like a line naming a section; but an entry's title over its dates
        chosen = [(i, p, why) for i, p, why in candidates
                  if i in named or (_signature(p) in vocabulary and not _over_dates(items, i))]
    else:
        chosen = [(i, p, why) for i, p, why in candidates if why != "a short bold line"]
        if not chosen and len(candidates) >= 2:
            chosen = candidates
    for i, p, why in chosen:
        plan.sections[i] = why
        plan.guesses.append(Guess(p.number, f"treated {_heading_text(p)!r} as a section title ({why})",
                                  _SECTION_FIX.format(_heading_text(p))))
    return plan


def _over_dates(items: list[_Item], index: int) -> bool:
    """A title line with a plain line of place and dates under it: an entry's, not a section's."""
    following = items[index + 1] if index + 1 < len(items) else None
    return (isinstance(following, WordParagraph) and following.list_level is None and
            not _bold_lead(following.spans) and find_dates(following.text) is not None and _short(following))


def _name(items: list[_Item], paragraphs: list[tuple[int, WordParagraph]], body_size: float,
          plan: _Plan) -> int | None:
    """The applicant's name: the Title paragraph before the sections, else a first paragraph
    that is short, has no digits or @, and stands out (larger, bold, capitals, or the one
    heading of its level, as pandoc writes ``# Name``)."""
    before = []
    for i, p in paragraphs:
        if p.outline is not None and not p.title and before:
            break
        before.append((i, p))
        if len(before) == 4:
            break
    for i, p in before:
        if p.title:
            return i
    first = next(((i, p) for i, p in before if not _CV_TITLE.match(p.text)), None)
    if first is None or not isinstance(items[first[0]], WordParagraph):
        return None
    i, p = first
    text = _heading_text(p)
    if not text or len(text.split()) > 6 or len(text) > 60 or re.search(r"[\d@]", text) or \
            names_a_section(text):
        return None
    if p.outline is not None:
        same = sum(1 for _, q in paragraphs if q.outline == p.outline)
        if same == 1:
            plan.guesses.append(Guess(p.number, f"treated {text!r} as your name (the only {p.style} paragraph, "
                                                "at the top)", _NAME_FIX))
            return i
        return None
    if p.size >= body_size * 1.2 or _all_bold(p.spans) or p.caps:
        why = "in larger type" if p.size >= body_size * 1.2 else "in bold" if _all_bold(p.spans) else "in capitals"
        plan.guesses.append(Guess(p.number, f"treated {text!r} as your name (the first line, {why})", _NAME_FIX))
        return i
    return None


# -- entries -----------------------------------------------------------------------------

@dataclass
class _Entry:
    first: list[Runs]  # the first line's pieces, joined when written
    dates: Runs  # dates moved to the end of the first line
    paragraph: int
    from_list: int | None = None  # the list level of an entry that is a list item
    ordered: bool = False
    details: list[Detail] = field(default_factory=list)
    detail_base: int | None = None  # the list level of its first bullet

    def another_dated(self, paragraph: WordParagraph) -> bool:
        """A short line with dates of its own under an entry that has its dates: the next
        entry (a plain one), not this one's second line."""
        dated = self.dates or find_dates(_text(join(self.first)))
        return bool(dated) and _short(paragraph) and find_dates(paragraph.text) is not None

    def done(self) -> ImportedEntry:
        """The first line: its pieces, then the dates, then any tags (``{: .keep }``) a piece
        ended with, since tags are read only at the end of the line."""
        pieces, tags = [], []
        for piece in self.first:
            last = piece[-1] if piece else None
            if last is not None and (m := TAGS_AT_END.search(last.text)) and len(self.first) > 1:
                tags.append((Run(last.text[m.start():].strip()),))
                piece = _strip(piece[:-1] + ((replace(last, text=last.text[: m.start()]),) if m.start() else ()))
            if piece:
                pieces.append(piece)
        first = join(pieces + ([self.dates] if self.dates else [])) + tuple(
            span for tag in tags for span in (Run(" "), *tag))
        return ImportedEntry(_tidy_lead(first), self.paragraph, tuple(self.details), self.ordered)


def _first_line(paragraph: WordParagraph) -> tuple[list[Runs], Runs, bool]:
    """An entry's first paragraph as (pieces, dates, whether the dates were set off by a
    tab): "Title, Org<tab>July 2026" → ([Title, Org], July 2026)."""
    pieces = split_at(paragraph.spans)
    if len(pieces) > 1:
        if mostly_dates(_text(pieces[-1])):
            return pieces[:-1], pieces[-1], True
        if mostly_dates(_text(pieces[0])):
            return pieces[1:], pieces[0], True
    return pieces, (), False


def _short(paragraph: WordParagraph) -> bool:
    """A line under a title that belongs on its first line (organisation, place, dates):
    short, not a sentence."""
    text = paragraph.text.strip()
    words = len(text.split())
    return (words <= 16 and not re.search(r"[.!?]$", text)) or (words <= 12 and find_dates(text) is not None)


def _entry_run(items: list[_Item], start: int) -> bool:
    """Whether the list paragraphs from ``start`` are entries in their own right, as the
    Markdown reader reads a list under an entry: every item at the run's top level starts
    in bold and has its own dates (else they are the entry's details)."""
    run: list[WordParagraph] = []
    for item in items[start:]:
        if not isinstance(item, WordParagraph) or item.list_level is None:
            break
        run.append(item)
    top = min(p.list_level for p in run)
    tops = [p for p in run if p.list_level == top]
    return all(_bold_lead(p.spans) and find_dates(p.text) is not None for p in tops)


class _SectionBuilder:
    """The entries of one section, from its paragraphs in order."""

    def __init__(self, title: str, paragraph: int, items: list[_Item], subheadings: set[int], offset: int) -> None:
        self.title, self.paragraph = title, paragraph
        self.items, self.subheadings, self.offset = items, subheadings, offset
        self.entries: list[ImportedEntry] = []
        self.groups: list[tuple[int, str, int]] = []
        self.current: _Entry | None = None
        self.counts: Counter[str] = Counter()
        self.first_of: dict[str, int] = {}
        # a section whose entries start in bold: its plain paragraphs belong to the entry above
        self.bold_mode = any(isinstance(i, _Row) or (i.list_level is None and (_bold_lead(i.spans))) or
                             (offset + n) in subheadings for n, i in enumerate(items))

    def note(self, kind: str, paragraph: int) -> None:
        self.counts[kind] += 1
        self.first_of.setdefault(kind, paragraph)

    def close(self) -> None:
        if self.current is not None:
            self.entries.append(self.current.done())
        self.current = None

    def start(self, paragraph: WordParagraph, list_level: int | None = None) -> None:
        self.close()
        pieces, dates, tabbed = _first_line(paragraph)
        if tabbed:
            self.note("tab", paragraph.number)
        self.current = _Entry(pieces, dates, paragraph.number, list_level, paragraph.ordered)

    def build(self) -> ImportedSection:
        list_run_entries = False
        for n, item in enumerate(self.items):
            if isinstance(item, _Row):
                self.row(item)
                continue
            if self.offset + n in self.subheadings:
                self.subheading(n, item)
                continue
            if item.list_level is not None:
                previous = self.items[n - 1] if n else None
                run_starts = not (isinstance(previous, WordParagraph) and previous.list_level is not None)
                if run_starts:
                    list_run_entries = self.current is None or (self.current.from_list is None and
                                                                _entry_run(self.items, n))
                    if list_run_entries and self.current is not None:
                        self.note("entry list", item.number)
                self.bullet(item, list_run_entries)
            elif self.current is not None and (item.indented or (
                    self.bold_mode and not _bold_lead(item.spans) and not self.current.another_dated(item))):
                self.follow(item)
            else:
                if self.current is not None and not _bold_lead(item.spans):
                    self.note("paragraphs", item.number)
                self.start(item)
        self.close()
        return ImportedSection(self.title, self.paragraph, tuple(self.entries), tuple(self.groups))

    def bullet(self, item: WordParagraph, entries: bool) -> None:
        level = item.list_level or 0
        current = self.current
        if current is not None and current.from_list is not None and level > current.from_list:
            depth = level - current.from_list - 1
        elif current is not None and current.from_list is None and not entries:
            current.detail_base = level if current.detail_base is None else min(current.detail_base, level)
            depth = level - current.detail_base
        else:
            self.start(item, level)
            return
        spans = join(split_at(item.spans))
        current.details.append(Detail(spans, item.number, max(0, depth), item.ordered))

    def row(self, row: _Row) -> None:
        self.close()
        firsts = [cell[0] for cell in row.cells if cell]
        pieces = [p for para in firsts for p in _first_line(para)[0]]
        self.current = _Entry(pieces, row.dates, row.number)
        self.note("row left" if row.left else "row right", row.number)
        for paragraph in (p for cell in row.cells for p in cell[1:] if p.text.strip()):
            if paragraph.list_level is not None:
                self.bullet(paragraph, False)
            else:
                self.follow(paragraph)

    def follow(self, paragraph: WordParagraph) -> None:
        """A plain paragraph under an entry: the short line under a title paragraph
        (organisation, place, dates) joins its first line; anything else, and any text that
        continues a list item, is a paragraph of description."""
        current = self.current
        if current.from_list is None and not current.details and _short(paragraph) and len(current.first) < 4:
            pieces, dates, _ = _first_line(paragraph)
            current.first.extend(pieces)
            current.dates = current.dates or dates
            self.note("line", paragraph.number)
        else:
            current.details.append(Detail(join(split_at(paragraph.spans)), paragraph.number, prose=True))
            self.note("prose", paragraph.number)

    def subheading(self, n: int, item: WordParagraph) -> None:
        """A heading one level below the sections: a group over entries in their own right
        (numbered or dated list items), else an entry's title."""
        following = []
        for other in self.items[n + 1:]:
            if not isinstance(other, WordParagraph) or other.list_level is None:
                break
            following.append(other)
        tops = [p for p in following if p.list_level == min((q.list_level for q in following), default=0)]
        next_index = n + 1 + len(following)
        ends = next_index >= len(self.items) or (self.offset + next_index) in self.subheadings
        if len(tops) >= 2 and ends and all(p.ordered or find_dates(p.text) for p in tops):
            self.close()
            self.groups.append((len(self.entries), _heading_text(item), item.number))
            self.note("group", item.number)
            return
        self.start(replace(item, spans=_bold_title(item.spans)))


# What each shape of entry the builder read says, and how to undo it: (message, fix).
_GUESSES = {
    "tab": ("read the dates after a tab as the entries' dates in {section!r} ({count} entr{s})",
            "check that each of these entries' first lines ends with its own dates"),
    "row left": ("read each row of a table in {section!r} as an entry, its dates from the left column, moved to "
                 "the end of the line ({count} row{s})", "check these entries' first lines and the bullets under them"),
    "row right": ("read each row of a table in {section!r} as an entry, its dates from the right column "
                  "({count} row{s})", "check these entries' first lines and the bullets under them"),
    "line": ("joined the line under an entry's title to its first line in {section!r} ({count} entr{s})",
             "if a joined line is a description, put it on an indented line of its own under the entry"),
    "prose": ("kept a paragraph under an entry as its description in {section!r} ({count} paragraph{s})",
              "if one is an entry of its own, give it its own `- ` item (or `###` heading)"),
    "paragraphs": ("read each paragraph in {section!r} as an entry of its own ({count} more)",
                   "if one is the description of the entry above it, indent it under that entry"),
    "entry list": ("read bold, dated bullets in {section!r} as entries of their own, not details of the entry "
                   "above them", "if they are that entry's details, indent them under it"),
    "group": ("read a heading in {section!r} as a heading over the numbered or dated items under it, not an entry",
              "if it is an entry, write its first line under it"),
}


def shape(body: WordBody) -> ImportedCv:
    """The CV in a DOCX: name, contact line, sections of entries, and the guesses made."""
    items = stream(body)
    plan = _plan(items, body.body_size)
    guesses = list(plan.guesses)
    starts = sorted(plan.sections)
    name: Runs = ()
    name_paragraph = 0
    if plan.name is not None:
        paragraph = items[plan.name]
        name = tuple(Run(" " if s.text == TAB else s.text, italic=s.italic) for s in _strip(paragraph.spans))
        name_paragraph = paragraph.number
    head = [item for i, item in enumerate(items[: starts[0] if starts else len(items)]) if i != plan.name]
    preamble, preamble_guess, left_out = _preamble(head) if starts else ([], None, [])
    if preamble_guess:
        guesses.append(preamble_guess)
    sections = []
    if not starts:
        guesses.append(Guess(items[0].number if items else 0, "found no section titles, so put everything under "
                                                              "one section, 'Curriculum Vitae'",
                             "write a `## Title` line where each of your sections starts"))
        starts_items = [(-1, "Curriculum Vitae", 0, [i for n, i in enumerate(items) if n != plan.name])]
    else:
        starts_items = []
        for k, start in enumerate(starts):
            end = starts[k + 1] if k + 1 < len(starts) else len(items)
            heading = items[start]
            starts_items.append((start, _heading_text(heading), heading.number, items[start + 1:end]))
    for start, title, number, section_items in starts_items:
        builder = _SectionBuilder(title, number, section_items, plan.subheadings, start + 1)
        sections.append(builder.build())
        for kind, count in builder.counts.items():
            what, fix = _GUESSES[kind]
            guesses.append(Guess(builder.first_of[kind], what.format(section=title, count=count,
                                                                     s=("y" if count == 1 else "ies") if "entr{s}" in what else
                                                                     "" if count == 1 else "s"), fix))
    guesses.sort(key=lambda g: g.paragraph)
    unplaced = tuple(sorted(body.unplaced + tuple(left_out), key=lambda u: u.paragraph))
    return ImportedCv(name, name_paragraph, tuple(preamble), tuple(sections), tuple(guesses), unplaced)


def _preamble(items: list[_Item]) -> tuple[list[tuple[Runs, int]], Guess | None, list[Unplaced]]:
    """The lines above the first section: short ones (address, e-mail, phone) joined into
    one contact line with " · "; longer ones (a summary) kept as paragraphs of their own.
    A "Curriculum Vitae" line is left out, and said so: the packet titles the CV page."""
    contact: list[Runs] = []
    lines = 0
    others: list[tuple[Runs, int]] = []
    titles: list[Unplaced] = []
    first = 0
    for item in items:
        paragraphs = [p for cell in item.cells for p in cell] + [WordParagraph(item.number, item.dates)] \
            if isinstance(item, _Row) else [item]
        for paragraph in paragraphs:
            text = paragraph.text.strip()
            if _CV_TITLE.match(text):
                titles.append(Unplaced(paragraph.number, TITLE_LEFT_OUT, text))
            elif len(text) <= 120 and not re.search(r"[.!?]$", text) or \
                    re.search(r"@|\+?\d[\d ().-]{7,}\d", text) and len(text) <= 160:
                contact.extend(split_at(paragraph.spans))
                lines += 1
                first = first or paragraph.number
            else:
                others.append((join(split_at(paragraph.spans)), paragraph.number))
    out = ([(join(contact, " · "), first)] if contact else []) + others
    guess = Guess(first, f"joined {lines} lines above the first section into your contact line",
                  "if one of them is not contact information, give it a line of its own") if lines > 1 else None
    return out, guess, titles
