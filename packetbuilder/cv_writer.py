"""An imported CV (:class:`.cv_shapes.ImportedCv`) → cv.md, in the shape the reader reads best.

The shape is the one docs/format.md leads with: ``# Name``, the contact line, ``##``
sections, and each entry a list item ``- **Title**, the rest, Dates`` with its details
as bullets indented four spaces under it, and a paragraph of description indented
under it the same way. One shape for every entry, because the other, a ``### Title``
entry, owns every list item after it up to the next heading (so one such entry would
force its whole section into ``###`` form) and a bare ``###`` over dated bullets is read
as a heading over entries, not an entry. The exception is an entry whose dates are
only in its description ("July 2026 · 4 weeks. Carried…"): a ``###`` entry reads the
paragraph under its heading as its first line and finds them there, so such a section
is written as ``###`` entries throughout.

Text is escaped so it reads back as the words the DOCX had: ``*``, ``_``, ``[``, ``{``,
`````, ``#``, ``<``, ``&`` before an entity name, ``--`` and ``...`` (which would be
typeset as dashes and an ellipsis), and at the start of a line anything that would
start a list or a quote. Straight quotes are left to be typeset as curly ones, as in
every CV packetbuilder reads; ``\\'`` in every possessive would make the file hard to
edit for no change in the words. A ``{: .x }`` at the end of a line stays tags: the
reader takes it as tags however it is escaped, and a DOCX made from a packetbuilder
cv.md (pandoc) carries its tags that way.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .cv_shapes import Detail, ImportedCv, ImportedEntry, ImportedSection
from .docx_reader import TAB
from .entry_parts import find_dates
from .markdown import TAGS_AT_END
from .model import Run, Runs

WIDTH = 92  # as the sample cv.md is wrapped: a line an editor shows whole
_LINKABLE = ("http:", "https:", "mailto:", "tel:")  # what the reader keeps as links


def escape(text: str) -> str:
    """Text with every character Markdown would read as markup escaped."""
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([`*_\[\]{}#>])", r"\\\1", text)
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    return _untypeset(text.replace("<", "&lt;"))


def _untypeset(markdown: str) -> str:
    """``--`` and ``...`` kept as typed: unescaped, they would become a dash and an ellipsis.
    Applied to whole runs of text, since Word may split "--" across two runs."""
    markdown = re.sub(r"(?<=-)-", r"\\-", markdown)
    return re.sub(r"(?<!\\)\.(?=\.\.)", r"\\.", markdown)


def _markers(bold: bool, italic: bool) -> str:
    return ("**" if bold else "") + ("*" if italic else "")


def _emphasis(spans: Runs) -> str:
    """Runs as Markdown emphasis: bold outside italic, each marker against a letter (a
    space inside ``** x**`` would leave the stars as text)."""
    out: list[str] = []
    state = (False, False)
    pending = ""  # whitespace owed after the markers that close before it
    for span in spans:
        text = span.text.replace(TAB, " ")
        core = text.strip()
        if not core:
            pending += text
            continue
        lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
        wanted = (span.bold, span.italic)
        if wanted != state:
            out.append(_markers(*state)[::-1])
            out.append(pending + lead)
            out.append(_markers(*wanted))
        else:
            out.append(pending + lead)
        out.append(escape(core))
        state, pending = wanted, trail
    out.append(_markers(*state)[::-1])
    out.append(pending)
    return _untypeset("".join(out))


def _url(href: str) -> str:
    return "".join({" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E"}.get(c, c) for c in href)


def inline(spans: Runs) -> str:
    """Runs as Markdown: emphasis, and links for web, e-mail and phone targets."""
    out: list[str] = []
    group: list[Run] = []

    def flush() -> None:
        if not group:
            return
        href = group[0].href
        text = _emphasis(tuple(group))
        if href and href.lower().startswith(_LINKABLE) and text.strip():
            lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]
            text = f"{lead}[{text.strip()}]({_url(href)}){trail}"
            if out and not lead and out[-1].endswith("!"):
                out[-1] = out[-1][:-1] + "\\!"  # "![" would make the link an image
        out.append(text)
        group.clear()

    for span in spans:
        if group and span.href != group[0].href:
            flush()
        group.append(span)
    flush()
    return "".join(out).strip()


def _line_start(text: str) -> str:
    """A paragraph's first characters made safe: what would start a list stays text."""
    if re.match(r"[-+](\s|$)", text):
        return "\\" + text
    if m := re.match(r"(\d{1,9})([.)])(\s|$)", text):
        return m.group(1) + "\\" + text[len(m.group(1)):]
    if m := re.match(r"\[[^\]]*\]:", text):  # a link's text read as a reference definition
        return m.group()[:-1] + "&#58;" + text[m.end():]
    if text.startswith(("~~~", "===")):
        return "&#" + str(ord(text[0])) + ";" + text[1:]
    return text


def paragraph_text(spans: Runs) -> str:
    """A paragraph's Markdown, safe at the start of a line (or after a list marker)."""
    return _line_start(inline(spans))


_UNSAFE_START = re.compile(r"^(?:[-+*]|\d{1,9}[.)]|[=~|].*|-+|\{:.*)$")


def _tokens(text: str) -> list[str]:
    """Words to wrap at, with a ``{: … }`` group (tags) and a link's text kept whole."""
    tokens: list[str] = []
    depth = 0
    for word in (w for w in text.split(" ") if w):  # (two spaces before a line's end would break it)
        if (depth or not word.strip()) and tokens:  # a no-break space alone on a line would end the paragraph
            tokens[-1] += " " + word
        else:
            tokens.append(word)
        depth = max(0, depth + word.count("{") - word.count("}") + word.count("[") - word.count("]")
                    - word.count("\\{") + word.count("\\}") - word.count("\\[") + word.count("\\]"))
    return tokens


def wrap(text: str, first: str, rest: str, width: int = WIDTH) -> list[str]:
    """``first`` + text wrapped at ``width``, later lines indented by ``rest``; a line is
    never begun with a word that Markdown would read as a list marker or a rule."""
    lines: list[str] = []
    line, empty = first, True
    for word in _tokens(text):
        if not empty and len(line) + 1 + len(word) > width and not _UNSAFE_START.match(word) and word:
            lines.append(line)
            line = rest + word
        else:
            line = line + ("" if empty else " ") + word
        empty = False
    lines.append(line)
    return lines


class _Out:
    """Lines of cv.md, and the line each DOCX paragraph starts at (for the import report)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.at: dict[int, int] = {}

    def add(self, lines: list[str], paragraph: int | None = None) -> None:
        if paragraph is not None and paragraph not in self.at:
            self.at[paragraph] = len(self.lines) + 1
        self.lines.extend(lines)

    def blank(self) -> None:
        if self.lines and self.lines[-1] != "":
            self.lines.append("")


def _entry(out: _Out, entry: ImportedEntry, marker: str) -> None:
    """A list-item entry: its first line, then its bullets and paragraphs indented under it."""
    out.add(wrap(paragraph_text((entry.first)), marker, " " * len(marker)), entry.paragraph)
    for detail in entry.details:
        text = _line_start(inline(detail.spans))
        if detail.prose:
            out.blank()
            out.add(wrap(text, "    ", "    "), detail.paragraph)
            out.blank()
        else:
            _bullet(out, detail, "    " * (detail.depth + 1))
    if any(d.prose for d in entry.details):
        out.blank()  # a list item with paragraphs is "loose": without a blank line the next item joins it


def _bullet(out: _Out, detail: Detail, indent: str) -> None:
    marker = "1. " if detail.ordered else "- "
    out.add(wrap(paragraph_text((detail.spans)), indent + marker, indent + " " * len(marker)), detail.paragraph)


def _title_and_line(first: Runs) -> tuple[Runs, Runs]:
    """A first line cut into its bold lead (the title) and the rest, for a ``###`` entry."""
    spans = list(first)
    lead = 0
    while lead < len(spans) and (spans[lead].bold or not spans[lead].text.strip()):
        lead += 1
    if lead == 0 or not any(s.text.strip() for s in spans[:lead]):
        return tuple(spans), ()
    rest = spans[lead:]
    if rest:
        rest[0] = replace(rest[0], text=re.sub(r"^[\s,;:·|—–-]+", "", rest[0].text))
    title = tuple(replace(s, bold=False) for s in spans[:lead])
    return title, tuple(s for s in rest if s.text)


def _heading_entry(out: _Out, entry: ImportedEntry) -> None:
    """A ``###`` entry: the title as the heading, the rest of its first line under it (or,
    when there is none, its first paragraph, which is where such an entry's dates are),
    then its paragraphs and bullets."""
    title, line = _title_and_line(entry.first)
    if line and TAGS_AT_END.fullmatch("".join(s.text for s in line)):
        title, line = title + (Run(" "),) + line, ()  # tags alone stay on the heading
    out.blank()
    out.add([f"### {inline(title)}"], entry.paragraph)
    if line:
        out.add(wrap(paragraph_text((line)), "", ""))
    details = list(entry.details)
    if not line and details and details[0].prose:
        out.add(wrap(paragraph_text((details[0].spans)), "", ""), details[0].paragraph)
        details.pop(0)
    for detail in details:
        if detail.prose:
            out.blank()
            out.add(wrap(paragraph_text((detail.spans)), "", ""), detail.paragraph)
            out.blank()
        else:
            _bullet(out, detail, "    " * detail.depth)
    out.blank()


def heading_shaped(section: ImportedSection) -> bool:
    """Whether a section's entries are written as ``###`` entries: when one of them has no
    dates on its first line but has them in the paragraph under it ("July 2026 · 4 weeks.
    Carried…"), as a ``###`` entry reads that paragraph as part of its first line and
    finds them there; unless they are numbered or grouped. Then all of them, since a
    ``###`` owns the list items after it."""
    return (any(_dated_by_prose(e) for e in section.entries) and not section.groups
            and not any(e.ordered for e in section.entries))


def _dated_by_prose(entry: ImportedEntry) -> bool:
    text = "".join(s.text for s in entry.first)
    first = entry.details[0] if entry.details else None
    return find_dates(text) is None and first is not None and first.prose and \
        find_dates("".join(s.text for s in first.spans)) is not None


def to_markdown(cv: ImportedCv) -> tuple[str, dict[int, int]]:
    """cv.md's text, and for each DOCX paragraph written, the line it starts at."""
    out = _Out()
    if cv.name:
        out.add([f"# {inline(tuple(Run(s.text, italic=s.italic) for s in cv.name))}"], cv.name_paragraph)
        out.blank()
    for spans, number in cv.preamble:
        out.add(wrap(paragraph_text((spans)), "", ""), number)
        out.blank()
    for section in cv.sections:
        out.blank()
        out.add([f"## {escape(section.title)}"], section.paragraph)
        out.blank()
        if heading_shaped(section):
            for entry in section.entries:
                _heading_entry(out, entry)
            continue
        groups = {index: (title, number) for index, title, number in section.groups}
        number = 0
        for index, entry in enumerate(section.entries):
            if index in groups:
                out.blank()
                out.add([f"### {escape(groups[index][0])}"], groups[index][1])
                out.blank()
                number = 0
            number = number + 1 if entry.ordered else 0
            _entry(out, entry, f"{number}. " if entry.ordered else "- ")
        for index, (title, paragraph) in groups.items():
            if index >= len(section.entries):  # a group heading with nothing under it
                out.blank()
                out.add([f"### {escape(title)}"], paragraph)
        out.blank()
    while out.lines and out.lines[-1] == "":
        out.lines.pop()
    return "\n".join(out.lines) + "\n", out.at
