"""The season's dates: when to ask, remind and thank each writer; each service's deadline; Match Day.

Dates come from the config alone (no clock): the calendar is the same file whatever
day it is made, and ``today`` only decides how the table marks what is past or due.
The .ics is meant to be imported again whenever the roster changes, so every event
keeps one UID (a uuid5 of applicant, writer and event) and the file carries a fixed
DTSTAMP and PRODID: a calendar app updates the events it has instead of adding
copies, and two runs on the same input give the same bytes.

Nothing here imports reportlab or python-docx (``schedule`` and ``status`` stay quick);
``icalendar`` is imported only when a calendar is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Literal

from .config import Config, Writer
from .formatting import medium_date, short_date
from .specialties import service_of, submission_of

Kind = Literal["ask", "reminder", "deadline", "thanks", "eras", "match"]
KIND_ORDER: tuple[Kind, ...] = ("ask", "reminder", "deadline", "thanks", "eras", "match")

ASK_LEAD = 28  # days before a writer's deadline: the least notice to give
REMINDERS = (14, 3)  # days before a writer's deadline
MIN_AFTER_ASK = 4  # a reminder this soon after the ask is dropped
THANK_AFTER = 1  # days after the deadline: check the upload, then thank
ALARM_HOUR = 9  # alarms ring at 09:00 local time on their day
ERAS_WARNING = 7  # days before an application service's deadline for its early alarm

NAMESPACE = uuid.UUID("6f1c2a4e-5b0d-5e8a-9c3f-2d7b8e1a4c60")  # fixed: UIDs must never change
DTSTAMP = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)  # fixed: same input, same bytes
PRODID = "-//packetbuilder//Letters of recommendation//EN"


@dataclass(frozen=True)
class WriterPlan:
    """One writer's dates. ``ask_by`` is the last day that still gives four weeks' notice."""

    writer: Writer
    ask_by: dt.date
    deadline: dt.date
    reminders: tuple[dt.date, ...]
    thank_by: dt.date


@dataclass(frozen=True)
class Event:
    """One dated thing to do. ``alarms`` are days before ``day`` (0 = on the day)."""

    day: dt.date
    kind: Kind
    title: str
    detail: str
    writer: str = ""  # writer id; empty for a service's deadline and Match Day
    number: int = 0  # which reminder
    alarms: tuple[int, ...] = (0,)


def weekday_on_or_before(day: dt.date) -> dt.date:
    """Nobody sends a reminder on a Sunday: weekend dates move to the Friday before."""
    return day - dt.timedelta(days=max(0, day.weekday() - 4))


def plan_for(cfg: Config, writer: Writer) -> WriterPlan:
    deadline = cfg.deadline_of(writer)
    ask_by = weekday_on_or_before(deadline - dt.timedelta(ASK_LEAD))
    asked = writer.asked or ask_by
    reminders = sorted({weekday_on_or_before(deadline - dt.timedelta(d)) for d in REMINDERS})
    reminders = [r for r in reminders if r >= asked + dt.timedelta(MIN_AFTER_ASK)]
    return WriterPlan(writer, ask_by, deadline, tuple(reminders), deadline + dt.timedelta(THANK_AFTER))


def _writer_events(cfg: Config, plan: WriterPlan) -> list[Event]:
    w = plan.writer
    status = w.status
    if status in ("declined", "thanked"):
        return []
    who = f"{w.name} <{w.email}>"
    due = medium_date(plan.deadline)
    events = []
    if status == "planned":
        events.append(Event(plan.ask_by, "ask", f"Ask {w.salutation} for a letter",
                            f"Last day to ask {who} with four weeks' notice before the agreed deadline {due}. "
                            f"Send the request and packet: packetbuilder email --writer {w.id} --kind request",
                            w.id))
    if status in ("planned", "asked", "agreed"):
        for number, day in enumerate(plan.reminders, 1):
            events.append(Event(day, "reminder", f"Remind {w.salutation}: letter due {short_date(plan.deadline)}",
                                f"A short, friendly reminder to {who}; the letter is due {due}. "
                                f"packetbuilder email --writer {w.id} --kind reminder", w.id, number))
        events.append(Event(plan.deadline, "deadline", f"{w.salutation}'s letter due",
                            f"The date agreed with {who} for uploading the letter "
                            f"({submission_of(cfg, w)}).", w.id))
    events.append(Event(plan.thank_by, "thanks", f"Check {w.salutation}'s letter is in; send thanks",
                        f"Check that the letter from {who} shows as uploaded; if it does, send a thank-you note "
                        f"(packetbuilder email --writer {w.id} --kind thanks) and set status = \"thanked\"; "
                        "if not, send a reminder and consider a backup writer.", w.id))
    return events


def timeline(cfg: Config) -> list[Event]:
    """Every dated event of the season, in date order (ties: ask, remind, due, thank; roster order)."""
    events = [e for w in cfg.writers for e in _writer_events(cfg, plan_for(cfg, w))]
    deadlines: dict[tuple[str, dt.date], list[str]] = {}  # (service, date) → the specialties it closes
    for track in cfg.tracks:
        deadlines.setdefault((service_of(track).name, cfg.track_deadline(track)), []).append(track.specialty)
    for (service, day), specialties in deadlines.items():
        which = f" for {' and '.join(specialties)}" if len(deadlines) > 1 else ""
        events.append(Event(day, "eras", f"{service} deadline{which}: all letters uploaded",
                            f"Every letter{which} should show as uploaded in {service} by today.",
                            alarms=(ERAS_WARNING, 0)))
    if cfg.application.match_day:
        events.append(Event(cfg.application.match_day, "match", "Match Day: tell your writers",
                            "Let every writer know where you matched, and thank them again "
                            "(packetbuilder email --writer ID --kind match)."))
    order = {w.id: i for i, w in enumerate(cfg.writers)}
    return sorted(events, key=lambda e: (e.day, KIND_ORDER.index(e.kind), order.get(e.writer, len(order))))


def relative(day: dt.date, today: dt.date) -> str:
    """'today', 'in 3 days', '5 days ago'."""
    days = (day - today).days
    if days == 0:
        return "today"
    unit = "day" if abs(days) == 1 else "days"
    return f"in {days} {unit}" if days > 0 else f"{-days} {unit} ago"


Tone = Literal["", "dim", "bad", "warn", "good"]
Row = list[tuple[str, Tone]]


def _event_tone(event: Event, cfg: Config, today: dt.date) -> Tone:
    if event.day >= today:
        return "warn" if (event.day - today).days <= 7 else ""
    status = cfg.writer(event.writer).status if event.writer else ""
    overdue = (event.kind == "ask" and status == "planned") or \
              (event.kind == "deadline" and status in ("planned", "asked", "agreed"))
    return "bad" if overdue else "dim"


def timeline_rows(cfg: Config, events: list[Event], today: dt.date) -> list[Row]:
    """The table ``schedule`` prints: date, how far from today, writer, what to do."""
    rows = []
    for event in events:
        tone = _event_tone(event, cfg, today)
        when = "overdue" if tone == "bad" else relative(event.day, today)
        rows.append([(f"{event.day:%a} {short_date(event.day)}, {event.day.year}", tone), (when, tone),
                     (event.writer or "—", tone), (event.title, tone)])
    return rows


def event_uid(cfg: Config, event: Event) -> str:
    """Stable across runs and edits of anything but who, which writer and which event."""
    key = "/".join((cfg.applicant.email.casefold(), event.writer or "-", event.kind, str(event.number)))
    return f"{uuid.uuid5(NAMESPACE, key)}@packetbuilder"


def calendar_ics(cfg: Config, events: list[Event]) -> bytes:
    """RFC 5545 calendar of all-day events, each with its display alarms."""
    from icalendar import Alarm, Calendar
    from icalendar import Event as VEvent

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Letters of recommendation — {cfg.applicant.short_name}")
    for event in events:
        item = VEvent()
        item.add("uid", event_uid(cfg, event))
        item.add("dtstamp", DTSTAMP)
        item.add("dtstart", event.day)
        item.add("dtend", event.day + dt.timedelta(days=1))
        item.add("summary", event.title)
        item.add("description", event.detail)
        item.add("transp", "TRANSPARENT")
        for before in event.alarms:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", event.title)
            alarm.add("trigger", dt.timedelta(days=-before, hours=ALARM_HOUR))
            item.add_component(alarm)
        cal.add_component(item)
    return cal.to_ical()
