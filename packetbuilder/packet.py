"""Per-writer assembly: one application + one writer → that writer's packet Document.

Pure: no files, no fonts, no clock. The packet's order follows what a busy writer
needs: a one-page request summary they can act on without reading further, then
what we did together, then the statement draft, then the CV with the entries that
concern them marked.
"""

from __future__ import annotations

from dataclasses import replace
from itertools import count

from .config import Writer
from .formatting import long_date, typographic
from .marking import Marking, mark, surname_and_given, writer_keys
from .model import (Block, BulletList, Document, Entry, Fields, ListItem, Paragraph, Run, Section, block_text,
                    walk_sections)
from .sources import Application
from .specialties import letter_name, load_specialties, service_of, submission_of
from .work_facts import NUMBER_WORDS, WorkFacts, together_title, weeks_phrase, work_facts

SECTION_TITLES = {"request": "Request summary", "work": "Our work together", "statement": "Personal statement",
                  "goals": "Career goals", "cv": "Curriculum vitae"}
# The notes' facts as the packet labels them. ``Weeks:`` often holds what is not weeks
# ("about 4 hours a week for two years", "2 each summer"): its label says time.
NOTE_FACTS = (("setting", "Setting"), ("dates", "Dates"), ("weeks", "Time"), ("patients", "Patients"))


def _para(text: str, style: str = "body", bold: bool = False) -> Paragraph:
    """A paragraph of text typed in packet.toml or a notes file: its quotes typeset, as
    the Markdown around it has them."""
    return Paragraph((Run(typographic(text), bold=bold),), style)


def facts_of(app: Application, writer: Writer) -> WorkFacts:
    """The notes' facts about the work with this writer, read for prose (see :mod:`.work_facts`);
    an ongoing span ("2024–present") runs to the application's deadline."""
    notes = app.writer_notes(writer)
    surname, given = surname_and_given(writer.name, writer.salutation)
    names = (writer.salutation, typographic(writer.salutation), surname, given, writer.name.split(",")[0])
    return work_facts(notes.facts if notes is not None else {}, app.config.application.eras_deadline, names)


def _bullets(items: list[str]) -> BulletList:
    return BulletList(tuple(ListItem((_para(i),)) for i in items))


def writer_marking(app: Application, writer: Writer) -> Marking:
    """Which CV entries concern the writer, and why (see :mod:`.marking`)."""
    notes = app.writer_notes(writer)
    keys = writer_keys(writer.id, writer.name, writer.salutation, writer.highlight,
                       notes.facts.get("setting", "") if notes else "", app.config.applicant.school)
    return mark(app.cv, keys, app.config.application.highlight_cap)


def _cv_section(app: Application, writer: Writer) -> Section:
    marked = writer_marking(app, writer).numbers()
    numbers = count(1)
    children = []
    for section in app.cv.sections:
        blocks = tuple(replace(b, highlight=next(numbers) in marked) if isinstance(b, Entry) else b
                       for b in section.blocks)
        children.append(replace(section, blocks=blocks))
    name = (Paragraph((Run(app.cv.title, bold=True),), "name"),) if app.cv.title else ()
    contact = tuple(replace(b, style="contact") if isinstance(b, Paragraph) else b for b in app.cv.preamble)
    return Section(SECTION_TITLES["cv"], name + contact, tuple(children), key="cv")


def _work_section(app: Application, writer: Writer) -> Section | None:
    notes = app.writer_notes(writer)
    if notes is None:
        return None
    facts = tuple((label, (_para(_fact(notes.facts, key)),)) for key, label in NOTE_FACTS if notes.facts.get(key))
    blocks: tuple[Block, ...] = (Fields(facts),) if facts else ()
    children = tuple(replace(s, key=f"work-{s.key}") for s in notes.document.sections)
    title = together_title(writer.role, facts_of(app, writer))
    if children and _same_title(children[0].title, title):  # notes headed "## What I led": one heading, not two
        blocks += children[0].blocks
        children = children[0].children + children[1:]
    return Section(title, blocks, children, key="work")


def _same_title(a: str, b: str) -> bool:
    """Two headings that say the same, counts aside ("Our three years together" and the
    notes' "Our years together")."""
    def words(title: str) -> list[str]:
        return [w for w in title.casefold().strip(" :.").split() if w not in NUMBER_WORDS and not w.isdigit()]
    return words(a) == words(b)


def _fact(facts: dict[str, str], key: str) -> str:
    """A notes fact as the packet shows it: ``Weeks: 4`` reads "4 weeks"."""
    value = facts[key]
    return (weeks_phrase(value) or value) if key == "weeks" else value


def statement_section(doc: Document, key: str) -> Section:
    body = doc.sections[0] if doc.sections else Section("")
    title = doc.title or SECTION_TITLES[key]
    return Section(title, body.blocks, key=key)


def _statement_section(app: Application, writer: Writer) -> Section | None:
    statement = app.statement_for(app.config.track_of(writer))
    if statement is not None:
        return statement_section(statement, "statement")
    if app.goals is not None:
        return statement_section(app.goals, "goals")
    return None


def _programs(app: Application) -> list[str]:
    out = []
    for p in app.programs:
        place = ", ".join(x for x in (p.city, p.state) if x)
        extra = " · ".join(x for x in (place, p.type, "top choice" if p.priority.lower() == "top" else "") if x)
        # "Harborview (University of Washington) — Seattle, WA": never two parentheses in a row
        out.append((f"{p.program} — {extra}" if p.program.endswith(")") else f"{p.program} ({extra})")
                   if extra else p.program)
    return out


def _unbroken(phrase: str) -> str:
    """A short phrase whose words stay on one line (no-break spaces); a long one may wrap."""
    return phrase.replace(" ", "\u00a0") if len(phrase) <= 32 else phrase


def _roster(app: Application, writer: Writer) -> list[str]:
    """The other writers of the same track who have not declined, with the kind of letter
    each writes: "Maya Chen, MD — a letter of recommendation (clinical)"."""
    cfg = app.config
    track = cfg.track_of(writer)
    specialties = load_specialties()
    return [f"{w.name} — {letter_name(track.specialty, w.role, specialties).name} ({w.role})"
            for w in cfg.writers if w.id != writer.id and w.status != "declined" and cfg.track_of(w).id == track.id]


def count_highlighted(sections: tuple[Section, ...]) -> int:
    return sum(1 for s in walk_sections(sections) for b in s.blocks if isinstance(b, Entry) and b.highlight)


def request_section(app: Application, writer: Writer, parts: list[Section],
                    pages: dict[str, int] | None = None) -> Section:
    """The cover sheet: everything the writer needs to act, scannable in thirty seconds.

    ``pages`` (section key → first page) comes from a layout pass, when one was made.
    """
    cfg, applicant = app.config, app.config.applicant
    track = cfg.track_of(writer)
    service = service_of(track)
    deadline = cfg.deadline_of(writer)
    how = [submission_of(cfg, writer)]
    if writer.letter_id and service.letter_ids:  # a Letter ID is ERAS's: ResidencyCAS e-mails the writer instead
        how.append(f"Letter ID {writer.letter_id}")
    if applicant.aamc_id:
        how.append(f"my AAMC ID {applicant.aamc_id}")
    how.append("FERPA waiver signed: I will not see the letter" if writer.waived else "FERPA waiver not signed")
    due = long_date(cfg.track_deadline(track)).replace(" ", "\u00a0")  # a date is never broken across lines
    rows: list[tuple[str, tuple[Block, ...]]] = [
        ("Please upload by", (Paragraph((Run(long_date(deadline), bold=True),
                                         Run(f" (letters are due in {service.name} by {due})"))),)),
        ("How", (_para(" · ".join(how)),)),
    ]
    if service.file_rules:
        rows.append(("Letter file", (_para(service.file_rules),)))
    notes = app.writer_notes(writer)
    if notes is not None:
        work = " · ".join(_fact(notes.facts, k) for k, _ in NOTE_FACTS if notes.facts.get(k))
        if work:
            rows.append(("Our work together", (_para(work),)))
    if writer.emphasis:
        rows.append(("You might speak to", (_bullets(writer.emphasis),)))
    if cfg.application.qualities:  # each phrase kept on one line: never "patient / advocate"
        rows.append(("In a few words", (_para(" · ".join(_unbroken(q) for q in cfg.application.qualities)),)))
    applying = track.specialty + (" — " + " · ".join(track.focus) if track.focus else "")
    rows.append(("Applying to", (_para(applying),)))
    if track.requirements:
        rows.append(("Program requirements", (_bullets(track.requirements),)))
    if writer.share_programs and app.programs:
        rows.append(("Target programs", (_bullets(_programs(app)),)))
    highlighted = count_highlighted(tuple(parts))
    if highlighted:
        entries = "CV entry that concerns our work is" if highlighted == 1 else \
            "CV entries that concern our work are"
        rows.append(("Marked for you", (_para(f"{highlighted} {entries} shaded and marked with a bar in the "
                                              "margin."),)))
    contents = " · ".join(_unbroken(s.title) + (f"\u00a0p.{pages[s.key]}" if pages and s.key in pages else "")
                          for s in parts)
    rows.append(("In this packet", (_para(contents),)))
    if writer.share_roster:
        others = _roster(app, writer)
        if others:
            rows.append(("Also writing for me", (_bullets(others),)))
    contact = " · ".join(x for x in (applicant.email, applicant.phone) if x)
    rows.append(("Contact", (_para(contact),)))
    if applicant.pronouns:
        rows.append(("Pronouns", (_para(applicant.pronouns),)))
    letter = letter_name(track.specialty, writer.role, load_specialties()).name
    lead = _para(f"Dear {writer.salutation}, thank you for considering {letter} for my "
                 f"{track.specialty} residency application. Everything you need to act is on this page; "
                 "the pages after it give detail.", "lead")
    return Section(SECTION_TITLES["request"], (lead, Fields(tuple(rows))), key="request", show_title=False)


def assemble(app: Application, writer: Writer) -> Document:
    """Build the full (untrimmed) packet for one writer."""
    parts = [s for s in (_work_section(app, writer), _statement_section(app, writer), _cv_section(app, writer)) if s]
    return finish(app, writer, parts)


def finish(app: Application, writer: Writer, parts: list[Section], pages: dict[str, int] | None = None,
           cover_alone: bool = True) -> Document:
    """Put the cover sheet in front of (possibly trimmed) parts and set the metadata.

    ``pages``: each part's first page, from a layout. Until a layout knows them the
    cover names them "p.0": the digits are as wide as the real ones, so the cover takes
    the same room when they are filled in (which matters when it shares its page).
    ``cover_alone``: the parts start on a new page after the cover sheet; when the page
    limit is tight, fitting lets them follow the cover on its page instead."""
    pages = pages if pages is not None else {s.key: 0 for s in parts}
    cfg, applicant = app.config, app.config.applicant
    track = cfg.track_of(writer)
    if parts:
        parts = [replace(parts[0], new_page=cover_alone), *parts[1:]]
    season = cfg.track_deadline(track).year + 1
    service = service_of(track).name
    name, writer_name, specialty = (typographic(x) for x in (applicant.name, writer.name, track.specialty))
    return Document(
        title=f"{typographic(applicant.short_name)} — Letter of Recommendation request",
        subtitle=f"{specialty} · {service} {season} · for {writer_name}",
        sections=(request_section(app, writer, parts, pages), *parts),
        author=name,
        subject=f"Letter of Recommendation request for {writer_name} — {specialty}",
        keywords=("letter of recommendation", specialty, service),
        footer=f"{name} · Letter of Recommendation packet for {writer_name}",
        lang=cfg.application.lang,
        date=cfg.request_date(writer),
    )


def entry_text(entry: Entry, words: int = 8) -> str:
    """The first words of an entry, for reports."""
    return " ".join(block_text(entry.blocks).split()[:words])
