"""`status`: the next action for each writer, the table, and a light import."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
from click.testing import CliRunner
from plan_helpers import make_config, writer

from packetbuilder.cli import main
from packetbuilder.schedule import plan_for
from packetbuilder.status import format_table, next_action, sent_by_writer, status_headers, status_rows

D = dt.date


def action(today: dt.date, sent: list[str] | None = None, match_day: dt.date | None = None, **fields) -> str:
    cfg = make_config([writer("w", **fields)], match_day=match_day)
    return next_action(cfg, plan_for(cfg, cfg.writers[0]), today, sent).text


ASKED = {"asked": D(2026, 7, 20)}


@pytest.mark.parametrize("today, expected", [
    (D(2026, 7, 1), "ask by Aug 13"),
    (D(2026, 8, 20), "ask now — 3 weeks is short notice"),
    (D(2026, 9, 1), "ask now — 9 days is short notice"),
    (D(2026, 9, 12), "deadline passed — ask a backup writer now"),
])
def test_planned_writer(today, expected):
    assert action(today, status="planned") == expected


def test_planned_writer_whose_request_was_sent_should_be_marked_asked():
    assert action(D(2026, 8, 1), ["request"], status="planned") == 'set status = "asked" (request sent)'


def test_asked_writer_is_followed_up_after_a_week():
    assert action(D(2026, 7, 24), status="asked", **ASKED) == "await reply; follow up on Jul 27"
    assert action(D(2026, 7, 28), status="asked", **ASKED) == "follow up — no answer since Jul 20"


@pytest.mark.parametrize("today, sent, expected", [
    (D(2026, 8, 20), None, "send reminder on Aug 27"),
    (D(2026, 8, 27), None, "send reminder today"),
    (D(2026, 8, 30), None, "send reminder on Sep 7"),  # no log: a past reminder date counts as done
    (D(2026, 8, 30), [], "send reminder today"),  # the log says none went out
    (D(2026, 8, 30), ["request", "reminder"], "send reminder on Sep 7"),
    (D(2026, 9, 8), ["reminder", "reminder"], "check the upload on Sep 11"),
    (D(2026, 9, 14), None, "send a reminder now; ask a backup if no reply by Sep 17"),
])
def test_agreed_writer_reminders(today, sent, expected):
    assert action(today, sent, status="agreed", **ASKED) == expected


def test_uploaded_and_thanked():
    assert action(D(2026, 9, 5), status="uploaded") == "send thank-you note"
    assert action(D(2026, 9, 5), ["thanks"], status="uploaded") == 'set status = "thanked" (thank-you sent)'
    match = D(2027, 3, 19)
    assert action(D(2026, 9, 30), status="thanked", match_day=match) == "tell them where you match after Mar 19"
    assert action(D(2027, 3, 19), status="thanked", match_day=match) == "send your Match news"
    assert action(D(2027, 3, 20), ["match"], status="thanked", match_day=match) == "done"
    assert action(D(2027, 3, 20), status="thanked") == "done"


def test_declined_writer_on_a_short_track_needs_a_replacement():
    short = make_config([writer("a"), writer("b"), writer("d", status="declined")])
    assert next_action(short, plan_for(short, short.writers[2]), D(2026, 8, 1)).text == \
        "ask another writer — im has 2 letters"
    full = make_config([writer("a"), writer("b"), writer("c"), writer("d", status="declined")])
    assert next_action(full, plan_for(full, full.writers[3]), D(2026, 8, 1)).text == "none (declined)"


def test_rows_for_the_sample(sample):
    from packetbuilder.sources import load_application

    rows = status_rows(load_application(sample).config, D(2026, 8, 20))
    assert [[c[0] for c in r] for r in rows] == [
        ["chen", "clinical", "im", "agreed", "Jul 20", "Sep 10", "21", "send reminder on Aug 27"],
        ["okafor", "research", "im", "agreed", "Jul 28", "Sep 10", "21", "send reminder on Aug 27"],
        ["lee", "leadership", "im", "asked", "Aug 3", "Sep 10", "21", "follow up — no answer since Aug 3"],
        ["wisniewski", "longitudinal", "im", "planned", "—", "Sep 10", "21", "ask now — 3 weeks is short notice"],
    ]
    assert rows[3][-1][1] == "bad"


def test_rows_with_a_sent_log_show_the_emails():
    cfg = make_config([writer("a", status="agreed", **ASKED), writer("b", status="planned")])
    sent = sent_by_writer(type("R", (), {"writer": w, "kind": k})() for w, k in
                          [("a", "request"), ("a", "reminder"), ("a", "reminder")])
    rows = status_rows(cfg, D(2026, 9, 8), sent)
    assert len(status_headers(True)) == len(rows[0])
    assert rows[0][7][0] == "request, reminder ×2" and rows[1][7][0] == "—"


def test_status_command_reads_the_sent_log(sample):
    from packetbuilder.send import SentRecord, append_sent

    when = dt.datetime(2026, 8, 27, 15, 0, tzinfo=dt.timezone.utc)
    for kind in ("request", "reminder"):
        append_sent(sample / "build", SentRecord("chen", kind, f"<{kind}.chen@med.example.edu>", when))
    result = CliRunner().invoke(main, ["status", str(sample), "--today", "2026-08-30"])
    assert result.exit_code == 0, result.output
    chen = next(line for line in result.output.splitlines() if line.startswith("chen"))
    assert "request, reminder" in chen and chen.endswith("send reminder on Sep 7")


def test_days_left_and_late():
    cfg = make_config([writer("a", status="agreed", **ASKED), writer("b", status="uploaded")])
    rows = status_rows(cfg, D(2026, 9, 13))
    assert rows[0][6] == ("3 late", "bad") and rows[1][6] == ("—", "dim")


def test_table_is_aligned_and_plain_without_colour():
    lines = format_table(["a", "bb"], [[("x", ""), ("y", "bad")], [("long", "warn"), ("z", "")]])
    import click

    plain = [click.unstyle(line) for line in lines]
    assert plain == ["a     bb", "x     y", "long  z"]
    assert lines[1] != plain[1]  # the tone is there for a terminal


def test_status_command_plain_when_piped_coloured_on_request(sample, monkeypatch):
    args = ["status", str(sample), "--today", "2026-08-20"]
    piped = CliRunner().invoke(main, args)
    assert piped.exit_code == 0, piped.output
    assert "\x1b[" not in piped.output
    assert "wisniewski  longitudinal  im     planned  —       Sep 10    21         —             ask now" in piped.output
    assert "\x1b[31m" in CliRunner().invoke(main, args, color=True).output
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in CliRunner().invoke(main, args, color=True).output


def test_status_and_schedule_do_not_load_the_renderers(sample, tmp_path):
    """Both commands stay quick: no reportlab, no python-docx."""
    script = (
        "import sys, json\n"
        "from click.testing import CliRunner\n"
        "from packetbuilder.cli import main\n"
        f"for args in (['status', {str(sample)!r}], ['schedule', {str(sample)!r}, '--ics', {str(tmp_path / 'x.ics')!r}]):\n"
        "    assert CliRunner().invoke(main, args).exit_code == 0\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in ('reportlab', 'docx'))))\n")
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True).stdout
    assert json.loads(out) == []


@pytest.mark.parametrize("command", ["status", "schedule"])
@pytest.mark.parametrize("date", ["0001-01-05", "9999-12-31"])
def test_a_date_at_the_end_of_the_calendar_is_an_input_error_with_no_half_table(sample, date, command):
    """`status` printed its header and half its rows, `schedule` half its timeline, before
    an internal error (an OverflowError)."""
    config = sample / "packet.toml"
    config.write_text(config.read_text("utf-8").replace("deadline = 2026-09-24", f"deadline = {date}", 1), "utf-8")
    result = CliRunner().invoke(main, [command, str(sample)])
    assert result.exit_code == 2 and result.stdout == ""
    assert re.search(rf"^error: packet.toml:\d+: \[application.deadline\] {date} is outside", result.stderr, re.M)
    assert not (sample / "build").exists()


@pytest.mark.parametrize("content", [b'{"writer": "chen", "kind": "request\xe9", "message_id": "<a@b>", '
                                     b'"time": "2026-07-20T14:03:11+00:00"}\n', None])
def test_a_sent_log_that_is_not_utf8_or_a_folder_is_a_located_input_error(sample, content):
    """A Latin-1 byte became U+FFFD silently; a folder is not a log."""
    log = sample / "build" / "sent-log.jsonl"
    log.parent.mkdir()
    if content is None:
        log.mkdir()
    else:
        log.write_bytes(content)
    result = CliRunner().invoke(main, ["status", str(sample), "--today", "2026-08-30"])
    assert result.exit_code == 2 and result.stdout == "", result.output
    [line] = result.stderr.splitlines()
    assert line.startswith(f"error: {log}") and " — " in line
    assert (":1: is not UTF-8" in line) if content else ("is not a plain file" in line)
