"""``status``: one row per writer, and the one thing to do next for each.

The next action is a pure function of the writer's plan (:mod:`.schedule`), their
status, the e-mails already sent and ``today``, so it is tested with fixed dates.
The table text is made here too (``schedule`` prints through it as well); colour is
applied with ``click.style`` and removed by ``click.echo`` when output is piped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import click

from .config import Config
from .formatting import short_date
from .schedule import Row, Tone, WriterPlan, plan_for

FOLLOW_UP = 7  # days to wait for an answer before following up
BACKUP_AFTER = 7  # days past the deadline before turning to a backup writer
DONE = ("uploaded", "thanked")
TONES: dict[str, dict[str, object]] = {"dim": {"dim": True}, "bad": {"fg": "red", "bold": True},
                                       "warn": {"fg": "yellow"}, "good": {"fg": "green"}}


class Sent(Protocol):
    """A sent-log record, as the mail module reads it."""

    writer: str
    kind: str


@dataclass(frozen=True)
class Action:
    text: str
    tone: Tone


def _weeks(days: int) -> str:
    return f"{days} day{'' if days == 1 else 's'}" if days < 14 else f"{days // 7} weeks"


def next_action(cfg: Config, plan: WriterPlan, today: dt.date, sent: Sequence[str] | None = None) -> Action:
    """What to do next for one writer.

    ``sent`` lists the kinds of e-mail the sent log records for them, in order, or is
    None when the log knows nothing of them (drafts from ``email`` are sent by hand and
    not logged): then reminder dates already past are taken as done.
    """
    w = plan.writer
    deadline = plan.deadline
    left = (deadline - today).days
    kinds = Counter(sent or ())
    if w.status == "declined":
        track = cfg.track_of(w)
        count = sum(1 for o in cfg.writers if cfg.track_of(o).id == track.id and o.status != "declined")
        if count < 3:
            return Action(f"ask another writer — {track.id} has {count} letters", "bad")
        return Action("none (declined)", "dim")
    if w.status == "thanked":
        match = cfg.application.match_day
        if match is None or kinds["match"]:
            return Action("done", "good")
        if today >= match:
            return Action("send your Match news", "warn")
        return Action(f"tell them where you match after {short_date(match)}", "dim")
    if w.status == "uploaded":
        if kinds["thanks"]:
            return Action("set status = \"thanked\" (thank-you sent)", "good")
        return Action("send thank-you note", "warn")
    if left < 0:
        if w.status == "planned":
            return Action("deadline passed — ask a backup writer now", "bad")
        backup = deadline + dt.timedelta(BACKUP_AFTER)
        return Action(f"send a reminder now; ask a backup if no reply by {short_date(backup)}", "bad")
    if w.status == "planned":
        if kinds["request"]:
            return Action("set status = \"asked\" (request sent)", "warn")
        if today > plan.ask_by:
            return Action(f"ask now — {_weeks(left)} is short notice", "bad")
        return Action(f"ask by {short_date(plan.ask_by)}", "warn" if (plan.ask_by - today).days <= 7 else "")
    if w.status == "asked" and w.asked is not None:
        follow = w.asked + dt.timedelta(FOLLOW_UP)
        if today >= follow:
            return Action(f"follow up — no answer since {short_date(w.asked)}", "warn")
        return Action(f"await reply; follow up on {short_date(follow)}", "")
    pending = plan.reminders[kinds["reminder"]:]
    due = [r for r in pending if (r <= today if sent is not None else r == today)]
    if due:
        return Action("send reminder today", "warn")
    upcoming = [r for r in pending if r > today]
    if upcoming:
        return Action(f"send reminder on {short_date(upcoming[0])}", "")
    return Action(f"check the upload on {short_date(plan.thank_by)}", "")


def _sent_summary(kinds: Sequence[str]) -> str:
    counts = Counter(kinds)
    return ", ".join(k + (f" ×{n}" if n > 1 else "") for k, n in counts.items()) or "—"


def status_rows(cfg: Config, today: dt.date, sent: Mapping[str, Sequence[str]] | None = None) -> list[Row]:
    """One row per writer: id, role, track, status, asked, deadline, days left,
    [e-mails sent,] next action. ``sent`` (kinds per writer, from the sent log) adds the
    e-mails column."""
    rows = []
    for w in cfg.writers:
        plan = plan_for(cfg, w)
        kinds = None if sent is None else sent.get(w.id)
        action = next_action(cfg, plan, today, kinds)
        left = (plan.deadline - today).days
        if w.status in DONE or w.status == "declined":
            days, days_tone = "—", "dim"
        else:
            days = "today" if left == 0 else (str(left) if left > 0 else f"{-left} late")
            days_tone = "bad" if left < 0 else ("warn" if left <= 7 else "")
        status_tone: Tone = {"declined": "dim", "uploaded": "good", "thanked": "good",
                             "planned": "warn" if today > plan.ask_by else ""}.get(w.status, "")
        row: Row = [(w.id, ""), (w.role, ""), (cfg.track_of(w).id, ""), (w.status, status_tone),
                    (short_date(w.asked) if w.asked else "—", ""), (short_date(plan.deadline), ""),
                    (days, days_tone)]
        if sent is not None:
            row.append((_sent_summary(kinds or []), ""))
        row.append((action.text, action.tone))
        rows.append(row)
    return rows


def status_headers(with_sent: bool) -> list[str]:
    return ["writer", "role", "track", "status", "asked", "deadline", "days left",
            *(["e-mails sent"] if with_sent else []), "next action"]


def sent_by_writer(records: Iterable[Sent]) -> dict[str, list[str]]:
    """Kinds of e-mail sent, per writer, in log order."""
    out: dict[str, list[str]] = {}
    for record in records:
        out.setdefault(record.writer, []).append(record.kind)
    return out


def format_table(headers: Sequence[str], rows: Sequence[Row]) -> list[str]:
    """Aligned text lines; cells carry a tone that becomes colour via click.style."""
    widths = [max([len(h)] + [len(r[i][0]) for r in rows]) for i, h in enumerate(headers)]
    lines = [click.style("  ".join(h.ljust(widths[i]) for i, h in enumerate(headers)).rstrip(), bold=True)]
    for row in rows:
        cells = []
        for i, (text, tone) in enumerate(row):
            padded = text if i == len(row) - 1 else text.ljust(widths[i])
            cells.append(click.style(padded, **TONES[tone]) if tone else padded)  # type: ignore[arg-type]
        lines.append("  ".join(cells))
    return lines
