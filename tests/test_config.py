"""packet.toml validation: every problem at once, with its line, key and a fix."""

from __future__ import annotations

import pytest

from packetbuilder.config import json_schema, key_lines, parse_config
from packetbuilder.errors import InputError

VALID = """\
[applicant]
name = "Nguyễn Thị Minh Anh"
email = "anh@med.example.edu"
school = "Example University"

[application]
eras_deadline = 2026-09-24

[[tracks]]
id = "im"
specialty = "Internal Medicine"

[[writers]]
id = "chen"
name = "Maya Chen, MD"
salutation = "Dr. Chen"
email = "mchen@hospital.example.org"
role = "clinical"

[[writers]]
id = "okafor"
name = "Chidi Okafor, PhD"
salutation = "Dr. Okafor"
email = "okafor@example.edu"
role = "research"
"""


def problems(text: str):
    with pytest.raises(InputError) as caught:
        parse_config(text)
    return caught.value.problems


def test_valid_config_has_defaults():
    config = parse_config(VALID)
    chen = config.writer("chen")
    assert config.application.page_limit == 4
    assert config.application.page_size == "letter"
    assert chen.waived is True and chen.status == "planned"
    assert config.track_of(chen).id == "im"
    assert str(config.deadline_of(chen)) == "2026-09-10"  # ERAS deadline minus 14 days


def test_unknown_key_suggests_the_right_one():
    [problem] = problems(VALID.replace('role = "research"', 'role = "research"\nsalutaton = "Dr. O"'))
    assert "unknown key 'salutaton'" in problem.message
    assert "did you mean 'salutation'" in problem.fix
    assert problem.line == 26
    assert problem.key == "writers[okafor].salutaton"


def test_all_problems_reported_at_once_with_lines():
    text = (VALID.replace('email = "mchen@hospital.example.org"', 'email = "not-an-address"')
            .replace("eras_deadline = 2026-09-24", 'eras_deadline = "soon"')
            .replace('role = "clinical"', 'role = "friend"'))
    found = {p.key: p for p in problems(text)}
    assert set(found) == {"writers[chen].email", "application.eras_deadline", "writers[chen].role"}
    assert found["writers[chen].email"].line == 17
    assert "not a valid e-mail address" in found["writers[chen].email"].message
    assert "not a date" in found["application.eras_deadline"].message
    assert "'clinical'" in found["writers[chen].role"].fix


def test_syntax_error_names_the_line():
    [problem] = problems(VALID.replace('specialty = "Internal Medicine"', 'specialty = "Internal Medicine'))
    assert problem.message.startswith("TOML syntax error")
    assert problem.line == 11


@pytest.mark.parametrize("field", ["salutation", "name"])
def test_line_break_in_header_field_is_refused(field):
    original = {"salutation": 'salutation = "Dr. Chen"', "name": 'name = "Maya Chen, MD"'}[field]
    broken = original.replace('"', '"""', 1)[:-1] + '\nBcc: everyone@example.org"""'
    [problem] = problems(VALID.replace(original, broken))
    assert problem.key == f"writers[chen].{field}"
    assert "line break" in problem.message


def test_duplicate_writer_id():
    [problem] = problems(VALID.replace('id = "okafor"', 'id = "chen"'))
    assert "used twice" in problem.message


def test_wrong_type_and_range():
    found = {p.key: p for p in problems(VALID.replace("eras_deadline = 2026-09-24",
                                                      "eras_deadline = 2026-09-24\npage_limit = 7\nqualities = \"calm\""))}
    assert "out of range" in found["application.page_limit"].message
    assert "wrong type" in found["application.qualities"].message


def test_unknown_track_named_by_writer():
    [problem] = problems(VALID.replace('role = "research"', 'role = "research"\ntrack = "em"'))
    assert "track 'em'" in problem.message


def test_key_lines_follow_array_tables():
    lines = key_lines(VALID)
    assert lines[("writers", 0, "email")] == 17
    assert lines[("writers", 1, "email")] == 24
    assert lines[("application", "eras_deadline")] == 7


def test_json_schema_names_every_table():
    schema = json_schema()
    assert set(schema["properties"]) >= {"applicant", "application", "tracks", "writers", "smtp"}
    assert schema["$defs"]["Writer"]["additionalProperties"] is False
