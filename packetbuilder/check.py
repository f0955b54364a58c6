"""``check``'s edge: read the sources, fit every packet as ``build`` does, run the audit.

The audit's rules are pure (see :mod:`.audit`), but what they judge needs the source
texts, a layout of each packet and the fonts' coverage. Composing those here, one level
above both, lets :mod:`.audit` stay below the build instead of importing it back: this
module imports ``audit`` and ``build``; neither imports it.
"""

from __future__ import annotations

import datetime as dt

from .audit import Findings, FitOutcome, audit, load_specialties
from .build import build_packet, typesetter_for
from .config import Writer
from .fit import TooLong
from .render.fonts import unshowable
from .sources import Application
from .textfiles import read_text


def fit_outcome(app: Application, writer: Writer) -> FitOutcome:
    """Fit the writer's packet exactly as ``build`` does, and say what that cost."""
    try:  # the application's typesetter, as build uses: its writers share the CV's paragraphs
        _, report = build_packet(app, writer, typesetter_for(app.folder, app.config.application.page_size))
    except TooLong as exc:
        return FitOutcome(too_long=exc.problems[0])
    return FitOutcome(sum(len(c.entries) for c in report.cuts), sum(1 for c in report.cuts if c.whole),
                      report.statement)


def source_texts(app: Application) -> dict[str, str]:
    return {name: read_text(app.folder, name, path) for name, path in app.files.items()}


def check_application(app: Application, today: dt.date) -> Findings:
    """The edge for ``check``: read the sources, measure every packet, run the rules."""
    outcomes = {w.id: fit_outcome(app, w) for w in app.config.writers if w.status != "declined"}
    return audit(app, today, source_texts(app), outcomes, unshowable, load_specialties())
