"""Which letters go to which program: the list a student types into MyERAS or ResidencyCAS.

A program receives at most four letters (both services), and many say what they want
among them: a chair's letter, a SLOE, two from the specialty (``programs.csv``'s
``letters`` and ``requires`` columns). Per program this picks the letters that meet its
requirements first, then the strongest fit for the track as :func:`audit.choose_letters`
ranks it, and names every program it cannot satisfy and why. Pure: the configuration,
the programs and the specialty conventions in; assignments out.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from .audit import MIN_LETTERS, active_writers, choose_letters, same_field
from .config import Config, Track, Writer
from .findings import Finding
from .sources import Program
from .specialties import Specialty, service_of
from .work_facts import plural

ROLE_NAMES = {"chair": "a chair's (department) letter", "slor": "a standardized letter (SLOE/SLOR)"}


@dataclass(frozen=True)
class Assignment:
    """The letters one program gets, and what it asked for that they do not give."""

    program: Program
    track: Track
    service: str
    writers: tuple[Writer, ...]
    problems: tuple[str, ...] = ()


def _track(program: Program, config: Config) -> Track:
    wanted = next((r.split(":", 1)[1] for r in program.requires if r.startswith("track:")), None)
    return next((t for t in config.tracks if t.id == wanted), config.tracks[0])


def assign_program(program: Program, config: Config, specialties: tuple[Specialty, ...]) -> Assignment:
    """The letters for one program: its requirements met first, then the track's best."""
    track = _track(program, config)
    service = service_of(track, specialties)
    pool = active_writers(config, track)
    ranked = choose_letters(config, track, specialties)
    ranked += [w for w in pool if w not in ranked]
    wanted = min(program.letters or max(MIN_LETTERS, min(len(ranked), service.max_letters)), service.max_letters)
    chosen: list[Writer] = []
    problems: list[str] = []
    if program.letters and program.letters > service.max_letters:
        problems.append(f"asks for {program.letters} letters; {service.name} sends at most {service.max_letters}")
    if any(r.startswith("track:") for r in program.requires) and track.id not in {
            r.split(":", 1)[1] for r in program.requires if r.startswith("track:")}:
        problems.append(f"names a track that is not in packet.toml; used {track.id}")
    for requirement in program.requires:
        kind, _, count = requirement.partition(":")
        if kind in ROLE_NAMES:
            match = [w for w in ranked if w.role == kind]
            if not match:
                problems.append(f"needs {ROLE_NAMES[kind]}; no {track.specialty} writer has role {kind}")
            chosen += [w for w in match[:1] if w not in chosen]
        elif kind == "specialty":
            need = int(count or 1)
            match = [w for w in ranked if same_field(w, track, specialties)]
            if len(match) < need:
                problems.append(f"needs {plural(need, 'letter')} from {track.specialty}; only {len(match)} of your "
                                "writers are from it")
            have = sum(1 for w in chosen if w in match)
            chosen += [w for w in match if w not in chosen][:max(0, need - have)]
    chosen += [w for w in ranked if w not in chosen][:max(0, wanted - len(chosen))]
    if len(chosen) > service.max_letters:
        problems.append(f"its requirements need {len(chosen)} letters; {service.name} sends at most "
                        f"{service.max_letters}")
        chosen = chosen[:service.max_letters]
    if len(chosen) < wanted:
        problems.append(f"asks for {plural(wanted, 'letter')}; you have {len(chosen)} for {track.specialty}")
    order = {w.id: i for i, w in enumerate(config.writers)}
    return Assignment(program, track, service.name, tuple(sorted(chosen, key=lambda w: order[w.id])),
                      tuple(problems))


def assign_all(programs: tuple[Program, ...], config: Config, specialties: tuple[Specialty, ...]) -> list[Assignment]:
    return [assign_program(p, config, specialties) for p in programs]


def assignment_rules(assignments: list[Assignment], programs_file: str) -> list[Finding]:
    """The programs the letters cannot satisfy, as ``check`` findings at their CSV line."""
    return [Finding("warning", f"{programs_file}:{a.program.line}" if a.program.line else programs_file,
                    f"{a.program.program}: {'; '.join(a.problems)}",
                    "ask for the letter it needs, or check the program's requirements "
                    "(`packetbuilder assign` lists what goes where)")
            for a in assignments if a.problems]


def assignments_csv(assignments: list[Assignment]) -> bytes:
    """The list as CSV: one row per program, the letters by writer id and name."""
    out = io.StringIO()
    table = csv.writer(out, lineterminator="\n")
    table.writerow(["program", "track", "service", "letters", "writers", "problems"])
    for a in assignments:
        table.writerow([a.program.program, a.track.id, a.service, ";".join(w.id for w in a.writers),
                        "; ".join(w.name for w in a.writers), "; ".join(a.problems)])
    return out.getvalue().encode("utf-8")


def assignment_lines(assignments: list[Assignment]) -> list[str]:
    """The list as ``assign`` prints it."""
    lines = []
    for a in assignments:
        names = ", ".join(w.id for w in a.writers) or "(none)"
        lines.append(f"{a.program.program} [{a.service}, {a.track.id}]: {names}")
        lines += [f"  ! {p}" for p in a.problems]
    unmet = sum(1 for a in assignments if a.problems)
    lines.append(f"{plural(len(assignments), 'program')}, {unmet} with a problem")
    return lines
