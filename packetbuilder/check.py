"""``check``'s edge: read the sources, fit every packet as ``build`` does, run the audit.

The audit's rules are pure (see :mod:`.audit`), but what they judge needs the source
texts, a layout of each packet and the fonts' coverage. Composing those here, one level
above both, lets :mod:`.audit` stay below the build instead of importing it back: this
module imports ``audit`` and ``build``; neither imports it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .assign import assign_all, assignment_rules
from .audit import Findings, FitOutcome, audit
from .build import build_packet, typesetter_for
from .config import Writer
from .errors import InputError
from .findings import LEVELS, Finding
from .fit import TooLong
from .formatting import packet_stem
from .import_report import ImportReport, import_findings, sidecar_for
from .mail import ATTACHABLE, KINDS, Attachment, message_date, render_draft
from .packet import entry_text, writer_marking
from .render.fonts import unshowable
from .sources import Application
from .specialties import load_specialties
from .textfiles import read_text, resolve_inside


def fit_outcome(app: Application, writer: Writer) -> FitOutcome:
    """Fit the writer's packet exactly as ``build`` does, and say what that cost."""
    try:  # the application's typesetter, as build uses: its writers share the CV's paragraphs
        _, report = build_packet(app, writer, typesetter_for(app.folder, app.config.application.page_size))
    except TooLong as exc:
        return FitOutcome(too_long=exc.problems[0])
    return FitOutcome(sum(len(c.entries) for c in report.cuts), sum(1 for c in report.cuts if c.whole),
                      report.statement, entries_condensed=sum(len(c.entries) for c in report.condensed),
                      tightened=bool(report.density))


def source_texts(app: Application) -> dict[str, str]:
    return {name: read_text(app.folder, name, path) for name, path in app.files.items()}


def render_emails(app: Application, today: dt.date) -> None:
    """Render every e-mail each writer could get, as ``build``/``email``/``send`` would,
    so that a template error or a subject that is unsafe in a header (an encoded word
    from a template or a value it includes) is the same located InputError here,
    before anything is built. The packet is not built, so the attachments are named only."""
    stem = packet_stem(app.config.applicant.short_name)
    attachments = [Attachment(f"{stem}.{ext}", b"") for ext in ATTACHABLE]
    kinds = [k for k in KINDS if k != "match" or app.config.application.matched]
    for writer in app.config.writers:
        if writer.status == "declined":
            continue
        for kind in kinds:
            render_draft(app, writer, kind, message_date(app.config, writer, kind, today),
                         attachments if kind in ("request", "reminder") else [])


def check_application(app: Application, today: dt.date) -> Findings:
    """The edge for ``check``: read the sources, render the e-mails, measure every packet, run the rules."""
    render_emails(app, today)
    outcomes = {w.id: fit_outcome(app, w) for w in app.config.writers if w.status != "declined"}
    specialties = load_specialties()
    findings = audit(app, today, source_texts(app), outcomes, unshowable, specialties, notes_listing(app))
    findings = Findings(tuple(sorted(findings.items + tuple(import_tips(app)), key=lambda f: LEVELS.index(f.level))))
    if not app.programs:
        return findings
    unmet = assignment_rules(assign_all(app.programs, app.config, specialties), app.config.application.programs or "")
    return Findings(tuple(sorted(findings.items + tuple(unmet), key=lambda f: LEVELS.index(f.level))))


def import_tips(app: Application) -> list[Finding]:
    """What ``import`` guessed in cv.md and could not place, from the report it left beside
    it (cv.import.json), at the cv.md lines they concern; nothing without one."""
    cv = app.config.application.cv
    report = sidecar_for(resolve_inside(app.folder, cv))
    if not report.is_file():
        return []
    name = str(sidecar_for(Path(cv)))
    try:
        parsed = ImportReport.from_json(read_text(app.folder, name, report))
    except (ValueError, InputError) as exc:
        return [Finding("warning", name, f"is not an import report packetbuilder can read ({exc})",
                        f"delete {name}; it only lists what `import` guessed")]
    return import_findings(parsed, read_text(app.folder, cv), cv, name)


def notes_listing(app: Application) -> list[str]:
    """The Markdown files in the folder's notes/, as packet.toml names them."""
    folder = app.folder / "notes"
    if not folder.is_dir():
        return []
    return sorted(f"notes/{p.name}" for p in folder.iterdir() if p.suffix == ".md" and p.is_file())


def marked_lines(app: Application) -> list[str]:
    """For each writer asked or to be asked, the CV entries marked for them and why, so a
    student sees what the writer's packet will point at before it is built."""
    lines = []
    for writer in app.config.writers:
        if writer.status == "declined":
            continue
        marking = writer_marking(app, writer)
        count = len(marking.marked)
        lines.append(f"Marked for {writer.id} ({count} entr{'y' if count == 1 else 'ies'})")
        lines += [f"  · {entry_text(m.entry, 7)} — {', '.join(str(r) for r in m.reasons)}" for m in marking.marked]
        if marking.over_cap:
            lines.append(f"  ({len(marking.over_cap)} more matched on keywords only and are not marked: "
                         f"highlight_cap = {app.config.application.highlight_cap})")
    return lines + [""] if lines else lines
