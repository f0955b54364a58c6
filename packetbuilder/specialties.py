"""Specialty conventions (``data/specialties.toml``): what letters a specialty expects,
what its letters are called, and the application service it uses (ERAS, ResidencyCAS),
each with its source and the season it holds from.

Read by the audit (which letters a roster needs) and by the e-mails and packets (what
the letter a writer is asked for is called), so it sits below both. Pure parsing; the
file is read once per process.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .config import ROLES, Config, Track, Writer
from .errors import InputError, Problem
from .findings import Level

SPECIALTIES_FILE = Path(__file__).resolve().parent / "data" / "specialties.toml"
GENERIC_LETTER = "a letter of recommendation"
DEPARTMENT_LETTER = "a department letter"


@dataclass(frozen=True)
class Expectation:
    """A convention: how many of a track's writers should have one of ``roles``."""

    roles: tuple[str, ...]
    expected: int
    required: int = 0
    level: Level = "warning"
    why: str = ""
    fix: str = ""
    source: str = ""
    as_of: str = ""


@dataclass(frozen=True)
class LetterName:
    """What a kind of letter is called in a specialty ("a Standardized Letter of
    Evaluation (SLOE)"), with the page that says so."""

    name: str
    source: str = ""
    as_of: str = ""

    @property
    def short(self) -> str:
        """The name for a subject line: the abbreviation in parentheses ("SLOE"), else the
        name without its article ("letter of recommendation")."""
        m = re.search(r"\(([^()]+)\)\s*$", self.name)
        return m.group(1) if m else re.sub(r"^(?:a|an|the)\s+", "", self.name)


@dataclass(frozen=True)
class Service:
    """An application service, in the words a writer needs: its deadline's name, how a
    writer submits (a SLOE writer may have a way of their own), its rules."""

    name: str
    deadline_name: str  # "the ERAS deadline"
    submit: str  # how a writer submits a letter
    letter_ids: bool = False  # writers need the Letter ID the applicant gets for them
    max_letters: int = 4  # letters a program receives at most
    assign: str = ""  # how the applicant assigns letters to programs
    file_rules: str = ""  # what the letter file must be, where that matters to the writer
    source: str = ""
    as_of: str = ""



@dataclass(frozen=True)
class Specialty:
    name: str
    aliases: tuple[str, ...] = ()
    expects: tuple[Expectation, ...] = ()
    letters: tuple[tuple[str, LetterName], ...] = ()  # (writer role, its letter's name): slor, chair
    service: str = "ERAS"  # the application service the specialty uses
    service_source: str = ""
    service_since: str = ""
    slor_submit: str = ""  # how its standardized letter is submitted, where that differs (EM: the eSLOE site)

    def matches(self, name: str | None) -> bool:
        return name is not None and norm(name) in {norm(n) for n in (self.name, *self.aliases)}


def norm(name: str) -> str:
    """Specialty names compared without case, accents, '&' vs 'and' or punctuation."""
    folded = unicodedata.normalize("NFKD", name.casefold()).replace("&", " and ")
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def parse_specialties(text: str, file: str = "specialties.toml") -> tuple[Specialty, ...]:
    """Read the conventions file; a malformed entry is an InputError naming it."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(Problem(file, f"TOML syntax error: {exc}", "fix the file's syntax")) from None
    out = []
    for index, spec in enumerate(raw.get("specialty", []), 1):
        where = f"specialty[{index}]"
        try:
            expects = []
            for exp in spec.get("expect", []):
                roles = tuple(exp["roles"])
                unknown = [r for r in roles if r not in ROLES]
                level = exp.get("level", "warning")
                if unknown or level not in ("warning", "tip"):
                    raise ValueError(f"unknown role {unknown} or level {level!r}")
                expects.append(Expectation(roles, int(exp["expected"]), int(exp.get("required", 0)), level,
                                           exp.get("why", ""), exp.get("fix", ""), exp.get("source", ""),
                                           exp.get("as_of", "")))
            letters = []
            for role, letter in spec.get("letters", {}).items():
                if role not in ROLES:
                    raise ValueError(f"unknown role {role!r} in letters")
                letters.append((role, LetterName(letter["name"], letter.get("source", ""), letter.get("as_of", ""))))
            out.append(Specialty(spec["name"], tuple(spec.get("aliases", ())), tuple(expects), tuple(letters),
                                 spec.get("service", "ERAS"), spec.get("service_source", ""),
                                 spec.get("service_since", ""), spec.get("slor_submit", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(Problem(file, f"entry {where} is malformed ({exc})",
                                     f"give it `name` and, per [[specialty.expect]], `roles` (from {', '.join(ROLES)}) "
                                     "and `expected`; `level` is warning or tip; [specialty.letters.<role>] "
                                     "needs `name`")) from None
    return tuple(out)


def parse_services(text: str, file: str = "specialties.toml") -> tuple[Service, ...]:
    """The [[service]] tables of the conventions file."""
    raw = tomllib.loads(text)
    try:
        return tuple(Service(**spec) for spec in raw.get("service", []))
    except TypeError as exc:
        raise InputError(Problem(file, f"a [[service]] entry is malformed ({exc})",
                                 "give it name, deadline_name and submit")) from None


@lru_cache(maxsize=1)
def load_specialties() -> tuple[Specialty, ...]:
    return parse_specialties(SPECIALTIES_FILE.read_text(encoding="utf-8"), SPECIALTIES_FILE.name)


@lru_cache(maxsize=1)
def load_services() -> tuple[Service, ...]:
    return parse_services(SPECIALTIES_FILE.read_text(encoding="utf-8"), SPECIALTIES_FILE.name)


def service_named(name: str, services: Iterable[Service]) -> Service:
    """A service by name; one this file does not know (free text in packet.toml) is
    described in its own words."""
    known = next((s for s in services if norm(s.name) == norm(name)), None)
    return known or Service(name, f"the {name} deadline", name)


def service_of(track: Track, specialties: Iterable[Specialty] | None = None,
               services: Iterable[Service] | None = None) -> Service:
    """The track's application service: its own ``service``, else the specialty's (OB/GYN
    and emergency medicine use ResidencyCAS), else ERAS."""
    specialties = load_specialties() if specialties is None else specialties
    services = load_services() if services is None else services
    if track.service:
        return service_named(track.service, services)
    known = specialty_of(track.specialty, specialties)
    return service_named(known.service if known is not None else "ERAS", services)


def submission_of(config: Config, writer: Writer, specialties: Iterable[Specialty] | None = None,
                  services: Iterable[Service] | None = None) -> str:
    """How this writer submits: their own ``submission``, the application's, else the way
    of the track's specialty for its standardized letter (EM's eSLOE site), else the
    service's."""
    if writer.submission or config.application.submission:
        return writer.submission or config.application.submission or ""
    specialties = load_specialties() if specialties is None else tuple(specialties)
    track = config.track_of(writer)
    known = specialty_of(track.specialty, specialties)
    if writer.role == "slor" and known is not None and known.slor_submit:
        return known.slor_submit
    return service_of(track, specialties, services).submit


def specialty_of(name: str, specialties: Iterable[Specialty]) -> Specialty | None:
    return next((s for s in specialties if s.matches(name)), None)


def letter_name(specialty: str, role: str, specialties: Iterable[Specialty]) -> LetterName:
    """What the letter a writer of this role is asked for is called in this specialty:
    the specialty's standardized letter for a SLOE/SLOR writer, its department letter
    for a chair, else a letter of recommendation."""
    known = specialty_of(specialty, specialties)
    letters = dict(known.letters) if known is not None else {}
    if role in letters:
        return letters[role]
    if role == "chair":
        return LetterName(DEPARTMENT_LETTER)
    if role == "slor":
        return LetterName("a standardized letter of recommendation")
    return LetterName(GENERIC_LETTER)
