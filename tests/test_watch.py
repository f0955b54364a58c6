"""`build --watch`: which writers a change concerns, one line per rebuild, clean Ctrl-C."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from packetbuilder.build import BuildReport, WriterReport
from packetbuilder.config import load_config
from packetbuilder.errors import InputError, Problem
from packetbuilder.watch import FileEvents, affected_writers, changed_names, watch_folders

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


def script(sample: Path, steps) -> Iterator[dict[Path, set[str]]]:
    """Stand-in file events: each step edits files and names what the events would
    report; after the last, Ctrl-C."""
    for step in steps:
        yield {sample: set(step())}
    raise KeyboardInterrupt


def run_watch(sample: Path, steps, rebuild=None) -> tuple[list[str], list[tuple[str, ...]]]:
    lines: list[str] = []
    calls: list[tuple[str, ...]] = []

    def fake_rebuild(folder: Path, ids: tuple[str, ...]) -> BuildReport:
        calls.append(ids)
        return BuildReport(str(folder), "out", [WriterReport(i, pages=3) for i in ids])

    watch_folders([sample], rebuild or fake_rebuild, lines.append, changes=script(sample, steps),
                  clock=lambda: "12:00:00")
    return lines, calls


def save(sample: Path, name: str, text: str | bytes) -> Callable[[], list[str]]:
    """A step that saves ``text`` as ``name`` (appended to what is there, for str)."""
    def step() -> list[str]:
        path = sample / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
        return [name]
    return step


def test_one_save_is_one_rebuild_of_the_affected_writer_and_ctrl_c_stops(sample: Path) -> None:
    lines, calls = run_watch(sample, [save(sample, "notes/okafor.md", "\nMore.\n"),
                                      lambda: ["notes/okafor.md"]])  # an event, but no new save: nothing
    assert calls == [("okafor",)]
    assert lines == [f"watching {sample} for changes; press Ctrl-C to stop",
                     "12:00:00 notes/okafor.md changed → rebuilt okafor (3 p.)",
                     "stopped watching"]


def test_a_burst_of_saves_in_one_batch_is_one_rebuild(sample: Path) -> None:
    def burst() -> list[str]:
        return save(sample, "cv.md", "\n- **New**, 2026\n")() + save(sample, "notes/lee.md", "\nMore.\n")()

    lines, calls = run_watch(sample, [burst])
    assert calls == [ALL]
    assert lines[1].startswith("12:00:00 cv.md, notes/lee.md changed → rebuilt chen (3 p.), okafor (3 p.)")


def test_events_for_files_no_build_reads_rebuild_nothing(sample: Path) -> None:
    """The build's own output under the folder sends events too."""
    def output() -> list[str]:
        (sample / "build").mkdir()
        (sample / "build" / "report.txt").write_text("x", encoding="utf-8")
        return ["build/report.txt"]

    lines, calls = run_watch(sample, [output, save(sample, "README.txt", b"notes to self")])
    assert calls == [] and len(lines) == 2


def test_a_broken_save_prints_the_error_and_keeps_watching(sample: Path) -> None:
    config = sample / "packet.toml"
    good = config.read_text(encoding="utf-8")
    lines, calls = run_watch(sample, [save(sample, "packet.toml", good.replace("[applicant]", "[aplicant]").encode()),
                                      save(sample, "packet.toml", (good + "\n").encode())])
    assert "packet.toml changed → error: packet.toml" in lines[1] and "fix it and save again" in lines[1]
    assert calls == [ALL]
    assert lines[2] == "12:00:00 packet.toml changed → rebuilt " + ", ".join(f"{w} (3 p.)" for w in ALL)
    assert lines[-1] == "stopped watching"


def test_a_failed_rebuild_is_one_line_too(sample: Path) -> None:
    def failing(folder: Path, ids: tuple[str, ...]) -> BuildReport:
        raise InputError([Problem("cv.md", "is not UTF-8", "save it as UTF-8", 3), Problem("cv.md", "again")])

    lines, _ = run_watch(sample, [save(sample, "cv.md", b"\xff")], failing)
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


@pytest.mark.parametrize("polling", [False, True], ids=["events", "polling"])
def test_file_events_report_a_save_at_once_and_a_burst_together(tmp_path: Path, polling: bool) -> None:
    """The real event source, on this system's events and on the polling fallback: a
    save is reported without a fixed wait, with every event queued behind it."""
    (tmp_path / "notes").mkdir()
    events = FileEvents([tmp_path], polling=polling)
    try:
        for name in ("cv.md", "notes/chen.md"):  # an editor's save: truncate, write, close
            with open(tmp_path / name, "w", encoding="utf-8") as handle:
                handle.write("text\n")
        seen: set[str] = set()
        deadline = time.monotonic() + 10
        while not {"cv.md", "notes/chen.md"} <= seen and time.monotonic() < deadline:
            seen |= events.wait(timeout=1.0).get(tmp_path, set())
        assert {"cv.md", "notes/chen.md"} <= seen
    finally:
        events.close()


def test_two_saves_under_watch_end_with_the_pdf_of_the_second(sample: Path, tmp_path: Path, monkeypatch) -> None:
    """The second save lands while the first one's rebuild is reading the
    sources. Its event comes after that rebuild, which must then build the second text
    (not find the writer "unchanged" and print "rebuilt" over the first's PDF)."""
    from pypdf import PdfReader

    import packetbuilder.build as build_module
    from packetbuilder.build import build_application

    out = tmp_path / "out"
    build_application(sample, out, ("chen",), ("pdf",))
    notes = sample / "notes" / "chen.md"
    read = build_module.load_application

    def read_then_save_again(folder: Path):
        app = read(folder)
        monkeypatch.setattr(build_module, "load_application", read)
        notes.write_text(notes.read_text("utf-8") + "\n- Second edit: Zanzibar quartet.\n", "utf-8")
        return app

    def first_save() -> list[str]:
        notes.write_text(notes.read_text("utf-8") + "\n- First edit: Kilimanjaro trip.\n", "utf-8")
        monkeypatch.setattr(build_module, "load_application", read_then_save_again)
        return ["notes/chen.md"]

    lines, _ = run_watch(sample, [first_save, lambda: ["notes/chen.md"]],
                         lambda folder, ids: build_application(folder, out, ids, ("pdf",)))
    text = "".join(page.extract_text() for page in PdfReader(out / "chen" / "Anh_Nguyen_LOR_Packet.pdf").pages)
    assert "Kilimanjaro" in text and "Zanzibar" in text, lines
