"""`schedule`: the dates of the season and the .ics calendar."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import uuid

import icalendar
import pytest
from click.testing import CliRunner
from plan_helpers import ERAS, make_config, writer

from packetbuilder.cli import main
from packetbuilder.schedule import (DTSTAMP, NAMESPACE, PRODID, calendar_ics, event_uid, plan_for, relative,
                                    timeline, timeline_rows, weekday_on_or_before)
from packetbuilder.sources import load_application

D = dt.date


def test_plan_from_the_default_deadline():
    cfg = make_config([writer("a", asked=D(2026, 7, 20), status="agreed")])
    plan = plan_for(cfg, cfg.writers[0])
    assert plan.deadline == D(2026, 9, 10)  # ERAS minus 14 days
    assert plan.ask_by == D(2026, 8, 13)  # four weeks before
    assert plan.reminders == (D(2026, 8, 27), D(2026, 9, 7))  # two weeks and three days before
    assert plan.thank_by == D(2026, 9, 11)


def test_weekend_dates_move_to_the_friday_before():
    assert weekday_on_or_before(D(2026, 9, 5)) == D(2026, 9, 4)  # Saturday
    assert weekday_on_or_before(D(2026, 9, 6)) == D(2026, 9, 4)  # Sunday
    assert weekday_on_or_before(D(2026, 9, 7)) == D(2026, 9, 7)  # Monday stays
    cfg = make_config([writer("a", deadline=D(2026, 9, 9), asked=D(2026, 7, 1), status="agreed")])
    assert plan_for(cfg, cfg.writers[0]).reminders == (D(2026, 8, 26), D(2026, 9, 4))  # Sep 6 is a Sunday


def test_a_late_ask_drops_reminders_that_would_come_before_or_right_after_it():
    cfg = make_config([writer("a", asked=D(2026, 9, 1), status="agreed")])
    assert plan_for(cfg, cfg.writers[0]).reminders == (D(2026, 9, 7),)


def kinds(cfg, writer_id: str) -> list[str]:
    return [e.kind for e in timeline(cfg) if e.writer == writer_id]


def test_events_follow_each_writers_status():
    cfg = make_config([writer("p"), writer("g", status="agreed", asked=D(2026, 7, 1)),
                       writer("u", status="uploaded"), writer("t", status="thanked"),
                       writer("d", status="declined")], match_day=D(2027, 3, 19))
    assert kinds(cfg, "p") == ["ask", "reminder", "reminder", "deadline", "thanks"]
    assert kinds(cfg, "g") == ["reminder", "reminder", "deadline", "thanks"]
    assert kinds(cfg, "u") == ["thanks"]
    assert kinds(cfg, "t") == [] and kinds(cfg, "d") == []
    events = timeline(cfg)
    assert [e.kind for e in events if not e.writer] == ["eras", "match"]
    assert [e.day for e in events] == sorted(e.day for e in events)
    assert next(e for e in events if e.kind == "eras").alarms == (7, 0)


def test_match_day_only_when_configured():
    assert "match" not in [e.kind for e in timeline(make_config([writer("a")]))]


def test_table_marks_overdue_and_soon():
    cfg = make_config([writer("p"), writer("g", status="agreed", asked=D(2026, 7, 1))])
    rows = timeline_rows(cfg, timeline(cfg), D(2026, 8, 20))
    first = rows[0]
    assert [c[0] for c in first] == ["Thu Aug 13, 2026", "overdue", "p", "Ask Dr. P for a letter"]
    assert first[0][1] == "bad"
    soon = next(r for r in rows if r[2][0] == "g")
    assert soon[1] == ("in 7 days", "warn")
    assert relative(D(2026, 8, 18), D(2026, 8, 20)) == "2 days ago" and relative(D(2026, 8, 20), D(2026, 8, 20)) == "today"


# -- the calendar --------------------------------------------------------------------------

def test_calendar_parses_with_an_all_day_event_and_alarm_per_deadline(sample):
    cfg = load_application(sample).config
    events = timeline(cfg)
    cal = icalendar.Calendar.from_ical(calendar_ics(cfg, events))
    assert str(cal["prodid"]) == PRODID and str(cal["version"]) == "2.0"
    vevents = list(cal.walk("VEVENT"))
    assert len(vevents) == len(events)
    for item, event in zip(vevents, events):
        start = item["dtstart"].dt
        assert type(start) is dt.date and start == event.day  # all-day
        assert item["dtend"].dt == event.day + dt.timedelta(days=1)
        assert item["dtstamp"].dt == DTSTAMP
        alarms = item.walk("VALARM")
        assert len(alarms) == len(event.alarms) >= 1
        assert all(str(a["action"]) == "DISPLAY" for a in alarms)
    deadlines = {str(v["summary"]) for v in vevents if "letter due" in str(v["summary"]) and "Remind" not in str(v["summary"])}
    assert deadlines == {"Dr. Chen's letter due", "Dr. Okafor's letter due", "Dr. Lee's letter due",
                         "Dr. Wiśniewski's letter due"}
    assert any(str(v["summary"]).startswith("ERAS deadline") for v in vevents)
    triggers = {a["trigger"].dt for v in vevents for a in v.walk("VALARM")}
    assert dt.timedelta(hours=9) in triggers and dt.timedelta(days=-7, hours=9) in triggers


def test_uids_are_uuid5_of_applicant_writer_and_event_and_survive_edits():
    cfg = make_config([writer("a", asked=D(2026, 7, 1), status="agreed")])
    moved = make_config([writer("a", asked=D(2026, 7, 1), status="agreed", deadline=D(2026, 9, 8),
                                title="Professor")])
    before = {(e.kind, e.number): event_uid(cfg, e) for e in timeline(cfg)}
    after = {(e.kind, e.number): event_uid(moved, e) for e in timeline(moved)}
    assert before == after and len(set(before.values())) == len(before)
    deadline = next(e for e in timeline(cfg) if e.kind == "deadline")
    assert event_uid(cfg, deadline) == f"{uuid.uuid5(NAMESPACE, 'applicant@med.example.edu/a/deadline/0')}@packetbuilder"


def test_calendar_is_byte_identical_across_runs_and_processes(sample, tmp_path):
    first, second = tmp_path / "one.ics", tmp_path / "two.ics"
    for target, day in ((first, "2026-08-20"), (second, "2026-09-30")):
        result = CliRunner().invoke(main, ["schedule", str(sample), "--ics", str(target), "--today", day])
        assert result.exit_code == 0, result.output
    assert first.read_bytes() == second.read_bytes()  # today changes the table, never the calendar
    third = tmp_path / "three.ics"
    subprocess.run([sys.executable, "-m", "packetbuilder", "schedule", str(sample), "--ics", str(third)],
                   check=True, capture_output=True, env={"PYTHONHASHSEED": "123", "PATH": ""})
    assert third.read_bytes() == first.read_bytes()
    assert first.read_bytes().count(b"\r\n") > 0  # RFC 5545 line endings


def test_schedule_command_prints_the_timeline_and_writes_the_default_calendar(sample):
    result = CliRunner().invoke(main, ["schedule", str(sample), "--today", "2026-08-20"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[2].split() == ["date", "when", "writer", "what"]
    assert "Thu Aug 13, 2026  overdue      wisniewski  Ask Dr. Wiśniewski for a letter" in result.output
    assert "ERAS deadline: all letters uploaded" in result.output
    assert (sample / "build" / "schedule.ics").is_file()
    assert oct((sample / "build" / "schedule.ics").stat().st_mode & 0o777) == "0o600"


def test_schedule_command_reports_bad_input(sample):
    (sample / "packet.toml").write_text("[application]\neras_deadline = 'soon'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["schedule", str(sample)])
    assert result.exit_code == 2 and "error: packet.toml" in result.output


def test_eras_deadline_date_is_on_the_calendar():
    cfg = make_config([])
    cal = icalendar.Calendar.from_ical(calendar_ics(cfg, timeline(cfg)))
    assert [v["dtstart"].dt for v in cal.walk("VEVENT")] == [ERAS]


@pytest.mark.parametrize("target", ["packet.toml", "cv.md", "statements/im.md", "notes/chen.md", "programs.csv",
                                    "templates/request.j2", "letters.ics"])
def test_schedule_refuses_to_write_the_calendar_over_or_beside_an_input(sample, target):
    """`--ics packet.toml` replaced the settings with a calendar."""
    (sample / "templates").mkdir()
    (sample / "templates" / "request.j2").write_text("{{ writer.name }}\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in sample.rglob("*") if p.is_file()}
    result = CliRunner().invoke(main, ["schedule", str(sample), "--ics", str(sample / target), "--today", "2026-08-20"])
    assert result.exit_code == 2, result.output
    assert "the output folder would be the application folder itself or hold it" in result.stderr
    assert {p: p.read_bytes() for p in sample.rglob("*") if p.is_file()} == before
