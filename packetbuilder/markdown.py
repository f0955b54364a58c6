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
from dataclasses import dataclass
from urllib.parse import quote

import markdown as pymd
from lxml import html as lxml_html

from .model import (Block, BulletList, CodeBlock, Document, Entry, Heading, ListItem, Paragraph, Run, Runs,
                    Section, Table, plain)

_TAGS_AT_END = re.compile(r"\s*\{:?\s*((?:[.#][\w-]+\s*|[\w-]+=(?:\"[^\"]*\"|'[^']*'|\S+)\s*)+)\}\s*$")
_BLOCK_TAGS = {"p", "ul", "ol", "pre", "table", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "div", "dl"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _converter(meta: bool = False) -> pymd.Markdown:
    extensions = ["tables", "fenced_code", "attr_list", "sane_lists", "smarty"]
    if meta:
        extensions.append("meta")
    md = pymd.Markdown(extensions=extensions)
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def _to_tree(text: str, meta: bool = False) -> tuple[list, dict[str, list[str]]]:
    md = _converter(meta)
    body = md.convert(_CONTROL.sub("", text))
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
    m = _TAGS_AT_END.search(last.text)
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
            blocks.append(BulletList(tuple(ListItem(tuple(_item(li)[0])) for li in el if li.tag == "li"),
                                     ordered=tag == "ol"))
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


def _entries(elements) -> list[Block]:
    """Group a CV section's elements into entries: list items, ``###`` blocks, paragraphs."""
    out: list[Block] = []
    current: list = []
    current_tags: frozenset[str] = frozenset()

    def close() -> None:
        nonlocal current, current_tags
        if current:
            blocks, found = _blocks(current)
            if blocks:
                out.append(Entry(tuple(blocks), current_tags | found, bullet=None))
        current, current_tags = [], frozenset()

    for el in elements:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "h3":
            close()
            current, current_tags = [el], _classes(el)
        elif current and tag not in ("ul", "ol"):
            current.append(el)  # a ### entry holds its paragraphs; a list starts new entries
        elif tag in ("ul", "ol"):
            close()
            for li in el:
                if li.tag == "li":
                    blocks, tags = _item(li)
                    if blocks:
                        out.append(Entry(tuple(blocks), tags, bullet="number" if tag == "ol" else "bullet"))
        else:
            blocks, tags = _blocks([el])
            out.extend(Entry((b,), tags, bullet=None) for b in blocks)
    close()
    return out


def _split_h2(elements) -> tuple[str, list, list[tuple[str, list]]]:
    """Split a body into (h1 title, elements before the first h2, [(h2 title, elements)])."""
    title = ""
    before: list = []
    parts: list[tuple[str, list]] = []
    for el in elements:
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "h1" and not title and not parts:
            title = plain(_strip_tags(_tidy(_runs(el)))[0])
        elif tag == "h2":
            parts.append((plain(_strip_tags(_tidy(_runs(el)))[0]), []))
        elif parts:
            parts[-1][1].append(el)
        else:
            before.append(el)
    return title, before, parts


def read_cv(text: str) -> Document:
    """A CV: optional ``# Name`` and contact lines, then ``## Sections`` of entries."""
    elements, _ = _to_tree(text)
    title, before, parts = _split_h2(elements)
    preamble, _ = _blocks(before)
    sections = tuple(Section(name, tuple(_entries(els)), level=2, key=_slug(name)) for name, els in parts)
    return Document(title=title, sections=sections, preamble=tuple(preamble))


def read_prose(text: str) -> Document:
    """A statement or goals page: the first ``#`` is the title; the rest is one section."""
    elements, _ = _to_tree(text)
    title = ""
    if elements and elements[0].tag == "h1":
        title = plain(_strip_tags(_tidy(_runs(elements[0])))[0])
        elements = elements[1:]
    blocks, _ = _blocks(elements)
    return Document(title=title, sections=(Section(title, tuple(blocks), key="body"),))


@dataclass(frozen=True)
class Notes:
    """Notes on the work with one writer: ``Key: value`` facts, then sections."""

    facts: dict[str, str]
    document: Document


NOTE_KEYS = ("setting", "dates", "weeks", "patients", "learned")


def read_notes(text: str) -> Notes:
    elements, meta = _to_tree(text, meta=True)
    facts = {k.lower(): " ".join(v).strip() for k, v in meta.items()}
    title, before, parts = _split_h2(elements)
    intro, _ = _blocks(before)
    sections = []
    if intro:
        sections.append(Section("", tuple(intro), level=2, key="intro"))
    for name, els in parts:
        blocks, _ = _blocks(els)
        sections.append(Section(name, tuple(blocks), level=2, key=_slug(name)))
    return Notes(facts, Document(title=title, sections=tuple(sections)))
