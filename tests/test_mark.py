"""``mark``: a writer's status set in packet.toml in place, comments kept, bad moves refused."""

from __future__ import annotations

import difflib
import os
import stat

from click.testing import CliRunner

from packetbuilder.cli import main
from packetbuilder.sources import load_application


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_mark_changes_only_the_writers_keys_and_keeps_every_comment(sample):
    toml = sample / "packet.toml"
    os.chmod(toml, 0o644)
    before = toml.read_text("utf-8")
    result = run("mark", str(sample), "wisniewski", "asked", "--on", "2026-08-05")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "wisniewski: status planned → asked; asked 2026-08-05"
    after = toml.read_text("utf-8")
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    removed = [line[2:] for line in diff if line.startswith("- ")]
    added = [line[2:] for line in diff if line.startswith("+ ")]
    assert removed == ['status = "planned"'] and added == ['status = "asked"', "asked = 2026-08-05"]
    assert stat.S_IMODE(os.stat(toml).st_mode) == 0o644
    writer = load_application(sample).config.writer("wisniewski")
    assert writer.status == "asked" and str(writer.asked) == "2026-08-05"
    status = run("status", str(sample), "--today", "2026-08-06")
    assert "wisniewski" in status.output and "asked" in status.output.split("wisniewski", 1)[1].split("\n")[0]


def test_a_letter_id_is_recorded_beside_the_status(sample):
    assert run("mark", str(sample), "lee", "agreed", "--letter-id", "LOR-1111-2222").exit_code == 0
    writer = load_application(sample).config.writer("lee")
    assert (writer.status, writer.letter_id) == ("agreed", "LOR-1111-2222")


def test_impossible_moves_are_refused_and_nothing_is_written(sample):
    toml = sample / "packet.toml"
    before = toml.read_bytes()
    result = run("mark", str(sample), "wisniewski", "thanked")
    assert result.exit_code == 2
    assert "wisniewski cannot go from planned to thanked" in result.output
    assert "from planned a writer can become: asked, agreed, declined" in result.output
    assert toml.read_bytes() == before
    assert run("mark", str(sample), "nobody", "asked").exit_code == 2
    assert toml.read_bytes() == before


def test_marking_the_same_status_again_changes_nothing(sample):
    before = (sample / "packet.toml").read_bytes()
    result = run("mark", str(sample), "chen", "agreed")
    assert result.exit_code == 0 and "already agreed, nothing changed" in result.output
    assert (sample / "packet.toml").read_bytes() == before


def test_in_the_application_folder_the_folder_can_be_left_out(sample, monkeypatch):
    os.chmod(sample / "packet.toml", 0o644)
    monkeypatch.chdir(sample)
    result = run("mark", "lee", "uploaded")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "lee: status asked → uploaded"
    assert load_application(sample).config.writer("lee").status == "uploaded"
    wrong = run("mark", "lee")
    assert wrong.exit_code == 2 and "give the writer's id and the new status" in wrong.output
