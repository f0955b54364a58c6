"""Incremental builds: an unchanged writer is skipped without touching its files, and
every kind of input that reaches a writer's outputs makes it rebuild."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from packetbuilder.cli import main
from packetbuilder.incremental import MANIFEST_NAME, application_inputs, writer_inputs
from packetbuilder.sources import load_application

WRITERS = ("chen", "okafor", "lee", "wisniewski")


def build(sample: Path, out: Path, *args: str) -> list[str]:
    """Run `build` in-process; the summary lines it printed."""
    result = CliRunner().invoke(main, ["build", str(sample), "--out", str(out), "--jobs", "1", *args])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()


def built(lines: list[str]) -> set[str]:
    """The writers a build reports as built (not `unchanged`)."""
    return {line.split(":")[0] for line in lines if line.split(":")[0] in WRITERS and ": unchanged" not in line}


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``out`` with its inode and modification time: a rewrite changes both."""
    return {str(p.relative_to(out)): (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}


@pytest.fixture
def built_once(sample: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    assert built(build(sample, out, "--format", "pdf")) == set(WRITERS)
    return out


def test_unchanged_rebuild_rewrites_nothing(sample: Path, built_once: Path) -> None:
    before = stamps(built_once)
    lines = build(sample, built_once, "--format", "pdf")
    assert built(lines) == set()
    assert lines[-1].endswith(f"0 built, 4 unchanged, 0 failed → {built_once}")
    assert stamps(built_once) == before


def test_editing_one_writers_notes_rebuilds_only_that_writer(sample: Path, built_once: Path) -> None:
    chen_pdf = built_once / "chen" / "Anh_Nguyen_LOR_Packet.pdf"
    untouched = chen_pdf.stat().st_mtime_ns
    with open(sample / "notes" / "lee.md", "a", encoding="utf-8") as notes:
        notes.write("\n- Stayed late to finish a discharge summary with the family.\n")
    assert built(build(sample, built_once, "--format", "pdf")) == {"lee"}
    assert chen_pdf.stat().st_mtime_ns == untouched


def test_shared_sources_rebuild_every_writer(sample: Path, built_once: Path) -> None:
    cv = sample / "cv.md"
    cv.write_text(cv.read_text("utf-8") + "\n", "utf-8")
    assert built(build(sample, built_once, "--format", "pdf")) == set(WRITERS)


def test_a_new_template_file_rebuilds(sample: Path, built_once: Path) -> None:
    """Optional inputs count when they appear, before any manifest names them."""
    (sample / "templates").mkdir()
    (sample / "templates" / "reminder.j2").write_text("Dear {{ salutation }},\n", "utf-8")
    assert built(build(sample, built_once, "--format", "pdf")) == set(WRITERS)


def test_force_rebuilds_every_writer(sample: Path, built_once: Path) -> None:
    assert built(build(sample, built_once, "--format", "pdf", "--force")) == set(WRITERS)


def test_a_deleted_or_edited_output_is_rebuilt(sample: Path, built_once: Path) -> None:
    (built_once / "okafor" / "Anh_Nguyen_LOR_Packet.pdf").unlink()
    (built_once / "lee" / "Anh_Nguyen_LOR_Packet.pdf").write_bytes(b"%PDF-1.4 edited by hand")
    assert built(build(sample, built_once, "--format", "pdf")) == {"okafor", "lee"}


def test_other_formats_rebuild_and_their_order_does_not(sample: Path, built_once: Path) -> None:
    assert built(build(sample, built_once, "--format", "pdf,docx", "--writer", "chen")) == {"chen"}
    assert (built_once / "chen" / "Anh_Nguyen_LOR_Packet.docx").is_file()
    assert built(build(sample, built_once, "--format", "docx,pdf", "--writer", "chen")) == set()


def test_a_lost_manifest_rebuilds_safely(sample: Path, built_once: Path) -> None:
    (built_once / MANIFEST_NAME).write_text("{not json", "utf-8")
    assert built(build(sample, built_once, "--format", "pdf")) == set(WRITERS)
    assert built(build(sample, built_once, "--format", "pdf")) == set()


def test_source_date_epoch_is_an_input(sample: Path, tmp_path: Path) -> None:
    """It sets the DOCX dates, so a different value must rebuild (in a fresh process,
    as the toolchain hash is computed once per process)."""
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "packetbuilder", "build", str(sample), "--out", str(out), "--writer", "chen",
            "--format", "docx", "--jobs", "1"]
    first = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "0"})
    docx = (out / "chen" / "Anh_Nguyen_LOR_Packet.docx").read_bytes()
    second = subprocess.run(argv, capture_output=True, text=True, env={**os.environ, "SOURCE_DATE_EPOCH": "86400"})
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert "1 built, 0 unchanged" in second.stdout
    assert (out / "chen" / "Anh_Nguyen_LOR_Packet.docx").read_bytes() != docx


def test_a_writers_inputs_leave_out_other_writers_notes(sample: Path) -> None:
    app = load_application(sample)
    names = writer_inputs(app, app.config.writer("chen"), application_inputs(app))
    assert "notes/chen.md" in names
    assert not any(n.startswith("notes/") and n != "notes/chen.md" for n in names)
    assert {"packet.toml", "cv.md", "statements/im.md", "goals.md", "programs.csv"} <= set(names)


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def test_a_save_during_the_build_is_never_recorded_as_built(sample: Path, tmp_path: Path, monkeypatch) -> None:
    """The build hashes the bytes it built from. A save landing after the
    sources were read must leave the writer stale, so the next build makes the PDF of
    the new text instead of calling the old one "unchanged"."""
    import packetbuilder.build as build_module

    notes = sample / "notes" / "chen.md"
    read = build_module.load_application

    def read_then_save(folder: Path):
        app = read(folder)
        notes.write_text(notes.read_text("utf-8") + "\n- Zanzibar quartet rehearsal.\n", "utf-8")
        return app

    out = tmp_path / "out"
    monkeypatch.setattr(build_module, "load_application", read_then_save)
    build(sample, out, "--format", "pdf", "--writer", "chen")
    monkeypatch.setattr(build_module, "load_application", read)
    assert "Zanzibar" not in pdf_text(out / "chen" / "Anh_Nguyen_LOR_Packet.pdf")
    assert built(build(sample, out, "--format", "pdf", "--writer", "chen")) == {"chen"}
    assert "Zanzibar" in pdf_text(out / "chen" / "Anh_Nguyen_LOR_Packet.pdf")


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_fifo_or_device_under_templates_neither_hangs_nor_eats_memory(sample: Path, tmp_path: Path,
                                                                       kind: str) -> None:
    """Hashing templates/ reads regular files only. Run in a child process
    with a memory cap and a time limit, so that a regression fails instead of hanging."""
    import resource

    templates = sample / "templates"
    templates.mkdir()
    if kind == "fifo":
        os.mkfifo(templates / "request.j2")
    else:
        (templates / "request.j2").symlink_to("/dev/zero")

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    argv = [sys.executable, "-m", "packetbuilder", "build", str(sample), "--out", str(tmp_path / "out"),
            "--writer", "chen", "--format", "pdf", "--jobs", "1"]
    for _ in range(2):  # the first build, then the unchanged check that hashes from the manifest
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, preexec_fn=cap_memory)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "0 built, 1 unchanged" in done.stdout


def test_a_writer_left_out_of_the_last_build_is_not_current_after_a_shared_edit(sample: Path,
                                                                             built_once: Path) -> None:
    """current_record answers from the manifest alone (for preview): a writer the last
    build did not look at may be stale although the manifest's inputs are the disk's."""
    from packetbuilder.incremental import current_record

    assert current_record(sample, built_once, "chen") is not None
    cv = sample / "cv.md"
    cv.write_text(cv.read_text("utf-8") + "\n", "utf-8")
    assert current_record(sample, built_once, "chen") is None
    build(sample, built_once, "--format", "pdf", "--writer", "lee")
    assert current_record(sample, built_once, "lee") is not None
    assert current_record(sample, built_once, "chen") is None
    (sample / "goals.md").unlink()  # a file gone: the names of the folder changed
    assert current_record(sample, built_once, "lee") is None
