"""Document → a flat sequence of styled paragraphs that both writers draw.

Everything that is a *decision* about layout — which Word style a block takes, list
labels and numbering restarts, which paragraphs form one unbreakable entry, which are
highlighted, where the outline entries and page breaks go — is made here once, so
the PDF and DOCX writers only translate items into their library's calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import count

from ..model import (Block, BulletList, CodeBlock, Document, Entry, Fields, Heading, Paragraph, Run, Runs,
                     Section, Table)

PARAGRAPH_STYLES = {"body": "Body Text", "small": "Body Text", "lead": "Lead", "note": "Quote"}
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


def _entry_items(entry: Entry, state: _State, depth: int, number: int = 0, list_id: int = 0) -> list[Item]:
    group = next(state.groups)
    level = depth + (1 if entry.bullet else 0)
    items = [i for b in entry.blocks for i in _block_items(b, state, level, entry.highlight, group)]
    if entry.bullet:
        ordered = entry.bullet == "number"
        items = _labelled(items, ordered, level, f"{number}." if ordered else "•", list_id, entry.highlight, group)
    return items


def _section_items(section: Section, state: _State, level: int) -> list[Item]:
    body: list[Item] = []
    number, list_id = 0, 0
    for block in section.blocks:
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
    return items
