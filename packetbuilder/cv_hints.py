"""CV Markdown that does not follow the conventions, and the rewrite that would.

Its own module because two layers need it: :mod:`.sources` uses it to say how to fix a
CV in which no section was found (the error that stops every command), and
:mod:`.audit` reports the same hints from ``check``. It reads plain lines, so it
imports only :mod:`.findings` and neither of them.
"""

from __future__ import annotations

import re

from .findings import Finding


# A CV converted from Word with pandoc marks sections as `# Title` (Heading 1), a bold
# line, or a line in capitals; bold or capital lines count only when short and plain.
_H1 = re.compile(r"^#\s+(.+?)[\s#]*$")
_EMPHASISED = re.compile(r"^(?:\*\*([^*]+)\*\*|__([^_]+)__|([A-Z][A-Z &/'()-]{2,48}[A-Z)])):?$")
_ATX = re.compile(r"^#{1,6}\s")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])\s")


def _section_title(line: str) -> str | None:
    if m := _H1.match(line):
        return m.group(1)
    m = _EMPHASISED.match(line)
    title = next((g for g in m.groups() if g), "").strip() if m else ""
    return title if title and len(title.split()) <= 5 and not re.search(r"[\d,;.]", title) else None


def _shown(line: str, width: int = 60) -> str:
    return f"`{line if len(line) <= width else line[:width - 1] + '…'}`"


def cv_rules(text: str, name: str) -> list[Finding]:
    """CV Markdown that does not follow the conventions, with the rewrite that would.

    A Word CV converted with pandoc marks sections with `#` or bold lines and writes
    entries as paragraphs: the packet then has no sections, or entries whose title and
    description are highlighted and trimmed apart. It reads lines, not the parsed CV,
    so that it can name them.
    """
    lines = text.split("\n")
    titles: list[tuple[int, str, str]] = []  # line number, as written, the section title
    paragraphs: list[tuple[int, str]] = []  # first line of each paragraph that stands as an entry
    in_section = in_entry = fenced = False
    blocks = 0
    for index, raw in enumerate(lines):
        line, before = raw.strip(), lines[index - 1].strip() if index else ""
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or not line or (before and not _ATX.match(before)):
            continue  # a block's first line says what the block is
        blocks += 1
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if line.startswith("## "):
            in_section, in_entry = True, False
        elif line.startswith("### "):
            in_entry = True
        elif raw[:1] in (" ", "\t") or line.startswith(("{:", "|", ">", "####")):
            continue  # inside a list item, attributes, a table, a quote, a minor heading
        elif _LIST_ITEM.match(line):
            continue  # an entry of its own, or a ### entry's details: the ### goes on after it
        elif blocks > 1 and not following and (title := _section_title(line)):
            titles.append((index + 1, line, title))
            in_section, in_entry = True, False
        elif in_section and not in_entry:
            paragraphs.append((index + 1, line))
    findings = []
    if titles:
        numbers = ", ".join(str(n) for n, _, _ in titles)
        many = len(titles) > 1
        findings.append(Finding("warning", f"{name}:{titles[0][0]}",
                                f"{len(titles)} section title{'s are' if many else ' is'} not a `##` heading "
                                f"(line{'s' if many else ''} {numbers}), so the CV's sections are not recognised",
                                "rewrite each as a `##` heading: " + "; ".join(
                                    f"line {n} {_shown(old)} → `## {title}`" for n, old, title in titles[:3])
                                + ("; …" if len(titles) > 3 else "")))
    if paragraphs:
        number, line = paragraphs[0]
        many = len(paragraphs) > 1
        findings.append(Finding("warning", f"{name}:{number}",
                                f"{len(paragraphs)} CV entr{'ies are' if many else 'y is'} plain paragraphs; each "
                                "paragraph is highlighted and trimmed on its own, so a title can lose its description",
                                f"start each entry with `- ` (one list item per entry), e.g. line {number}: "
                                f"{_shown('- ' + line)}; an entry with a description can be a `### Title` line with "
                                "its paragraphs below"))
    return findings
