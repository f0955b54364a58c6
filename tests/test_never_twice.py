"""Never twice, under every fault: each way a writer once got the same request twice, as a test.

Each test makes one fault against a real SMTP server on 127.0.0.1 (aiosmtpd; the
misbehaviours are in mailservers.Recorder), runs ``send`` again the way a student
would, and counts what the server received: every writer exactly once (0 duplicates,
0 lost), or a message the sent log names as uncertain, which no run sends again
without --resend. Disk faults are made by a stand-in for the os module as the sent log
sees it (root, which runs these tests here, is not stopped by file permissions); a
crash is a real SIGKILL of a real ``packetbuilder send`` process.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailservers import PASSWORD, USER, LocalCA, Recorder, Trickler, built_sample, free_port, set_table, starttls_server
from packetbuilder import locking, sentlog
from packetbuilder.cli import main
from packetbuilder.sentlog import LOG_NAME, SentLog, read_log

WRITERS = ["chen", "okafor", "lee", "wisniewski"]
ADDRESSES = {"chen": "mchen@hospital.example.org", "okafor": "c.okafor@research.example.edu",
             "lee": "hlee@med.example.edu", "wisniewski": "t.wisniewski@clinic.example.org"}


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> LocalCA:
    return LocalCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return built_sample(tmp_path_factory.mktemp("twice"))


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def case(built, tmp_path, port) -> Path:
    shutil.copytree(built, tmp_path / "case")
    set_table(tmp_path / "case" / "app", "smtp", host="127.0.0.1", port=port, username=USER, timeout=5)
    return tmp_path / "case"


def env(ca: LocalCA) -> dict[str, str]:
    return {"PACKETBUILDER_SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(ca.ca_file)}


def send(case: Path, ca: LocalCA, *args: str):
    return CliRunner().invoke(main, ["send", str(case / "app"), "--out", str(case / "out"), "--send", *args],
                              env=env(ca))


def delivered(handler: Recorder) -> Counter[str]:
    """How many copies each writer received."""
    by_address = {address: writer for writer, address in ADDRESSES.items()}
    return Counter(by_address[r.rcpt_tos[0]] for r in handler.received)


def exactly_once() -> Counter[str]:
    return Counter({writer: 1 for writer in WRITERS})


def states(case: Path) -> list[tuple[str, str]]:
    return [(r.writer, r.state) for r in read_log(case / "out")]


# -- the run itself ---------------------------------------------------------------------------

def test_a_writer_named_twice_gets_one_message(case, ca, port):
    handler = Recorder()
    with starttls_server(handler, ca, port):
        result = send(case, ca, "--writer", "chen", "--writer", "chen")
    assert result.exit_code == 0, result.output
    assert delivered(handler) == Counter({"chen": 1}) and "sent 1 message(s)" in result.output


def test_two_sends_at_once_deliver_each_message_once(case, ca, port):
    """Two real processes started together: the second waits for the first's lock, then
    finds everything sent."""
    handler = Recorder(delay=0.3)  # a slow server, so that the runs overlap
    argv = [sys.executable, "-m", "packetbuilder", "send", str(case / "app"), "--out", str(case / "out"), "--send"]
    with starttls_server(handler, ca, port):
        runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                 env={**os.environ, **env(ca)}) for _ in range(2)]
        outputs = [run.communicate(timeout=120)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert delivered(handler) == exactly_once()
    assert sorted(output.count("request already sent on") for output in outputs) == [0, 4], outputs


def test_a_second_run_that_cannot_get_the_lock_says_so_and_sends_nothing(case, ca, port, monkeypatch):
    monkeypatch.setattr(locking, "WAIT", 0.3)
    (case / "out" / locking.LOCK_NAME).write_text("packetbuilder send, process 4242, since 2026-12-01T09:00:00\n")
    set_table(case / "app", "imap", host="127.0.0.1", port=free_port(), username=USER)
    handler = Recorder()
    with open(case / "out" / locking.LOCK_NAME, "rb") as held, starttls_server(handler, ca, port):
        fcntl.flock(held, fcntl.LOCK_EX)
        result = send(case, ca)
        drafts = CliRunner().invoke(main, ["drafts", str(case / "app"), "--out", str(case / "out")], env=env(ca))
    assert result.exit_code == 1
    assert ("another packetbuilder send or drafts is working on this folder (packetbuilder send, process 4242, "
            "since 2026-12-01T09:00:00), so this send did nothing") in result.output
    assert drafts.exit_code == 1 and "so this drafts did nothing" in drafts.output
    assert handler.received == [] and not (case / "out" / LOG_NAME).exists()
    with starttls_server(handler, ca, port):  # the lock went with its holder
        assert send(case, ca).exit_code == 0
    assert delivered(handler) == exactly_once()


# -- the network --------------------------------------------------------------------------------

def test_a_message_the_server_refuses_is_recorded_failed_and_sent_by_the_rerun(case, ca, port):
    handler = Recorder(refuse_data="554 5.7.1 Message rejected as spam")
    with starttls_server(handler, ca, port):
        first = send(case, ca)
        assert first.exit_code == 1 and "the server answered 554 5.7.1 Message rejected as spam" in first.output
        assert "sent: none; not sent: chen, okafor, lee, wisniewski" in first.output
        assert states(case) == [("chen", "in-flight"), ("chen", "failed")]
        handler.refuse_data = ""
        rerun = send(case, ca)
    assert rerun.exit_code == 0, rerun.output
    assert delivered(handler) == exactly_once()


def test_a_connection_lost_after_the_message_and_before_the_reply_is_uncertain_and_not_resent(case, ca, port):
    handler = Recorder(hang_up_after_data=True)
    with starttls_server(handler, ca, port):
        first = send(case, ca)
    assert first.exit_code == 1
    assert "after the whole message was sent and before the server confirmed it" in first.output
    assert "sent: none; uncertain: chen; not sent: okafor, lee, wisniewski" in first.output
    assert "chen may have received it" in first.output and "--resend" in first.output
    assert states(case) == [("chen", "in-flight")]

    handler.hang_up_after_data = False
    with starttls_server(handler, ca, port):
        rerun = send(case, ca)
    assert rerun.exit_code == 0, rerun.output
    assert "skip chen: the request to Maya Chen, MD may already have arrived" in rerun.output
    assert delivered(handler) == exactly_once()  # chen's one copy is the first run's


def test_a_run_killed_while_the_server_holds_the_message_leaves_it_uncertain(case, ca, port):
    handler = Recorder(hold=threading.Event())
    argv = [sys.executable, "-m", "packetbuilder", "send", str(case / "app"), "--out", str(case / "out"), "--send"]
    with starttls_server(handler, ca, port):
        run = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, **env(ca)})
        give_up = time.monotonic() + 60
        while not handler.received and time.monotonic() < give_up:
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)  # a crash: no except, no finally
        run.communicate(timeout=30)
    assert delivered(handler) == Counter({"chen": 1}) and states(case) == [("chen", "in-flight")]

    handler.hold = None
    with starttls_server(handler, ca, port):
        rerun = send(case, ca)
        assert rerun.exit_code == 0, rerun.output
        assert "skip chen: the request to Maya Chen, MD may already have arrived" in rerun.output
        assert delivered(handler) == exactly_once()
        again = send(case, ca, "--resend", "--writer", "chen")  # the student checked: it did not arrive
    assert again.exit_code == 0 and delivered(handler)["chen"] == 2  # asked for, explicitly


def test_a_server_trickling_its_greeting_is_given_up_after_the_timeout(case, ca, port):
    set_table(case / "app", "smtp", host="127.0.0.1", port=port, username=USER, timeout=2)
    with Trickler(port, first=b"220"):
        started = time.monotonic()
        result = send(case, ca)
        took = time.monotonic() - started
    assert result.exit_code == 1 and took < 8, (took, result.output)
    assert "the server took longer than 2 s" in result.output
    assert "sent: none; not sent: chen, okafor, lee, wisniewski" in result.output
    assert read_log(case / "out") == []


def test_a_server_trickling_its_reply_to_the_message_leaves_it_uncertain(case, ca, port):
    set_table(case / "app", "smtp", host="127.0.0.1", port=port, username=USER, timeout=2)
    handler = Recorder(trickle_reply=True)
    with starttls_server(handler, ca, port):
        started = time.monotonic()
        first = send(case, ca)
        took = time.monotonic() - started
    assert first.exit_code == 1 and took < 10, (took, first.output)
    assert "the server took longer than 2 s" in first.output and "uncertain: chen" in first.output

    handler.trickle_reply = False
    with starttls_server(handler, ca, port):
        rerun = send(case, ca)
    assert rerun.exit_code == 0, rerun.output
    assert delivered(handler) == exactly_once() and "skip chen: the request" in rerun.output


# -- the sent log ---------------------------------------------------------------------------------

class FailingDisk:
    """The os module as packetbuilder.sentlog sees it, with the disk failing on cue: opening
    the log for writing raises ``open_error``; the ``write_number``-th write raises ENOSPC,
    after writing half of its bytes when ``torn``."""

    def __init__(self, open_error: int | None = None, write_number: int | None = None, torn: bool = False):
        self.open_error, self.write_number, self.torn = open_error, write_number, torn
        self.writes = 0

    def __getattr__(self, name: str):
        return getattr(os, name)

    def open(self, path, flags, mode=0o777):
        if self.open_error and Path(path).name == LOG_NAME and flags & os.O_WRONLY:
            raise OSError(self.open_error, os.strerror(self.open_error), str(path))
        return os.open(path, flags, mode)

    def write(self, fd, data):
        self.writes += 1
        if self.writes == self.write_number:
            if self.torn:
                os.write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return os.write(fd, data)


@pytest.mark.parametrize("fault", [errno.EACCES, errno.EROFS], ids=["read-only log", "read-only folder"])
def test_a_log_that_cannot_be_opened_stops_the_batch_before_anything_is_sent(case, ca, port, monkeypatch, fault):
    monkeypatch.setattr(sentlog, "os", FailingDisk(open_error=fault))
    handler = Recorder()
    with starttls_server(handler, ca, port):
        first = send(case, ca)
        assert first.exit_code == 1
        assert f"the sent log cannot be written ({os.strerror(fault)}), so nothing was sent" in first.output
        assert handler.received == []
        monkeypatch.undo()  # fixed
        rerun = send(case, ca)
    assert rerun.exit_code == 0, rerun.output
    assert delivered(handler) == exactly_once()


def test_a_real_read_only_folder_stops_the_batch_before_anything_is_sent(case, ca, port):
    if os.geteuid() == 0:
        pytest.skip("permissions do not bind the superuser (the stand-in disk above covers it)")
    (case / "out").chmod(0o500)
    handler = Recorder()
    try:
        with starttls_server(handler, ca, port):
            first = send(case, ca)
    finally:
        (case / "out").chmod(0o700)
    assert first.exit_code == 1 and "cannot be written" in first.output and handler.received == []


@pytest.mark.parametrize("write_number, torn, sent_first, uncertain", [
    (1, False, [], []),  # disk full before the first message: nothing goes
    (3, False, ["chen"], []),  # full at okafor's in-flight record: chen went, okafor did not
    (3, True, ["chen"], []),  # the same, with half of okafor's record on disk
    (2, False, [], ["chen"]),  # full at chen's done record: chen went, unrecorded as done
], ids=["before the first", "before the second", "torn record", "after the first"])
def test_a_full_disk_never_leads_to_a_second_copy(case, ca, port, monkeypatch, write_number, torn, sent_first,
                                                  uncertain):
    monkeypatch.setattr(sentlog, "os", FailingDisk(write_number=write_number, torn=torn))
    handler = Recorder()
    with starttls_server(handler, ca, port):
        first = send(case, ca)
        assert first.exit_code == 1 and "No space left on device" in first.output
        assert sorted(delivered(handler)) == sorted(sent_first + uncertain)
        monkeypatch.undo()  # space freed
        rerun = send(case, ca)
    assert rerun.exit_code == 0, rerun.output
    assert delivered(handler) == exactly_once()
    for writer in uncertain:
        assert f"skip {writer}: the request to" in rerun.output and "may already have arrived" in rerun.output
    assert all(line.endswith("\n") for line in (case / "out" / LOG_NAME).read_text().splitlines(keepends=True))


def test_a_log_that_is_a_symbolic_link_is_never_followed(case, ca, port):
    elsewhere = case / "elsewhere.txt"
    elsewhere.write_text("someone else's file\n")
    (case / "out" / LOG_NAME).symlink_to(elsewhere)
    handler = Recorder()
    with starttls_server(handler, ca, port):
        result = send(case, ca)
    assert result.exit_code == 1 and "is a symbolic link" in result.output
    assert handler.received == [] and elsewhere.read_text() == "someone else's file\n"


def test_the_log_and_a_new_output_folder_are_fsynced_when_created(tmp_path, monkeypatch):
    synced: list[Path] = []
    monkeypatch.setattr(sentlog, "_fsync_dir", synced.append)
    SentLog(tmp_path / "new" / "out").close()
    assert synced == [tmp_path / "new" / "out", tmp_path / "new", tmp_path]  # the log's entry, then each folder's
    SentLog(tmp_path / "new" / "out").close()  # the log exists: nothing new to make durable
    assert len(synced) == 3
