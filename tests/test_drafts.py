"""``drafts`` against a real IMAP server: Dovecot, run by these tests on 127.0.0.1.

Each module-level server is a private Dovecot (see mailservers.Dovecot) with a
passwd-file user, Maildir in a temporary folder, a Drafts mailbox marked ``\\Drafts``,
TLS from a trustme CA the client trusts through SSL_CERT_FILE, and an oauth2 passdb
that asks a small introspection server whether a token is good. What arrived is read
back with plain imaplib, not with packetbuilder's code.
"""

from __future__ import annotations

import shutil
import time
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from mailservers import (PASSWORD, TOKEN, UNICODE_PASSWORD, USER, Dovecot, FaultyProxy, Introspection, LocalCA,
                         Recorder, Trickler, built_sample, free_port, need_dovecot, set_table, starttls_server,
                         token_command)
from packetbuilder.cli import main
from packetbuilder.sentlog import read_log

WRITERS = ["chen", "okafor", "lee", "wisniewski"]
OTHER = "other.student@med.example.edu"  # a second user, so that tests do not share one mailbox


@pytest.fixture(scope="module")
def ca(tmp_path_factory) -> LocalCA:
    return LocalCA(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def introspection() -> Introspection:
    with Introspection() as server:
        yield server


@pytest.fixture(scope="module")
def dovecot(ca, introspection) -> Dovecot:
    need_dovecot()
    with Dovecot(ca, introspection.url, users={USER: PASSWORD, OTHER: UNICODE_PASSWORD}) as server:
        yield server


@pytest.fixture(autouse=True)
def empty_mailboxes(request):
    """Each test starts with empty mailboxes (the server is shared by the module)."""
    if "dovecot" not in request.fixturenames:
        yield
        return
    server: Dovecot = request.getfixturevalue("dovecot")
    for user in server.users:
        client = server.client(user)
        for mailbox in ("INBOX", *server.mailboxes):
            client.select(f'"{mailbox}"')
            if client.search(None, "ALL")[1][0]:
                client.store("1:*", "+FLAGS", r"(\Deleted)")
                client.expunge()
        client.logout()
    yield


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return built_sample(tmp_path_factory.mktemp("drafts"))


@pytest.fixture
def case(built, tmp_path, dovecot) -> Path:
    """A private copy of the built sample with [imap] on Dovecot's TLS port; added after the
    build, as a student would."""
    shutil.copytree(built, tmp_path / "case")
    set_imap(tmp_path / "case", dovecot.imaps_port)
    return tmp_path / "case"


def set_imap(case: Path, port: int, **keys: object) -> None:
    set_table(case / "app", "imap", **{"host": "127.0.0.1", "port": port, "username": USER, **keys})


def drafts(case: Path, *args: str, ca: LocalCA | None, password: str | None = PASSWORD, stdin: str = ""):
    env = {"PACKETBUILDER_IMAP_PASSWORD": password, "SSL_CERT_FILE": str(ca.ca_file) if ca else None}
    return CliRunner().invoke(main, ["drafts", str(case / "app"), "--out", str(case / "out"), *args], env=env,
                              input=stdin)


def ids(messages) -> list[str]:
    return [str(message["Message-ID"]) for _, message in messages]


def built_eml(case: Path, writer: str):
    return BytesParser(policy=policy.default).parsebytes((case / "out" / writer / "request.eml").read_bytes())


def test_drafts_land_in_drafts_with_the_flag_and_their_attachments_and_a_rerun_adds_nothing(case, ca, dovecot):
    result = drafts(case, ca=ca)
    assert result.exit_code == 0, result.output
    assert result.output.count("placed request to ") == 4 and "4 draft(s) in your Drafts folder" in result.output
    assert 'placed request to "Maya Chen, MD" <mchen@hospital.example.org> in Drafts' in result.output

    placed = dovecot.messages("Drafts")
    assert len(placed) == 4 and dovecot.messages("INBOX") == [] and dovecot.messages("Sent") == []
    for writer, (flags, message) in zip(WRITERS, placed):
        assert "\\Draft" in flags and "\\Seen" in flags
        draft = built_eml(case, writer)
        assert message["Message-ID"] == draft["Message-ID"] and message["X-Unsent"] is None
        assert message["Subject"] == draft["Subject"] and str(message["To"]) == str(draft["To"])
        assert message.get_body(("plain",)).get_content() == draft.get_body(("plain",)).get_content()
        assert {p.get_filename(): p.get_content() for p in message.iter_attachments()} == {
            name: (case / "out" / writer / name).read_bytes()
            for name in ("Anh_Nguyen_LOR_Packet.pdf", "Anh_Nguyen_LOR_Packet.docx")}
    assert [(r.writer, r.via, r.state) for r in read_log(case / "out")] == [
        (w, "imap", state) for w in WRITERS for state in ("in-flight", "done")]

    again = drafts(case, ca=ca)
    assert again.exit_code == 0, again.output
    assert again.output.count("a draft of this request was placed in your Drafts folder on") == 4
    assert "no draft to place" in again.output
    assert ids(dovecot.messages("Drafts")) == ids(placed)


def test_a_draft_still_in_drafts_is_found_not_placed_again_even_without_the_log_or_with_resend(case, ca, dovecot):
    assert drafts(case, "--writer", "chen", "--writer", "chen", ca=ca).exit_code == 0
    assert len(dovecot.messages()) == 1  # a writer named twice gets one draft
    (case / "out" / "sent-log.jsonl").unlink()  # say, a fresh build folder
    lost_log = drafts(case, "--writer", "chen", ca=ca)
    assert lost_log.exit_code == 0, lost_log.output
    assert "found request to \"Maya Chen, MD\" <mchen@hospital.example.org> already in Drafts, not placed again" \
        in lost_log.output
    resent = drafts(case, "--writer", "chen", "--resend", ca=ca)
    assert resent.exit_code == 0 and "already in Drafts, not placed again" in resent.output
    assert len(dovecot.messages()) == 1
    assert [(r.writer, r.state) for r in read_log(case / "out")] == [("chen", "done"), ("chen", "done")]


@pytest.mark.parametrize("mode", ["cut", "mute"])
def test_a_connection_dropped_during_append_leaves_no_duplicate_on_the_rerun(case, ca, dovecot, mode):
    """cut: the link breaks in the middle of the first APPEND's message (the server throws
    the half away); mute: the whole message reaches the server, which stores it, and the
    link breaks before its OK comes back."""
    with FaultyProxy(dovecot.imaps_port, after=20_000, mode=mode) as proxy:
        set_imap(case, proxy.port)
        first = drafts(case, ca=ca)
        assert proxy.tripped.is_set()
    assert first.exit_code == 1
    assert "while the draft was being placed" in first.output
    assert "placed: none; uncertain: chen; not placed: okafor, lee, wisniewski" in first.output
    assert "looks for chen's draft in your Drafts folder first" in first.output
    assert len(dovecot.messages()) == (1 if mode == "mute" else 0)

    set_imap(case, dovecot.imaps_port)
    rerun = drafts(case, ca=ca)
    assert rerun.exit_code == 0, rerun.output
    expected = "found request to" if mode == "mute" else "placed request to"
    assert rerun.output.startswith(f'{expected} "Maya Chen, MD"')
    placed = ids(dovecot.messages())
    assert sorted(placed) == sorted(str(built_eml(case, w)["Message-ID"]) for w in WRITERS)  # 0 lost, 0 twice


@pytest.mark.parametrize("mechanism", ["XOAUTH2", "OAUTHBEARER"])
def test_oauth2_against_dovecot_and_a_wrong_token_fails_clearly(case, ca, dovecot, introspection, tmp_path,
                                                                mechanism, monkeypatch):
    """Dovecot offers both; the other one is hidden from packetbuilder, as a server that lacks it would."""
    from packetbuilder import sasl

    hidden = {"XOAUTH2", "OAUTHBEARER"} - {mechanism}
    monkeypatch.setattr("packetbuilder.imap.exchange", lambda c, offered: sasl.exchange(c, set(offered) - hidden))
    asked = introspection.asked
    set_imap(case, dovecot.imaps_port, auth="oauth2", token_command=token_command(tmp_path))
    result = drafts(case, "--writer", "lee", ca=ca, password=None)
    assert result.exit_code == 0, result.output
    assert introspection.asked > asked and f"method={mechanism}" in dovecot.log()
    assert TOKEN not in result.output and len(dovecot.messages()) == 1

    set_imap(case, dovecot.imaps_port, auth="oauth2", token_command=token_command(tmp_path, token="stale-token-7"))
    wrong = drafts(case, "--writer", "chen", ca=ca, password=None)
    assert wrong.exit_code == 1
    assert "the server refused the OAuth token ([AUTHENTICATIONFAILED]" in wrong.output
    assert "token_command yourself" in wrong.output and "stale-token-7" not in wrong.output
    assert len(dovecot.messages()) == 1


def test_starttls_and_a_password_with_any_characters(case, ca, dovecot):
    set_imap(case, dovecot.imap_port, security="starttls", username=OTHER)
    result = drafts(case, "--writer", "okafor", ca=ca, password=UNICODE_PASSWORD)
    assert result.exit_code == 0, result.output
    assert [m["To"].addresses[0].addr_spec for _, m in dovecot.messages(user=OTHER)] == ["c.okafor@research.example.edu"]
    wrong = drafts(case, "--writer", "lee", ca=ca, password="Łódź")
    assert wrong.exit_code == 1 and "refused the user name or password" in wrong.output
    assert "Łódź" not in wrong.output and "internal error" not in wrong.output


def test_the_password_prompt_and_an_untrusted_certificate(case, ca, dovecot):
    refused = drafts(case, ca=None)
    assert refused.exit_code == 1 and "certificate could not be verified" in refused.output
    assert dovecot.messages() == [] and read_log(case / "out") == []
    prompted = drafts(case, "--writer", "chen", ca=ca, password=None, stdin=PASSWORD + "\n")
    assert prompted.exit_code == 0, prompted.output
    assert f"IMAP password for {USER} at 127.0.0.1" in prompted.output and PASSWORD not in prompted.output


def test_send_and_drafts_each_skip_what_the_other_did(case, ca, dovecot):
    assert drafts(case, "--writer", "chen", ca=ca).exit_code == 0
    port = free_port()
    set_table(case / "app", "smtp", host="127.0.0.1", port=port, username=USER)
    handler = Recorder()
    with starttls_server(handler, ca, port):
        sent = CliRunner().invoke(main, ["send", str(case / "app"), "--out", str(case / "out"), "--send"],
                                  env={"PACKETBUILDER_SMTP_PASSWORD": PASSWORD, "SSL_CERT_FILE": str(ca.ca_file)})
    assert sent.exit_code == 0, sent.output
    assert "skip chen: a draft of this request was placed in your Drafts folder on" in sent.output
    assert [r.rcpt_tos[0] for r in handler.received] == ["c.okafor@research.example.edu", "hlee@med.example.edu",
                                                        "t.wisniewski@clinic.example.org"]
    again = drafts(case, ca=ca)
    assert again.exit_code == 0 and again.output.count("request already sent on") == 3
    assert len(dovecot.messages()) == 1


def test_a_drafts_folder_is_found_by_its_special_use_flag_whatever_its_name(ca, introspection, built, tmp_path):
    """A German account: the server marks "Entwürfe" (modified UTF-7 on the wire) as \\Drafts;
    a folder merely named Drafts is not it. [imap] drafts names another folder."""
    mailboxes = {"Entwürfe": "\\Drafts", "Drafts": "", "Gesendet": "\\Sent"}
    with Dovecot(ca, introspection.url, mailboxes=mailboxes) as server:
        shutil.copytree(built, tmp_path / "case")
        case = tmp_path / "case"
        set_imap(case, server.imaps_port)
        result = drafts(case, "--writer", "chen", ca=ca)
        assert result.exit_code == 0, result.output
        assert "in Entwürfe" in result.output
        assert len(server.messages("Entw&APw-rfe")) == 1 and server.messages("Drafts") == []
        set_imap(case, server.imaps_port, drafts="Drafts")
        chosen = drafts(case, "--writer", "lee", ca=ca)
        assert chosen.exit_code == 0 and "in Drafts:" in chosen.output
        assert len(server.messages("Drafts")) == 1
        set_imap(case, server.imaps_port, drafts="Brouillons")
        missing = drafts(case, "--writer", "okafor", ca=ca)
        assert missing.exit_code == 1 and "there is no folder 'Brouillons'" in missing.output
        assert "Entwürfe" in missing.output  # its folders are named, readable


def test_a_trickling_imap_server_is_given_up_after_the_timeout(case, ca):
    port = free_port()
    set_imap(case, port, security="starttls", timeout=2)
    with Trickler(port, first=b"* OK"):
        started = time.monotonic()
        result = drafts(case, ca=ca)
        took = time.monotonic() - started
    assert result.exit_code == 1 and took < 8, (took, result.output)
    assert "the server took longer than 2 s" in result.output
    assert "placed: none; not placed: chen, okafor, lee, wisniewski" in result.output


def test_without_imap_settings_drafts_says_how_to_add_them(case, ca):
    set_table(case / "app", "imap")
    result = drafts(case, ca=ca)
    assert result.exit_code == 2 and "there is no [imap] table, so no draft can be placed" in result.output
