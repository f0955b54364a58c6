"""`build --watch`: which writers a change concerns, one line per rebuild, clean Ctrl-C."""

from __future__ import annotations

from pathlib import Path

from packetbuilder.build import BuildReport, WriterReport
from packetbuilder.config import load_config
from packetbuilder.errors import InputError, Problem
from packetbuilder.watch import affected_writers, changed_names, watch_folders

ALL = ("chen", "okafor", "lee", "wisniewski")


def test_a_change_concerns_the_writers_who_read_that_file(sample: Path) -> None:
    config = load_config(sample)
    assert affected_writers(config, ["notes/okafor.md"]) == ("okafor",)
    assert affected_writers(config, ["notes/okafor.md", "notes/chen.md"]) == ("chen", "okafor")
    assert affected_writers(config, ["statements/im.md"]) == ALL  # every sample writer is on the im track
    for shared in ("cv.md", "packet.toml", "goals.md", "programs.csv", "templates/request.j2"):
        assert affected_writers(config, [shared]) == ALL
    assert affected_writers(config, ["cv.md"], only=("lee",)) == ("lee",)
    assert affected_writers(config, ["notes/okafor.md"], only=("lee",)) == ()
    assert affected_writers(config, ["README.txt"]) == ()


def test_changed_names_include_new_and_deleted_files() -> None:
    before = {"cv.md": (1, 10), "notes/chen.md": (1, 5), "goals.md": None}
    after = {"cv.md": (1, 10), "notes/chen.md": None, "goals.md": (2, 3)}
    assert changed_names(before, after) == ["goals.md", "notes/chen.md"]


class Script:
    """A stand-in for time.sleep that edits files between polls, then presses Ctrl-C."""

    def __init__(self, steps):
        self.steps = list(steps)

    def __call__(self, seconds: float) -> None:
        if not self.steps:
            raise KeyboardInterrupt
        self.steps.pop(0)()


def run_watch(sample: Path, steps, rebuild=None) -> tuple[list[str], list[tuple[str, ...]]]:
    lines: list[str] = []
    calls: list[tuple[str, ...]] = []

    def fake_rebuild(folder: Path, ids: tuple[str, ...]) -> BuildReport:
        calls.append(ids)
        return BuildReport(str(folder), "out", [WriterReport(i, pages=3) for i in ids])

    watch_folders([sample], rebuild or fake_rebuild, lines.append, sleep=Script(steps), clock=lambda: "12:00:00")
    return lines, calls


def nothing() -> None:
    pass


def test_one_save_is_one_rebuild_of_the_affected_writer_and_ctrl_c_stops(sample: Path) -> None:
    notes = sample / "notes" / "okafor.md"
    lines, calls = run_watch(sample, [lambda: notes.write_text(notes.read_text() + "\nMore.\n"), nothing, nothing])
    assert calls == [("okafor",)]
    assert lines == [f"watching {sample} for changes; press Ctrl-C to stop",
                     "12:00:00 notes/okafor.md changed → rebuilt okafor (3 p.)",
                     "stopped watching"]


def test_a_burst_of_saves_settles_into_one_rebuild(sample: Path) -> None:
    cv, notes = sample / "cv.md", sample / "notes" / "lee.md"
    lines, calls = run_watch(sample, [lambda: cv.write_text(cv.read_text() + "\n- **New**, 2026\n"),
                                      lambda: notes.write_text(notes.read_text() + "\nMore.\n"), nothing])
    assert calls == [ALL]
    assert lines[1].startswith("12:00:00 cv.md, notes/lee.md changed → rebuilt chen (3 p.), okafor (3 p.)")


def test_a_broken_save_prints_the_error_and_keeps_watching(sample: Path) -> None:
    config = sample / "packet.toml"
    good = config.read_text(encoding="utf-8")
    lines, calls = run_watch(sample, [lambda: config.write_text(good.replace("[applicant]", "[aplicant]")), nothing,
                                      lambda: config.write_text(good + "\n"), nothing])
    assert "packet.toml changed → error: packet.toml" in lines[1] and "fix it and save again" in lines[1]
    assert calls == [ALL]
    assert lines[2] == "12:00:00 packet.toml changed → rebuilt " + ", ".join(f"{w} (3 p.)" for w in ALL)
    assert lines[-1] == "stopped watching"


def test_a_failed_rebuild_is_one_line_too(sample: Path) -> None:
    cv = sample / "cv.md"

    def failing(folder: Path, ids: tuple[str, ...]) -> BuildReport:
        raise InputError([Problem("cv.md", "is not UTF-8", "save it as UTF-8", 3), Problem("cv.md", "again")])

    lines, _ = run_watch(sample, [lambda: cv.write_bytes(b"\xff"), nothing], failing)
    assert lines[1] == ("12:00:00 cv.md changed → error: cv.md:3: is not UTF-8 — save it as UTF-8 "
                        "(and 1 more; run `packetbuilder check`); fix it and save again")


def test_build_watch_rebuilds_into_the_build_folder(sample: Path, tmp_path: Path, monkeypatch) -> None:
    """The command wires a rebuild of the chosen writers into --out; Ctrl-C exits 0."""
    from click.testing import CliRunner

    from packetbuilder.cli import main

    seen = {}

    def fake_watch(folders, rebuild, echo, only):
        seen["folders"], seen["only"] = folders, only
        seen["report"] = rebuild(folders[0], ("okafor",))
        echo("stopped watching")

    monkeypatch.setattr("packetbuilder.watch.watch_folders", fake_watch)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(sample), "--writer", "okafor", "--out", str(out), "--watch"])
    assert result.exit_code == 0, result.output
    assert seen["folders"] == [sample] and seen["only"] == ("okafor",)
    assert [w.writer for w in seen["report"].writers] == ["okafor"]
    assert (out / "okafor" / "request.eml").is_file()
    assert result.output.rstrip().endswith("stopped watching")
