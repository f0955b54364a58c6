"""What a check reports: a :class:`Finding` (error, warning or tip; see :mod:`.audit`).

Its own module, at the bottom, because findings are made on both sides of the input
edge: :mod:`.audit`'s rules judge a parsed application, while :mod:`.cv_hints` also
serves :mod:`.sources`, which reads the application. Both import this, so neither
needs the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Level = Literal["error", "warning", "tip"]
LEVELS: tuple[Level, ...] = ("error", "warning", "tip")


@dataclass(frozen=True)
class Finding:
    """One thing to act on: who or what it concerns, what is wrong, and the fix."""

    level: Level
    subject: str  # "writer chen", "track em", "notes/chen.md:12"
    message: str
    fix: str
