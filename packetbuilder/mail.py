"""E-mails to letter writers: Jinja2 templates → checked text → a draft ``.eml``.

A packet is half of a good request; the other half is the e-mail that asks. A mass,
copy-paste e-mail is the most common complaint writers have, so every e-mail is
filled from the sources that concern *this* writer (the notes on our work together,
what the applicant learned from them, the writer's ``emphasis``, the agreed deadline,
the Letter ID), and the request has its own template per kind of writer.

Templates are looked up first in the application's ``templates/`` folder, then in the
package, so a user can override one template, or just the shared macros in
``_common.j2``, without copying the rest. A request tries ``request-<role>.j2``, then
``request-<variant>.j2`` (clinical/slor/chair share ``request-clinical.j2``), then
``request.j2``. A template's first line is ``Subject: …``; the rest is the body.

Variables a template can use (all always defined; text is "" when not known):

- ``applicant``: name, short_name, email, phone, school, class_year, aamc_id
- ``writer``: id, name, salutation, title, role, specialty, emphasis (list), letter_id,
  waived, status
- ``track``: specialty, focus (list), requirements (list)
- ``work`` (from ``notes/<id>.md``), each fact read into a shape a sentence can hold
  (see :mod:`.work_facts`), "" where it cannot: where (the setting, no leading "the"),
  when ("in July 2026", "from August 2023 to May 2026"), span ("two years", "4 weeks"),
  patients_phrase (only a count of patients: "6–8 patients per day"), learned_phrase
  (follows "You taught me"), learned_sentence (Learned as a sentence said to the writer),
  learned_rule (Learned as a rule, to quote), why (the student's own words, as sentences),
  summary ("Setting · Dates · 4 weeks", for a labelled line); and the facts as written:
  setting, dates, weeks, duration ("four weeks" when Weeks is a number), patients, learned
- ``goal``: the first sentence of goals.md when it states a goal, else ""; ``qualities`` (list); ``programs`` (list,
  only when the writer has ``share_programs``)
- ``deadline`` ("September 10, 2026"), ``deadline_day`` (with the weekday),
  ``eras_deadline`` (the track's deadline, whatever its service), ``service`` (name,
  deadline_name: "the ResidencyCAS deadline", assign), ``days_left`` (from the message
  date), ``asked``, ``today``
- ``submission``; ``attachments`` (list of name/label); ``packet_parts`` (list);
  ``marked`` (CV entries highlighted for this writer) and ``marked_phrase`` ("the 3
  entries that concern you are marked"); ``letter`` (what the letter is called for this
  writer's role in this specialty: "a Standardized Letter of Evaluation (SLOE)") and
  ``letter_short`` ("SLOE"); ``variant`` (the writer's place in packet.toml, so that
  templates can word the same thing differently for each writer);
  ``matched``; ``match_day``
- filter ``join_and``: ["a", "b", "c"] → "a, b, and c"

StrictUndefined makes a misspelt variable an error naming the template and line,
never an empty gap; a finished e-mail that still holds a placeholder such as
``[date]`` or ``{{`` is refused rather than written.

Every .eml is deterministic: Date, Message-ID and MIME boundary derive from the
inputs, so the same sources give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import jinja2

from .config import Config, Writer
from .errors import InputError, Problem, WorkError
from .etiquette import status_refusal
from .formatting import long_date, medium_date, packet_stem, typographic
from .mail_headers import encoded_word_reason, header_text, serialised, verify_headers
from .mail_templates import (LimitedEnvironment, TemplateLimit, TemplateLoader, UnsafeTemplateName,
                             locate, template_roots)
from .model import Paragraph, block_text, walk_sections
from .outputs import check_out_dir, read_output, write_atomic
from .packet import facts_of, writer_marking
from .specialties import letter_name, load_specialties, service_of, submission_of
from .sources import Application, load_application
from .textfiles import CONFIG_NAME, TEMPLATES

KINDS = ("request", "reminder", "thanks", "match")
REQUEST_VARIANTS = {"clinical": "clinical", "slor": "clinical", "chair": "clinical",
                    "research": "research", "leadership": "leadership", "longitudinal": "longitudinal"}
ATTACHABLE = {"pdf": ("application", "pdf", "a PDF"),
              "docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document",
                       "an editable Word")}
# A reminder goes 1–2 weeks before the deadline (a request four weeks before: Config.request_date).
REMINDER_LEAD = dt.timedelta(days=10)
SEND_HOUR = 9
MAX_ATTACHMENT_BYTES = 20 * 2**20  # most mail servers refuse a message over 25 MB

_PLACEHOLDER = re.compile(
    r"\[[A-Za-z][^\[\]\n]{0,40}\]"            # [date], [Your Name]
    r"|\{\{|\}\}|\{%|%\}|\{#|#\}"             # template syntax left in the text
    r"|<<[^<>\n]*>>"                          # <<name>>
    r"|<[^<>@\n]*\b(?:insert|your|name|date)\b[^<>@\n]*>"  # <insert date>
    r"|\b(?:TODO|TBD|XXX+)\b")
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                 "eleven", "twelve")


@dataclass(frozen=True)
class Attachment:
    """A file to attach; its MIME type comes from a fixed table, not the system's guess."""

    name: str
    data: bytes

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower()

    @property
    def label(self) -> str:
        return ATTACHABLE[self.extension][2]


@dataclass(frozen=True)
class Draft:
    """The rendered text of one e-mail and the template it came from (for error messages)."""

    subject: str
    body: str
    template: str


# -- templates ---------------------------------------------------------------------------

def join_and(items: Any) -> str:
    """'a', 'a and b', 'a, b, and c': lists read as prose."""
    items = [str(i) for i in items if str(i).strip()]
    if len(items) < 3:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def _label(folder: Path, name: str) -> str:
    """How a template is named in messages: its user path, or 'built-in template <name>'."""
    found = locate(template_roots(folder), name)
    return found[0].label(name) if found else f"built-in template {name}"


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, keyed by name and checked
    against the source: a profile of ``build`` showed compiling the templates again for
    every e-mail as two thirds of its time. An edited template has another checksum,
    so it is compiled afresh (``build --watch`` sees the edit)."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def template_environment(folder: Path) -> LimitedEnvironment:
    """A sandboxed, bounded environment whose loader prefers ``folder/templates`` over the package.

    Sandboxed and bounded because template folders get shared between students (see
    :mod:`.mail_templates`); StrictUndefined because an empty gap in a letter request
    is worse than an error.
    """
    env = LimitedEnvironment(loader=TemplateLoader(template_roots(folder)), undefined=jinja2.StrictUndefined,
                             autoescape=False, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
                             bytecode_cache=_COMPILED)
    env.filters["join_and"] = join_and
    return env


def template_name(folder: Path, kind: str, role: str) -> str:
    """The template for a kind and role: the most specific name the user overrides, else the package's."""
    if kind != "request":
        return f"{kind}.j2"
    candidates = [f"request-{role}.j2", f"request-{REQUEST_VARIANTS[role]}.j2", "request.j2"]
    user, package = template_roots(folder)
    return next(name for root in (user, package) for name in candidates if root.find(name) is not None)


# -- what the templates see --------------------------------------------------------------

def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(?:\s|$)", text.strip(), re.S)
    return " ".join((match.group(1) if match else text).split())


_GOAL = re.compile(r"^(?:I (?:plan|hope|want|intend|aim|would like|see myself)|My (?:goal|aim|plan)|In (?:ten|five) years)\b")


def _goal(app: Application) -> str:
    """The first sentence of goals.md when it states a goal ("I plan to become …"); a story
    or a scene there would stand in a request without a lead-in, so it is left to the packet."""
    if app.goals is None:
        return ""
    for section in walk_sections(app.goals.sections):
        for block in section.blocks:
            if isinstance(block, Paragraph):
                sentence = first_sentence(block_text((block,)))
                return sentence if _GOAL.match(sentence) else ""
    return ""


def _duration(weeks: str) -> str:
    if weeks.isdigit():
        n = int(weeks)
        return f"{_NUMBER_WORDS[n] if n < len(_NUMBER_WORDS) else n} week{'s' if n != 1 else ''}"
    return weeks


def _packet_parts(app: Application, writer: Writer) -> list[str]:
    parts = []
    if app.writer_notes(writer) is not None:
        parts.append("a summary of our work together")
    if app.statement_for(app.config.track_of(writer)) is not None:
        parts.append("my personal statement draft")
    elif app.goals is not None:
        parts.append("my career goals")
    parts.append("my CV")
    return parts


def message_date(config: Config, writer: Writer, kind: str, today: dt.date | None) -> dt.date:
    """The date an e-mail is written for.

    A request is dated when the letter was asked for (``asked``), else four weeks
    before the agreed deadline, never by the clock: ``build`` and ``email`` then write
    the same request.eml. Other kinds are dated ``today``; without it, a date that fits
    the etiquette: ten days before the deadline for a reminder, the deadline for
    thanks, Match Day for news.
    """
    deadline = config.deadline_of(writer)
    if kind == "request":
        return config.request_date(writer)
    if today is not None:
        return today
    return {"reminder": deadline - REMINDER_LEAD, "thanks": deadline}.get(
        kind, config.application.match_day or deadline)


def template_context(app: Application, writer: Writer, kind: str, on: dt.date,
                     attachments: list[Attachment]) -> dict[str, Any]:
    """Everything a template may use, every key defined (see the module docstring).

    Text typed in packet.toml has its quotes typeset (``t``), as the Markdown sources'
    text has: "Dr. O'Neil" and "Dr. O’Neil" never stand in one e-mail. Addresses stay
    as typed."""
    t = typographic
    cfg, applicant = app.config, app.config.applicant
    track = cfg.track_of(writer)
    deadline = cfg.deadline_of(writer)
    notes = app.writer_notes(writer)
    raw = {key: (notes.facts if notes is not None else {}).get(key, "").strip().rstrip(".")
           for key in ("setting", "dates", "weeks", "patients", "learned")}
    facts = facts_of(app, writer)
    work = {**raw, "duration": _duration(raw["weeks"]), "where": facts.setting, "when": facts.when,
            "span": facts.span, "patients_phrase": facts.patients, "learned_phrase": facts.learned,
            "learned_sentence": facts.learned_sentence, "learned_rule": facts.learned_rule, "why": facts.why,
            "summary": " · ".join(t(x) for x in (raw["setting"], raw["dates"], facts.weeks or raw["weeks"]) if x)}
    letter = letter_name(track.specialty, writer.role, load_specialties())
    service = service_of(track)
    marked = len(writer_marking(app, writer).numbers())  # what the packet shades: not the packet itself
    settings = cfg.application
    return {
        "applicant": {"name": t(applicant.name), "short_name": t(applicant.short_name), "email": applicant.email,
                      "phone": applicant.phone or "", "school": t(applicant.school),
                      "class_year": applicant.class_year or "", "aamc_id": applicant.aamc_id or ""},
        "writer": {"id": writer.id, "name": t(writer.name), "salutation": t(writer.salutation),
                   "title": t(writer.title or ""), "role": writer.role, "specialty": t(writer.specialty or ""),
                   "emphasis": [t(e) for e in writer.emphasis], "letter_id": writer.letter_id or "",
                   "waived": writer.waived, "status": writer.status},
        "track": {"specialty": t(track.specialty), "focus": [t(f) for f in track.focus],
                  "requirements": [t(r) for r in track.requirements]},
        "work": work,
        "goal": _goal(app),
        "qualities": [t(q) for q in settings.qualities],
        "programs": [t(p.program) for p in app.programs] if writer.share_programs else [],
        "deadline": medium_date(deadline),
        "deadline_day": long_date(deadline),
        "eras_deadline": medium_date(cfg.track_deadline(track)),
        "service": {"name": service.name, "deadline_name": service.deadline_name, "assign": service.assign,
                    "letter_ids": service.letter_ids},
        "days_left": (deadline - on).days,
        "asked": medium_date(writer.asked) if writer.asked else "",
        "today": medium_date(on),
        "submission": t(submission_of(cfg, writer)),
        "attachments": [{"name": a.name, "label": a.label} for a in attachments],
        "packet_parts": _packet_parts(app, writer),
        "marked": marked,
        "marked_phrase": ("" if not marked else "the entry that concerns you is marked" if marked == 1
                          else f"the {marked} entries that concern you are marked"),
        "letter": letter.name,
        "letter_short": letter.short,
        "variant": [w.id for w in cfg.writers].index(writer.id) if writer.id in [w.id for w in cfg.writers] else 0,
        "matched": t(settings.matched or ""),
        "match_day": medium_date(settings.match_day) if settings.match_day else "",
    }


# -- rendering and checking --------------------------------------------------------------

def _template_line(exc: BaseException) -> tuple[str, int | None]:
    """The innermost template frame of a rendering error: (template label, line).

    Jinja rewrites tracebacks so that template frames carry the loader's file name,
    which here is the label users see ("templates/request.j2").
    """
    where: tuple[str, int | None] = ("", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith((f"{TEMPLATES}/", "built-in template ")):
            where = (tb.tb_frame.f_code.co_filename, tb.tb_lineno)
        tb = tb.tb_next
    return where


def tidy(text: str) -> str:
    """Trailing spaces off, runs of blank lines collapsed: conditionals leave both behind."""
    lines = [re.sub(r"(?<=\S) {2,}(?=\S)", " ", line.rstrip()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def find_placeholders(text: str) -> list[tuple[int, str]]:
    """(line, text) of every template-like placeholder left in finished text."""
    return [(number, m.group(0)) for number, line in enumerate(text.splitlines(), 1)
            for m in _PLACEHOLDER.finditer(line)]


def render_draft(app: Application, writer: Writer, kind: str, on: dt.date,
                 attachments: list[Attachment]) -> Draft:
    """Render one e-mail's subject and body, refusing gaps and leftover placeholders."""
    if kind not in KINDS:
        raise InputError(Problem("--kind", f"unknown kind {kind!r}", f"use one of {', '.join(KINDS)}"))
    if kind == "match" and not app.config.application.matched:
        raise InputError(Problem("packet.toml", "the Match e-mail needs to know where you matched",
                                 'add matched = "Hospital, Specialty" under [application]', key="application.matched"))
    name = template_name(app.folder, kind, writer.role)
    label = _label(app.folder, name)
    env = template_environment(app.folder)
    context = template_context(app, writer, kind, on, attachments)
    try:
        text = env.get_template(name).render(context)
    except InputError:
        raise  # a template the loader refused (a link out, not a regular file…) names itself
    except UnsafeTemplateName as exc:
        where, line = _template_line(exc)
        raise InputError(Problem(where or label, f"template name {exc.name!r} leaves the templates folder",
                                 "include or import templates by their name inside templates/ (such as "
                                 "'_common.j2'), without '..' or an absolute path", line)) from None
    except TemplateLimit as exc:
        where, line = _template_line(exc)
        raise InputError(Problem(where or label, f"the template was stopped: {exc}",
                                 "loop over the lists the template is given (writer.emphasis, programs…), not over "
                                 "large ranges", line)) from None
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(Problem(exc.filename or label, f"template syntax error: {exc.message}",
                                 "fix the Jinja2 tag on that line", exc.lineno)) from None
    except jinja2.UndefinedError as exc:
        where, line = _template_line(exc)
        message = (exc.message or "undefined").replace("'dict object'", "that value")
        raise InputError(Problem(where or label, f"uses an undefined variable: {message}",
                                 "use one of: " + ", ".join(sorted(context)), line)) from None
    except Exception as exc:  # a template is code the user wrote: {{ 1/0 }} is their error to fix, located
        where, line = _template_line(exc)
        raise InputError(Problem(where or label, f"template error: {type(exc).__name__}: {exc}",
                                 "fix the template", line)) from None
    head, _, body = text.lstrip("\n").partition("\n")
    if not head.startswith("Subject:"):
        raise InputError(Problem(label, "the first line must be `Subject: …`",
                                 "start the template with the subject line, then a blank line, then the body", 1))
    subject = head.removeprefix("Subject:")
    unsafe = encoded_word_reason(subject)
    if unsafe:
        raise InputError(Problem(label, f"the subject of the {kind} e-mail to {writer.id} {unsafe}",
                                 "in the template's Subject line, or in the packet.toml value it includes", 1))
    draft = Draft(header_text(subject), tidy(body), label)
    _refuse_placeholders(draft, writer, kind)
    return draft


def _refuse_placeholders(draft: Draft, writer: Writer, kind: str) -> None:
    found = [(0, p) for _, p in find_placeholders(draft.subject)] + find_placeholders(draft.body)
    if not draft.subject:
        found.insert(0, (0, "(empty subject)"))
    if found:
        where = "; ".join(f"{'subject' if n == 0 else f'body line {n}'}: {p!r}" for n, p in found)
        raise InputError(Problem(draft.template, f"the {kind} e-mail to {writer.id} still holds a placeholder ({where})",
                                 f"write the real text in the template or in its source (packet.toml, "
                                 f"notes/{writer.id}.md)"))


# -- the message -------------------------------------------------------------------------

def _digest(*parts: bytes | str) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def build_message(app: Application, writer: Writer, kind: str, draft: Draft, attachments: list[Attachment],
                  on: dt.date) -> EmailMessage:
    """An editable draft: From applicant, To writer, plain text, attachments, X-Unsent: 1.

    Headers are set only through EmailMessage, which encodes non-ASCII names (RFC 2047
    in headers, RFC 2231 in attachment names) and refuses line breaks; display names
    lose their invisible format characters (a U+202E turns "Chen" around on screen);
    and the finished message is read back to prove it carries only these headers
    (:func:`.mail_headers.verify_headers`), whatever the Python version does.
    """
    applicant = app.config.applicant
    date = dt.datetime.combine(on, dt.time(SEND_HOUR), dt.timezone.utc)
    # The Message-ID names the content, not the date (which sending replaces): the message
    # `send` delivers carries the same ID as the request.eml that `build` wrote.
    digest = _digest(kind, writer.id, applicant.email, writer.email, draft.subject, draft.body,
                     *[p for a in attachments for p in (a.name, a.data)])
    msg = EmailMessage(policy=policy.SMTP)
    try:
        msg["From"] = Address(header_text(applicant.name), addr_spec=applicant.email)
        msg["To"] = Address(header_text(writer.name), addr_spec=writer.email)
        msg["Subject"] = draft.subject
    except ValueError as exc:
        raise InputError(Problem("packet.toml", f"cannot make an e-mail header for {writer.id}: {exc}",
                                 "check the names and addresses in [applicant] and this writer")) from None
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = f"<{kind}.{writer.id}.{digest[:24]}@{applicant.email.rsplit('@', 1)[1]}>"
    msg["X-Unsent"] = "1"
    msg.set_content(draft.body, cte="quoted-printable")
    for attachment in attachments:
        maintype, subtype, _ = ATTACHABLE[attachment.extension]
        msg.add_attachment(attachment.data, maintype=maintype, subtype=subtype, filename=attachment.name)
    for number, part in enumerate(p for p in msg.walk() if p.is_multipart()):
        part.set_boundary(f"=_{digest[24:48]}_{number}")
    verify_headers(msg, f"{draft.template} ({kind} e-mail to {writer.id})")
    return msg


def packet_attachments(writer_dir: Path, stem: str) -> list[Attachment]:
    """The writer's built packet files (PDF, then DOCX), whichever exist: regular files
    inside the writer's folder, none larger than a mail server takes (:func:`.outputs.read_output`)."""
    found = []
    for ext in ATTACHABLE:
        data = read_output(writer_dir, f"{stem}.{ext}", MAX_ATTACHMENT_BYTES)
        if data is not None:
            found.append(Attachment(f"{stem}.{ext}", data))
    return found


def compose(app: Application, writer: Writer, kind: str, writer_dir: Path, today: dt.date | None = None
            ) -> EmailMessage:
    """One e-mail to one writer. A request must carry the packet; a reminder carries it when built."""
    stem = packet_stem(app.config.applicant.short_name)
    attachments = packet_attachments(writer_dir, stem) if kind in ("request", "reminder") else []
    if kind == "request" and not attachments:
        raise InputError(Problem(str(writer_dir), f"no packet for {writer.id} to attach to the request",
                                 f"build it first: packetbuilder build {app.folder} --writer {writer.id}"))
    on = message_date(app.config, writer, kind, today)
    draft = render_draft(app, writer, kind, on, attachments)
    return build_message(app, writer, kind, draft, attachments, on)


def eml_bytes(message: EmailMessage) -> bytes:
    """The .eml file: CRLF line ends, as RFC 5322 and mail clients expect."""
    return serialised(message)


def eml_name(kind: str) -> str:
    return f"{kind}.eml"


def output_folder(app: Application, out: Path | None) -> Path:
    """``--out`` (default DIR/build), refused if it is or holds an input folder."""
    out = out or app.folder / "build"
    check_out_dir(out, [app.folder] + [p.parent for p in app.files.values()])
    return out


def write_email(folder: Path, writer_id: str, kind: str, out: Path | None, today: dt.date) -> Path:
    """The ``email`` command: one e-mail as ``out/<writer>/<kind>.eml``; returns its path."""
    app = load_application(folder)
    writer = app.config.writer(writer_id)
    refusal = status_refusal(writer, kind)
    if refusal:
        raise WorkError(Problem(CONFIG_NAME, f"no {kind} e-mail for {writer.id}: {refusal}",
                                f"check writer {writer.id}'s status in {CONFIG_NAME} (packetbuilder status shows "
                                "what each writer needs next)", key=f"writers.{writer.id}.status"))
    out = output_folder(app, out)
    path = out / writer.id / eml_name(kind)
    write_atomic(path, eml_bytes(compose(app, writer, kind, out / writer.id, today)))
    return path
