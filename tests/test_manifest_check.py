"""What an output folder records is not trusted: manifest values of the wrong type and
recorded outputs that are not bounded regular files inside --out are located errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.cli import main
from packetbuilder.errors import InputError
from packetbuilder.incremental import MANIFEST_NAME
from packetbuilder.manifest_check import check_manifest
from packetbuilder.outputs import read_output


def run(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture
def built(sample: Path, tmp_path: Path) -> tuple[Path, Path]:
    out = tmp_path / "out"
    result = run("build", str(sample), "--out", str(out), "--writer", "chen", "--format", "pdf")
    assert result.exit_code == 0, result.output
    return sample, out


def edit_manifest(out: Path, change) -> None:
    path = out / MANIFEST_NAME
    raw = json.loads(path.read_text(encoding="utf-8"))
    change(raw)
    path.write_text(json.dumps(raw, indent=1, sort_keys=True), encoding="utf-8")


def line_of(out: Path, fragment: str) -> int:
    lines = (out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if fragment in line)


COMMANDS = {"send": lambda app, out: ("send", str(app), "--out", str(out)),
            "build": lambda app, out: ("build", str(app), "--out", str(out), "--writer", "chen", "--format", "pdf")}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("name", ["/dev/zero", "../../../../../../dev/zero", "chen/../../outside.pdf"])
def test_a_recorded_output_outside_the_folder_is_never_read(built, command, name):
    app, out = built
    edit_manifest(out, lambda raw: raw["records"]["chen"]["outputs"].update({name: "0" * 64}))
    result = run(*COMMANDS[command](app, out))
    assert result.exit_code == 2, result.output
    assert f"{MANIFEST_NAME}:{line_of(out, json.dumps(name))}:" in result.output
    assert "records.chen.outputs" in result.output and "not a file inside the output folder" in result.output
    assert "Traceback" not in result.output


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_recorded_output_that_is_not_a_regular_file_is_never_read(built):
    app, out = built
    os.mkfifo(out / "chen" / "pipe.pdf")
    edit_manifest(out, lambda raw: raw["records"]["chen"]["outputs"].update({"chen/pipe.pdf": "0" * 64}))
    result = run(*COMMANDS["send"](app, out))
    assert result.exit_code == 2 and "not a regular file" in result.output, result.output


@pytest.mark.parametrize("key, value", [("outputs", ["chen/Anh_Nguyen_LOR_Packet.pdf"]), ("formats", "pdf"),
                                        ("key", 7), ("report", [])])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_value_of_the_wrong_type_is_a_located_error(built, command, key, value):
    app, out = built
    edit_manifest(out, lambda raw: raw["records"]["chen"].update({key: value}))
    result = run(*COMMANDS[command](app, out))
    assert result.exit_code == 2, result.output
    assert f"{MANIFEST_NAME}:{line_of(out, json.dumps(key) + ':')}: [records.chen.{key}] should be" in result.output
    assert "delete it" in result.output and "internal error" not in result.output


@pytest.mark.parametrize("change, message", [({"bogus": 1}, "holds 'bogus', which no build writes"),
                                             ({"pages": "three"}, "should be a number, not a string")])
def test_a_recorded_report_the_build_reads_back_is_checked_too(built, change, message):
    app, out = built
    edit_manifest(out, lambda raw: raw["records"]["chen"]["report"].update(change))
    # another writer as well, so the build plans again and reads chen's recorded report back
    result = run("build", str(app), "--out", str(out), "--writer", "chen", "--writer", "okafor", "--format", "pdf")
    assert result.exit_code == 2, result.output
    assert f"[records.chen.report.{next(iter(change))}] {message}" in result.output
    assert "internal error" not in result.output


def test_records_of_the_wrong_type_are_a_located_error(built):
    app, out = built
    edit_manifest(out, lambda raw: raw.update({"records": ["chen"]}))
    with pytest.raises(InputError, match="should be an object, not a list"):
        check_manifest(out)


def test_the_manifest_the_build_wrote_passes_and_unchanged_stays_unchanged(built):
    app, out = built
    check_manifest(out)
    result = run(*COMMANDS["build"](app, out))
    assert result.exit_code == 0 and "unchanged" in result.output, result.output


def test_an_attachment_linked_to_a_device_is_never_read(built):
    app, out = built
    packet = next((out / "chen").glob("*.pdf"))
    packet.unlink()
    packet.symlink_to("/dev/zero")
    result = run("email", str(app), "--writer", "chen", "--out", str(out))
    assert result.exit_code == 2 and "not a file inside the output folder" in result.output, result.output


def test_reading_an_output_stops_at_its_limit(tmp_path):
    (tmp_path / "big.pdf").write_bytes(b"x" * 2048)
    assert read_output(tmp_path, "big.pdf", 4096) == b"x" * 2048
    assert read_output(tmp_path, "missing.pdf", 4096) is None
    with pytest.raises(InputError, match="larger than"):
        read_output(tmp_path, "big.pdf", 1024)
    for name in ("", ".", "nul\x00.pdf", "../big.pdf"):
        with pytest.raises(InputError, match="not a file inside the output folder"):
            read_output(tmp_path, name, 4096)
