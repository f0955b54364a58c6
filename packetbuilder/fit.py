"""Fitting one writer's packet to the page limit by cutting what matters least to them.

Pure: (packet, writer, page budget, measuring function) → (fitted packet, report). The
measuring function is the PDF writer's own layout (:meth:`render.pdf.Typesetter.layout`),
so "fits" is exact, not estimated; the DOCX is rendered from the same fitted document.

The policy is the table :data:`POLICY`, least valuable first: each step is taken only
when every earlier one was not enough. A writer should agree with every cut:

1. CV entries tagged ``.optional`` (or in a section tagged so) — the student said so;
2. *condensing*: the details of unmarked entries (continuation paragraphs, nested
   bullets, a ``###`` entry's bullets) are dropped, their first line kept; oldest first;
3. unmarked entries of low-value sections (Skills, Languages, Interests, Hobbies,
   Memberships…), oldest first;
4. the cover sheet shares its page with what follows instead of standing alone (at a
   two-page limit this is the first step of all: half a page of the two is too much to
   leave empty);
5. the other unmarked entries, oldest first (by the end date their first line gives) —
   except *protected* ones: every entry of the Education section, of the Honors/Awards
   section, of the sections this writer's role looks for (:data:`ROLE_SECTIONS`), and of
   a section tagged ``.keep``. Protected entries may be condensed, never removed;
6. the statement: replaced by the shorter ``goals.md``, then cut to its first whole
   paragraphs with a visible "(excerpt)";
7. typographic tightening, within the style sheet's floors (``[[tighten]]`` in
   ``styles/packet.toml``: body ≥ 10 pt, leading ≥ 1.15, margins ≥ 0.6 in);
8. the statement left out, as a last resort.

Never cut or condensed: the cover sheet, the notes on the work with this writer, the
entries marked for the writer (see :mod:`.marking`) and entries tagged ``.keep``. When
anything was cut or condensed, the CV says so in one line. If what may not be cut exceeds
the budget, :class:`TooLong` names what is too long and by how much.

Why it is cheap: a layout pass costs tens of milliseconds, so this does not bisect
blindly. One layout of the full packet measures every entry's height and how far the text
runs past the budget; the shortest prefix of the policy's steps that should save that much
is laid out to verify it (usually it fits; if not, its own overflow picks the next
prefix). Then removed items of the last step that fit the space left are restored, so as
few items as possible go. A typical fit costs two or three layouts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from itertools import count
from typing import Callable, Protocol

from .config import Writer
from .errors import Problem, WorkError
from .formatting import typographic
from .model import Document, Entry, Heading, Paragraph, Run, Section, block_text
from .packet import SECTION_TITLES, entry_text
from .render.styles import load_styles, tighten_steps
from .sources import notes_name

CV_KEY = "cv"
REQUEST_KEY = "request"
STATEMENT_KEYS = ("statement", "goals")
WORK_KEY = "work"
EXCERPT = "(excerpt)"
REPORT_WORDS = 6  # first words of a cut entry in the report

OPTIONAL, CONDENSE, LOW_VALUE, SHARE_COVER, OTHER, STATEMENT, TIGHTEN, STATEMENT_OUT = range(8)
# The policy, least valuable first: (step, what goes, in which order); docs/format.md
# explains it, and :func:`policy` gives the order for a page limit.
POLICY = (
    (OPTIONAL, "entries tagged .optional, or in a section tagged .optional", "largest first"),
    (CONDENSE, "details of unmarked entries (their first line stays)", "oldest first"),
    (LOW_VALUE, "unmarked entries of low-value sections (Skills, Languages, Interests, Memberships…)",
     "oldest first"),
    (SHARE_COVER, "the cover sheet's page of its own (what follows starts under it)", "first of all at 2 pages"),
    (OTHER, "other unmarked entries, except protected sections' (Education, Honors/Awards, the role's)",
     "oldest first"),
    (STATEMENT, "the statement: replaced by goals.md, then cut to whole paragraphs", "shortest cut first"),
    (TIGHTEN, "typographic tightening within floors (body ≥ 10 pt, leading ≥ 1.15, margins ≥ 0.6 in)",
     "one step at a time"),
    (STATEMENT_OUT, "the statement left out", "last resort"),
)


def policy(budget: int) -> tuple[int, ...]:
    """The policy's steps in the order they are taken: :data:`POLICY`'s, but at a two-page
    limit the cover shares its page first, as half of one of two pages is too much to
    leave empty."""
    order = tuple(step for step, _, _ in POLICY)
    return (SHARE_COVER, *(s for s in order if s != SHARE_COVER)) if budget <= 2 else order


# Section titles (case-insensitive substrings) of low-value CV sections.
LOW_VALUE_SECTIONS = ("hobbies", "interests", "personal", "memberships", "affiliations", "references", "skills",
                      "languages", "certifications")
# Sections whose entries are never removed (only condensed): for every writer, and by role.
PROTECTED_SECTIONS = ("education", "honors", "honours", "awards")
ROLE_SECTIONS = {
    "research": ("research", "publication", "presentation", "abstract", "poster"),
    "clinical": ("clinical", "clerkship", "rotation", "sub-intern"),
    "slor": ("clinical", "clerkship", "rotation", "sub-intern"),
    "chair": ("clinical", "clerkship", "rotation"),
    "longitudinal": ("service", "volunteer", "community", "leadership"),
    "leadership": ("service", "volunteer", "community", "leadership"),
}
SELECTED_NOTE = "Selected entries for {salutation} — full CV on request."


class Measured(Protocol):
    """What the measuring function reports about one layout (see ``render.pdf.Layout``)."""

    pages: int
    starts: dict[str, int]
    entries: dict[int, float]  # entry number (document order, from 1) → points it took
    sections: dict[str, float]  # outlined section key → points it took ("" = before the first)
    frame_height: float
    page_used: tuple[float, ...]  # how far down each page the text runs


Measure = Callable[[Document], Measured]
# The packet made anew from its (fitted) parts after the cover sheet, the cover sheet
# standing alone (True) or sharing its page: the cover names what the parts hold (the
# statement or the goals, how many entries are marked) and so changes with them.
Rebuild = Callable[[list[Section], bool], Document]


class TooLong(WorkError):
    """Even with everything trimmable cut, the packet exceeds its page limit."""


@dataclass(frozen=True)
class Cut:
    """What went from one CV section: the first words of each entry cut (or condensed),
    and whether the whole section (heading included) went."""

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
    condensed: tuple[Cut, ...] = ()  # entries printed with their first line only
    cover_shared: bool = False  # the cover sheet shares its page with what follows
    density: int = 0  # the tightening step taken (0: none)

    @property
    def statement_shortened(self) -> bool:
        return bool(self.statement)

    def trimmed(self) -> list[str]:
        return [str(c) for c in self.cuts] + ([self.statement] if self.statement else [])


@dataclass(frozen=True)
class _Slot:
    """A CV entry: its number in document order (the measuring pass's numbering), the path
    of its section, that section, and its place there."""

    number: int
    path: tuple[int, ...]
    section: Section
    position: int
    entry: Entry

    @property
    def title(self) -> str:
        return self.section.title


@dataclass(frozen=True)
class _Unit:
    """One step of the policy: entries to remove or condense, a statement variant to move
    to, a tightening step, or the cover sharing its page."""

    tier: int
    numbers: frozenset[int] = frozenset()
    condense: frozenset[int] = frozenset()
    statement: int = 0
    density: int = 0
    share: bool = False


@dataclass(frozen=True)
class _State:
    """What a set of units does to the packet."""

    removed: frozenset[int]
    condensed: frozenset[int]
    statement: int
    density: int
    share: bool


@dataclass(frozen=True)
class _Variant:
    section: Section | None  # None: the statement is left out
    label: str
    chars: int


def _chars(blocks) -> int:
    return len(block_text(blocks))


def _matches(title: str, words: tuple[str, ...]) -> bool:
    folded = title.casefold()
    return any(w in folded for w in words)


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
                        slots.append(_Slot(number, here, section, position, block))
                    position += 1
            visit(section.children, here, cv)

    visit(document.sections, (), False)
    return slots


def _prune(document: Document, removed: frozenset[int], condensed: frozenset[int]) -> Document:
    """The document without the numbered entries removed and with the condensed ones
    shortened to their first line; sections left empty go too, so the model never holds
    a heading with nothing under it."""
    numbers = count(_preamble_entries(document) + 1)

    def block(b):
        if not isinstance(b, Entry):
            return b
        number = next(numbers)
        if number in removed:
            return None
        return b.condensed() if number in condensed else b

    def prune(section: Section) -> Section | None:
        blocks = _without_bare_headings(tuple(x for x in (block(b) for b in section.blocks) if x is not None),
                                        section.blocks)
        children = tuple(c for c in (prune(child) for child in section.children) if c is not None)
        if not blocks and not children and (section.blocks or section.children):
            return None
        return replace(section, blocks=blocks, children=children)

    return replace(document, sections=tuple(s for s in (prune(s) for s in document.sections) if s is not None))


def _without_bare_headings(blocks: tuple, before: tuple) -> tuple:
    """Drop a heading that groups entries (``### Posters``) once every entry under it is
    cut: a heading over nothing. Headings that had no entries to begin with stay."""
    out: list = []
    for index, b in enumerate(blocks):
        if isinstance(b, Heading):
            following = blocks[index + 1:]
            under = next((i for i, x in enumerate(following) if isinstance(x, Heading)), len(following))
            if not any(isinstance(x, Entry) for x in following[:under]) and any(isinstance(x, Entry) for x in before):
                continue
        out.append(b)
    return tuple(out)


def _with_selection_note(document: Document, salutation: str) -> Document:
    """The CV says, in one line at its top, that it is a selection."""
    note = Paragraph((Run(SELECTED_NOTE.format(salutation=typographic(salutation)), italic=True),), "note")

    def noted(blocks: tuple) -> tuple:
        """The note under the CV's name and contact line, above its first section."""
        lead = next((i for i, b in enumerate(blocks) if not (isinstance(b, Paragraph) and b.style in ("name", "contact"))),
                    len(blocks))
        return (*blocks[:lead], note, *blocks[lead:])

    return replace(document, sections=tuple(
        replace(s, blocks=noted(s.blocks)) if s.key == CV_KEY else s for s in document.sections))


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
                                 f"{prefix} to an excerpt ({keep} of {total} paragraph{'s' if total > 1 else ''})",
                                 _chars(blocks)))
    variants.append(_Variant(None, f"{name} left out (no room)", 0))
    return variants


def _prefix(units: int) -> frozenset[int]:
    """The state that takes the first ``units`` steps of the policy."""
    return frozenset(range(units))


def _first_words(entry: Entry) -> str:
    """The entry's first words for the report, with "…" when there is more."""
    short = entry_text(entry, REPORT_WORDS)
    return short if short == entry_text(entry, 10**6) else short.rstrip(",.;:–—- ") + "…"


def _age(slot: _Slot, newest: tuple[int, int]) -> tuple[int, int]:
    """What "oldest first" sorts by: the entry's end date; an undated entry counts as new."""
    return slot.entry.dates.latest if slot.entry.dates is not None else newest


def protected_section(section: Section, role: str) -> bool:
    """Whether a CV section's entries may be condensed but never removed for this role."""
    return "keep" in section.tags or _matches(section.title, PROTECTED_SECTIONS + ROLE_SECTIONS.get(role, ()))


class _Fitter:
    """The policy for one packet, and the arithmetic that predicts what its steps save."""

    def __init__(self, document: Document, writer: Writer, budget: int, measure: Measure,
                 goals: Section | None, rebuild: Rebuild):
        self.document, self.writer, self.budget, self._measure = document, writer, budget, measure
        self.rebuild = rebuild
        self.layouts = 0
        self.slots = _cv_slots(document)
        self.variants = _statement_variants(document, goals)
        self.steps = tighten_steps()
        self.units: list[_Unit] = []
        self.first = self.measure(frozenset())
        self.height = {s.number: self.first.entries.get(s.number, 0.0) for s in self.slots}
        self.path_of = {s.number: s.path for s in self.slots}
        self.entry_of = {s.number: s.entry for s in self.slots}
        self.by_path: dict[tuple[int, ...], list[int]] = {}
        self._headings: dict[tuple[int, ...], float] = {}
        for slot in self.slots:
            self.by_path.setdefault(slot.path, []).append(slot.number)
        self._order()

    # -- the policy -----------------------------------------------------------------------

    def _order(self) -> None:
        """The units of the policy's steps, in the order :func:`policy` gives for the budget."""
        # Marked entries and entries tagged .keep are never cut nor condensed. An entry's own
        # tag is more specific than its section's: .optional on an entry of a .keep section
        # makes it optional, .keep on one of an .optional section keeps it.
        free = [s for s in self.slots if not (s.entry.highlight or "keep" in s.entry.tags)]
        dated = [s.entry.dates.latest for s in self.slots if s.entry.dates is not None and s.entry.dates.end]
        newest = max(dated, default=(0, 0))
        optional = [s for s in free if "optional" in s.entry.tags or "optional" in s.section.tags]
        rest = [s for s in free if s not in optional]
        removable = [s for s in rest if not protected_section(s.section, self.writer.role)]
        low = [s for s in removable if _matches(s.title, LOW_VALUE_SECTIONS)]
        steps = {
            OPTIONAL: [_Unit(OPTIONAL, frozenset({s.number})) for s in
                       sorted(optional, key=lambda s: (-self.height[s.number], _age(s, newest), -s.position))],
            CONDENSE: [_Unit(CONDENSE, condense=frozenset({s.number})) for s in
                       sorted((s for s in rest if s.entry.details), key=lambda s: (_age(s, newest), -s.position))],
            LOW_VALUE: [_Unit(LOW_VALUE, frozenset({s.number})) for s in
                        sorted(low, key=lambda s: (_age(s, newest), -s.position, s.number))],
            SHARE_COVER: [_Unit(SHARE_COVER, share=True)] if len(self.document.sections) > 1 else [],
            OTHER: [_Unit(OTHER, frozenset({s.number})) for s in
                    sorted((s for s in removable if s not in low),
                           key=lambda s: (_age(s, newest), -s.position, -self.height[s.number]))],
            STATEMENT: [_Unit(STATEMENT, statement=i) for i in range(1, len(self.variants) - 1)],
            TIGHTEN: [_Unit(TIGHTEN, density=i) for i in range(1, len(self.steps) + 1)],
            STATEMENT_OUT: [_Unit(STATEMENT_OUT, statement=len(self.variants) - 1)] if self.variants else [],
        }
        self.units = [unit for step in policy(self.budget) for unit in steps[step]]

    # -- states: sets of unit indexes ------------------------------------------------

    def _parts(self, state: frozenset[int]) -> _State:
        units = [self.units[i] for i in state]
        removed = frozenset(n for u in units for n in u.numbers)
        return _State(removed, frozenset(n for u in units for n in u.condense) - removed,
                      max((u.statement for u in units), default=0), max((u.density for u in units), default=0),
                      any(u.share for u in units))

    def document_for(self, state: frozenset[int]) -> Document:
        parts = self._parts(state)
        document = _prune(self.document, parts.removed, parts.condensed)
        if parts.removed or parts.condensed:
            document = _with_selection_note(document, self.writer.salutation)
        if parts.statement:
            document = _with_statement(document, self.variants[parts.statement].section)
        if parts.statement or parts.removed or parts.condensed or parts.share:
            document = self.rebuild([s for s in document.sections if s.key != REQUEST_KEY], not parts.share)
        return replace(document, density=parts.density) if parts.density else document

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
        heights, the headings of sections it empties, the details it drops, the
        statement's share of text, the cover page's empty foot and tightening's share."""
        parts = self._parts(state)
        return (self._points(parts.removed, self._left(parts.removed)) + self._condensing(parts.condensed)
                + self._statement_saving(parts.statement) + self._share_saving(parts.share)
                + self._density_saving(parts.density, parts))

    def _prefix_savings(self) -> list[float]:
        """:meth:`saving` of every prefix of the policy, in one pass."""
        left = self._left(frozenset())
        savings, entries, condensed = [0.0], 0.0, 0.0
        removed: set[int] = set()
        shortened: set[int] = set()  # condensed and still there
        statement = density = 0
        share = False
        for unit in self.units:
            for number in unit.numbers:
                left[self.path_of[number]] -= 1
            entries += self._points(unit.numbers, left)
            new = unit.condense - removed
            gone = unit.numbers & shortened
            condensed += self._condensing(frozenset(new)) - self._condensing(frozenset(gone))
            shortened = (shortened | new) - gone
            removed |= unit.numbers
            statement, density, share = max(statement, unit.statement), max(density, unit.density), share or unit.share
            savings.append(entries + condensed + self._statement_saving(statement) + self._share_saving(share)
                           + self._density_saving(density, None, entries + condensed))
        return savings

    def _left(self, removed: frozenset[int]) -> dict[tuple[int, ...], int]:
        """How many entries of each CV section are still in the packet."""
        return {path: sum(1 for n in numbers if n not in removed) for path, numbers in self.by_path.items()}

    def _points(self, numbers: frozenset[int], left: dict[tuple[int, ...], int]) -> float:
        """Points the entries ``numbers`` take, with the heading of each section they are
        all that is left of (``left`` counts each section's entries without them)."""
        paths = {self.path_of[n] for n in numbers}
        return sum(self.height[n] for n in numbers) + sum(self._heading(path) for path in paths if not left[path])

    def _condensing(self, numbers: frozenset[int]) -> float:
        """Points dropping the entries' details saves: their share of each entry's text."""
        saved = 0.0
        for number in numbers:
            entry = self.entry_of[number]
            total = max(1, _chars(entry.blocks))
            saved += self.height[number] * (1 - _chars(entry.blocks[: entry.head]) / total)
        return saved

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

    def _share_saving(self, share: bool) -> float:
        """Sharing the cover's page saves the room the cover leaves empty under it."""
        if not share or not self.first.page_used:
            return 0.0
        return max(0.0, self.first.frame_height - self.first.page_used[0])

    def _density_saving(self, density: int, parts: _State | None, saved: float = 0.0) -> float:
        """Tightening saves its share of the text after the cover sheet that is left."""
        if not density:
            return 0.0
        if parts is not None:
            saved = self._points(parts.removed, self._left(parts.removed)) + self._condensing(parts.condensed)
        text = sum(self.first.page_used[1:]) - saved
        return max(0.0, text) * self.steps[density - 1].saving

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
        """The shortest prefix of the policy that fits, found by prediction and verified by
        layout; a prefix the prediction calls too short is not laid out."""
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
        """Put back items of the last step taken that the room left should hold, most
        valuable first, so that fewer, larger items go."""
        last = max(state)
        tier = self.units[last].tier
        if tier not in (OPTIONAL, CONDENSE, LOW_VALUE, OTHER):
            return state, layout
        trial, reference = state, self.saving(state)
        saved = reference
        for index in sorted((i for i in state if i != last and self.units[i].tier == tier), reverse=True):
            back = saved - self.saving(trial - {index})
            if self.predicted(saved - back, reference, layout) <= 0:
                trial, saved = trial - {index}, saved - back
        if trial == state:
            return state, layout
        restored = self.measure(trial)
        return (trial, restored) if restored.pages <= self.budget else (state, layout)

    # -- reporting -----------------------------------------------------------------------

    def report(self, state: frozenset[int], layout: Measured) -> FitReport:
        parts = self._parts(state)
        cuts, condensed = [], []
        for path, numbers in self.by_path.items():
            here = [s for s in self.slots if s.path == path]
            gone = [s for s in here if s.number in parts.removed]
            if gone:
                whole = len(gone) == len(numbers) and not self._section(path).children
                cuts.append(Cut(gone[0].title, tuple(_first_words(s.entry) for s in gone), whole))
            short = [s for s in here if s.number in parts.condensed]
            if short:
                condensed.append(Cut(short[0].title, tuple(_first_words(s.entry) for s in short)))
        statement = self.variants[parts.statement].label if parts.statement else ""
        return FitReport(layout.pages, dict(layout.starts), self.layouts, tuple(cuts), statement, self.first.pages,
                         tuple(condensed), parts.share, parts.density)

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
        kept = [s for s in self.slots if s.entry.highlight or "keep" in s.entry.tags
                or protected_section(s.section, self.writer.role)]
        about = sum(1 for s in kept if s.entry.highlight)
        keep = sum(1 for s in kept if not s.entry.highlight and "keep" in s.entry.tags)
        parts = [f"the request summary ({cover / height:.1f} page)"]
        if work:
            parts.append(f"{notes_name(self.writer)} ({work / height:.1f} page)")
        parts.append(f"{len(kept)} CV entries ({about} marked for {self.writer.id}, {keep} tagged .keep, "
                     f"{len(kept) - about - keep} in sections a {self.writer.role} writer looks for; "
                     f"{rest / height:.1f} page with the CV's headings)")
        message = (f"the packet for {self.writer.id} needs {layout.pages} pages, {amount} over its "
                   f"{self.budget}-page limit, even with everything trimmable cut; what cannot be cut is "
                   + ", ".join(parts))
        fix = (f"shorten {notes_name(self.writer)}, tag fewer CV entries .{self.writer.id} or .keep, tag what "
               f"matters less .optional, narrow the highlight keywords of writer {self.writer.id}, or raise "
               "[application] page_limit (at most 4)")
        return TooLong(Problem("packet.toml", message, fix, key=f"writers.{self.writer.id}"))


def fit(document: Document, writer: Writer, budget: int, measure: Measure, rebuild: Rebuild,
        goals: Section | None = None) -> tuple[Document, FitReport]:
    """Fit a writer's packet into ``budget`` pages, cutting least valuable content first.

    ``measure`` lays a document out exactly as the PDF writer does; ``rebuild`` makes the
    packet from its parts, with a cover sheet that says what they now hold; ``goals``
    (the career goals page as a section, if the application has one) may stand in for a
    statement that does not fit. Raises :class:`TooLong` when what may not be cut is too
    long.
    """
    fitter = _Fitter(document, writer, budget, measure, goals, rebuild)
    state, layout = fitter.fit()
    return fitter.document_for(state), fitter.report(state, layout)
