"""`packetbuilder schema`: the JSON Schema editors validate packet.toml with.

Editors such as Taplo (VS Code's Even Better TOML) turn the TOML into JSON, with dates
as ISO strings, and validate it against the schema. These tests do the same with the
jsonschema package: the sample must pass, and broken copies must fail where the
program itself would refuse them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner

from packetbuilder.cli import main
from packetbuilder.config import Applicant, ApplicationSettings, Smtp, Track, Writer, parse_config
from packetbuilder.errors import InputError
from packetbuilder.scaffold import SCHEMA_NAME, create_application

from conftest import SAMPLES


def as_json(value: Any) -> Any:
    """TOML as an editor hands it to a JSON Schema validator: dates become ISO strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return value


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def sample_text() -> str:
    return (SAMPLES / "packet.toml").read_text(encoding="utf-8")


def test_the_sample_validates(validator) -> None:
    errors = list(validator.iter_errors(as_json(tomllib.loads(sample_text()))))
    assert errors == []


@pytest.mark.parametrize("old, new, where", [  # old: a regular expression
    ('email = "mchen@hospital.example.org"', 'emial = "mchen@hospital.example.org"', "writers/0"),
    ('role = "research"', 'role = "researcher"', "writers/1/role"),
    ('(?m)^deadline = 2026-09-24', 'deadline = "24 Sept 2026"', "application/deadline"),
    (r'page_limit = \d', 'page_limit = 7', "application/page_limit"),
    ('id = "im"', 'id = "Internal Medicine"', "tracks/0/id"),
    ('school = "Example University School of Medicine"', '', "applicant"),
])
def test_a_broken_copy_is_rejected_by_the_schema_and_by_packetbuilder(validator, old: str, new: str,
                                                                      where: str) -> None:
    text = sample_text()
    broken = re.sub(old, new, text, count=1)
    assert broken != text
    errors = list(validator.iter_errors(as_json(tomllib.loads(broken))))
    assert errors, f"the schema accepted {new!r}"
    assert any("/".join(str(p) for p in e.absolute_path) == where for e in errors), \
        [(list(e.absolute_path), e.message) for e in errors]
    with pytest.raises(InputError):
        parse_config(broken)


def test_init_ships_the_same_schema(tmp_path: Path) -> None:
    create_application(tmp_path / "app")
    shipped = json.loads((tmp_path / "app" / SCHEMA_NAME).read_text(encoding="utf-8"))
    assert shipped == json.loads(CliRunner().invoke(main, ["schema"]).output)


def test_every_key_is_documented_for_users() -> None:
    """docs/format.md has a table row for each key the schema knows."""
    text = (SAMPLES.parent / "docs" / "format.md").read_text(encoding="utf-8")
    for model in (Applicant, ApplicationSettings, Track, Writer, Smtp):
        for key in model.model_fields:
            assert f"| `{key}` |" in text, f"{model.__name__}.{key} is not in docs/format.md"
