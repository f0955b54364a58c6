"""Fitting one writer's packet to the page limit by cutting what matters least to them.

Pure: (packet, writer, page budget, measuring function) → (fitted packet, report). The
measuring function is the PDF writer's own layout (:func:`render.pdf.layout`), so
"fits" is exact, not estimated; the DOCX is rendered from the same fitted document.

What may go, least valuable first (the *trim order*):

1. CV entries tagged ``.optional`` — the student said so; larger ones first, so fewer go;
2. low-value CV sections (Hobbies/Interests, then Memberships, then Skills/Languages) as
   whole sections, before any substantive section is shortened;
3. the other CV entries that do not concern this writer: oldest first (the latest year an
   entry mentions; "present" is newest), then lowest in its section, then larger;
4. the statement: replaced by the shorter ``goals.md`` if there is one, then cut to its
   first paragraphs with a visible "(excerpt)" note, and only as a last resort left out.

Never cut: the request summary, the notes on the work with this writer, and CV entries
that concern the writer (tagged with their id or matching their ``highlight`` keywords,
see :func:`packet.is_relevant`) or are tagged ``.keep`` — also when tagged ``.optional``.
If even that exceeds the budget, :class:`TooLong` names what is too long and by how much.

Why it is cheap: a layout pass costs 0.1–0.2 s, so this does not bisect blindly. One
layout of the full packet measures every entry's height and how far the text runs past
the budget; the shortest prefix of the trim order that should save that much is laid out
to verify it (usually it fits; if not, its own overflow picks the next prefix). Then
removed items of the last tier that fit the space left are restored, so as few items as
possible go. A typical fit costs two or three layouts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from itertools import count
from typing import Callable, Protocol

from .config import Writer
from .errors import Problem, WorkError
from .model import Document, Entry, Heading, Section, block_text
from .packet import SECTION_TITLES, entry_text, is_relevant
from .render.styles import load_styles
from .sources import notes_name

CV_KEY = "cv"
STATEMENT_KEYS = ("statement", "goals")
WORK_KEY = "work"
# Section titles (case-insensitive substrings) of low-value CV sections, least valuable group first.
LOW_VALUE = (("hobbies", "interests", "personal"), ("memberships", "affiliations", "references"),
             ("skills", "languages", "certifications"))
EXCERPT = "(excerpt)"
REPORT_WORDS = 6  # first words of a cut entry in the report

OPTIONAL, LOW_VALUE_SECTION, IRRELEVANT, STATEMENT = range(4)

_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_ONGOING = re.compile(r"\b(?:present|current|ongoing|today)\b", re.IGNORECASE)


class Measured(Protocol):
    """What the measuring function reports about one layout (see ``render.pdf.Layout``)."""

    pages: int
    starts: dict[str, int]
    entries: dict[int, float]  # entry number (document order, from 1) → points it took
    sections: dict[str, float]  # outlined section key → points it took ("" = before the first)
    frame_height: float
    page_used: tuple[float, ...]  # how far down each page the text runs


Measure = Callable[[Document], Measured]


class TooLong(WorkError):
    """Even with everything trimmable cut, the packet exceeds its page limit."""


@dataclass(frozen=True)
class Cut:
    """What went from one CV section: the first words of each entry cut, and whether the
    whole section (heading included) went."""

    section: str
    entries: tuple[str, ...]
    whole: bool = False

    def __str__(self) -> str:
        return f"{self.section}{' (whole section)' if self.whole else ''}: " + "; ".join(self.entries)


@dataclass(frozen=True)
class FitReport:
    """What fitting did: the final page count and section starts, the layouts it cost,
    and exactly what went."""

    pages: int
    starts: dict[str, int]
    layouts: int
    cuts: tuple[Cut, ...] = ()
    statement: str = ""  # what happened to the statement; empty if it is whole
    untrimmed_pages: int = 0  # what the packet ran to before fitting

    @property
    def statement_shortened(self) -> bool:
        return bool(self.statement)

    def trimmed(self) -> list[str]:
        return [str(c) for c in self.cuts] + ([self.statement] if self.statement else [])


@dataclass(frozen=True)
class _Slot:
    """A CV entry: its number in document order (the measuring pass's numbering), the path
    of its section, and its place there."""

    number: int
    path: tuple[int, ...]
    title: str
    position: int
    entry: Entry


@dataclass(frozen=True)
class _Unit:
    """One step of the trim order: entries to remove, or a statement variant to move to."""

    tier: int
    numbers: frozenset[int] = frozenset()
    statement: int = 0


@dataclass(frozen=True)
class _Variant:
    section: Section | None  # None: the statement is left out
    label: str
    chars: int


def _year(text: str) -> int | None:
    if _ONGOING.search(text):
        return 9999
    years = [int(y) for y in _YEAR.findall(text)]
    return max(years) if years else None


def _chars(blocks) -> int:
    return len(block_text(blocks))


def _low_value_rank(title: str) -> int | None:
    folded = title.casefold()
    for rank, words in enumerate(LOW_VALUE):
        if any(w in folded for w in words):
            return rank
    return None


def _preamble_entries(document: Document) -> int:
    return sum(1 for b in document.preamble if isinstance(b, Entry))


def _cv_slots(document: Document) -> list[_Slot]:
    """Every CV entry, numbered in the order the writers number entries (preamble, then each
    section's blocks before its children)."""
    numbers = count(_preamble_entries(document) + 1)
    slots: list[_Slot] = []

    def visit(sections: tuple[Section, ...], path: tuple[int, ...], in_cv: bool) -> None:
        for index, section in enumerate(sections):
            here = path + (index,)
            cv = in_cv or (not path and section.key == CV_KEY)
            position = 0
            for block in section.blocks:
                if isinstance(block, Entry):
                    number = next(numbers)
                    if cv:
                        slots.append(_Slot(number, here, section.title, position, block))
                    position += 1
            visit(section.children, here, cv)

    visit(document.sections, (), False)
    return slots


def _prune(document: Document, removed: frozenset[int]) -> Document:
    """The document without the numbered entries; sections left empty go too, so the
    model never holds a heading with nothing under it."""
    numbers = count(_preamble_entries(document) + 1)

    def prune(section: Section) -> Section | None:
        blocks = tuple(b for b in section.blocks if not (isinstance(b, Entry) and next(numbers) in removed))
        children = tuple(c for c in (prune(child) for child in section.children) if c is not None)
        if not blocks and not children and (section.blocks or section.children):
            return None
        return replace(section, blocks=blocks, children=children)

    return replace(document, sections=tuple(s for s in (prune(s) for s in document.sections) if s is not None))


def _with_statement(document: Document, statement: Section | None) -> Document:
    """Swap the statement section; a removed first part hands its page break on."""
    sections: list[Section] = []
    carry = False
    for section in document.sections:
        if section.key in STATEMENT_KEYS:
            if statement is None:
                carry = section.new_page
                continue
            section = replace(statement, new_page=section.new_page)
        elif carry:
            section, carry = replace(section, new_page=True), False
        sections.append(section)
    return replace(document, sections=tuple(sections))


def _statement_variants(document: Document, goals: Section | None) -> list[_Variant]:
    """The statement as it is, then shorter versions in the order they are tried."""
    current = next((s for s in document.sections if s.key in STATEMENT_KEYS), None)
    if current is None or not current.blocks:
        return []
    name = SECTION_TITLES[current.key]
    variants = [_Variant(current, "", _chars(current.blocks))]
    base, prefix = current, f"{name} shortened"
    if current.key == "statement" and goals is not None and goals.blocks \
            and _chars(goals.blocks) < _chars(current.blocks):
        variants.append(_Variant(goals, f"{name} replaced by {SECTION_TITLES['goals'].lower()}",
                                 _chars(goals.blocks)))
        base, prefix = goals, f"{name} replaced by {SECTION_TITLES['goals'].lower()}, shortened"
    total = len(base.blocks)
    for keep in range(total - 1, 0, -1):
        if isinstance(base.blocks[keep - 1], Heading):
            continue  # an excerpt ends after a whole paragraph, never on a heading
        blocks = base.blocks[:keep]
        variants.append(_Variant(replace(base, blocks=blocks, note=EXCERPT),
                                 f"{prefix} to an excerpt ({keep} of {total} paragraphs)", _chars(blocks)))
    variants.append(_Variant(None, f"{name} left out (no room)", 0))
    return variants


def _prefix(units: int) -> frozenset[int]:
    """The state that cuts the first ``units`` steps of the trim order."""
    return frozenset(range(units))


def _first_words(entry: Entry) -> str:
    """The entry's first words for the report, with "…" when there is more."""
    short = entry_text(entry, REPORT_WORDS)
    return short if short == entry_text(entry, 10**6) else short.rstrip(",.;:–—- ") + "…"


def _protected(entry: Entry, writer: Writer) -> bool:
    return entry.highlight or "keep" in entry.tags or is_relevant(entry, writer)


class _Fitter:
    """The trim order for one packet, and the arithmetic that predicts what cuts save."""

    def __init__(self, document: Document, writer: Writer, budget: int, measure: Measure,
                 goals: Section | None):
        self.document, self.writer, self.budget, self._measure = document, writer, budget, measure
        self.layouts = 0
        self.slots = _cv_slots(document)
        self.variants = _statement_variants(document, goals)
        self.units: list[_Unit] = []
        self.first = self.measure(frozenset())
        self.height = {s.number: self.first.entries.get(s.number, 0.0) for s in self.slots}
        self.path_of = {s.number: s.path for s in self.slots}
        self.by_path: dict[tuple[int, ...], list[int]] = {}
        self._headings: dict[tuple[int, ...], float] = {}
        for slot in self.slots:
            self.by_path.setdefault(slot.path, []).append(slot.number)
        self._order()

    # -- the trim order -----------------------------------------------------------------

    def _order(self) -> None:
        trimmable = [s for s in self.slots if not _protected(s.entry, self.writer)]
        newest = max((y for s in self.slots if (y := _year(s.entry.text)) is not None and y < 9999), default=0)

        def age(slot: _Slot) -> int:
            year = _year(slot.entry.text)
            return newest if year is None else year

        optional = sorted((s for s in trimmable if "optional" in s.entry.tags),
                          key=lambda s: (-self.height[s.number], age(s), -s.position, s.number))
        self.units += [_Unit(OPTIONAL, frozenset({s.number})) for s in optional]
        rest = [s for s in trimmable if "optional" not in s.entry.tags]
        by_section: dict[tuple[int, ...], list[_Slot]] = {}
        for slot in rest:
            if _low_value_rank(slot.title) is not None:
                by_section.setdefault(slot.path, []).append(slot)
        low = sorted(by_section.items(), key=lambda item: (_low_value_rank(item[1][0].title), [-i for i in item[0]]))
        self.units += [_Unit(LOW_VALUE_SECTION, frozenset(s.number for s in slots)) for _, slots in low]
        other = sorted((s for s in rest if s.path not in by_section),
                       key=lambda s: (age(s), -s.position, -self.height[s.number], s.number))
        self.units += [_Unit(IRRELEVANT, frozenset({s.number})) for s in other]
        self.units += [_Unit(STATEMENT, statement=i) for i in range(1, len(self.variants))]

    # -- states: sets of unit indexes ------------------------------------------------

    def _parts(self, state: frozenset[int]) -> tuple[frozenset[int], int]:
        removed = frozenset(n for i in state for n in self.units[i].numbers)
        return removed, max((self.units[i].statement for i in state), default=0)

    def document_for(self, state: frozenset[int]) -> Document:
        removed, variant = self._parts(state)
        document = _prune(self.document, removed)
        if variant:
            document = _with_statement(document, self.variants[variant].section)
        return document

    def measure(self, state: frozenset[int]) -> Measured:
        self.layouts += 1
        return self._measure(self.document_for(state))

    def excess(self, layout: Measured) -> float:
        """Points of text past the budget's last page (negative: room left)."""
        return (layout.pages - self.budget - 1) * layout.frame_height + layout.page_used[-1]

    def waste(self, layout: Measured) -> float:
        """Room a full page leaves at its foot on average, because entries are kept whole."""
        inner = layout.page_used[1:-1]  # neither the cover sheet nor the last page
        if inner:
            return sum(layout.frame_height - used for used in inner) / len(inner)
        heights = sorted(self.height.values())
        return heights[len(heights) // 2] / 2 if heights else 0.0

    def saving(self, state: frozenset[int]) -> float:
        """Estimated points a state saves against the full packet: the entries' measured
        heights, the headings of sections it empties, and the statement's share of text."""
        removed, variant = self._parts(state)
        return self._points(removed, self._left(removed)) + self._statement_saving(variant)

    def _prefix_savings(self) -> list[float]:
        """:meth:`saving` of every prefix of the trim order, in one pass."""
        left = self._left(frozenset())
        savings, entries = [0.0], 0.0
        for unit in self.units:
            for number in unit.numbers:
                left[self.path_of[number]] -= 1
            entries += self._points(unit.numbers, left)
            savings.append(entries + self._statement_saving(unit.statement))
        return savings

    def _left(self, removed: frozenset[int]) -> dict[tuple[int, ...], int]:
        """How many entries of each CV section are still in the packet."""
        return {path: sum(1 for n in numbers if n not in removed) for path, numbers in self.by_path.items()}

    def _points(self, numbers: frozenset[int], left: dict[tuple[int, ...], int]) -> float:
        """Points the entries ``numbers`` take, with the heading of each section they are
        all that is left of (``left`` counts each section's entries without them)."""
        paths = {self.path_of[n] for n in numbers}
        return sum(self.height[n] for n in numbers) + sum(self._heading(path) for path in paths if not left[path])

    def _heading(self, path: tuple[int, ...]) -> float:
        """What a CV section takes besides its entries: its heading."""
        if path not in self._headings:
            body = sum(self.height[n] for n in self.by_path[path])
            self._headings[path] = max(0.0, self.first.sections.get(self._section(path).key, 0.0) - body)
        return self._headings[path]

    def _statement_saving(self, variant: int) -> float:
        if not variant:
            return 0.0
        whole = self.first.sections.get(self.variants[0].section.key, 0.0)
        kept = self.variants[variant]
        return whole if kept.section is None else whole * (1 - kept.chars / max(1, self.variants[0].chars))

    def _section(self, path: tuple[int, ...]) -> Section:
        sections, section = self.document.sections, None
        for index in path:
            section = sections[index]
            sections = section.children
        assert section is not None
        return section

    def predicted(self, saving: float, ref_saving: float, layout: Measured) -> float:
        """Predicted points past the budget for a state that saves ``saving``, from a
        measured state that saves ``ref_saving``: its text after the cover sheet, less what
        the state saves more, against what the budget's pages hold given the room a page
        loses at its foot."""
        text = sum(layout.page_used[1:]) - (saving - ref_saving)
        return text - self.capacity(layout)

    def capacity(self, layout: Measured) -> float:
        """Points of text the budget's pages after the cover sheet hold. Each but the last
        loses room at its foot: near the budget, as much as that page lost in the measured
        layout (its breaks will mostly stay); far above it, the average loss."""
        height, average = layout.frame_height, self.waste(layout)
        near = layout.pages <= self.budget + 1
        lost = sum(height - layout.page_used[page - 1] if near and page < layout.pages else average
                   for page in range(2, self.budget))
        return (self.budget - 1) * height - lost

    # -- the search ----------------------------------------------------------------------

    def fit(self) -> tuple[frozenset[int], Measured]:
        if self.first.pages <= self.budget:
            return frozenset(), self.first
        state, layout = self._shortest_prefix()
        return self._restore(state, layout)

    def _shortest_prefix(self) -> tuple[frozenset[int], Measured]:
        """The shortest prefix of the trim order that fits, found by prediction and
        verified by layout; a prefix the prediction calls too short is not laid out."""
        n = len(self.units)
        if not n:
            raise self._too_long(self.first)
        saving = self._prefix_savings()
        lo, lo_layout = 0, self.first
        hi, hi_layout = None, None
        while hi is None:
            guess = next((k for k in range(lo + 1, n + 1) if self.predicted(saving[k], saving[lo], lo_layout) <= 0), n)
            layout = self.measure(_prefix(guess))
            if layout.pages <= self.budget:
                hi, hi_layout = guess, layout
            elif guess == n:
                raise self._too_long(layout)
            else:
                lo, lo_layout = guess, layout
        shorter = next((k for k in range(lo + 1, hi) if self.predicted(saving[k], saving[hi], hi_layout) <= 0), None)
        if shorter is not None:
            layout = self.measure(_prefix(shorter))
            if layout.pages <= self.budget:
                hi, hi_layout = shorter, layout
        return _prefix(hi), hi_layout

    def _restore(self, state: frozenset[int], layout: Measured) -> tuple[frozenset[int], Measured]:
        """Put back items of the last tier cut that the room left should hold, most
        valuable first, so that fewer, larger items go."""
        last = max(state)
        tier = self.units[last].tier
        if tier == STATEMENT:
            return state, layout
        removed, _ = self._parts(state)
        left = self._left(removed)
        trial, reference = state, self.saving(state)
        saved = reference
        for index in sorted((i for i in state if i != last and self.units[i].tier == tier), reverse=True):
            numbers = self.units[index].numbers
            back = self._points(numbers, left)
            if self.predicted(saved - back, reference, layout) <= 0:
                trial, saved = trial - {index}, saved - back
                for n in numbers:
                    left[self.path_of[n]] += 1
        if trial == state:
            return state, layout
        restored = self.measure(trial)
        return (trial, restored) if restored.pages <= self.budget else (state, layout)

    # -- reporting -----------------------------------------------------------------------

    def report(self, state: frozenset[int], layout: Measured) -> FitReport:
        removed, variant = self._parts(state)
        cuts = []
        for path, numbers in self.by_path.items():
            gone = [s for s in self.slots if s.path == path and s.number in removed]
            if gone:
                whole = len(gone) == len(numbers) and not self._section(path).children
                cuts.append(Cut(gone[0].title, tuple(_first_words(s.entry) for s in gone), whole))
        return FitReport(layout.pages, dict(layout.starts), self.layouts, tuple(cuts),
                         self.variants[variant].label if variant else "", self.first.pages)

    def _too_long(self, layout: Measured) -> TooLong:
        """Name what cannot be cut, its size, and how far past the limit it runs."""
        height = layout.frame_height or 1.0
        over = self.excess(layout)
        pages_over = int(over // height)
        lines = math.ceil((over - pages_over * height) / load_styles()["Body Text"].leading)
        amount = " and ".join(x for x in (
            f"{pages_over} page{'s' if pages_over != 1 else ''}" if pages_over else "",
            f"about {lines} line{'s' if lines != 1 else ''}" if lines else "") if x) or "a little"
        cover = layout.sections.get("", 0.0)
        work = sum(v for k, v in layout.sections.items() if k == WORK_KEY or k.startswith(WORK_KEY + "-"))
        rest = sum(layout.sections.values()) - cover - work
        kept = [s for s in self.slots if _protected(s.entry, self.writer)]
        about = sum(1 for s in kept if s.entry.highlight or is_relevant(s.entry, self.writer))
        parts = [f"the request summary ({cover / height:.1f} page)"]
        if work:
            parts.append(f"{notes_name(self.writer)} ({work / height:.1f} page)")
        parts.append(f"{len(kept)} CV entries ({about} about {self.writer.id}, {len(kept) - about} tagged .keep; "
                     f"{rest / height:.1f} page with the CV's headings)")
        message = (f"the packet for {self.writer.id} needs {layout.pages} pages, {amount} over its "
                   f"{self.budget}-page limit, even with everything trimmable cut; what cannot be cut is "
                   + ", ".join(parts))
        fix = (f"shorten {notes_name(self.writer)}, tag fewer CV entries .{self.writer.id} or .keep, narrow the "
               f"highlight keywords of writer {self.writer.id}, or raise [application] page_limit (at most 4)")
        return TooLong(Problem("packet.toml", message, fix, key=f"writers.{self.writer.id}"))

def fit(document: Document, writer: Writer, budget: int, measure: Measure,
        goals: Section | None = None) -> tuple[Document, FitReport]:
    """Fit a writer's packet into ``budget`` pages, cutting least valuable content first.

    ``measure`` lays a document out exactly as the PDF writer does; ``goals`` (the career
    goals page as a section, if the application has one) may stand in for a statement
    that does not fit. Raises :class:`TooLong` when what may not be cut is too long.
    """
    fitter = _Fitter(document, writer, budget, measure, goals)
    state, layout = fitter.fit()
    return fitter.document_for(state), fitter.report(state, layout)

