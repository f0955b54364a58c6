"""The packet.toml of an application started from the student's own CV.

``init --cv`` must not hand the student someone else's application to strip: the
sample's writers, statement, notes and program list are all another person's. But
the sample's packet.toml is also where every key is explained, and it changes as keys
are added; so this file is made *from* it, line by line: the applicant's keys take
what the CV gives (name, e-mail, phone, school, class year), keys whose values are the
sample's own choices or files are commented out (explanation kept), the first writer
becomes a commented template and the others go. What the CV did not give is a
placeholder that ``check`` reports as an error (``[your name]``, ``TODO@example.edu``),
so nothing invented goes out in a packet unnoticed. Pure text work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .markdown import read_cv
from .model import Document, Entry, block_text, walk_sections

TRACK_ID = "main"
HEADER = """\
# packet.toml: the settings of your residency application.
#
# Made by `packetbuilder init --cv` from your CV: your name and contact details are filled
# in below where the CV had them. Fill in the rest: your specialty under [[tracks]], the
# deadline under [application], and one [[writers]] table per letter writer (a commented
# template is below: copy it once per writer and remove the leading "# " from the lines you
# use). `packetbuilder check` names what is still missing.
# Every key is explained beside it; keys marked "optional" may be deleted. Dates are TOML
# dates without quotes (2026-09-24). Paths are relative to this folder and may not leave it.
# Unknown keys are errors. Full reference: docs/format.md in the packetbuilder repository.
"""
# What replaces a required value the CV did not give: each is reported by `check` as a
# placeholder still in the text.
PLACEHOLDERS = {"name": "[your name]", "email": "TODO@example.edu", "school": "[insert your medical school]",
                "specialty": "[specialty]"}
# The sample's own choices and files, commented out for a new applicant (table → keys).
_COMMENTED = {
    "applicant": {"preferred_name", "aamc_id"},
    "application": {"page_limit", "qualities", "goals", "programs", "match_day", "matched"},
    "tracks": {"statement", "focus", "requirements"},
}


@dataclass(frozen=True)
class ApplicantFacts:
    """What a CV says about its author that packet.toml asks for; None where it says nothing."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None
    school: str | None = None
    class_year: int | None = None


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_PHONE = re.compile(r"(?<![\w+])\+?\(?\d[\d\s().-]{8,}\d(?!\w)")
_SCHOOL = re.compile(r"(?:[A-Z][\w’'.&-]*\s+){0,6}?(?:(?:School|College|Faculty|Institute)\s+of\s+"
                     r"(?:Osteopathic\s+)?Medicine|Medical\s+(?:School|College))(?:\s+at\s+[A-Z][\w-]*)?")
_MEDICAL_DEGREE = re.compile(r"\b(?:M\.?D\.?|D\.?O\.?|Doctor of (?:Osteopathic )?Medicine)\b")


def _phone(text: str) -> str | None:
    """A phone number: 10 to 15 digits, and not a range of years ("2019 – 2023")."""
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group())
        if 10 <= len(digits) <= 15 and not re.search(r"(?:19|20)\d\d\s*[–—-]\s*(?:19|20)\d\d", m.group()):
            return m.group().strip()
    return None


def applicant_facts(cv_text: str) -> ApplicantFacts:
    """The name (the ``# Name``), e-mail and phone (the contact line first), the medical
    school and graduation year (the medical degree's entry) a cv.md gives."""
    cv: Document = read_cv(cv_text)
    contact = block_text(cv.preamble)
    everything = contact + "\n" + "\n".join(block_text(s.blocks) for s in walk_sections(cv.sections))
    education = [b for s in walk_sections(cv.sections) if "educat" in s.title.lower()
                 for b in s.blocks if isinstance(b, Entry)]
    degree = next((e for e in education if _MEDICAL_DEGREE.search(e.head_text)), None)
    school = next((m.group().strip() for text in ([degree.head_text] if degree else []) + [contact, everything]
                   if (m := _SCHOOL.search(text))), None)
    year = degree.dates.end[0] if degree is not None and degree.dates and degree.dates.end else None
    email = _EMAIL.search(contact) or _EMAIL.search(everything)
    return ApplicantFacts(cv.title.strip() or None, email.group() if email else None,
                          _phone(contact) or None, school, year)


def _toml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _split_comment(line: str) -> tuple[str, str]:
    """(``key = value``, the comment with the spaces before it), a ``#`` in quotes kept."""
    quoted = False
    for index, ch in enumerate(line):
        if ch == '"' and (index == 0 or line[index - 1] != "\\"):
            quoted = not quoted
        elif ch == "#" and not quoted:
            code = line[:index].rstrip()
            return code, line[len(code):]
    return line.rstrip(), ""


_KEY = re.compile(r"^([a-z_]+) = (.*)$")
_TABLE = re.compile(r"^\[\[?([a-z_]+)\]\]?\s*(?:#.*)?$")


def _set(line: str, value: str) -> str:
    code, comment = _split_comment(line)
    key = _KEY.match(code).group(1)
    new = f"{key} = {value}"
    return new + (" " * max(1, len(code) - len(new) + len(comment) - len(comment.lstrip())) + comment.lstrip()
                  if comment else "")


def _commented(lines: list[str]) -> list[str]:
    """Lines commented out, their own comments kept in the column they were in."""
    out = []
    for line in lines:
        if line.lstrip().startswith("#"):
            out.append(line)
            continue
        code, comment = _split_comment(line)
        gap = len(comment) - len(comment.lstrip())
        out.append(f"# {code}" + (" " * max(1, gap - 2) + comment.lstrip() if comment else ""))
    return out


def _values(facts: ApplicantFacts) -> dict[tuple[str, str], str | None]:
    """The new value of each key set from the CV (None: comment the line out)."""
    text = {k: (v if v is not None else PLACEHOLDERS.get(k)) for k, v in
            {"name": facts.name, "email": facts.email, "phone": facts.phone, "school": facts.school}.items()}
    return {("applicant", "name"): _toml_string(text["name"]), ("applicant", "email"): _toml_string(text["email"]),
            ("applicant", "phone"): _toml_string(text["phone"]) if text["phone"] else None,
            ("applicant", "school"): _toml_string(text["school"]),
            ("applicant", "class_year"): str(facts.class_year) if facts.class_year else None,
            ("tracks", "id"): _toml_string(TRACK_ID), ("tracks", "specialty"): _toml_string(PLACEHOLDERS["specialty"])}


def own_config(sample: str, facts: ApplicantFacts) -> str:
    """The sample's packet.toml made the student's own (see the module's docstring)."""
    chunks = sample.strip("\n").split("\n\n")
    values = _values(facts)
    out = [HEADER.rstrip("\n")]
    writers = 0
    for chunk in chunks[1:] if chunks and chunks[0].startswith("# packet.toml") else chunks:
        lines = chunk.split("\n")
        table = next((m.group(1) for line in lines if (m := _TABLE.match(line))), None)
        if table == "writers":
            writers += 1
            if writers == 1:
                out.append(_writer_template(lines))
            continue
        out.append("\n".join(_chunk(lines, table, values)))
    return "\n\n".join(out) + "\n"


def _chunk(lines: list[str], table: str | None, values: dict[tuple[str, str], str | None]) -> list[str]:
    result: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        end = index + 1
        m = _KEY.match(_split_comment(line)[0])
        if m and m.group(2).startswith("[") and "]" not in m.group(2):  # an array over several lines
            while end < len(lines) and not lines[end - 1].strip().startswith("]"):
                end += 1
        block = lines[index:end]
        key = m.group(1) if m else None
        if key and (table, key) in values:
            value = values[(table, key)]
            block = [_set(line, value)] if value is not None else _commented(block)
        elif key and key in _COMMENTED.get(table or "", ()):
            block = _commented(block)
        result.extend(block)
        index = end
    return result


def _writer_template(lines: list[str]) -> str:
    """The sample's first writer, every line commented, as the template to copy."""
    intro = [line for line in lines if line.startswith("#") and "[[writers]]" in line]
    guide = ['# Copy the block below once per letter writer, remove the leading "# " from the lines you',
             "# use, and write your writer's details in place of the example's."]
    body = []
    for line in lines:
        if line in intro:
            continue
        bare = line[2:] if line.startswith("# ") else line
        m = _KEY.match(_split_comment(bare)[0])
        body.append(f"# {_set(bare, _toml_string(TRACK_ID))}" if m and m.group(1) == "track" else line)
    return "\n".join(intro + guide + _commented(body))


def starter_texts(sample_config: str, cv_text: str) -> tuple[str, ApplicantFacts]:
    """packet.toml's text for a CV, and the facts it was filled from."""
    facts = applicant_facts(cv_text)
    return own_config(sample_config, facts), facts
