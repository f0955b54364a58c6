"""Every e-mail a writer can get, for every writer of the corpus and the sample in every
status, read sentence by sentence: no free text spliced where its grammar is unknown.

The checks are what a reader notices first: a sentence without its capital or its full
stop, empty or doubled parentheses, ", ," and " ;", a word twice in a row, template
leftovers, and another applicant's words (the sample's) in a corpus e-mail.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest

from packetbuilder.config import STATUSES
from packetbuilder.formatting import packet_stem
from packetbuilder.etiquette import status_refusal
from packetbuilder.mail import KINDS, Attachment, render_draft
from packetbuilder.sources import Application, load_application

ROOT = Path(__file__).resolve().parent
FOLDERS = [ROOT.parent / "samples", *sorted(p.parent for p in (ROOT / "corpus").glob("*/packet.toml"))]
ON = dt.date(2026, 8, 20)
# What only the sample's applicant wrote: it must never reach another applicant's e-mail.
SAMPLE_WORDS = ("Riverside County Hospital", "Cardiovascular Outcomes Lab", "Anh Nguyen", "Eastside Community",
                "heart failure", "family meeting so that", "leading volunteers means")


@lru_cache(maxsize=None)
def application(folder: Path) -> Application:
    """The application, with a Match result in its own first specialty when it has none."""
    app = load_application(folder)
    matched = app.config.application.matched or f"Lakeview University Hospital, {app.config.tracks[0].specialty}"
    settings = app.config.application.model_copy(update={"matched": matched})
    return replace(app, config=app.config.model_copy(update={"application": settings}))


def attached(app: Application) -> list[Attachment]:
    stem = packet_stem(app.config.applicant.short_name)
    return [Attachment(f"{stem}.pdf", b"%PDF"), Attachment(f"{stem}.docx", b"PK")]


def cases() -> list:
    return [pytest.param(folder, writer.id, id=f"{folder.name}-{writer.id}")
            for folder in FOLDERS for writer in load_application(folder).config.writers]


def bodies(folder: Path, writer_id: str):
    """(kind, status, subject, body) of every e-mail this writer may get in every status."""
    app = application(folder)
    base = app.config.writer(writer_id)
    for status in STATUSES:
        writer = base.model_copy(update={"status": status})
        for kind in KINDS:
            if status_refusal(writer, kind):
                continue
            draft = render_draft(app, writer, kind, ON, attached(app) if kind in ("request", "reminder") else [])
            yield kind, status, draft.subject, draft.body


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|(?<=[.!?][”)])\s+")
_ABBREVIATIONS = ("Dr.", "Mr.", "Ms.", "Mrs.", "Prof.", "St.", "e.g.", "i.e.", "vs.", "No.", "a.m.", "p.m.")


def sentences(paragraph: str) -> list[str]:
    """A paragraph cut after every full stop, except after a title or an abbreviation."""
    out: list[str] = []
    for piece in _SENTENCE_END.split(paragraph):
        if out and out[-1].endswith(_ABBREVIATIONS) or out and re.search(r"\b[A-Z]\.$", out[-1]):
            out[-1] += " " + piece
        else:
            out.append(piece)
    return out


def prose(body: str) -> list[str]:
    """The body's paragraphs of running text: not the greeting, the lists, the lead-ins to
    a list, or the signature."""
    paragraphs = []
    for paragraph in body.split("\n\n"):
        lines = [line for line in paragraph.split("\n") if line.strip()]
        if not lines or lines[0].startswith("Dear ") or lines[0].startswith("- "):
            continue
        if lines[0].endswith(",") and len(lines[0].split()) <= 4:
            break  # the closing and the signature
        text = " ".join(line for line in lines if not line.startswith("- "))
        if text and not text.endswith(":"):
            paragraphs.append(text)
    return paragraphs


def problems(subject: str, body: str) -> list[str]:
    found = []
    for paragraph in prose(body):
        for sentence in sentences(paragraph):
            if not re.match(r"[A-Z“‘(0-9]", sentence):
                found.append(f"does not start as a sentence: {sentence!r}")
            if not re.search(r"[.!?][”)]?$", sentence):
                found.append(f"does not end as a sentence: {sentence!r}")
    for text in (subject, body):
        for pattern, what in ((r"\(\s*\)", "empty parentheses"), (r"\)\s*\(", "two parentheses in a row"),
                              (r"\(\(|\)\)", "doubled parentheses"), (r",\s*,", "', ,'"), (r" [;,.:]", "space before punctuation"),
                              (r"\bNone\b", "None"), (r"\[x\]|\{\{|\}\}|\{%", "template leftovers"),
                              (r"\b(\w+) \1\b", "a word twice"), (r"\b1 entries\b|\b1 weeks\b", "a plural of one"),
                              (r"\bwhen I cared for (?![^.]*\bpatients\b)", "'cared for' without a count of patients"),
                              (r"(?<=\w)'(?=\w)", "a typed apostrophe")):
            for m in re.finditer(pattern, text, re.IGNORECASE if what == "a word twice" else 0):
                if what == "a word twice" and m.group(1).lower() in ("had", "that"):
                    continue
                found.append(f"{what}: …{text[max(0, m.start() - 30):m.end() + 30]!r}…")
    return found


@pytest.mark.parametrize("folder, writer_id", cases())
def test_every_email_reads_as_sentences(folder: Path, writer_id: str) -> None:
    rendered = list(bodies(folder, writer_id))
    assert {kind for kind, *_ in rendered} == set(KINDS)  # each kind renders for some status
    for kind, status, subject, body in rendered:
        found = problems(subject, body)
        assert not found, f"{kind} ({status}):\n" + "\n".join(found) + "\n\n" + body
        if folder.name != "samples":
            leaked = [w for w in SAMPLE_WORDS if w in body]
            assert not leaked, f"{kind} ({status}) holds the sample's words {leaked}"


def test_the_prose_checks_catch_what_they_are_for() -> None:
    bad = ("I am asking you because you saw my work during the rotation (Level II trauma center) (June 1–28, 2026), "
           "when I cared for 5–7 per shift. you taught me me a lot ,, and None of it")
    found = " ".join(problems("Subject", f"Dear Dr. X,\n\n{bad}\n\nWith thanks,\nJ"))
    for what in ("two parentheses in a row", "does not start as a sentence", "a word twice", "None",
                 "'cared for' without", "does not end as a sentence"):
        assert what in found, what


def test_statuses_decide_which_emails_exist() -> None:
    app = application(ROOT.parent / "samples")
    chen = app.config.writer("chen")
    assert "send the request first" in status_refusal(chen.model_copy(update={"status": "planned"}), "reminder")
    assert status_refusal(chen.model_copy(update={"status": "declined"}), "request")
    assert status_refusal(chen.model_copy(update={"status": "agreed"}), "thanks")
    asked = render_draft(app, chen.model_copy(update={"status": "asked"}), "reminder", ON, attached(app))
    assert "Following up" in asked.subject and "agreed" not in asked.body
    agreed = render_draft(app, chen.model_copy(update={"status": "agreed"}), "reminder", ON, attached(app))
    assert "the date we agreed on" in agreed.body


@pytest.mark.parametrize("folder, writer_id, name", [
    ("em-short-flat", "bellweather", "a Standardized Letter of Evaluation (SLOE)"),
    ("ortho-v1-siblings", "wroblewski", "an electronic Standardized Letter of Recommendation (eSLOR)"),
    ("im-physician-scientist", "dominguez", "a department of medicine letter"),
])
def test_the_letter_is_named_as_the_specialty_names_it(folder: str, writer_id: str, name: str) -> None:
    app = application(ROOT / "corpus" / folder)
    draft = render_draft(app, app.config.writer(writer_id), "request", ON, attached(app))
    assert name in draft.body and "SLOR)" not in draft.body.replace("(eSLOR)", "")
