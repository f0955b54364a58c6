"""Specialty conventions (``data/specialties.toml``): what letters a specialty expects,
and what its letters are called, each with its source and the season it holds from.

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

from .config import ROLES
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
class Specialty:
    name: str
    aliases: tuple[str, ...] = ()
    expects: tuple[Expectation, ...] = ()
    letters: tuple[tuple[str, LetterName], ...] = ()  # (writer role, its letter's name): slor, chair

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
            out.append(Specialty(spec["name"], tuple(spec.get("aliases", ())), tuple(expects), tuple(letters)))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(Problem(file, f"entry {where} is malformed ({exc})",
                                     f"give it `name` and, per [[specialty.expect]], `roles` (from {', '.join(ROLES)}) "
                                     "and `expected`; `level` is warning or tip; [specialty.letters.<role>] "
                                     "needs `name`")) from None
    return tuple(out)


@lru_cache(maxsize=1)
def load_specialties() -> tuple[Specialty, ...]:
    return parse_specialties(SPECIALTIES_FILE.read_text(encoding="utf-8"), SPECIALTIES_FILE.name)


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
