"""The neutral document model between the Markdown reader and the PDF/DOCX writers.

As in pandoc, readers produce this and writers consume it; neither knows the other.
Inline content is a flat list of styled runs (simpler for both writers than a nested
tree, and enough for CVs and letters). An :class:`Entry` is the CV's unit of
selection: the thing that is highlighted, kept or trimmed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Union


@dataclass(frozen=True)
class Run:
    """A piece of text with one set of styles. ``href`` makes it a link."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    href: str | None = None


Runs = tuple[Run, ...]


def plain(runs: Runs) -> str:
    return "".join(r.text for r in runs)


@dataclass(frozen=True)
class Paragraph:
    runs: Runs
    style: str = "body"  # body | small | note | lead


@dataclass(frozen=True)
class Heading:
    level: int  # 1 part of the packet, 2 section, 3 entry heading
    runs: Runs


@dataclass(frozen=True)
class ListItem:
    blocks: tuple["Block", ...]


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    rows: tuple[tuple[Runs, ...], ...]
    header: bool = True


@dataclass(frozen=True)
class CodeBlock:
    text: str


@dataclass(frozen=True)
class Fields:
    """Label/value rows: the cover sheet and the rotation facts. Values are blocks."""

    rows: tuple[tuple[str, tuple["Block", ...]], ...]


YearMonth = tuple[int, int]  # (year, month); month 0 when only the year is written


@dataclass(frozen=True)
class DateSpan:
    """The dates an entry's first line gives: one date, a range, or dates listed ("Summer
    2021 and Summer 2022", ``listed``: no span of time between them), as written and as
    (year, month) for ordering. ``end`` is None while the entry is ongoing ("present")."""

    text: str
    start: YearMonth
    end: YearMonth | None
    listed: bool = False

    @property
    def latest(self) -> YearMonth:
        """What "oldest first" sorts by: the end, and an ongoing entry is the newest."""
        return self.end if self.end is not None else (9999, 12)


@dataclass(frozen=True)
class Entry:
    """One CV entry with its tags: the unit that is marked, condensed, kept or cut.

    ``blocks`` are the entry as written. The first ``head`` of them are its first line
    (a list item's first paragraph; a ``###`` heading and the paragraph under it) and are
    always printed; the rest are its *details* (continuation paragraphs, nested lists,
    a ``###`` entry's bullets), which fitting may drop ("condense"). ``title``, ``line``
    and ``dates`` are the parts of the first line where they could be recognised (see
    :mod:`.entry_parts`); an entry with none recognised still works.

    ``bullet`` says how it was written, so consecutive entries render as one list:
    "bullet", "number" or None for a ``###`` block. ``highlight`` is set per writer by
    packet assembly; the writers only draw it.
    """

    blocks: tuple["Block", ...]
    tags: frozenset[str] = frozenset()
    bullet: str | None = "bullet"
    highlight: bool = False
    head: int = 1
    title: str = ""
    line: str = ""
    dates: DateSpan | None = None

    @property
    def text(self) -> str:
        return block_text(self.blocks)

    @property
    def head_text(self) -> str:
        """The first line's text: what names the entry, its organisation and dates."""
        return block_text(self.blocks[: self.head])

    @property
    def details(self) -> tuple["Block", ...]:
        return self.blocks[self.head:]

    def condensed(self) -> "Entry":
        """The entry with its details dropped and its first line kept."""
        return replace(self, blocks=self.blocks[: self.head])


Block = Union[Paragraph, Heading, BulletList, Table, CodeBlock, Fields, Entry]


@dataclass(frozen=True)
class Section:
    """A titled part. Level 1 sections start a page and get a PDF outline entry."""

    title: str
    blocks: tuple[Block, ...] = ()
    children: tuple["Section", ...] = ()
    level: int = 1
    key: str = ""  # stable name used by fitting and the build report
    note: str = ""  # e.g. "(excerpt)" after the statement was shortened
    new_page: bool = False
    show_title: bool = True  # the cover sheet's heading is the document title instead
    tags: frozenset[str] = frozenset()  # a CV section's own tags: ``## Research {: .keep }``

    def with_blocks(self, blocks: tuple[Block, ...]) -> "Section":
        return replace(self, blocks=blocks)


@dataclass(frozen=True)
class Document:
    """A whole document: what one writer receives, or one parsed source file."""

    title: str
    sections: tuple[Section, ...]
    subtitle: str = ""
    author: str = ""
    subject: str = ""
    keywords: tuple[str, ...] = ()
    footer: str = ""
    meta: dict[str, str] = field(default_factory=dict, compare=False)
    preamble: tuple[Block, ...] = ()
    density: int = 0  # typographic tightening step (0: as styled), chosen by fitting; both writers apply it
    lang: str = "en-US"  # the document's language (PDF /Lang, DOCX w:lang)
    date: dt.date | None = None  # the date the document is for (its creation date in the metadata)


def block_text(blocks: tuple[Block, ...] | list[Block]) -> str:
    """Plain text of blocks, for searching (highlight keywords) and reports."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, (Paragraph, Heading)):
            out.append(plain(b.runs))
        elif isinstance(b, BulletList):
            out.extend(block_text(i.blocks) for i in b.items)
        elif isinstance(b, Table):
            out.extend(plain(c) for row in b.rows for c in row)
        elif isinstance(b, CodeBlock):
            out.append(b.text)
        elif isinstance(b, Fields):
            out.extend(f"{k}: {block_text(v)}" for k, v in b.rows)
        elif isinstance(b, Entry):
            out.append(b.text)
    return "\n".join(out)


def walk_sections(sections: tuple[Section, ...]):
    for s in sections:
        yield s
        yield from walk_sections(s.children)
