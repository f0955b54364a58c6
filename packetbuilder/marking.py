"""Which CV entries concern a writer, and why: the marks on their packet's CV.

A writer skims the CV for what they saw of the applicant, so a mark must be earned and
explainable. Each mark has its reasons, recorded in the build report and shown by
``check``:

- *tagged* — the entry carries the writer's id as a tag (``{: .chen }``);
- *co-author* — the writer's surname with their initial, in author-list form
  (``Chen M``, ``M. Chen``, ``Chen, M.``), wherever the citation stands;
- *named* — the writer's name as prose writes it (``Maya Chen``, ``Dr. Chen``);
- *setting* — the lab, group or place their notes' ``Setting:`` names, in the entry's
  first line (the applicant's own school does not count: it is in every degree). A
  Setting that names a group, then after a comma its place ("Trauma and Acute Care
  Surgery sub-internship, Lakeland University Hospitals") marks an entry at that place
  only when its first line shares a word of the group: the Internal Medicine clerkship
  at the same hospital is no work with the trauma surgeon;
- *keyword* — one of their ``highlight`` keywords or phrases, as whole words,
  case-insensitive, with simple plurals: "lead" never marks "leadership".

Keywords and settings are the weak reasons: when more entries than the cap match only
by them, the strongest (most distinct keywords, then most mentions, then newest) are
marked and the rest are reported as not marked. Pure: the CV, the writer, their notes'
setting and the applicant's school in; marks out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from .model import Document, Entry, Section, walk_sections

TAG, COAUTHOR, NAMED, SETTING, KEYWORD = "tagged", "co-author", "named", "setting", "keyword"
WEAK = frozenset({SETTING, KEYWORD})
DEFAULT_CAP = 8
_TITLES = frozenset({"dr", "prof", "professor", "mr", "mrs", "ms", "mx", "sir", "dame"})
# A Setting names places and groups in a phrase: "X Lab, Example University",
# "Surgery Interest Group and the Simulation Center", "away rotation at Y Hospital".
# A bare "and" stays inside a name: "Department of Obstetrics and Gynecology".
_SETTING_SPLIT = re.compile(r"\s*(?:[,;·|()]|\s[—–-]\s|\s(?:and|&)\sthe\s|\sat\s(?:the\s)?)\s*")


@dataclass(frozen=True)
class Reason:
    kind: str  # one of TAG, COAUTHOR, NAMED, SETTING, KEYWORD
    detail: str  # the tag, name form, setting or keyword that matched

    def __str__(self) -> str:
        if self.kind == TAG:
            return f"tagged .{self.detail}"
        if self.kind == KEYWORD:
            return f"keyword “{self.detail}”"
        if self.kind == SETTING:
            return f"at {self.detail} (notes Setting)"
        return f"{self.kind} ({self.detail})"


@dataclass(frozen=True)
class WriterKeys:
    """What marks an entry for one writer, compiled once per writer."""

    id: str
    author: tuple[re.Pattern, ...]  # author-list forms of the name
    named: tuple[re.Pattern, ...]  # the name as prose writes it
    settings: tuple[tuple[str, re.Pattern, frozenset[str]], ...]  # (part, pattern, group words one must share)
    keywords: tuple[tuple[str, re.Pattern], ...]


@dataclass(frozen=True)
class Mark:
    """One entry's marks for one writer (``number``: the entry's place in the CV, from 1)."""

    number: int
    section: str
    entry: Entry
    reasons: tuple[Reason, ...]

    @property
    def weak(self) -> bool:
        return all(r.kind in WEAK for r in self.reasons)


@dataclass(frozen=True)
class Marking:
    """A writer's marks: those shown, and weak matches left unmarked by the cap."""

    marked: tuple[Mark, ...]
    over_cap: tuple[Mark, ...] = ()
    unmatched_keywords: tuple[str, ...] = ()

    def numbers(self) -> frozenset[int]:
        return frozenset(m.number for m in self.marked)


def _word(text: str) -> str:
    return rf"(?<!\w){text}(?!\w)"


def _plural(word: str) -> str:
    """A word and its simple plural (or singular): case → cases, study → studies."""
    w = re.escape(word)
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 4:
        return re.escape(word[:-3]) + "(?:y|ies)"
    if re.search(r"(?:s|x|ch|sh)es$", lower):
        return re.escape(word[:-2]) + "(?:es|e)?"  # boxes → box, cases → case
    if lower.endswith("s") and not lower.endswith("ss") and len(word) > 3:
        return re.escape(word[:-1]) + "s?"
    if lower.endswith("y") and len(word) > 2 and lower[-2] not in "aeiou":
        return re.escape(word[:-1]) + "(?:y|ies)"
    if re.search(r"(?:s|x|ch|sh)$", lower):
        return w + "(?:es)?"
    return w + "s?" if word[-1:].isalpha() else w


def keyword_pattern(keyword: str) -> re.Pattern | None:
    """Whole words, case-insensitive, the last word with its simple plural; None if blank."""
    words = fold(keyword).split()
    if not words:
        return None
    parts = [re.escape(w) for w in words[:-1]] + [_plural(words[-1])]
    return re.compile(_word(r"[\s-]+".join(parts)), re.IGNORECASE)


def surname_and_given(name: str, salutation: str) -> tuple[str, str]:
    """The surname the writer is addressed by (from "Dr. García Márquez", else the name's
    last word before any ", MD") and the given name (the name's first word)."""
    bare = name.split(",")[0]
    words = [w for w in bare.replace(".", ". ").split() if w.strip(".").lower() not in _TITLES]
    addressed = [w for w in salutation.split() if w.strip(".").lower() not in _TITLES]
    surname = " ".join(addressed) if addressed else (words[-1] if words else "")
    given = words[0] if len(words) > 1 else ""
    if given and surname.startswith(given):
        given = ""
    return surname.strip(" ,"), given.strip(" ,.")


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Text as names and keywords are compared: without accents (a CV may write
    "Ferrandiz" for "Ferrándiz") and with one apostrophe (the CV's Markdown makes
    "O'Neil" "O’Neil", packet.toml keeps what was typed).

    Kept for the process: every writer's marking folds the same CV entries, three
    times per packet (assembly, the fit's rebuilds, the report), and folding was a
    tenth of a packet's CPU in a profile of a build."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'").replace("‘", "'"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _name_pattern(name: str) -> str:
    """A (folded) name or phrase as a pattern: a hyphen or spaces between its words alike."""
    return r"[\s-]+".join(re.escape(p) for p in re.split(r"[\s-]+", fold(name)) if p)


_NOT_GROUP_WORDS = frozenset({"with", "from", "into", "during", "rotation", "service", "services", "clinic", "center",
                              "centre", "hospital", "hospitals", "university", "department", "division", "school",
                              "college", "medical", "health", "elective", "clerkship"})


def _group_words(text: str) -> frozenset[str]:
    """The words that tell one group from another ("trauma", "surgery", "sub-internship"),
    folded; words every place or rotation has ("hospital", "clerkship") do not."""
    return frozenset(w for w in re.findall(r"[\w-]+", fold(text).casefold()) if len(w) >= 4 and w not in _NOT_GROUP_WORDS)


def writer_keys(writer_id: str, name: str, salutation: str, keywords: tuple[str, ...] | list[str],
                setting: str = "", school: str = "") -> WriterKeys:
    surname, given = surname_and_given(name, salutation)
    author: list[re.Pattern] = []
    named: list[re.Pattern] = []
    if surname:
        s = _name_pattern(surname)
        named.append(re.compile(_word(rf"(?:Dr|Prof|Professor)\.?\s+{s}")))
        if given:
            initial = re.escape(fold(given)[0].upper())
            author += [re.compile(_word(rf"{s},?\s+{initial}(?:[A-Z]{{0,2}}|\.(?:\s?[A-Z]\.)*)")),
                       re.compile(_word(rf"{initial}\.(?:\s?[A-Z]\.)*\s?{s}"))]
            named.append(re.compile(_word(rf"{_name_pattern(given)}\s+(?:[A-Z]\.?\s+)?{s}")))
    settings: list[tuple[str, re.Pattern, frozenset[str]]] = []
    folded_school = school.casefold()
    pieces = re.split(f"({_SETTING_SPLIT.pattern})", setting)
    group: frozenset[str] = frozenset()
    for number, (part, before) in enumerate(zip(pieces[::2], ["", *pieces[1::2]])):
        # "group, its place, …": the places after the first part's comma need a group word;
        # not in "X and the Y" or "X — Y", which name two settings or a setting's own place
        group = (_group_words(pieces[0]) if number == 1 else group) if before.strip() == "," else frozenset()
        part = re.sub(r"^the\s+", "", part.strip(), flags=re.IGNORECASE)
        if len(part.split()) >= 2 and part.casefold() not in folded_school:
            settings.append((part, re.compile(_word(_name_pattern(part)), re.IGNORECASE), group))
    compiled = [(k.strip(), p) for k in keywords if (p := keyword_pattern(k)) is not None]
    return WriterKeys(writer_id, tuple(author), tuple(named), tuple(settings), tuple(compiled))


def reasons(entry: Entry, text: str, keys: WriterKeys) -> tuple[Reason, ...]:
    """Every reason the entry concerns the writer, strongest first (``text``: the entry's
    text, folded)."""
    head = fold(entry.head_text)
    found: list[Reason] = []
    if keys.id in entry.tags:
        found.append(Reason(TAG, keys.id))
    author = next((m.group() for p in keys.author if (m := p.search(text))), None)
    if author:
        found.append(Reason(COAUTHOR, author))
    elif name := next((m.group() for p in keys.named if (m := p.search(text))), None):
        found.append(Reason(NAMED, name))
    found += [Reason(SETTING, part) for part, p, group in keys.settings
              if p.search(head) and (not group or group & _group_words(head))][:1]
    found += [Reason(KEYWORD, k) for k, p in keys.keywords if p.search(text)]
    return tuple(found)


def _strength(mark: Mark, text: str, keys: WriterKeys) -> tuple:
    hits = sum(len(p.findall(text)) for k, p in keys.keywords)
    latest = mark.entry.dates.latest if mark.entry.dates else (0, 0)
    return (-len(mark.reasons), -hits, tuple(-x for x in latest), mark.number)


def cv_entries(cv: Document) -> list[tuple[Section, Entry]]:
    """Every CV entry with its section, in the order the packet prints them."""
    return [(s, b) for s in walk_sections(cv.sections) for b in s.blocks if isinstance(b, Entry)]


def mark(cv: Document, keys: WriterKeys, cap: int = DEFAULT_CAP) -> Marking:
    """The writer's marks on the CV: every strong match, and the ``cap`` strongest weak ones."""
    entries = cv_entries(cv)
    texts = [fold(e.text) for _, e in entries]  # folded once: every reason and the ranking read them
    marks = [Mark(number, section.title, entry, found)
             for number, ((section, entry), text) in enumerate(zip(entries, texts), 1)
             if (found := reasons(entry, text, keys))]
    # An entry the student tagged .optional (or in a section so tagged) is not marked on
    # weak reasons alone: they said it matters little.
    optional = {n for n, (section, entry) in enumerate(entries, 1) if "optional" in entry.tags | section.tags}
    marks = [m for m in marks if not (m.weak and m.number in optional)]
    weak = sorted((m for m in marks if m.weak), key=lambda m: _strength(m, texts[m.number - 1], keys))
    dropped = frozenset(m.number for m in weak[cap:])
    unmatched = tuple(k for k, p in keys.keywords if not any(p.search(t) for t in texts))
    return Marking(tuple(m for m in marks if m.number not in dropped),
                   tuple(m for m in weak[cap:]), unmatched)

