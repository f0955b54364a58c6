"""Sending against a real SMTP server on 127.0.0.1 (aiosmtpd), with TLS from a test CA (trustme).

The command line is driven exactly as a user would: [smtp] in packet.toml, the password
in PACKETBUILDER_SMTP_PASSWORD (or typed at the prompt, or in the keyring), an OAuth
token from token_command, and the test CA trusted the way an institution's own CA would
be, through SSL_CERT_FILE. The faults that could make a second copy are in
test_never_twice.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import sys
import types
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailservers import (PASSWORD, TOKEN, UNICODE_PASSWORD, USER, LocalCA, Recorder, built_sample, free_port,
                         set_table, smtp_server, starttls_server, token_command)
from packetbuilder.build import build_application
from packetbuilder.cli import main
from packetbuilder.config import Writer
from packetbuilder.errors import InputError
from packetbuilder.send import read_sent_log, skip_reason
from packetbuilder.sentlog import SentLog, SentRecord, append_sent, read_log

WRITERS = ["chen", "okafor", "lee", "wisniewski"]


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> LocalCA:
    return LocalCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def port() -> int:
    """The port this module's servers listen on, known before the build so [smtp] is in place."""
    return free_port()


def set_smtp(app: Path, port: int, security: str = "starttls", username: str | None = USER,
             host: str = "127.0.0.1", **more: object) -> None:
    """Replace [smtp] in packet.toml; mail settings are not packet content, so no rebuild follows."""
    keys: dict[str, object] = {"host": host, "port": port, "security": security}
    if username:
        keys["username"] = username
    set_table(app, "smtp", **keys, **more)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The sample, built once, *then* given [smtp]: adding mail settings must not make it stale."""
    return built_sample(tmp_path_factory.mktemp("send"))


@pytest.fixture
def case(built, tmp_path, port) -> Path:
    """A private copy of the built sample, [smtp] on STARTTLS at ``port`` with a user name."""
    shutil.copytree(built, tmp_path / "case")
    set_smtp(tmp_path / "case" / "app", port)
    return tmp_path / "case"


def rebuild(case: Path, *writers: str) -> None:
    build_application(case / "app", case / "out", writer_ids=writers, formats=("pdf", "docx", "eml"))


def send(case: Path, *args: str, ca_file: Path | None = None, password: str | None = PASSWORD, stdin: str = ""):
    env = {"PACKETBUILDER_SMTP_PASSWORD": password, "SSL_CERT_FILE": str(ca_file) if ca_file else None}
    return CliRunner().invoke(main, ["send", str(case / "app"), "--out", str(case / "out"), *args],
                              env=env, input=stdin)


def logged(case: Path) -> list[tuple[str, str]]:
    return [(r.writer, r.kind) for r in read_sent_log(case / "out")]


def test_dry_run_shows_every_message_whole_and_sends_nothing(case):
    result = send(case)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.count("──────── request to ") == 4
    chen = out[out.index("──────── request to chen"):out.index("──────── request to okafor")]
    assert 'To: "Maya Chen, MD" <mchen@hospital.example.org>' in chen
    assert "Subject: Residency LOR Request – Anh Nguyen, Internal Medicine" in chen
    assert "Dear Dr. Chen," in chen and "With thanks,\nAnh Nguyen" in chen
    assert re.search(r"\[attachment\] Anh_Nguyen_LOR_Packet\.pdf \(\d+ KB, application/pdf\)", chen)
    assert "dry run: 4 messages would be sent; add --send to send them" in out
    assert not (case / "out" / "sent-log.jsonl").exists()


def test_limit_sends_the_first_n_and_the_next_run_the_rest(case, ca, port):
    result = send(case, "--limit", "1")
    assert "not this run (--limit 1): request to okafor" in result.output
    assert "dry run: 1 message would be sent, 3 more after this run" in result.output
    handler = Recorder()
    with starttls_server(handler, ca, port):
        first = send(case, "--send", "--limit", "1", ca_file=ca.ca_file)
        assert first.exit_code == 0, first.output
        assert logged(case) == [("chen", "request")] and len(handler.received) == 1
        rest = send(case, "--send", ca_file=ca.ca_file)
        assert rest.exit_code == 0, rest.output
    assert [w for w, _ in logged(case)] == ["chen", "okafor", "lee", "wisniewski"]
    assert len(handler.received) == 4  # none twice


def test_starttls_with_auth_delivers_intact_messages_and_a_rerun_sends_nothing(case, ca, port):
    handler = Recorder()
    with starttls_server(handler, ca, port):
        result = send(case, "--send", ca_file=ca.ca_file)
        assert result.exit_code == 0, result.output
        assert "sent 4 message(s)" in result.output

        assert [r.rcpt_tos for r in handler.received] == [
            ["mchen@hospital.example.org"], ["c.okafor@research.example.edu"], ["hlee@med.example.edu"],
            ["t.wisniewski@clinic.example.org"]]
        for writer, got in zip(WRITERS, handler.received):
            assert got.tls and got.authenticated and got.mail_from == USER
            draft = BytesParser(policy=policy.default).parsebytes((case / "out" / writer / "request.eml").read_bytes())
            message = got.message
            assert message["X-Unsent"] is None
            assert message["Message-ID"] == draft["Message-ID"]
            assert message["Subject"] == draft["Subject"] and str(message["To"]) == str(draft["To"])
            assert message.get_body(("plain",)).get_content() == draft.get_body(("plain",)).get_content()
            attachments = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
            assert attachments == {name: (case / "out" / writer / name).read_bytes()
                                   for name in ("Anh_Nguyen_LOR_Packet.pdf", "Anh_Nguyen_LOR_Packet.docx")}
        records = read_sent_log(case / "out")
        assert [(r.writer, r.kind) for r in records] == [(w, "request") for w in WRITERS]
        assert [r.message_id for r in records] == [str(g.message["Message-ID"]) for g in handler.received]
        assert all(r.time.tzinfo is not None for r in records)
        # each message was recorded in flight before it left, then done
        assert [(r.writer, r.state) for r in read_log(case / "out")] == [
            (w, state) for w in WRITERS for state in ("in-flight", "done")]

        again = send(case, "--send", ca_file=ca.ca_file)
        assert again.exit_code == 0, again.output
        assert "nothing to send" in again.output
        assert again.output.count("request already sent on ") == 4 and "--resend" in again.output
        assert len(handler.received) == 4 and len(read_sent_log(case / "out")) == 4

        resend = send(case, "--send", "--resend", "--writer", "okafor", ca_file=ca.ca_file)
        assert resend.exit_code == 0, resend.output
        assert [r.rcpt_tos for r in handler.received[4:]] == [["c.okafor@research.example.edu"]]
        assert logged(case)[-1] == ("okafor", "request")


def test_a_dropped_connection_stops_the_batch_and_the_rerun_sends_only_the_rest(case, ca, port):
    handler = Recorder(drop_after=1)
    with starttls_server(handler, ca, port):
        first = send(case, "--send", ca_file=ca.ca_file)
        assert first.exit_code == 1
        assert "send request to \"Maya Chen, MD\"" in first.output
        assert "the server closed the connection" in first.output
        assert "sent: chen; not sent: okafor, lee, wisniewski" in first.output
        assert logged(case) == [("chen", "request")]
        assert read_log(case / "out")[-1].state == "failed"  # refused at MAIL: certainly not delivered

        handler.drop_after = None  # the server is back
        rerun = send(case, "--send", ca_file=ca.ca_file)
        assert rerun.exit_code == 0, rerun.output
        assert "skip chen: request already sent on" in rerun.output
        recipients = [r.rcpt_tos[0] for r in handler.received]
        assert recipients == ["mchen@hospital.example.org", "c.okafor@research.example.edu",
                              "hlee@med.example.edu", "t.wisniewski@clinic.example.org"]
        ids = [str(r.message["Message-ID"]) for r in handler.received]
        assert len(set(ids)) == len(ids) == 4
        assert logged(case) == [(w, "request") for w in WRITERS]


def test_implicit_tls_and_the_password_prompt(case, ca, port):
    handler = Recorder()
    set_smtp(case / "app", port, security="ssl")
    # aiosmtpd counts only STARTTLS as TLS for AUTH; the whole session is TLS here.
    with smtp_server(handler, port, ssl_context=ca.server_context, authenticator=handler.check_password,
                     auth_require_tls=False):
        result = send(case, "--send", "--writer", "chen", ca_file=ca.ca_file, password=None, stdin=PASSWORD + "\n")
        assert result.exit_code == 0, result.output
        assert f"SMTP password for {USER} at 127.0.0.1" in result.output and PASSWORD not in result.output
        assert len(handler.received) == 1 and handler.received[0].tls and handler.received[0].authenticated
    assert PASSWORD not in (case / "out" / "sent-log.jsonl").read_text()


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
def test_a_password_with_any_characters_signs_in(case, ca, port, mechanism):
    """smtplib's login sends ASCII only; this one was an internal error showing a character of it."""
    handler = Recorder(password=UNICODE_PASSWORD)
    other = {"PLAIN": "LOGIN", "LOGIN": "PLAIN"}[mechanism]
    with starttls_server(handler, ca, port, auth_exclude_mechanism=[other]):
        result = send(case, "--send", "--writer", "chen", ca_file=ca.ca_file, password=UNICODE_PASSWORD)
        assert result.exit_code == 0, result.output
        wrong = send(case, "--send", "--writer", "lee", ca_file=ca.ca_file, password=UNICODE_PASSWORD[:-1] + "x")
    assert [r.rcpt_tos for r in handler.received] == [["mchen@hospital.example.org"]]
    assert wrong.exit_code == 1 and "refused the user name or password (535" in wrong.output
    assert "internal error" not in wrong.output + result.output
    assert not any(c in wrong.output + result.output for c in "Łó密")


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_oauth2_signs_in_with_the_token_of_token_command(case, ca, port, tmp_path, mechanism):
    handler = Recorder()
    other = {"XOAUTH2": "OAUTHBEARER", "OAUTHBEARER": "XOAUTH2"}[mechanism]
    set_smtp(case / "app", port, auth="oauth2", token_command=token_command(tmp_path))
    with starttls_server(handler, ca, port, auth_exclude_mechanism=[other, "PLAIN", "LOGIN"]):
        result = send(case, "--send", "--writer", "chen", ca_file=ca.ca_file, password=None)
    assert result.exit_code == 0, result.output
    assert [(r.rcpt_tos, r.mechanism, r.authenticated) for r in handler.received] == [
        (["mchen@hospital.example.org"], mechanism, True)]
    assert TOKEN not in result.output and "SMTP password for" not in result.output


def test_a_wrong_token_fails_clearly_and_is_never_shown(case, ca, port, tmp_path):
    handler = Recorder()
    set_smtp(case / "app", port, auth="oauth2", token_command=token_command(tmp_path, token="expired-token-42"))
    with starttls_server(handler, ca, port):
        result = send(case, "--send", ca_file=ca.ca_file, password=None)
    assert result.exit_code == 1
    assert "the server refused the OAuth token (535" in result.output and "token_command yourself" in result.output
    assert "expired-token-42" not in result.output
    assert handler.refused_tokens == 1 and handler.received == []
    assert read_log(case / "out") == []


def test_the_password_can_come_from_the_system_keyring(case, ca, port, monkeypatch):
    """The keyring package is an optional extra; a stand-in with its get_password API is used here."""
    stored = {("packetbuilder", USER): PASSWORD}
    monkeypatch.setitem(sys.modules, "keyring", types.SimpleNamespace(get_password=lambda s, u: stored.get((s, u))))
    set_smtp(case / "app", port, keyring=True)
    handler = Recorder()
    with starttls_server(handler, ca, port):
        result = send(case, "--send", "--writer", "chen", ca_file=ca.ca_file, password=None)
        assert result.exit_code == 0, result.output
        stored.clear()
        missing = send(case, "--send", "--writer", "lee", ca_file=ca.ca_file, password=None)
    assert len(handler.received) == 1 and "SMTP password for" not in result.output
    assert missing.exit_code == 2 and f"keyring set packetbuilder {USER}" in missing.output
    monkeypatch.setitem(sys.modules, "keyring", None)  # not installed
    absent = send(case, "--send", "--writer", "lee", ca_file=ca.ca_file, password=None)
    assert absent.exit_code == 2 and "packetbuilder[keyring]" in absent.output


def test_an_untrusted_certificate_is_refused_and_nothing_is_sent(case, ca, port):
    handler = Recorder()
    with starttls_server(handler, ca, port):
        result = send(case, "--send", ca_file=None)  # the system's CAs do not know the test CA
        assert result.exit_code == 1
        assert "certificate could not be verified" in result.output and "SSL_CERT_FILE" in result.output
        assert "sent: none; not sent: chen, okafor, lee, wisniewski" in result.output
    assert handler.received == [] and read_log(case / "out") == []


def test_a_wrong_password_is_reported_and_nothing_is_sent(case, ca, port):
    handler = Recorder()
    with starttls_server(handler, ca, port):
        result = send(case, "--send", ca_file=ca.ca_file, password="wrong")
        assert result.exit_code == 1
        assert "refused the user name or password" in result.output and "PACKETBUILDER_SMTP_PASSWORD" in result.output
    assert handler.received == []


def test_plain_smtp_is_refused_for_a_remote_host(case):
    set_smtp(case / "app", 25, security="none", host="mail.example.org")
    result = send(case, "--send")
    assert result.exit_code == 2
    assert "[smtp.security]" in result.output and "unencrypted" in result.output


def test_plain_smtp_on_loopback_without_auth(case, port):
    handler = Recorder()
    set_smtp(case / "app", port, security="none", username=None)
    with smtp_server(handler, port):
        result = send(case, "--send", "--writer", "lee", password=None)
        assert result.exit_code == 0, result.output
    assert [r.rcpt_tos for r in handler.received] == [["hlee@med.example.edu"]]


def test_sending_without_smtp_settings_says_how_to_add_them(case):
    set_table(case / "app", "smtp")
    result = send(case, "--send")
    assert result.exit_code == 2 and "there is no [smtp] table" in result.output


def test_a_packet_built_from_older_sources_is_not_sent(case):
    notes = case / "app" / "notes" / "chen.md"
    notes.write_text(notes.read_text() + "\n- One more case.\n")
    result = send(case)
    assert result.exit_code == 2
    assert "the packet for chen is out of date" in result.output and "packetbuilder build" in result.output
    assert send(case, "--writer", "okafor").exit_code == 0  # Dr. Okafor's packet does not use chen.md
    rebuild(case, "chen")
    assert send(case).exit_code == 0


def test_changing_the_mail_settings_does_not_make_a_packet_stale(case, port):
    """The packets were built before [smtp] existed (see ``built``); changing it, or adding
    [imap], changes no packet."""
    set_smtp(case / "app", port, security="ssl", username="someone.else@example.org", timeout=30)
    set_table(case / "app", "imap", provider="gmail", username=USER)
    result = send(case)
    assert result.exit_code == 0, result.output
    assert "dry run: 4 messages would be sent" in result.output


def test_each_kind_goes_only_to_writers_whose_status_fits():
    def writer(status: str) -> Writer:
        return Writer(id="w", name="Dr. W", salutation="Dr. W", email="w@example.org", role="clinical", status=status)

    assert skip_reason(writer("agreed"), "request", [], False) == ""
    assert skip_reason(writer("declined"), "request", [], False) == "Dr. W declined to write a letter"
    assert "has not been asked yet" in skip_reason(writer("planned"), "reminder", [], False)
    assert "has not uploaded yet" in skip_reason(writer("agreed"), "thanks", [], False)
    assert skip_reason(writer("uploaded"), "thanks", [], False) == ""
    assert skip_reason(writer("thanked"), "match", [], False) == ""
    sent = [SentRecord("w", "thanks", "<x@y>", dt.datetime(2026, 9, 12, tzinfo=dt.timezone.utc))]
    assert "already sent on 2026-09-12" in skip_reason(writer("uploaded"), "thanks", sent, False)
    assert skip_reason(writer("uploaded"), "thanks", sent, True) == ""
    flying = [SentRecord("w", "thanks", "<x@y>", dt.datetime(2026, 9, 12, tzinfo=dt.timezone.utc), "smtp",
                         "in-flight")]
    assert "may already have arrived" in skip_reason(writer("uploaded"), "thanks", flying, False)
    drafted = [SentRecord("w", "thanks", "<x@y>", dt.datetime(2026, 9, 12, tzinfo=dt.timezone.utc), "imap", "done")]
    assert "placed in your Drafts folder on 2026-09-12" in skip_reason(writer("uploaded"), "thanks", drafted, False)


def test_the_sent_log_round_trips_and_a_damaged_line_is_an_error(tmp_path):
    record = SentRecord("chen", "request", "<request.chen.1@med.example.edu>",
                        dt.datetime(2026, 7, 20, 14, 3, 11, tzinfo=dt.timezone.utc))
    append_sent(tmp_path, record)
    with SentLog(tmp_path) as log:
        log.append(SentRecord("lee", "reminder", "<r@x>", record.time, "imap", "in-flight"))
    assert read_log(tmp_path)[0] == record and len(read_log(tmp_path)) == 2
    assert read_sent_log(tmp_path) == [record]  # status counts what reached the writer
    first = json.loads((tmp_path / "sent-log.jsonl").read_text().splitlines()[0])
    assert first["time"] == "2026-07-20T14:03:11+00:00" and (first["via"], first["state"]) == ("smtp", "done")
    assert (tmp_path / "sent-log.jsonl").stat().st_mode & 0o777 == 0o600
    with (tmp_path / "sent-log.jsonl").open("a") as log:
        log.write('{"writer": "okafor", "kind": "req\n{"writer": "lee"}\n')
    with pytest.raises(InputError) as caught:
        read_log(tmp_path)
    assert caught.value.problems[0].line == 3
    assert read_log(tmp_path / "nothing-sent-yet") == []


def test_lines_from_before_the_in_flight_records_read_as_sent(tmp_path):
    (tmp_path / "sent-log.jsonl").write_text('{"writer": "chen", "kind": "request", "message_id": "<a@b>", '
                                             '"time": "2026-07-20T14:03:11+00:00"}\n')
    assert [(r.writer, r.via, r.state) for r in read_sent_log(tmp_path)] == [("chen", "smtp", "done")]
