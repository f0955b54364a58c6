"""Roster and content checks: what ``packetbuilder check`` reports.

Letters fail more often from planning than from writing: too few letters from the
specialty, a missing SLOE, a writer asked two weeks before the deadline, a letter not
waived. Every rule here is a pure function over the parsed application, the date it
is "today", and (for the content rules) the source texts and what fitting each packet
to the page limit did, so each rule is tested with fixed dates and no files.
:mod:`.check` is the one edge that reads the texts, fits the packets exactly as
``build`` does (without writing them) and loads the font coverage.

Findings come in three levels: an *error* will hurt the application if left (and
makes ``check`` exit 1), a *warning* is a risk worth acting on, a *tip* is advice.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from dataclasses import dataclass
from pathlib import Path

from .config import Config, Track, Writer, key_lines
from .cv_hints import cv_rules
from .errors import Problem
from .findings import LEVELS, Finding, Level
from .formatting import short_date
from .mail_headers import invisible_in
from .markdown import NOTE_KEYS
from .model import Entry, block_text, walk_sections
from .packet import entry_text, writer_marking
from .sources import Application, notes_name
from .specialties import Specialty, letter_name, norm, service_of, specialty_of
from .work_facts import number as in_words
from .textfiles import CONFIG_NAME

MIN_LETTERS = 3  # what almost every program requires
MAX_LETTERS = 4  # ERAS and ResidencyCAS send at most four letters to each program (specialties.toml)
SPECIALTY_MIN, SPECIALTY_MAX = 2, 3
COMPLEMENTARY = ("research", "leadership", "longitudinal")
MIN_LEAD = 28  # days of notice a writer should get, at least
IDEAL_LEAD = 56
BUFFER_MIN, BUFFER_MAX = 7, 14  # days between a writer's deadline and the service's deadline
QUALITIES_MIN, QUALITIES_MAX = 4, 6
DONE = ("uploaded", "thanked")
SIMILAR = 0.7  # share of a distinctive input two requests may have in common


@dataclass(frozen=True)
class Findings:
    items: tuple[Finding, ...]

    def at(self, level: Level) -> list[Finding]:
        return [f for f in self.items if f.level == level]

    @property
    def errors(self) -> list[Finding]:
        return self.at("error")

    def summary(self) -> str:
        counts = [(len(self.at(level)), level) for level in LEVELS]
        return ", ".join(f"{n} {level}{'' if n == 1 else 's'}" for n, level in counts)


def same_field(writer: Writer, track: Track, specialties: Iterable[Specialty]) -> bool:
    """Is this a letter from the track's specialty?

    A SLOE/SLOR or a chair's letter is written inside the specialty's department, so
    it counts when the writer's own field is not given.
    """
    if writer.specialty is None:
        return writer.role in ("slor", "chair")
    known = specialty_of(track.specialty, specialties)
    if known is not None:
        return known.matches(writer.specialty)
    return norm(writer.specialty) == norm(track.specialty)


# -- roster rules -------------------------------------------------------------------------

_STATUS_RANK = {"uploaded": 0, "thanked": 0, "agreed": 1, "asked": 2, "planned": 3}


def active_writers(cfg: Config, track: Track) -> list[Writer]:
    """The track's writers who still count: declined ones do not."""
    return [w for w in cfg.writers if cfg.track_of(w).id == track.id and w.status != "declined"]


def _ids(writers: Iterable[Writer]) -> str:
    return ", ".join(w.id for w in writers)


def choose_letters(cfg: Config, track: Track, specialties: Iterable[Specialty]) -> list[Writer]:
    """The four letters to assign to every program when a track has more writers.

    Conventions first (two SLOEs for EM, a chair's letter for surgery), then letters
    from the specialty up to three, then one complementary perspective, then the
    rest; within each step, writers further along (uploaded, agreed) come first.
    """
    specialties = tuple(specialties)
    pool = sorted(active_writers(cfg, track), key=lambda w: _STATUS_RANK[w.status])
    chosen: list[Writer] = []

    def take(candidates: Iterable[Writer], up_to: int) -> None:
        for w in candidates:
            if len(chosen) >= min(up_to, MAX_LETTERS):
                return
            if w not in chosen:
                chosen.append(w)

    known = specialty_of(track.specialty, specialties)
    for exp in known.expects if known else ():
        have = sum(1 for w in chosen if w.role in exp.roles)
        take((w for w in pool if w.role in exp.roles), len(chosen) + exp.expected - have)
    in_field = [w for w in pool if same_field(w, track, specialties)]
    take(in_field, len(chosen) + SPECIALTY_MAX - sum(1 for w in chosen if w in in_field))
    if not any(w.role in COMPLEMENTARY for w in chosen):
        take((w for w in pool if w.role in COMPLEMENTARY), len(chosen) + 1)
    take(pool, MAX_LETTERS)
    order = {w.id: i for i, w in enumerate(cfg.writers)}
    return sorted(chosen, key=lambda w: order[w.id])


def letter_rules(cfg: Config, specialties: tuple[Specialty, ...]) -> list[Finding]:
    """Three letters per track, at most four per program, 2–3 from the specialty,
    and one perspective beyond the clinical."""
    findings = []
    for track in cfg.tracks:
        subject = f"track {track.id}"
        service = service_of(track, specialties)
        active = active_writers(cfg, track)
        declined = [w for w in cfg.writers if cfg.track_of(w).id == track.id and w.status == "declined"]
        n = len(active)
        if n < MIN_LETTERS:
            who = f" ({_ids(active)})" if active else ""
            gone = f"; {_ids(declined)} declined and no longer count" if declined else ""
            findings.append(Finding("error", subject,
                                    f"{track.specialty} has {n} letter writer{'' if n == 1 else 's'}{who}{gone}; "
                                    f"three letters are expected ({service.name} accepts up to "
                                    f"{in_words(service.max_letters)} per program)",
                                    f"add {MIN_LETTERS - n} more [[writers]] with track = \"{track.id}\""))
        letters = active
        if n > service.max_letters:
            letters = choose_letters(cfg, track, specialties)
            findings.append(Finding("tip", subject,
                                    f"{n} writers for {track.specialty}, but {service.name} sends at most "
                                    f"{in_words(service.max_letters)} letters to a program ({service.assign})",
                                    f"assign these four to every program (packetbuilder assign): {_ids(letters)}; keep "
                                    f"{_ids(w for w in active if w not in letters)} for programs that ask for "
                                    "a letter of that kind"))
        if not letters:
            continue
        in_field = [w for w in letters if same_field(w, track, specialties)]
        if len(in_field) < SPECIALTY_MIN:
            unknown = [w for w in letters if w.specialty is None and w not in in_field]
            hint = (f"; if {_ids(unknown)} {'is' if len(unknown) == 1 else 'are'} from {track.specialty}, "
                    f"set specialty = \"{track.specialty}\"") if unknown else ""
            findings.append(Finding("warning", subject,
                                    f"{len(in_field)} of {len(letters)} letters come from {track.specialty}"
                                    f"{' (' + _ids(in_field) + ')' if in_field else ''}; programs expect "
                                    f"{SPECIALTY_MIN}–{SPECIALTY_MAX} from the specialty",
                                    f"ask {track.specialty} faculty who supervised you clinically{hint}"))
        if not any(w.role in COMPLEMENTARY for w in letters):
            findings.append(Finding("warning", subject,
                                    f"every letter for {track.specialty} is of the same kind "
                                    f"({', '.join(sorted({w.role for w in letters}))}); programs value one "
                                    "complementary perspective",
                                    "make one letter come from a research mentor, a leadership or service "
                                    "supervisor, or a longitudinal preceptor (role research, leadership or "
                                    "longitudinal)"))
    return findings


def convention_rules(cfg: Config, specialties: tuple[Specialty, ...]) -> list[Finding]:
    """The specialty's own conventions, from ``data/specialties.toml``."""
    findings = []
    for track in cfg.tracks:
        known = specialty_of(track.specialty, specialties)
        if known is None:
            continue
        active = active_writers(cfg, track)
        for exp in known.expects:
            have = [w for w in active if w.role in exp.roles]
            if len(have) >= exp.expected:
                continue
            level: Level = "error" if len(have) < exp.required else exp.level
            who = f" ({_ids(have)})" if have else ""
            source = f" (source: {exp.source}; {exp.as_of})" if exp.source else ""
            findings.append(Finding(level, f"track {track.id}",
                                    f"{exp.why}; this track has {len(have) or 'none'}{who}{source}", exp.fix))
    for track in cfg.tracks:
        findings += _service_rules(cfg, track, specialties)
    return findings


def _service_rules(cfg: Config, track: Track, specialties: tuple[Specialty, ...]) -> list[Finding]:
    """What the track's application service asks of the student: assigning letters to
    programs by hand (ResidencyCAS), and a SLOE writer who writes no second letter."""
    service = service_of(track, specialties)
    findings = []
    known = specialty_of(track.specialty, specialties)
    cited, season = ((known.service_source, known.service_since) if known is not None and not track.service
                     and known.service_source else (service.source, service.as_of))
    source = f" (source: {cited}; {season})" if cited else ""
    active = active_writers(cfg, track)
    letter = letter_name(track.specialty, "slor", specialties)
    misnamed = [w for w in active if w.role == "slor" and letter.short == "SLOE"
                and re.search(r"\b(?:e?SLOR)\b", w.submission or cfg.application.submission or "")]
    if misnamed:
        findings.append(Finding("warning", f"writer {misnamed[0].id}",
                                f"the submission shown to {_ids(misnamed)} names a SLOR, but {track.specialty}'s "
                                f"standardized letter is the SLOE (source: {letter.source}; {letter.as_of})",
                                "write the submission as the SLOE's (or remove it to use the default)"))
    if service.name == "ResidencyCAS" and active:
        findings.append(Finding("tip", f"track {track.id}",
                                f"{track.specialty} applies through ResidencyCAS, which does not send letters to "
                                f"programs by itself: {service.assign}{source}",
                                "list which letters go where with `packetbuilder assign`, then assign them in "
                                "ResidencyCAS"))
        typed = [w for w in active if "ERAS" in (w.submission or cfg.application.submission or "")]
        if typed:
            findings.append(Finding("warning", f"track {track.id}",
                                    f"{track.specialty} applies through ResidencyCAS, but the submission shown to "
                                    f"{_ids(typed)} names ERAS{source}",
                                    "remove `submission` from packet.toml so each writer is told the ResidencyCAS "
                                    "way, or write it as ResidencyCAS describes it"))
        slor = {w.email.casefold() for w in active if w.role == "slor"}
        twice = [w for w in active if w.role != "slor" and w.email.casefold() in slor]
        if twice:
            findings.append(Finding("warning", f"writer {twice[0].id}",
                                    f"{twice[0].name} writes a SLOE for {track.specialty} and also another letter; "
                                    f"in ResidencyCAS a SLOE writer does not also write a narrative letter{source}",
                                    "keep the SLOE and ask another writer for the other letter"))
    return findings


def timing_rules(cfg: Config, today: dt.date, specialties: tuple[Specialty, ...] = ()) -> list[Finding]:
    """Notice the writer got, room before the service's deadline, and deadlines passed."""
    findings = []
    for w in cfg.writers:
        if w.status == "declined":
            continue
        track = cfg.track_of(w)
        eras = cfg.track_deadline(track)
        service = service_of(track, specialties or None).name
        subject = f"writer {w.id}"
        deadline = cfg.deadline_of(w)
        due = short_date(deadline)
        buffer = (eras - deadline).days
        if buffer < 0:
            findings.append(Finding("error", subject,
                                    f"agreed deadline {due} is after the {service} deadline {short_date(eras)}",
                                    f"agree on a date 1–2 weeks before {service}, by {short_date(eras - dt.timedelta(BUFFER_MIN))}"))
        elif buffer < BUFFER_MIN:
            findings.append(Finding("warning", subject,
                                    f"agreed deadline {due} is only {buffer} day{'' if buffer == 1 else 's'} before the "
                                    f"{service} deadline {short_date(eras)}: a late letter would miss it",
                                    f"ask for a date 1–2 weeks before {service} ({short_date(eras - dt.timedelta(BUFFER_MAX))}"
                                    f"–{short_date(eras - dt.timedelta(BUFFER_MIN))}), or line up a backup writer"))
        if w.status in DONE:
            if w.status == "uploaded":
                findings.append(Finding("tip", subject, "the letter is uploaded",
                                        f"send a thank-you note, then `packetbuilder mark {w.id} thanked`"))
            continue
        if today > deadline:
            late = (today - deadline).days
            if today > eras:
                findings.append(Finding("error", subject,
                                        f"the {service} deadline {short_date(eras)} has passed and the letter is not uploaded",
                                        "contact the writer today and ask a backup writer; programs may hold an "
                                        "incomplete application"))
            elif w.status == "planned" and w.asked is None:
                findings.append(Finding("warning", subject,
                                        f"deadline {due} passed {late} day{'' if late == 1 else 's'} ago and they "
                                        "were never asked", f"ask a backup writer now, with a deadline before {service}"))
            else:
                findings.append(Finding("warning", subject,
                                        f"deadline {due} passed {late} day{'' if late == 1 else 's'} ago and the "
                                        "letter is not uploaded",
                                        "send a reminder today; if there is no answer within a week, ask a backup writer"))
            continue
        if w.asked is None:
            if w.status == "planned":
                findings.append(_not_asked(w, cfg, today))
            else:
                findings.append(Finding("tip", subject, f"status is {w.status} but no date asked is recorded",
                                        "add asked = YYYY-MM-DD so check can judge the notice the writer had"))
            continue
        if w.status == "planned" and w.asked <= today:
            findings.append(Finding("tip", subject, f"asked on {short_date(w.asked)} but status is still planned",
                                    f"`packetbuilder mark {w.id} asked --on {w.asked.isoformat()}`, or `agreed` once they "
                                    "said yes"))
        lead = (deadline - w.asked).days
        if lead < MIN_LEAD:
            findings.append(Finding("warning", subject,
                                    f"asked {short_date(w.asked)}, {_span(lead)} before the deadline {due}: "
                                    "short notice (4–8 weeks is usual)",
                                    "confirm they can meet the deadline, or agree on a later date no closer than "
                                    f"a week to {service} ({short_date(eras - dt.timedelta(BUFFER_MIN))})"))
    return findings


def _span(days: int) -> str:
    """'16 days' under three weeks, else '3 weeks' (rounded down): how people say notice."""
    if days < 21:
        return f"{days} day{'' if days == 1 else 's'}"
    return f"{days // 7} weeks"


def _not_asked(w: Writer, cfg: Config, today: dt.date) -> Finding:
    deadline = cfg.deadline_of(w)
    left = (deadline - today).days
    ask_by = deadline - dt.timedelta(MIN_LEAD)
    if left < MIN_LEAD:
        return Finding("warning", f"writer {w.id}",
                       f"not asked yet, and the deadline {short_date(deadline)} is {_span(left)} away — "
                       "short notice (4–8 weeks is usual)",
                       f"ask now and confirm they can meet {short_date(deadline)}; if not, ask a backup writer")
    return Finding("tip", f"writer {w.id}", f"not asked yet: ask by {short_date(ask_by)}, 4 weeks before the deadline "
                   f"{short_date(deadline)}",
                   f"ideally ask 6–8 weeks ahead, around {short_date(deadline - dt.timedelta(IDEAL_LEAD - 14))}")


def waiver_rules(cfg: Config) -> list[Finding]:
    return [Finding("warning", f"writer {w.id}", "FERPA waiver not signed (waived = false)",
                    "programs read waived letters as more candid; waive your right to see the letter when you "
                    f"request it in {service_of(cfg.track_of(w)).name}, then set waived = true")
            for w in cfg.writers if not w.waived and w.status != "declined"]


def qualities_rule(cfg: Config, config_text: str = "") -> list[Finding]:
    n = len(cfg.application.qualities)
    if QUALITIES_MIN <= n <= QUALITIES_MAX:
        return []
    line = key_lines(config_text).get(("application", "qualities")) if config_text else None
    fix = (f"add {QUALITIES_MIN - n} more words or phrases that describe you" if n < QUALITIES_MIN
           else f"keep the {QUALITIES_MAX} that matter most")
    return [Finding("warning", f"{CONFIG_NAME}:{line}" if line else CONFIG_NAME,
                    f"{n} qualities listed; the cover sheet reads best with {QUALITIES_MIN}–{QUALITIES_MAX}",
                    fix + " in [application] qualities")]


def invisible_rules(cfg: Config, config_text: str = "") -> list[Finding]:
    """Bidi controls, zero-width and other invisible characters in a name or specialty.

    Pasted from a web page or a PDF, they are harmless there but make a name show as
    something else (U+202E reverses what follows), and they cannot be seen to be deleted.
    E-mail headers leave them out; the packets and the greeting keep what was typed.
    """
    lines = key_lines(config_text) if config_text else {}
    fields: list[tuple[tuple[Any, ...], str, str | None]] = [
        (("applicant", "name"), "applicant.name", cfg.applicant.name),
        (("applicant", "preferred_name"), "applicant.preferred_name", cfg.applicant.preferred_name)]
    fields += [(("tracks", i, "specialty"), f"tracks[{t.id}].specialty", t.specialty) for i, t in enumerate(cfg.tracks)]
    fields += [(("writers", i, key), f"writers[{w.id}].{key}", getattr(w, key)) for i, w in enumerate(cfg.writers)
               for key in ("name", "salutation", "specialty")]
    findings = []
    for loc, key, value in fields:
        found = invisible_in(value or "")
        if found:
            line = lines.get(loc)
            findings.append(Finding("warning", f"{CONFIG_NAME}:{line}" if line else CONFIG_NAME,
                                    f"{key} holds invisible characters ({', '.join(found)}) that can make it show as "
                                    "something else", "retype the value by hand; e-mail headers leave them out"))
    return findings


# -- content rules ------------------------------------------------------------------------

# Bracketed stand-ins in any case; the bare words only in capitals (Spanish "todo" is a word).
_BRACKETED = re.compile(r"\[(?:date|your name|name|insert\b[^\]\n]*|program(?: name)?|specialty|writer|title|"
                        r"tbd|todo|\.\.\.|…)\]", re.IGNORECASE)
_MARKERS = re.compile(r"\b(?:TODO|TBD|FIXME|XXX+)\b|(?i:lorem ipsum)")


def _lines(text: str) -> Iterable[tuple[int, str]]:
    """Numbered lines as editors count them (only \\n ends a line)."""
    return enumerate(text.split("\n"), 1)


def _is_comment(name: str, line: str) -> bool:
    return name.endswith(".toml") and line.lstrip().startswith("#")


def placeholder_rules(texts: Mapping[str, str]) -> list[Finding]:
    """Stand-ins such as [date], TODO or [Your Name] left in any source file."""
    findings = []
    for name, text in texts.items():
        for number, line in _lines(text):
            if _is_comment(name, line):
                continue
            bracketed = list(_BRACKETED.finditer(line))
            hits = [m.group(0) for m in bracketed]
            hits += [m.group(0) for m in _MARKERS.finditer(line)
                     if not any(b.start() <= m.start() < b.end() for b in bracketed)]
            for hit in hits:
                findings.append(Finding("error", f"{name}:{number}", f"placeholder {hit!r} is still in the text",
                                        "replace it with the real text before the packets go out"))
    return findings


def glyph_rules(texts: Mapping[str, str], unshowable: Callable[[str], list[str]]) -> list[Finding]:
    """Characters the PDF fonts cannot draw; they would print as □."""
    findings = []
    for name, text in texts.items():
        for number, line in _lines(text):
            if _is_comment(name, line):
                continue
            missing = unshowable(line)
            if missing:
                chars = ", ".join(f"{c!r} (U+{ord(c):04X} {unicodedata.name(c, 'unnamed').lower()})" for c in missing)
                findings.append(Finding("warning", f"{name}:{number}",
                                        f"the PDF fonts cannot show {chars}; it prints as □",
                                        "replace it with a plain character or a word, or delete it"))
    return findings


def notes_rules(app: Application) -> list[Finding]:
    """Notes missing, or missing what makes a request personal: what you learned from the
    writer, and (in one tip for all writers) why you are asking them, in your own words."""
    findings = []
    for w in app.config.writers:
        if w.status == "declined":
            continue
        notes = app.writer_notes(w)
        if notes is None:
            findings.append(Finding("warning", f"writer {w.id}", "no notes on your work together",
                                    f"write notes/{w.id}.md (Setting, Dates, Weeks, Learned, then what you did and "
                                    "what they saw) so the packet reminds them of you"))
        elif not notes.facts.get("learned"):
            findings.append(Finding("tip", f"writer {w.id}", "the notes have no `Learned:` line",
                                    f"add `Learned: …` at the top of notes/{w.id}.md: one thing you learned from "
                                    "them, which the request e-mail mentions"))
    generic = [w.id for w in app.config.writers if w.status != "declined" and (notes := app.writer_notes(w))
               is not None and not notes.facts.get("why")]
    if generic:
        many = len(generic) > 1
        findings.append(Finding("tip", f"writer{'s' if many else ''} {', '.join(generic)}",
                                f"the request{'s say' if many else ' says'} why you are asking only in words made "
                                "from the notes' facts, not in your own",
                                "add `Why: …` at the top of each notes file: in a sentence or two, why you are asking "
                                "this writer; the request uses it as you wrote it"))
    return findings


def statement_rules(app: Application) -> list[Finding]:
    findings = []
    for track in app.config.tracks:
        if app.statement_for(track) is not None:
            continue
        if app.goals is not None:
            findings.append(Finding("tip", f"track {track.id}",
                                    f"no personal-statement draft for {track.specialty}; packets show the career "
                                    "goals summary instead",
                                    f"add statement = \"statements/{track.id}.md\" to the track once you have a draft"))
        else:
            findings.append(Finding("warning", f"track {track.id}",
                                    f"no personal statement or goals summary for {track.specialty}: writers see "
                                    "only your CV",
                                    f"write statements/{track.id}.md (a draft is fine) and set "
                                    f"statement = \"statements/{track.id}.md\" on the track"))
    return findings


# -- what is marked for each writer, and typos that lose content silently -------------------

def _did_you_mean(word: str, choices: Iterable[str], shown: str = "{}") -> str:
    """ "did you mean X? " for the closest choice, written as ``shown`` writes it; or ""."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean {shown.format(close[0])}? " if close else ""


def _writer_line(cfg: Config, config_text: str, writer: Writer, key: str) -> str:
    lines = key_lines(config_text)
    index = next(i for i, w in enumerate(cfg.writers) if w.id == writer.id)
    line = lines.get(("writers", index, key)) or lines.get(("writers", index))
    return f"{CONFIG_NAME}:{line}" if line else CONFIG_NAME


def marking_rules(app: Application, config_text: str = "") -> list[Finding]:
    """A writer with nothing marked, keywords that match nothing, and marks the cap left off."""
    cfg = app.config
    findings = []
    for w in cfg.writers:
        if w.status == "declined":
            continue
        marking = writer_marking(app, w)
        where = _writer_line(cfg, config_text, w, "highlight")
        if marking.unmatched_keywords:
            many = len(marking.unmatched_keywords) > 1
            words = ", ".join(f"“{k}”" for k in marking.unmatched_keywords)
            findings.append(Finding("warning", f"{where} (writer {w.id})",
                                    f"highlight keyword{'s' if many else ''} {words} match{'' if many else 'es'} "
                                    "no CV entry (keywords match whole words, case-insensitive, with plurals)",
                                    "write the keyword as the CV writes it, or remove it"))
        if not marking.marked:
            findings.append(Finding("warning", f"writer {w.id}",
                                    "no CV entry is marked for them, so the packet's CV shows nothing of your "
                                    "work together",
                                    f"tag the entries of your work together with {{: .{w.id} }} in "
                                    f"{cfg.application.cv}, or add highlight keywords that name it"))
        if marking.over_cap:
            cap = cfg.application.highlight_cap
            shown = "; ".join(entry_text(m.entry, 5) for m in marking.over_cap[:3])
            weak = sum(1 for m in marking.marked if m.weak) + len(marking.over_cap)
            findings.append(Finding("tip", f"{where} (writer {w.id})",
                                    f"{weak} entries match only on keywords or the notes' Setting; the {cap} strongest are "
                                    f"marked, {len(marking.over_cap)} not ({shown}"
                                    f"{'; …' if len(marking.over_cap) > 3 else ''})",
                                    f"use more specific keywords, tag the entries .{w.id}, or raise [application] "
                                    "highlight_cap"))
    return findings


_ATTRS = re.compile(r"\{:?\s*((?:[.#][\w-]+\s*|[\w-]+=(?:\"[^\"]*\"|'[^']*'|\S+)\s*)+)\}")
_META = re.compile(r"^([A-Za-z][\w -]{0,40}):(?:\s|$)")


def tag_rules(app: Application, texts: Mapping[str, str]) -> list[Finding]:
    """A CV tag that is neither a writer's id nor keep/optional does nothing: a typo
    (``.harmn``) would leave an entry unmarked without a word."""
    known = {w.id for w in app.config.writers} | {"keep", "optional"}
    name = app.config.application.cv
    findings = []
    for number, line in _lines(texts.get(name, "")):
        for m in _ATTRS.finditer(line):
            for token in m.group(1).split():
                tag = token[1:]
                if token.startswith(".") and tag not in known:
                    findings.append(Finding("warning", f"{name}:{number}",
                                            f"the tag .{tag} is neither a writer id nor .keep or .optional, so it "
                                            "does nothing",
                                            f"{_did_you_mean(tag, known, '.{}')}tags are writer ids "
                                            f"({', '.join(sorted(w.id for w in app.config.writers))}), keep or "
                                            "optional"))
    return findings


def notes_key_rules(texts: Mapping[str, str], note_files: Iterable[str]) -> list[Finding]:
    """``Key: value`` lines at the top of a notes file that the tool does not know: their
    facts are silently left out (``Week: 4`` for ``Weeks: 4``)."""
    findings = []
    for name in note_files:
        for number, line in _lines(texts.get(name, "")):
            if not line.strip():
                break  # the facts end at the first blank line
            m = _META.match(line)
            if m is None:
                if line[:1] in " \t":
                    continue  # a value continued on the next line
                break
            key = m.group(1).strip().lower()
            if key not in NOTE_KEYS:
                findings.append(Finding("warning", f"{name}:{number}",
                                        f"the notes key `{m.group(1)}:` is not one the packet uses, so its value "
                                        "is left out",
                                        f"{_did_you_mean(key.title(), [k.title() for k in NOTE_KEYS], '`{}:`')}the keys are "
                                        f"{', '.join(k.title() for k in NOTE_KEYS)}"))
    return findings


def stray_notes_rules(app: Application, notes_listing: Iterable[str]) -> list[Finding]:
    """A notes file no writer reads (``notes/dr-chen.md`` for writer ``chen``) means a
    packet goes out without the notes the student wrote for it."""
    used = {notes_name(w) for w in app.config.writers}
    ids = [w.id for w in app.config.writers]
    findings = []
    for name in notes_listing:
        if name in used:
            continue
        stem = Path(name).stem
        close = difflib.get_close_matches(stem, ids, n=1, cutoff=0.5) or [i for i in ids if i in stem]
        hint = (f"rename it notes/{close[0]}.md for writer {close[0]}, or set notes = \"{name}\" on that writer"
                if close else "name it notes/<writer id>.md, or set notes = \"…\" on the writer it is about")
        findings.append(Finding("warning", name, "this notes file matches no writer, so no packet uses it", hint))
    return findings


@dataclass(frozen=True)
class FitOutcome:
    """What fitting one writer's packet to the page limit does (see :mod:`.fit`)."""

    entries_cut: int = 0
    sections_cut: int = 0  # whole CV sections, heading and all
    statement: str = ""  # what happened to the statement, if it was shortened or replaced
    too_long: Problem | None = None  # why it cannot fit even with everything trimmable cut
    entries_condensed: int = 0  # entries printed with their first line only
    tightened: bool = False  # set in smaller type and spacing, within the floors


def fit_rules(cfg: Config, outcomes: Mapping[str, FitOutcome], cv_entries: int) -> list[Finding]:
    """Packets the build must trim: a few entries is routine (a tip); losing the statement,
    condensing half the CV or cutting a third of it is heavy (a warning); not fitting at all
    is an error."""
    limit = cfg.application.page_limit
    findings = []
    for w in cfg.writers:
        outcome = outcomes.get(w.id)
        if outcome is None:
            continue
        subject = f"writer {w.id}"
        if outcome.too_long is not None:
            findings.append(Finding("error", subject, outcome.too_long.message, outcome.too_long.fix))
            continue
        if not (outcome.entries_cut or outcome.statement or outcome.entries_condensed or outcome.tightened):
            continue
        parts = []
        if outcome.entries_condensed:
            parts.append(f"condenses {outcome.entries_condensed} of {cv_entries} CV "
                         f"entr{'y' if cv_entries == 1 else 'ies'} to their first line")
        if outcome.entries_cut:
            whole = f", {outcome.sections_cut} whole section{'' if outcome.sections_cut == 1 else 's'}" \
                if outcome.sections_cut else ""
            parts.append(f"cuts {outcome.entries_cut} of {cv_entries} CV entr{'y' if cv_entries == 1 else 'ies'}"
                         f"{whole}")
        if outcome.statement:
            parts.append(outcome.statement[0].lower() + outcome.statement[1:])
        if outcome.tightened:
            parts.append("sets the packet in tighter type")
        heavy = bool(outcome.statement) or outcome.tightened or outcome.entries_cut * 3 >= cv_entries \
            or outcome.entries_condensed * 2 >= cv_entries
        findings.append(Finding("warning" if heavy else "tip", subject,
                                f"to fit {limit} pages the build {', '.join(parts[:-1]) + ' and ' if parts[1:] else ''}"
                                f"{parts[-1]}" + ("; that is heavy trimming" if heavy else ""),
                                "shorten the notes or the statement, or tag the CV entries that matter less as "
                                ".optional so you choose what goes (`build` reports exactly what is cut)"))
    return findings


_STOP = frozenset("a an and the of to in on for with my me i you your as at by from".split())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def distinctive_inputs(app: Application, writer: Writer) -> dict[str, list[str]]:
    """What makes one writer's request their own: emphasis, highlights, notes (as words)."""
    notes = app.writer_notes(writer)
    notes_words: list[str] = []
    if notes is not None:
        notes_words = _words(" ".join(notes.facts.values()) + " " +
                             " ".join(block_text(s.blocks) for s in notes.document.sections))
    return {"emphasis": [w for w in _words(" ".join(writer.emphasis)) if w not in _STOP],
            "highlight": sorted({k.strip().casefold() for k in writer.highlight if k.strip()}),
            "notes": notes_words}


def similarity(a: dict[str, list[str]], b: dict[str, list[str]]) -> dict[str, float]:
    """Per input both writers have: word overlap (emphasis, highlight) or how much of
    the notes' text runs the same (notes)."""
    out = {}
    for key in ("emphasis", "highlight"):
        if a[key] and b[key]:
            out[key] = _overlap(set(a[key]), set(b[key]))
    if a["notes"] and b["notes"]:
        out["notes"] = difflib.SequenceMatcher(None, a["notes"], b["notes"], autojunk=False).ratio()
    return out


def copy_rules(app: Application) -> list[Finding]:
    """Requests that read like copies: a writer who compares notes, or a program that
    reads two letters praising the same three things, notices."""
    writers = [w for w in app.config.writers if w.status != "declined"]
    inputs = {w.id: distinctive_inputs(app, w) for w in writers}
    findings = []
    for i, first in enumerate(writers):
        for second in writers[i + 1:]:
            alike = {k: v for k, v in similarity(inputs[first.id], inputs[second.id]).items() if v >= SIMILAR}
            if not alike:
                continue
            what = ", ".join(f"{k} {round(v * 100)}% the same" for k, v in alike.items())
            findings.append(Finding("warning", f"writers {first.id} and {second.id}",
                                    f"their requests read like copies ({what})",
                                    "tailor each request to what that writer saw: their own emphasis, "
                                    "highlights and notes"))
    return findings


# -- putting it together ------------------------------------------------------------------

def audit(app: Application, today: dt.date, texts: Mapping[str, str], fits: Mapping[str, FitOutcome],
          unshowable: Callable[[str], list[str]], specialties: tuple[Specialty, ...],
          notes_listing: Iterable[str] = ()) -> Findings:
    """Every rule, in the order a student would fix things: roster, dates, content.

    ``notes_listing``: the notes files in the folder (``notes/x.md``), read or not."""
    cfg = app.config
    note_files = [notes_name(w) for w in cfg.writers if w.id in app.notes]
    found = [*letter_rules(cfg, specialties), *convention_rules(cfg, specialties), *timing_rules(cfg, today, specialties),
             *waiver_rules(cfg), *notes_rules(app), *statement_rules(app),
             *qualities_rule(cfg, texts.get(CONFIG_NAME, "")), *invisible_rules(cfg, texts.get(CONFIG_NAME, "")),
             *copy_rules(app), *fit_rules(cfg, fits, cv_entries(app)),
             *cv_rules(texts.get(cfg.application.cv, ""), cfg.application.cv),
             *marking_rules(app, texts.get(CONFIG_NAME, "")), *tag_rules(app, texts),
             *notes_key_rules(texts, note_files), *stray_notes_rules(app, notes_listing),
             *placeholder_rules(texts), *glyph_rules(texts, unshowable)]
    return Findings(tuple(sorted(found, key=lambda f: LEVELS.index(f.level))))


def cv_entries(app: Application) -> int:
    return sum(1 for s in walk_sections(app.cv.sections) for b in s.blocks if isinstance(b, Entry))


_HEADINGS = {"error": ("Errors", "✗", "red"), "warning": ("Warnings", "!", "yellow"), "tip": ("Tips", "·", "cyan")}
WIDTH = 100


def report_lines(findings: Findings) -> list[str]:
    """The findings as ``check`` prints them: grouped by level, each with its fix.

    Wrapped at a fixed width rather than the terminal's, so the same input prints the
    same text everywhere (and in tests).
    """
    import textwrap

    import click

    lines: list[str] = []
    for level in LEVELS:
        group = findings.at(level)
        if not group:
            continue
        title, mark, colour = _HEADINGS[level]
        lines.append(click.style(f"{title} ({len(group)})", fg=colour, bold=True))
        for f in group:
            text = textwrap.wrap(f"{f.subject}: {f.message}", WIDTH, initial_indent=f"  {mark} ",
                                 subsequent_indent="    ")
            lines.append(click.style(text[0], fg=colour) + ("\n" + "\n".join(text[1:]) if text[1:] else ""))
            lines.extend(textwrap.wrap(f"fix: {f.fix}", WIDTH, initial_indent="    → ", subsequent_indent="      "))
        lines.append("")
    lines.append(findings.summary() if findings.items else "no problems found")
    return lines
