"""The one error path: every user-facing failure is a typed error the CLI prints.

Why a type of our own: the CLI must turn *any* bad input into
``error: <file>:<line>: <what> — <how to fix>`` and an exit code, never a
traceback. Modules raise these; only ``cli.py`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    file: str
    message: str
    fix: str = ""
    line: int | None = None
    key: str = ""

    def render(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        key = f" [{self.key}]" if self.key else ""
        fix = f" — {self.fix}" if self.fix else ""
        return f"{where}:{key} {self.message}{fix}"


class PacketError(Exception):
    """A failure the user can act on. ``exit_code`` 2 = invalid input, 1 = failed work."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(file="packetbuilder", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))


class InputError(PacketError):
    """The application folder, its config or a source file is invalid."""

    exit_code = 2


class WorkError(PacketError):
    """Valid input, but the work could not be done (e.g. content too long, SMTP failed)."""

    exit_code = 1
