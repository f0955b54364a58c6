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


# Values Python itself cannot hold or count with were internal errors.

@pytest.mark.parametrize("date, key, line", [
    ("0001-01-05", "application.eras_deadline", 7),  # fourteen days before it is before year 1
    ("0001-01-01", "application.eras_deadline", 7),
    ("9999-12-31", "application.eras_deadline", 7),  # its thank-you date is after year 9999
    ("1999-12-31", "application.eras_deadline", 7),
    ("2101-01-01", "application.eras_deadline", 7),
])
def test_dates_outside_the_plannable_years_are_refused_with_the_range(date, key, line):
    [problem] = problems(VALID.replace("eras_deadline = 2026-09-24", f"eras_deadline = {date}"))
    assert problem.key == key and problem.line == line
    assert date in problem.message and "2000-01-01" in problem.fix and "2100-12-31" in problem.fix


def test_every_date_key_is_range_checked():
    text = VALID.replace('role = "clinical"', 'role = "clinical"\nasked = 0001-01-01\ndeadline = 9999-12-31')
    text = text.replace("eras_deadline = 2026-09-24", "eras_deadline = 2026-09-24\nmatch_day = 9999-12-31")
    text = text.replace('specialty = "Internal Medicine"', 'specialty = "Internal Medicine"\ndeadline = 0001-01-01')
    found = {p.key for p in problems(text)}
    assert found == {"writers[chen].asked", "writers[chen].deadline", "application.match_day", "tracks[im].deadline"}


def test_an_integer_too_long_to_read_is_located():
    [problem] = problems(VALID.replace('school = "Example University"',
                                       'school = "Example University"\nclass_year = ' + "9" * 5000))
    assert problem.line == 5 and problem.key == "applicant.class_year"
    assert "5000 digits" in problem.message and "9" * 100 not in problem.message + problem.fix


def test_an_out_of_range_long_integer_is_not_echoed_whole():
    [problem] = problems(VALID.replace('school = "Example University"',
                                       'school = "Example University"\nclass_year = ' + "9" * 4000))
    assert problem.line == 5 and "out of range" in problem.message
    assert len(problem.render()) < 300


@pytest.mark.parametrize("depth", [40, 3000])
def test_deeply_nested_arrays_are_located(depth):
    [problem] = problems(VALID.replace("eras_deadline = 2026-09-24",
                                       "eras_deadline = 2026-09-24\nqualities = " + "[" * depth + "]" * depth))
    assert problem.line == 8 and "nested" in problem.message and "calm" in problem.fix


def test_brackets_inside_strings_and_comments_are_not_nesting():
    text = VALID.replace('school = "Example University"',
                         'school = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[')
    assert parse_config(text).applicant.school.startswith("[[[")
