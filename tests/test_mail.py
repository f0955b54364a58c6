"""The e-mails: every generated .eml parsed back, tailoring measured, templates and refusals."""

from __future__ import annotations

import contextlib
import datetime as dt
import difflib
import itertools
import re
import shutil
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.build import build_application
from packetbuilder.cli import main
from packetbuilder.errors import InputError
from packetbuilder.formatting import medium_date, packet_stem
from packetbuilder.mail import (Attachment, build_message, compose, eml_bytes, find_placeholders, join_and,
                                render_draft)
from packetbuilder.sources import load_application

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MATCHED = "Riverside University Hospital, Internal Medicine"


def parse(data: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(data)


def body_of(message: EmailMessage) -> str:
    """The plain-text body with LF line ends (the .eml's CRLF survive quoted-printable decoding)."""
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The sample built once with every format: (application folder, --out)."""
    root = tmp_path_factory.mktemp("mail")
    app = root / "app"
    shutil.copytree(SAMPLES, app)
    build_application(app, root / "out", formats=("pdf", "docx", "eml"))
    return app, root / "out"


@pytest.fixture(scope="module")
def requests(built) -> dict[str, EmailMessage]:
    app, out = built
    return {w.id: parse((out / w.id / "request.eml").read_bytes()) for w in load_application(app).config.writers}


def test_every_request_eml_parses_with_headers_attachments_greeting_and_deadline(built, requests):
    app_dir, out = built
    app = load_application(app_dir)
    stem = packet_stem(app.config.applicant.short_name)
    assert set(requests) == {"chen", "okafor", "lee", "wisniewski"}
    for writer in app.config.writers:
        raw = (out / writer.id / "request.eml").read_bytes()
        message = requests[writer.id]
        assert raw.isascii() and b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
        assert max(len(line) for line in raw.split(b"\r\n")) <= 998  # RFC 5322 hard limit
        assert message["From"].addresses[0].display_name == "Nguyễn Thị Minh Anh"
        assert message["From"].addresses[0].addr_spec == "anh.nguyen@med.example.edu"
        assert message["To"].addresses[0].display_name == writer.name
        assert message["To"].addresses[0].addr_spec == writer.email
        assert message["Subject"] == "Residency LOR Request – Anh Nguyen, Internal Medicine"
        assert message["X-Unsent"] == "1"
        assert message["Message-ID"].startswith(f"<request.{writer.id}.")
        assert message["Message-ID"].endswith("@med.example.edu>")
        assert message["Date"].datetime.date() == (writer.asked or app.config.deadline_of(writer) - dt.timedelta(28))
        assert message.get_content_type() == "multipart/mixed"

        body = body_of(message)
        assert body.startswith(f"Dear {writer.salutation},\n\n")
        assert medium_date(app.config.deadline_of(writer)) in body
        assert find_placeholders(body) == [] and find_placeholders(str(message["Subject"])) == []
        assert body.rstrip().endswith("anh.nguyen@med.example.edu · +1 (555) 010-4477")

        attachments = list(message.iter_attachments())
        assert [(a.get_content_type(), a.get_filename()) for a in attachments] == [
            ("application/pdf", f"{stem}.pdf"), (DOCX_TYPE, f"{stem}.docx")]
        for part in attachments:
            assert part.get_content_disposition() == "attachment"
            assert part.get_content() == (out / writer.id / part.get_filename()).read_bytes()


def test_request_bodies_are_tailored_not_copy_paste(built, requests):
    app = load_application(built[0])
    bodies = {w: body_of(m) for w, m in requests.items()}
    ratios = {(a, b): difflib.SequenceMatcher(None, bodies[a], bodies[b]).ratio()
              for a, b in itertools.combinations(sorted(bodies), 2)}
    # A mass e-mail with only the greeting swapped scores ~0.99; each pair here must be far below.
    mass = difflib.SequenceMatcher(None, bodies["chen"], bodies["chen"].replace("Dr. Chen", "Dr. Lee")).ratio()
    assert mass > 0.95
    assert max(ratios.values()) < 0.6, ratios

    for writer in app.config.writers:
        notes = app.notes[writer.id].facts
        body = bodies[writer.id]
        assert notes["learned"] in body
        assert notes["setting"] in body
        assert all(item in body for item in writer.emphasis)
        others = [w for w in app.config.writers if w.id != writer.id]
        assert not any(app.notes[o.id].facts["learned"] in body for o in others)
    assert "Letter ID LOR-4821-0917" in bodies["chen"] and "LOR-4821-0917" not in bodies["okafor"]
    assert "Thank you again for agreeing" in bodies["chen"]          # status agreed
    assert "whether you would be willing" in bodies["lee"]            # status asked


def test_rebuilding_gives_byte_identical_emails(built, tmp_path):
    app, out = built
    build_application(app, tmp_path / "again", writer_ids=("chen", "wisniewski"), formats=("pdf", "docx", "eml"))
    for writer in ("chen", "wisniewski"):
        assert (tmp_path / "again" / writer / "request.eml").read_bytes() == (out / writer / "request.eml").read_bytes()


def test_build_attaches_only_the_formats_it_built(built, tmp_path):
    app, _ = built
    build_application(app, tmp_path / "pdf-only", writer_ids=("okafor",), formats=("pdf", "eml"))
    message = parse((tmp_path / "pdf-only" / "okafor" / "request.eml").read_bytes())
    assert [a.get_content_type() for a in message.iter_attachments()] == ["application/pdf"]
    assert "Word" not in body_of(message)


def test_non_ascii_attachment_names_are_rfc2231_encoded(built):
    app = load_application(built[0])
    writer = app.config.writer("wisniewski")
    attachments = [Attachment("Nguyễn_Thị_LOR.pdf", b"%PDF-1.7 test")]
    draft = render_draft(app, writer, "request", dt.date(2026, 8, 1), attachments)
    raw = eml_bytes(build_message(app, writer, "request", draft, attachments, dt.date(2026, 8, 1)))
    assert b"filename*=utf-8''Nguy%E1%BB%85n_Th%E1%BB%8B_LOR.pdf" in raw
    part = next(parse(raw).iter_attachments())
    assert part.get_filename() == "Nguyễn_Thị_LOR.pdf" and part.get_content() == b"%PDF-1.7 test"
    assert parse(raw)["To"].addresses[0].display_name == "Tomasz Wiśniewski, MD"


# -- other kinds, through the command line -----------------------------------------------

def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_reminder_counts_days_and_reattaches_the_packet(built):
    app, out = built
    result = run("email", str(app), "--writer", "chen", "--kind", "reminder", "--out", str(out), "--today", "2026-09-01")
    assert result.exit_code == 0, result.output
    message = parse((out / "chen" / "reminder.eml").read_bytes())
    assert message["Subject"] == "Gentle reminder – letter of recommendation for Anh Nguyen, due September 10, 2026"
    assert message["Date"].datetime.date() == dt.date(2026, 9, 1)
    body = body_of(message)
    assert body.startswith("Dear Dr. Chen,")
    assert "Thursday, September 10, 2026, is 9 days away" in body
    assert "Letter ID LOR-4821-0917" in body
    assert len(list(message.iter_attachments())) == 2


def test_reminder_after_the_agreed_date_points_to_the_eras_deadline(built):
    app, out = built
    assert run("email", str(app), "--writer", "chen", "--kind", "reminder", "--out", str(out),
               "--today", "2026-09-15").exit_code == 0
    body = body_of(parse((out / "chen" / "reminder.eml").read_bytes()))
    assert "the date we agreed on, September 10, 2026, has passed, but letters can still be uploaded until " \
           "September 24, 2026" in body


def test_a_writer_who_was_asked_gets_a_follow_up_on_the_ask_not_a_reminder_of_a_date(built):
    app, out = built  # Dr. Lee: status "asked", asked on 2026-08-03, no answer yet
    assert run("email", str(app), "--writer", "lee", "--kind", "reminder", "--out", str(out),
               "--today", "2026-08-20").exit_code == 0
    message = parse((out / "lee" / "reminder.eml").read_bytes())
    body = body_of(message)
    assert message["Subject"].startswith("Following up – letter of recommendation")
    assert "I wrote on August 3, 2026 to ask whether you might be able to write a letter" in body
    assert "agreed" not in body and "I had hoped to have letters in by Thursday, September 10, 2026" in body


def test_emails_a_writers_status_does_not_allow_are_refused_with_the_reason(built):
    app, out = built
    result = run("email", str(app), "--writer", "wisniewski", "--kind", "reminder", "--out", str(out))
    assert result.exit_code == 1 and "has not been asked yet (status planned): send the request first" in result.output
    result = run("email", str(app), "--writer", "okafor", "--kind", "thanks", "--out", str(out))
    assert result.exit_code == 1 and 'set status = "uploaded" in packet.toml once it is' in result.output
    assert not (out / "okafor" / "thanks.eml").exists()


@contextlib.contextmanager
def status_of(app: Path, writer_id: str, status: str):
    """The writer's status changed in packet.toml while the block runs, then put back."""
    toml = app / "packet.toml"
    before = toml.read_text("utf-8")
    start = before.index(f'id = "{writer_id}"')
    line = re.compile(r'^status = "\w+"', re.MULTILINE).search(before, start)
    toml.write_text(before[:line.start()] + f'status = "{status}"' + before[line.end():], "utf-8")
    try:
        yield
    finally:
        toml.write_text(before, "utf-8")


def test_thanks_has_no_attachments_and_names_what_was_learned(built):
    app, out = built
    with status_of(app, "okafor", "uploaded"):
        assert run("email", str(app), "--writer", "okafor", "--kind", "thanks", "--out", str(out),
                   "--today", "2026-09-12").exit_code == 0
    message = parse((out / "okafor" / "thanks.eml").read_bytes())
    assert message.get_content_type() == "text/plain"
    body = body_of(message)
    assert body.startswith("Dear Dr. Okafor,") and "analysis plan that survives review" in body
    assert "March 19, 2027" in body


def test_match_needs_to_know_where_you_matched(sample, tmp_path):
    with status_of(sample, "chen", "uploaded"):
        result = run("email", str(sample), "--writer", "chen", "--kind", "match", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "[application.matched]" in result.output and 'add matched = "' in result.output
    toml = sample / "packet.toml"
    toml.write_text(toml.read_text().replace("# matched = ", "matched = "))
    with status_of(sample, "chen", "uploaded"):
        result = run("email", str(sample), "--writer", "chen", "--kind", "match", "--out", str(tmp_path / "out"),
                     "--today", "2027-03-19")
    assert result.exit_code == 0, result.output
    body = body_of(parse((tmp_path / "out" / "chen" / "match.eml").read_bytes()))
    assert f"I matched at {MATCHED}." in body and body.startswith("Dear Dr. Chen,")


def test_a_request_without_a_built_packet_is_refused(sample, tmp_path):
    result = run("email", str(sample), "--writer", "chen", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "no packet for chen" in result.output and "packetbuilder build" in result.output


# -- user templates ------------------------------------------------------------------------

def draft_for(folder: Path, writer_id: str, kind: str = "request"):
    app = load_application(folder)
    return render_draft(app, app.config.writer(writer_id), kind, dt.date(2026, 8, 1),
                        [Attachment("Anh_Nguyen_LOR_Packet.pdf", b"%PDF")])


def write_template(folder: Path, name: str, text: str) -> None:
    (folder / "templates").mkdir(exist_ok=True)
    (folder / "templates" / name).write_text(text, encoding="utf-8")


def test_user_templates_override_the_most_specific_name_first(sample):
    write_template(sample, "request.j2", "Subject: Letter for {{ track.specialty }}\n\nHello {{ writer.salutation }}.\n")
    write_template(sample, "request-research.j2", "Subject: Research letter\n\nDear {{ writer.salutation }}, "
                   "about {{ work.setting }}.\n")
    chen, okafor = draft_for(sample, "chen"), draft_for(sample, "okafor")
    assert (chen.subject, chen.body, chen.template) == ("Letter for Internal Medicine", "Hello Dr. Chen.\n",
                                                         "templates/request.j2")
    assert okafor.subject == "Research letter" and "Cardiovascular Outcomes Lab" in okafor.body
    assert draft_for(sample, "chen", "thanks").template == "built-in template thanks.j2"


def test_overriding_the_shared_macros_changes_every_email(sample):
    common = (Path(__file__).resolve().parent.parent / "packetbuilder" / "templates" / "_common.j2").read_text()
    write_template(sample, "_common.j2", common.replace("{{ closing }},", "{{ closing }} (sent from my phone),"))
    for writer, kind in (("chen", "request"), ("lee", "thanks")):
        assert "(sent from my phone)," in draft_for(sample, writer, kind).body


def test_an_undefined_variable_names_the_template_line_and_variable(sample):
    write_template(sample, "request.j2", "Subject: Hi\n\nDear {{ writer.salutation }},\n{{ writer.nickname }}\n")
    with pytest.raises(InputError) as caught:
        draft_for(sample, "chen")
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == ("templates/request.j2", 4)
    assert "nickname" in problem.message and "writer" in problem.fix


def test_a_template_syntax_error_is_located(sample):
    write_template(sample, "reminder.j2", "Subject: Hi\n\n{% if days_left %}\nno end\n")
    with pytest.raises(InputError) as caught:
        draft_for(sample, "chen", "reminder")
    assert caught.value.problems[0].file == "templates/reminder.j2"
    assert "syntax" in caught.value.problems[0].message


def test_a_failing_expression_in_a_template_is_located(sample):
    write_template(sample, "thanks.j2", "Subject: x\n\nDear {{ writer.salutation }},\n{{ 1 / 0 }}\n")
    with pytest.raises(InputError) as caught:
        draft_for(sample, "chen", "thanks")
    problem = caught.value.problems[0]
    assert (problem.file, problem.line) == ("templates/thanks.j2", 4) and "ZeroDivisionError" in problem.message


def test_a_template_without_a_subject_line_is_refused(sample):
    write_template(sample, "thanks.j2", "Dear {{ writer.salutation }},\n")
    with pytest.raises(InputError, match="first line must be `Subject: …`"):
        draft_for(sample, "chen", "thanks")


def test_templates_are_sandboxed(sample):
    write_template(sample, "thanks.j2", "Subject: x\n\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    with pytest.raises(InputError, match="templates/thanks.j2"):
        draft_for(sample, "chen", "thanks")


@pytest.mark.parametrize("leftover", ["[date]", "[Your Name]", "{{ '{{' }} name }}", "<insert date>", "TBD"])
def test_placeholders_left_in_a_template_are_refused(sample, leftover):
    write_template(sample, "request.j2", f"Subject: Request\n\nDear {{{{ writer.salutation }}}},\n\n"
                   f"Please upload it by {leftover}.\n")
    with pytest.raises(InputError) as caught:
        draft_for(sample, "chen")
    problem = caught.value.problems[0]
    assert problem.file == "templates/request.j2" and "body line 3" in problem.message


def test_a_placeholder_coming_from_the_notes_is_refused(sample):
    notes = sample / "notes" / "lee.md"
    notes.write_text(notes.read_text().replace("Learned: that leading", "Learned: [what I learned] that leading"))
    with pytest.raises(InputError, match=r"\[what I learned\]") as caught:
        draft_for(sample, "lee")
    assert "notes/lee.md" in caught.value.problems[0].fix


def test_ordinary_text_is_not_mistaken_for_a_placeholder():
    text = "6–8 patients (July 2026); A1c fell from 11.2% to 7.4%; see [1]; a<b; TBDs and todo lists"
    assert find_placeholders(text) == []


def test_join_and_reads_as_prose():
    assert [join_and(x) for x in ([], ["a"], ["a", "b"], ["a", "b", "c"])] == ["", "a", "a and b", "a, b, and c"]


def test_compose_dates_a_request_by_when_it_was_asked(built):
    app_dir, out = built
    app = load_application(app_dir)
    message = compose(app, app.config.writer("chen"), "request", out / "chen", today=dt.date(2026, 8, 30))
    assert message["Date"] == "Mon, 20 Jul 2026 09:00:00 +0000"


def test_the_email_command_writes_the_same_request_as_build(built):
    app, out = built
    before = (out / "wisniewski" / "request.eml").read_bytes()  # no `asked`: dated four weeks before the deadline
    assert run("email", str(app), "--writer", "wisniewski", "--out", str(out), "--today", "2026-08-30").exit_code == 0
    assert (out / "wisniewski" / "request.eml").read_bytes() == before
    assert parse(before)["Date"].datetime.date() == dt.date(2026, 8, 13)
