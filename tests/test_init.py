"""`packetbuilder init`: a complete, commented, valid starter; never overwrites."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.cli import main
from packetbuilder.config import Applicant, ApplicationSettings, Smtp, Track, Writer, parse_config
from packetbuilder.errors import InputError
from packetbuilder.scaffold import SCHEMA_DIRECTIVE, create_application, starter_files, starter_folder
from packetbuilder.sources import load_application

from conftest import SAMPLES


def test_init_copies_the_sample_and_prints_the_next_three_commands(tmp_path: Path) -> None:
    target = tmp_path / "my app"
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 0, result.output
    for relative in starter_files(SAMPLES):
        copied = (target / relative).read_bytes()
        original = (SAMPLES / relative).read_bytes()
        assert copied == (SCHEMA_DIRECTIVE.encode() + original if relative.name == "packet.toml" else original)
    steps = [line.strip() for line in result.output.splitlines() if line.startswith("  packetbuilder ")]
    assert steps == [f"packetbuilder check '{target}'", f"packetbuilder build '{target}'",
                     f"packetbuilder preview '{target}' --writer chen"]


def test_the_starter_is_a_valid_application_with_statement_notes_and_programs(tmp_path: Path) -> None:
    create_application(tmp_path / "app")
    app = load_application(tmp_path / "app")
    assert app.cv.sections and app.statements and app.programs
    assert len(app.notes) >= 2
    schema = json.loads((tmp_path / "app" / "packet.schema.json").read_text(encoding="utf-8"))
    assert schema["title"] == "packetbuilder packet.toml"


def test_init_never_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "app"
    target.mkdir()
    (target / "cv.md").write_text("# my real CV\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["init", str(target)])
    assert result.exit_code == 2
    assert "never overwrites" in result.output and "packetbuilder init app-2" in result.output
    assert (target / "cv.md").read_text(encoding="utf-8") == "# my real CV\n"
    assert sorted(p.name for p in target.iterdir()) == ["cv.md"]


def test_init_refuses_a_file_and_accepts_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InputError):
        create_application(tmp_path / "file")
    (tmp_path / "empty").mkdir()
    assert create_application(tmp_path / "empty").first_writer == "chen"


def test_the_new_folder_is_private(tmp_path: Path) -> None:
    """It is about to hold a CV and personal statement: 0700 folders, 0600 files."""
    created = create_application(tmp_path / "app")
    assert stat.S_IMODE(created.folder.stat().st_mode) == 0o700
    for relative in created.files:
        assert stat.S_IMODE((created.folder / relative).stat().st_mode) == 0o600


def test_outputs_and_hidden_files_are_not_copied(tmp_path: Path) -> None:
    source = tmp_path / "sample"
    for name in ("packet.toml", "cv.md", "build/chen/x.pdf", ".git/HEAD", "notes/.swp", "notes/chen.md"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_text("x", encoding="utf-8")
    assert starter_files(source) == [Path("cv.md"), Path("notes/chen.md"), Path("packet.toml")]


def test_a_checkout_uses_samples_in_place() -> None:
    assert starter_folder() == SAMPLES


def test_the_sample_packet_toml_explains_every_key() -> None:
    """Each key of every table appears in the sample, in use or as a commented example,
    with a comment on its line; a new config field must be explained there too."""
    text = (SAMPLES / "packet.toml").read_text(encoding="utf-8")
    for model in (Applicant, ApplicationSettings, Track, Writer, Smtp):
        for key in model.model_fields:
            line = re.search(rf"^#? *{key} = .*$", text, re.MULTILINE)
            assert line, f"{model.__name__}.{key} is not in samples/packet.toml"
            explained = "#" in line.group(0).lstrip("#") or re.search(
                rf"^# .*\n{re.escape(line.group(0))}", text, re.MULTILINE)
            assert explained, f"{model.__name__}.{key} has no comment in samples/packet.toml"
    assert parse_config(text).writers
