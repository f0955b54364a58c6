"""Properties over every application of ``tests/corpus/``: students nobody tuned the tool to.

Each application's ``expect.toml`` is what a careful reader of its files says (the
degrees, the honours, which publications each writer co-authored, which entries are at
the lab their notes name), written apart from the code. Every packet of every
application is fitted and drawn; its CV is read back from the PDF.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest

from packetbuilder.build import build_packet, typesetter_for
from packetbuilder.fit import TooLong
from packetbuilder.marking import COAUTHOR, KEYWORD, SETTING, TAG
from packetbuilder.model import Document, Entry, block_text, plain, walk_sections
from packetbuilder.render.flatten import entry_lines
from packetbuilder.packet import assemble, writer_marking
from packetbuilder.sources import Application, load_application
from packetbuilder.work_facts import NUMBER_WORDS
from test_fit import assert_too_long_is_true, check_fitted, cv_slots, head, match, pdf_text, protected, words

CORPUS = Path(__file__).resolve().parent / "corpus"
APPS = sorted(p.parent.name for p in CORPUS.glob("*/packet.toml"))


@lru_cache(maxsize=None)
def application(name: str) -> Application:
    return load_application(CORPUS / name)


def expect(name: str) -> dict:
    path = CORPUS / name / "expect.toml"
    return tomllib.loads(path.read_text("utf-8")) if path.exists() else {}


@lru_cache(maxsize=None)
def built(name: str, writer_id: str) -> tuple[Document, object] | None:
    """The final packet and its fit report, or None when it cannot fit (checked below)."""
    app = application(name)
    try:
        return build_packet(app, app.config.writer(writer_id),
                            typesetter_for(app.folder, app.config.application.page_size))
    except TooLong:
        return None


def cases() -> list[tuple[str, str]]:
    return [(name, w.id) for name in APPS for w in application(name).config.writers]


def folded(text: str) -> str:
    """Text to search in: the CV's Markdown makes "Dean's" "Dean’s"."""
    return text.replace("’", "'").casefold()


def entry_with(document: Document, needle: str) -> Entry | None:
    found = [e for _, e in cv_slots(document) if folded(needle) in folded(e.text)]
    assert len(found) <= 1, f"{needle!r} names more than one entry"
    return found[0] if found else None


def test_the_corpus_is_varied() -> None:
    assert len(APPS) >= 8
    configs = [application(name).config for name in APPS]
    assert {w.role for c in configs for w in c.writers} >= {"clinical", "research", "leadership", "longitudinal",
                                                          "chair", "slor"}
    assert {w.status for c in configs for w in c.writers} >= {"planned", "asked", "agreed", "declined",
                                                            "uploaded", "thanked"}
    assert {c.application.page_limit for c in configs} == {2, 3, 4}


@pytest.mark.parametrize("name, writer_id", cases())
def test_packets_fit_by_the_policy_or_say_truly_why_not(name: str, writer_id: str) -> None:
    app = application(name)
    writer = app.config.writer(writer_id)
    result = built(name, writer_id)
    if result is None:
        assert_too_long_is_true(app, writer_id, app.config.application.page_limit)
        return
    document, report = result
    draft = assemble(app, writer)
    check_fitted(writer, draft, document, report, app.config.application.page_limit, app.config.application.page_size)


_LABEL = re.compile(r"(?:^| )(?:•|\d{1,3}\.)(?= )")


def as_typeset(entry: Entry) -> str:
    """The entry's text in the order the page prints it: its first line, what followed its
    dates and its details (one column), then its dates (the column beside it)."""
    lines = entry_lines(entry)
    if lines is None:
        return block_text(entry.blocks)
    first, dates, after = lines
    return " ".join([plain(first), plain(after), block_text(entry.details), plain(dates)])


def _printed(text: str) -> str:
    """PDF text without list labels, which the model's text does not hold."""
    return words(_LABEL.sub(" ", words(text)))


@pytest.mark.parametrize("name, writer_id", cases())
def test_no_heading_is_printed_twice_in_a_row(name: str, writer_id: str) -> None:
    """Notes headed as the packet heads their part ("## Our research together") print
    that heading once."""
    result = built(name, writer_id)
    if result is None:
        pytest.skip("does not fit (checked above)")
    for section in walk_sections(result[0].sections):
        if section.children:
            first, title = (" ".join(w for w in folded(t).split() if w not in NUMBER_WORDS)
                            for t in (section.children[0].title, section.title))
            assert first != title, f"{section.title!r} twice"


@pytest.mark.parametrize("name", APPS)
def test_an_entry_is_split_into_parts_only_between_whole_phrases(name: str) -> None:
    """Taking an entry's dates into their own column never leaves half a bracket or a
    stray stop behind: a citation's "(2026)." and a "Lab (2019–2021)" are read whole."""
    app = application(name)
    for section in walk_sections(app.cv.sections):
        for entry in (b for b in section.blocks if isinstance(b, Entry)):
            lines = entry_lines(entry)
            if lines is None:
                continue
            first, dates, after = (plain(part) for part in lines)
            where = f"{name}: {section.title}: {first[:60]!r}"
            assert not first.rstrip().endswith(("(", "[")), where
            assert not after.lstrip().startswith((")", "]", ".", ",", ";", ":")), f"{where} then {after[:30]!r}"
            assert dates.count("(") == dates.count(")"), f"{where}: dates {dates!r}"


@pytest.mark.parametrize("name, writer_id", cases())
def test_every_printed_detail_sits_under_its_own_entry(name: str, writer_id: str) -> None:
    """Each entry's first line is followed on the page by its own details and nothing
    else, and an entry is printed whole or as its first line, never in part."""
    result = built(name, writer_id)
    if result is None:
        pytest.skip("does not fit (checked above)")
    document, _ = result
    app = application(name)
    page = _printed(pdf_text(typesetter_for(app.folder, app.config.application.page_size).render(document)))
    for section, entry in cv_slots(document):
        printed = _printed(as_typeset(entry))
        assert printed in page, f"{section.title}: {printed[:80]!r} is not printed as one piece"
    draft = assemble(app, app.config.writer(writer_id))
    for _, original, kept in match(draft, document):
        if kept is not None:
            assert kept.blocks in (original.blocks, head(original))


@pytest.mark.parametrize("name, writer_id", cases())
def test_degrees_honours_and_protected_entries_stay(name: str, writer_id: str) -> None:
    result = built(name, writer_id)
    if result is None:
        pytest.skip("does not fit (checked above)")
    document, _ = result
    app = application(name)
    writer = app.config.writer(writer_id)
    truth = expect(name).get("cv", {})
    draft = assemble(app, writer)
    for needle in truth.get("degrees", []) + truth.get("honors", []):
        if "optional" in entry_with(draft, needle).tags:
            continue  # the student's own word: it may go first
        assert entry_with(document, needle) is not None, f"{needle!r} was cut for {writer_id}"
    cut = [(s, e) for s, e, kept in match(draft, document) if kept is None]
    assert not [e.text[:60] for s, e in cut if protected(s, e, writer)]


def _whole_word(keyword: str, text: str) -> bool:
    """Written apart from the code: the keyword's words, each bounded by non-letters, the
    last allowed a plural ending."""
    pattern = r"(?<![^\W_])" + r"[\s-]+".join(re.escape(w) for w in keyword.split()) + r"(?:s|es)?(?![^\W_])"
    singular = keyword[:-1] if keyword.lower().endswith("s") else keyword
    return any(re.search(p, text, re.IGNORECASE) for p in (
        pattern, r"(?<![^\W_])" + r"[\s-]+".join(re.escape(w) for w in singular.split()) + r"(?![^\W_])"))


@pytest.mark.parametrize("name, writer_id", cases())
def test_marks_and_their_reasons_are_right(name: str, writer_id: str) -> None:
    app = application(name)
    writer = app.config.writer(writer_id)
    marking = writer_marking(app, writer)
    by_entry = {id(m.entry): {r.kind for r in m.reasons} for m in marking.marked}
    for m in marking.marked:
        for reason in m.reasons:
            if reason.kind == KEYWORD:
                assert _whole_word(reason.detail, m.entry.text), (reason.detail, m.entry.text[:80])
            if reason.kind == TAG:
                assert writer.id in m.entry.tags
    truth = expect(name).get("writers", {}).get(writer_id, {})
    result = built(name, writer_id)
    document = result[0] if result else None
    for key, kind in (("coauthored", COAUTHOR), ("setting", SETTING), ("tagged", TAG)):
        for needle in truth.get(key, []):
            entry = next((e for m in marking.marked if folded(needle) in folded((e := m.entry).text)), None)
            assert entry is not None, f"{writer_id}: {needle!r} ({key}) is not marked"
            assert kind in by_entry[id(entry)], f"{writer_id}: {needle!r} is marked, but not as {kind}"
            if document is not None:
                kept = entry_with(document, needle)
                assert kept is not None and kept.highlight, f"{writer_id}: {needle!r} was not kept marked"
    for word in truth.get("keyword_false_friends", []):
        for m in marking.marked:
            if word.casefold() in m.entry.text.casefold():
                for reason in m.reasons:
                    if reason.kind == KEYWORD:
                        stripped = re.sub(re.escape(word), " ", m.entry.text, flags=re.IGNORECASE)
                        assert _whole_word(reason.detail, stripped), (word, reason.detail)


def test_the_cap_bounds_weak_marks_everywhere() -> None:
    for name in APPS:
        app = application(name)
        for writer in app.config.writers:
            marking = writer_marking(app, writer)
            weak = [m for m in marking.marked if m.weak]
            assert len(weak) <= app.config.application.highlight_cap


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


def entries_by_reading(text: str) -> dict[str, int]:
    """How many entries each section has, read line by line as a person reads the file:
    a top-level item is an entry, a ``###`` is one with everything under it, a bold line
    is one — except a list under a ``###`` (its details) unless its items are bold and
    dated, and a bare ``###`` over a numbered or dated list (a heading over entries)."""
    counts: dict[str, int] = {}
    section, in_heading, fenced, previous = None, False, False, ""
    lines = text.split("\n")
    for index, line in enumerate(lines):
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        if fenced:
            continue
        if line.startswith("## "):
            section, in_heading = re.sub(r"\s*\{:.*\}\s*$", "", line[3:]).strip(), False
            counts[section] = 0
        elif section is None:
            pass
        elif line.startswith("### "):
            following = next((x for x in lines[index + 1:] if x.strip()), "")
            bare_list = re.match(r"(\d+\.|-|\*) ", following)
            group = bare_list and (following[0].isdigit() or all(
                _YEAR.search(x) for x in _items_after(lines, index)))
            in_heading = not group
            counts[section] += 0 if group else 1
        elif re.match(r"(\d+\.|[-*+]) ", line):
            if not in_heading or all(_bold_and_dated(x) for x in _siblings(lines, index)):
                counts[section] += 1
                in_heading = False if in_heading else in_heading
        elif line.startswith("**") and not previous.strip() and not in_heading:
            counts[section] += 1
        previous = line
    return counts


def _bold_and_dated(item: str) -> bool:
    return re.sub(r"^(\d+\.|[-*+])\s+", "", item).startswith("**") and bool(_YEAR.search(item))


def _items_after(lines: list[str], index: int) -> list[str]:
    out = []
    for line in lines[index + 1:]:
        if line.startswith("#"):
            break
        if re.match(r"(\d+\.|[-*+]) ", line):
            out.append(line)
    return out


def _siblings(lines: list[str], index: int) -> list[str]:
    """The top-level items of the list that the item at ``index`` belongs to."""
    start = index
    while start > 0 and (re.match(r"(\d+\.|[-*+]) ", lines[start - 1]) or lines[start - 1][:1] in (" ", "\t")):
        start -= 1
    out = []
    for line in lines[start:]:
        if re.match(r"(\d+\.|[-*+]) ", line):
            out.append(line)
        elif line.strip() and line[:1] not in (" ", "\t"):
            break
    return out


@pytest.mark.parametrize("name", APPS)
def test_the_cv_has_the_entries_a_reader_counts(name: str) -> None:
    app = application(name)
    text = (CORPUS / name / app.config.application.cv).read_text("utf-8")
    parsed = {s.title: sum(1 for b in s.blocks if isinstance(b, Entry)) for s in app.cv.sections}
    assert parsed == entries_by_reading(text)
