"""Markdown → neutral model (Python-Markdown, raw HTML disabled).

Python-Markdown renders to HTML; we re-parse that HTML with lxml rather than walking
its element tree, because the captured tree still holds htmlStash placeholders for
smart quotes and entities. Raw HTML is deregistered, so it arrives escaped and is
shown as text. Tags (``{: .chen .keep }``) become :attr:`Entry.tags` and are never
printed: attr_list handles them on their own indented line, and this module strips
the same-line form, which attr_list leaves as text on list items.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import quote

import markdown as pymd
from lxml import html as lxml_html

from .entry_parts import find_dates, with_parts
from .errors import InputError, Problem
from .model import (Block, BulletList, CodeBlock, Document, Entry, Heading, ListItem, Paragraph, Run, Runs,
                    Section, Table, plain)

# A same-line attribute list, as this reader takes it off the end of a line: `{: .chen .keep }`.
# The Word import (cv_shapes) keeps such text out of a title with this same pattern.
TAGS_AT_END = re.compile(r"\s*\{:?\s*((?:[.#][\w-]+\s*|[\w-]+=(?:\"[^\"]*\"|'[^']*'|\S+)\s*)+)\}\s*$")
_BLOCK_TAGS = {"p", "ul", "ol", "pre", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "div", "dl"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@lru_cache(maxsize=2)
def _converter(meta: bool = False) -> pymd.Markdown:
    """The Markdown converter, made once per process (with and without the meta block)
    and reset before each use: making one registers every extension again, a fifth of
    reading an application."""
    extensions = ["tables", "fenced_code", "attr_list", "sane_lists", "smarty"]
    if meta:
        extensions.append("meta")
    md = pymd.Markdown(extensions=extensions)
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


# Lists and `>` quotes nest at most this deep. A CV uses two or three levels; Python-Markdown
# parses nesting by recursion and lxml stops at 255 levels, silently dropping everything
# after (254 nested `>` lost ten sections of a CV), so past this the line is refused.
MAX_NESTING = 30
_QUOTES = re.compile(r"^(?: {0,3}>)+")
# The longest paragraph, heading, table cell or code block. A packet holds about 16,000
# characters, so a longer one can only be cut; and reportlab lays a paragraph out again
# at every page it is split over, so a 1 MB line took minutes to be cut.
MAX_BLOCK = 20_000


def _too_deep(name: str, line: int) -> InputError:
    return InputError(Problem(name, f"nested more than {MAX_NESTING} levels deep (lists or `>` quotes)",
                              "a CV needs two or three levels: outdent that line or remove some of its `>`", line))


# Characters Python-Markdown may scan, in one paragraph, looking for closing brackets. It
# looks for each `[`'s match to the end of the paragraph, so 19,000 characters of `[a`
# (or `![`, or brackets nested thousands deep) took 40 s; a paragraph of links costs a
# few thousand. Past it, a `[` with no `]` within LINK_SPAN characters is text.
BRACKET_BUDGET = 200_000
LINK_SPAN = 500
_BLANK_LINES = re.compile(r"(\n[ \t]*\n)")
_BRACKET = re.compile(r"\\.|[\[\]]")


def _far_brackets(block: str) -> list[int]:
    """Where the `[` of ``block`` are that would make matching brackets cost more than
    :data:`BRACKET_BUDGET`: each one whose `]` is missing or over :data:`LINK_SPAN` away.
    None, in a block that cannot reach the budget. One pass."""
    if len(block) * block.count("[") <= BRACKET_BUDGET:
        return []  # the common case, without a scan
    opened: list[int] = []
    far: list[int] = []
    cost = 0
    for m in _BRACKET.finditer(block):
        if m.group() == "[":
            opened.append(m.start())
        elif m.group() == "]" and opened:
            start = opened.pop()
            cost += m.start() - start
            if m.start() - start > LINK_SPAN:
                far.append(start)
    cost += sum(len(block) - start for start in opened)
    return sorted(far + opened) if cost > BRACKET_BUDGET else []


def _brackets_as_text(text: str) -> str:
    """The text with the `[` that :func:`_far_brackets` finds escaped, so they show as
    written and reading stays linear in the paragraph's length; links nearby still work."""
    out = []
    for part in _BLANK_LINES.split(text):
        far = _far_brackets(part)
        if far:
            pieces, last = [], 0
            for start in far:
                pieces += [part[last:start], "\\"]
                last = start
            part = "".join(pieces) + part[last:]
        out.append(part)
    return "".join(out)


def _block_texts(blocks) -> Iterator[str]:
    """The text of every paragraph, heading, cell and code block, nested ones included."""
    for block in blocks:
        if isinstance(block, (Paragraph, Heading)):
            yield plain(block.runs)
        elif isinstance(block, CodeBlock):
            yield block.text
        elif isinstance(block, Table):
            yield from (plain(cell) for row in block.rows for cell in row)
        elif isinstance(block, BulletList):
            for item in block.items:
                yield from _block_texts(item.blocks)
        elif isinstance(block, Entry):
            yield from _block_texts(block.blocks)


def _line_of(text: str, found: str) -> int | None:
    """The line of the source where ``found`` (text as read, spaces collapsed) starts."""
    words = found.split()[:5]
    while words:
        m = re.search(r"\s+".join(map(re.escape, words)), text)
        if m:
            return text.count("\n", 0, m.start()) + 1
        words = words[:-1]
    return None


def _check_sizes(texts: Iterable[str], text: str, name: str) -> None:
    """Refuse a paragraph (or heading, cell, fact) longer than :data:`MAX_BLOCK`."""
    for found in texts:
        if len(found) > MAX_BLOCK:
            raise InputError(Problem(name, f"a paragraph of {len(found):,} characters is longer than a packet can "
                                           f"show (at most {MAX_BLOCK:,})",
                                     "split it into entries or paragraphs, with a blank line between them",
                                     _line_of(text, found)))


def _document_texts(doc: Document) -> Iterator[str]:
    yield doc.title
    yield from _block_texts(doc.preamble)
    for section in doc.sections:
        yield section.title
        yield from _block_texts(section.blocks)


def _check_quotes(text: str, name: str) -> None:
    """Refuse a line of `>` quotes (and lists indented inside them) nested past the limit."""
    for number, line in enumerate(text.split("\n"), 1):
        quotes = _QUOTES.match(line)
        if quotes:
            rest = line[quotes.end():].expandtabs(4)
            if quotes.group().count(">") + (len(rest) - len(rest.lstrip(" "))) // 4 > MAX_NESTING:
                raise _too_deep(name, number)


_MARKER = re.compile(r"^( *)([-*+]|\d{1,9}[.)])( +|$)(.*)$")
_RULE = re.compile(r"^ {0,3}([-*_])(?: *\1){2,} *$")
_FENCE = re.compile(r"^ *(```|~~~)")


def normalise_lists(text: str, name: str = "cv.md") -> str:
    """Lists as people write them, in the shape Python-Markdown reads.

    Python-Markdown nests a list only under four spaces and starts one only after a blank
    line; people (and Word exports) indent details by two or three, and put an entry's
    bullets right under its first line. Read that way, every detail became an entry of its
    own. Here a list item is nested under the nearest item whose marker stands left of it,
    its indented lines follow it as continuation, and a blank line is put before an item
    that follows a paragraph (as CommonMark allows a list to start there; an ordered list
    only when it starts at 1, so a line starting "2024." is not a list). Fenced code is
    left alone. A list nested past :data:`MAX_NESTING` is refused at its line (in ``name``).
    """
    out: list[str] = []
    stack: list[int] = []  # marker columns of the open list items, outermost first
    fenced = False
    previous = ""  # the previous line, stripped; "" when blank
    listing = False  # whether the previous non-blank line belongs to a list item
    loose = False  # a blank line came since the last item's marker: its text since is a paragraph of its own
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.expandtabs(4)
        indent = len(line) - len(line.lstrip(" "))
        marker = None if fenced else _MARKER.match(line)
        starts = marker is not None and (marker.group(2) in "-*+" or marker.group(2)[:-1] == "1")
        if marker and not stack and previous and not listing and not starts:
            marker = None  # "2024. Then …" continues a paragraph
        if _FENCE.match(line) or fenced:
            if not fenced and stack and indent <= stack[0]:
                stack.clear()
            fenced = fenced != bool(_FENCE.match(line))
            out.append(raw)
            listing = listing and bool(stack)
        elif marker and not _RULE.match(line):
            if previous and not _MARKER.match(out[-1].expandtabs(4)) and (loose or not stack):
                out.append("")  # Python-Markdown would read the item as text of the paragraph above
            while stack and indent <= stack[-1]:
                stack.pop()
            bullet = marker.group(2)
            loose = False
            out.append(" " * (4 * len(stack)) + bullet + " " + marker.group(4))
            stack.append(indent)
            if len(stack) > MAX_NESTING:
                raise _too_deep(name, number)
            listing = True
        elif not line.strip():
            out.append("")
            loose = bool(stack)
        elif stack and indent > stack[0]:
            while stack and indent <= stack[-1]:
                stack.pop()
            out.append(" " * (4 * len(stack)) + line.strip())
        else:
            if not previous or line.lstrip().startswith("#"):
                stack.clear()  # unindented text after a blank line, or a heading, ends every list
            listing = listing and bool(previous) and bool(stack)
            out.append(raw)
        previous = line.strip()
    return "\n".join(out)


def _to_tree(text: str, name: str, meta: bool = False) -> tuple[list, dict[str, list[str]]]:
    text = _CONTROL.sub("", text)
    _check_quotes(text, name)
    md = _converter(meta)
    md.reset()
    body = md.convert(normalise_lists(_brackets_as_text(text), name))
    root = lxml_html.fragment_fromstring(body or "<p></p>", create_parent="div")
    return list(root), getattr(md, "Meta", {})


# -- inline ----------------------------------------------------------------------------

_LINK_SCHEMES = ("http", "https", "mailto", "tel")


def _link(href: str | None) -> str | None:
    """A link target fit for a document sent to others, or None (the text stays, unlinked).

    Web, e-mail and phone links only: a ``javascript:`` or ``file:`` link in a packet is at
    best dead and at worst a trap. Control, invisible and non-characters are
    percent-encoded: XML (so the DOCX) refuses some, and a bidi override could disguise
    where a link goes.
    """
    href = (href or "").strip()
    if href.partition(":")[0].lower() not in _LINK_SCHEMES or ":" not in href:
        return None
    return "".join(ch if ch.isprintable() and ch != " " else quote(ch, safe="") for ch in href)


def _runs(el, bold=False, italic=False, code=False, href=None, out: list[Run] | None = None) -> list[Run]:
    """Flatten an element's inline content into styled runs."""
    out = [] if out is None else out

    def add(text: str | None) -> None:
        if text:
            text = text if code else re.sub(r"[ \t\r\n]+", " ", text)
            out.append(Run(text, bold, italic, code, href))

    add(el.text)
    for child in el:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in ("strong", "b"):
            _runs(child, True, italic, code, href, out)
        elif tag in ("em", "i"):
            _runs(child, bold, True, code, href, out)
        elif tag == "code":
            _runs(child, bold, italic, True, href, out)
        elif tag == "a":
            _runs(child, bold, italic, code, _link(child.get("href")) or href, out)
        elif tag == "br":
            out.append(Run("\n", bold, italic, code, href))
        elif tag == "img":
            add(child.get("alt") or "")
        elif tag not in _BLOCK_TAGS:
            _runs(child, bold, italic, code, href, out)
        add(child.tail)
    return out


def _tidy(runs: list[Run]) -> Runs:
    """Trim outer whitespace and merge neighbours with the same style."""
    merged: list[Run] = []
    for r in runs:
        if merged and (merged[-1].bold, merged[-1].italic, merged[-1].code, merged[-1].href) == (
                r.bold, r.italic, r.code, r.href):
            merged[-1] = Run(merged[-1].text + r.text, r.bold, r.italic, r.code, r.href)
        else:
            merged.append(r)
    if merged:
        merged[0] = Run(merged[0].text.lstrip(" "), merged[0].bold, merged[0].italic, merged[0].code, merged[0].href)
        merged[-1] = Run(merged[-1].text.rstrip(" "), merged[-1].bold, merged[-1].italic, merged[-1].code,
                         merged[-1].href)
    return tuple(r for r in merged if r.text)


def _strip_tags(runs: Runs) -> tuple[Runs, frozenset[str]]:
    """Remove a same-line ``{: .a .b }`` from the end of the runs, returning its classes."""
    if not runs:
        return runs, frozenset()
    last = runs[-1]
    m = TAGS_AT_END.search(last.text)
    if not m:
        return runs, frozenset()
    classes = frozenset(tok[1:] for tok in m.group(1).split() if tok.startswith("."))
    rest = last.text[: m.start()]
    new_last = (Run(rest, last.bold, last.italic, last.code, last.href),) if rest else ()
    return tuple(runs[:-1]) + new_last, classes


def _classes(el) -> frozenset[str]:
    return frozenset((el.get("class") or "").split())


# -- blocks ----------------------------------------------------------------------------

def _blocks(elements) -> tuple[list[Block], frozenset[str]]:
    """Convert block-level elements; also return tags found at the end of the first paragraph."""
    blocks: list[Block] = []
    tags: frozenset[str] = frozenset()
    for el in elements:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "p" or tag in ("h4", "h5", "h6"):
            runs, found = _strip_tags(_tidy(_runs(el)))
            tags |= found | _classes(el)
            if runs:
                blocks.append(Paragraph(runs) if tag == "p" else Paragraph(tuple(
                    Run(r.text, True, r.italic, r.code, r.href) for r in runs)))
        elif tag in ("h1", "h2", "h3"):
            runs, found = _strip_tags(_tidy(_runs(el)))
            tags |= found | _classes(el)
            blocks.append(Heading(int(tag[1]), runs))
        elif tag in ("ul", "ol"):
            items = [_item(li) for li in el if li.tag == "li"]
            blocks.append(BulletList(tuple(ListItem(tuple(b)) for b, _ in items), ordered=tag == "ol"))
            tags = tags.union(*(t for _, t in items))
        elif tag == "pre":
            blocks.append(CodeBlock(el.text_content().rstrip("\n")))
        elif tag == "table":
            rows = tuple(tuple(_tidy(_runs(cell)) for cell in tr if cell.tag in ("td", "th"))
                         for tr in el.iter("tr"))
            blocks.append(Table(tuple(r for r in rows if r), header=el.find(".//th") is not None))
        elif tag == "blockquote":
            inner, _ = _blocks(list(el))
            blocks.extend(Paragraph(b.runs, "note") if isinstance(b, Paragraph) else b for b in inner)
        elif tag in ("div", "dl"):
            inner, found = _blocks(list(el))
            blocks.extend(inner)
            tags |= found
    return blocks, tags


def _item(li) -> tuple[list[Block], frozenset[str]]:
    """A list item's blocks: loose text becomes paragraphs around nested blocks."""
    blocks: list[Block] = []
    tags = _classes(li)
    pending: list[Run] = []

    def flush() -> None:
        nonlocal tags
        runs, found = _strip_tags(_tidy(pending))
        tags |= found
        if runs:
            blocks.append(Paragraph(runs))
        pending.clear()

    if li.text:
        pending.append(Run(re.sub(r"\s+", " ", li.text)))
    for child in li:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BLOCK_TAGS:
            flush()
            inner, found = _blocks([child])
            blocks.extend(inner)
            tags |= found
        else:
            fragment = lxml_html.Element("span")
            fragment.append(_detached(child))
            pending.extend(_runs(fragment))
        if child.tail:
            pending.append(Run(re.sub(r"\s+", " ", child.tail)))
    flush()
    return blocks, tags


def _detached(el):
    """A copy of an inline element without its tail (the caller handles the tail)."""
    clone = copy.deepcopy(el)
    clone.tail = None
    return clone


# -- documents -------------------------------------------------------------------------

def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "section"


def _heading_level(el) -> int:
    tag = el.tag if isinstance(el.tag, str) else ""
    return int(tag[1]) if tag in ("h1", "h2", "h3") else 0


def _dated_items(el) -> list[list[Block]] | None:
    """A list's items' blocks, if every item's first line has dates of its own."""
    items = [_item(li)[0] for li in el if li.tag == "li"]
    if not items or not all(b and isinstance(b[0], Paragraph) and find_dates(plain(b[0].runs)) for b in items):
        return None
    return items


def _is_entry_list(el) -> bool:
    """A list whose every item starts with a bold title and has dates of its own: entries
    in their own right (as v1 CVs wrote them under a ``###`` entry), not its details."""
    items = _dated_items(el)
    return items is not None and all(b[0].runs[0].bold for b in items)


def _is_group_heading(elements: list) -> bool:
    """A ``###`` with no line of its own, straight over a numbered list ("### Posters" over
    numbered citations) or a list of dated items: a heading that groups entries, not an
    entry. (Detail bullets under an entry are seldom numbered, and seldom all dated.)"""
    return len(elements) == 2 and (elements[1].tag == "ol" or (
        elements[1].tag == "ul" and _dated_items(elements[1]) is not None))


def _entry(blocks: list[Block], tags: frozenset[str], bullet: str | None, head: int) -> Entry:
    return with_parts(Entry(tuple(blocks), tags, bullet=bullet, head=max(1, min(head, len(blocks)))))


def _heading_entry(elements: list, tags: frozenset[str]) -> Entry | None:
    """A ``###`` entry: its heading, the paragraph under it (its first line), the rest."""
    blocks, found = _blocks(elements)
    if not blocks:
        return None
    head = 2 if len(blocks) > 1 and isinstance(blocks[0], Heading) and isinstance(blocks[1], Paragraph) \
        and len(elements) > 1 and elements[1].tag == "p" else 1
    return _entry(blocks, tags | found, None, head)


def _list_entries(el) -> list[Entry]:
    tag = el.tag if isinstance(el.tag, str) else ""
    out = []
    for li in el:
        if li.tag == "li":
            blocks, tags = _item(li)
            if blocks:
                out.append(_entry(blocks, tags, "number" if tag == "ol" else "bullet",
                                  1 if isinstance(blocks[0], Paragraph) else 0))
    return out


def _entries(elements) -> list[Block]:
    """Group a CV section's elements into entries.

    A ``###`` heading owns everything up to the next heading of level 3 or less — its
    paragraphs and its lists (its details) — except a list of entries in their own right
    (:func:`_is_entry_list`), which v1 CVs put there; and a bare ``###`` over a numbered
    or dated list is a heading that groups its items (:func:`_is_group_heading`). A
    paragraph that starts in bold owns the lists right after it, as a Word CV writes an
    entry and its bullets. A list item owns everything nested in it. Any other paragraph
    standing alone in a section is an entry of its own.
    """
    out: list[Block] = []
    current: list = []
    current_tags: frozenset[str] = frozenset()

    def close() -> None:
        nonlocal current, current_tags
        if current and current[0].tag == "h3" and _is_group_heading(current):
            out.extend(_blocks(current[:1])[0])
            out.extend(_list_entries(current[1]))
        elif current:
            entry = _heading_entry(current, current_tags)
            if entry is not None:
                out.append(entry)
        current, current_tags = [], frozenset()

    for el in elements:
        tag = el.tag if isinstance(el.tag, str) else ""
        is_list = tag in ("ul", "ol")
        details = is_list and not _is_entry_list(el)
        # a ### takes what follows but a list of entries in their own right, unless it is
        # bare (its heading alone so far): then it heads them (see _is_group_heading)
        into_heading = current and current[0].tag == "h3" and (not is_list or details or len(current) == 1)
        if tag == "h3":
            close()
            current, current_tags = [el], _classes(el)
        elif _heading_level(el):
            close()
            blocks, tags = _blocks([el])
            out.extend(_entry([b], tags, None, 1) for b in blocks)
        elif into_heading or (current and current[0].tag == "p" and details):
            current.append(el)
        elif tag == "p" and _bold_lead(el):
            close()
            current, current_tags = [el], frozenset()
        elif tag in ("ul", "ol"):
            close()
            out.extend(_list_entries(el))
        else:
            close()
            blocks, tags = _blocks([el])
            out.extend(_entry([b], tags, None, 1) for b in blocks)
    close()
    return out


def _bold_lead(el) -> bool:
    """A paragraph that starts with bold text: an entry's first line, as Word CVs (and
    pandoc's Markdown of them) write it, whose bullets that follow are its details."""
    return not (el.text or "").strip() and len(el) > 0 and el[0].tag in ("strong", "b")


def _heading_parts(el) -> tuple[str, frozenset[str]]:
    runs, found = _strip_tags(_tidy(_runs(el)))
    return plain(runs), found | _classes(el)


def _split_h2(elements) -> tuple[str, list, list[tuple[str, frozenset[str], list]]]:
    """Split a body into (h1 title, elements before the first h2, [(h2 title, its tags, elements)])."""
    title = ""
    before: list = []
    parts: list[tuple[str, frozenset[str], list]] = []
    for el in elements:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "h1" and not title and not parts:
            title = _heading_parts(el)[0]
        elif tag == "h2":
            parts.append((*_heading_parts(el), []))
        elif parts:
            parts[-1][2].append(el)
        else:
            before.append(el)
    return title, before, parts


_SECTION_WORDS = re.compile(r"education|experience|clinical|research|publication|presentation|honou?rs|awards|"
                            r"skills|leadership|teaching|service|volunteer|activities|interests|hobbies|"
                            r"languages|certifications|employment|training|memberships|grants|summary|profile",
                            re.IGNORECASE)


def _demoted(elements: list) -> list:
    """Headings one level down when the CV's sections are ``#`` headings (a Word CV's
    Heading 1, as pandoc writes it): two or more of them. A first ``#`` that names no
    section (the applicant's name) stays the title."""
    headings = [el for el in elements if isinstance(el.tag, str) and el.tag in ("h1", "h2", "h3", "h4", "h5")]
    title = elements[0] if elements and elements[0].tag == "h1" \
        and not _SECTION_WORDS.search(elements[0].text_content()) else None
    if sum(1 for el in headings if el.tag == "h1" and el is not title) < 2:
        return elements
    for el in headings:
        if el is not title:
            el.tag = f"h{int(el.tag[1]) + 1}"
    return elements


def read_cv(text: str, name: str = "cv.md") -> Document:
    """A CV: optional ``# Name`` and contact lines, then ``## Sections`` of entries (or
    ``# Sections``, when there are several and no ``##``: see :func:`_demoted`). ``name``
    is the file, for the message when it is nested too deep."""
    elements, _ = _to_tree(text, name)
    title, before, parts = _split_h2(_demoted(elements))
    preamble, _ = _blocks(before)
    sections = tuple(Section(title, tuple(_entries(els)), level=2, key=_slug(title), tags=tags)
                     for title, tags, els in parts)
    document = Document(title=title, sections=sections, preamble=tuple(preamble))
    _check_sizes(_document_texts(document), text, name)
    return document


def read_prose(text: str, name: str = "statement.md") -> Document:
    """A statement or goals page: the first ``#`` is the title; the rest is one section."""
    elements, _ = _to_tree(text, name)
    title = ""
    if elements and elements[0].tag == "h1":
        title = plain(_strip_tags(_tidy(_runs(elements[0])))[0])
        elements = elements[1:]
    blocks, _ = _blocks(elements)
    document = Document(title=title, sections=(Section(title, tuple(blocks), key="body"),))
    _check_sizes(_document_texts(document), text, name)
    return document


@dataclass(frozen=True)
class Notes:
    """Notes on the work with one writer: ``Key: value`` facts, then sections."""

    facts: dict[str, str]
    document: Document


NOTE_KEYS = ("setting", "dates", "weeks", "patients", "learned", "why")


def read_notes(text: str, name: str = "notes.md") -> Notes:
    elements, meta = _to_tree(text, name, meta=True)
    facts = {k.lower(): " ".join(v).strip() for k, v in meta.items()}
    title, before, parts = _split_h2(elements)
    intro, _ = _blocks(before)
    sections = []
    if intro:
        sections.append(Section("", tuple(intro), level=2, key="intro"))
    for heading, _, els in parts:
        blocks, _ = _blocks(els)
        sections.append(Section(heading, tuple(blocks), level=2, key=_slug(heading)))
    document = Document(title=title, sections=tuple(sections))
    _check_sizes([*facts.values(), *_document_texts(document)], text, name)
    return Notes(facts, document)
