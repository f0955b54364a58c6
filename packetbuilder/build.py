"""Orchestration of ``build``: which writers, which formats, where the files go.

This is where the pure stages (assemble → lay out → render) meet the file system.
The report it returns is what the CLI prints and what goes to build-report.json.

A build reads each application folder once, skips every writer whose inputs are
unchanged (see :mod:`.incremental`), and builds the rest — of all folders together —
in worker processes, one writer per task (one application of a few writers is built
in this process, where workers do not pay for themselves); results are put back in
packet.toml order, so output and reports never depend on which worker finished first.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .config import Writer
from .errors import InputError, PacketError, Problem, WorkError
from .fit import FitReport, TooLong, fit
from .formatting import packet_stem
from .incremental import (MANIFEST_NAME, REPORT_NAME, FolderSummary, Manifest, WriterRecord, application_inputs,
                          digest, file_digest, folder_listing, format_set, split_formats, toolchain, writer_inputs,
                          writer_key)
from .mail import compose, eml_bytes, eml_name
from .model import Document, Entry, Section, walk_sections
from .outputs import check_out_dir, ensure_dir, write_atomic
from .packet import assemble, entry_text, finish, statement_section, writer_marking
from .sources import Application, load_application

if TYPE_CHECKING:  # reportlab is imported only when a packet is built
    from concurrent.futures import ProcessPoolExecutor

    from .render.pdf import Typesetter

FORMATS = ("pdf", "docx", "eml")


@dataclass
class WriterReport:
    """One writer's line of the build report, and their part of build-report.json.

    ``marked`` gives each marked CV entry with why it is marked (see :mod:`.marking`);
    ``not_marked`` the weak matches the cap left unmarked; ``condensed`` the entries
    printed with their first line only; ``trimmed`` what was cut."""

    writer: str
    pages: int = 0
    highlighted: list[str] = field(default_factory=list)
    trimmed: list[str] = field(default_factory=list)
    statement_shortened: bool = False
    files: list[str] = field(default_factory=list)
    error: str = ""
    marked: list[dict[str, object]] = field(default_factory=list)
    not_marked: list[str] = field(default_factory=list)
    condensed: list[str] = field(default_factory=list)
    cover_shared: bool = False
    tightened: int = 0

    def summary(self) -> str:
        if self.error:
            return f"{self.writer}: FAILED — {self.error}"
        trimmed = "; ".join(self.trimmed) if self.trimmed else "nothing"
        condensed = sum(len(c.split(": ", 1)[1].split("; ")) for c in self.condensed)
        extra = "".join(x for x in (f"; condensed {condensed} {'entry' if condensed == 1 else 'entries'}"
                                    if condensed else "",
                                    "; cover shares its page" if self.cover_shared else "",
                                    f"; tightened (step {self.tightened})" if self.tightened else ""))
        count = len(self.highlighted)
        return (f"{self.writer}: {self.pages} page{'' if self.pages == 1 else 's'}; highlighted {count} "
                f"entr{'y' if count == 1 else 'ies'}; trimmed: {trimmed}{extra}")


@dataclass
class BuildReport:
    folder: str
    out: str
    writers: list[WriterReport] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)  # writers skipped as up to date (not in the JSON)
    problems: list[Problem] = field(default_factory=list)  # why the folder failed (not in the JSON)

    @property
    def failed(self) -> bool:
        return bool(self.problems) or any(w.error for w in self.writers)

    def to_json(self) -> bytes:
        """build-report.json: what each writer's files hold. Whether this run rebuilt or
        skipped them is left out, so an unchanged rebuild leaves the file as it was."""
        data = {"folder": self.folder, "out": self.out, "writers": [asdict(w) for w in self.writers]}
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")

    def summary(self) -> FolderSummary:
        lines = [f"{w.writer}: unchanged" if w.writer in self.unchanged else w.summary() for w in self.writers]
        failed = sum(1 for w in self.writers if w.error)
        return FolderSummary(self.folder, lines, built=len(self.writers) - len(self.unchanged) - failed,
                             skipped=len(self.unchanged), failed=failed,
                             problems=[self._located(p).render() for p in self.problems])

    def _located(self, problem: Problem) -> Problem:
        """The problem with its file named from the application folder, so the lines of a
        whole class say which folder they are about."""
        if problem.file.startswith("-") or Path(problem.file).is_absolute():
            return problem
        return replace(problem, file=str(Path(self.folder) / problem.file))


def highlighted_entries(document: Document) -> list[str]:
    return [entry_text(b) for s in walk_sections(document.sections) for b in s.blocks
            if isinstance(b, Entry) and b.highlight]


def build_packet(app: Application, writer: Writer, typesetter: Typesetter | None = None) -> tuple[Document, FitReport]:
    """The final packet for one writer, fitted to the page limit, with page numbers on its
    cover sheet, and what fitting did.

    Fitting measures with the PDF writer's own layout, and its last layout gives the
    section starts. The cover sheet is exactly one page, so filling in the page numbers
    cannot move anything that follows it. Raises :class:`TooLong` when what may not be
    cut exceeds the limit. Pass the ``typesetter`` that will draw the PDF, so that drawing
    reuses the fit's paragraphs.
    """
    from .render.pdf import Typesetter

    settings = app.config.application
    typesetter = typesetter or Typesetter(settings.page_size)
    goals = statement_section(app.goals, "goals") if app.goals is not None else None

    def rebuild(parts: list[Section], cover_alone: bool) -> Document:
        return finish(app, writer, parts, cover_alone=cover_alone)

    fitted, report = fit(assemble(app, writer), writer, settings.page_limit, typesetter.layout, rebuild, goals)
    parts = [s for s in fitted.sections if s.key != "request"]
    final = finish(app, writer, parts, report.starts, cover_alone=not report.cover_shared)
    return replace(final, density=report.density), report


def render(document: Document, fmt: str, page_size: str, typesetter: Typesetter | None = None) -> bytes:
    if fmt == "pdf":
        from .render.pdf import Typesetter

        return (typesetter or Typesetter(page_size)).render(document)
    from .render.docx import render_docx

    return render_docx(document, page_size)


def select_writers(app: Application, ids: tuple[str, ...] | list[str]) -> list[Writer]:
    if not ids:
        return list(app.config.writers)
    return [app.config.writer(i) for i in ids]


def parse_formats(text: str) -> tuple[str, ...]:
    chosen = split_formats(text)
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise InputError(Problem("--format", f"unknown format {', '.join(unknown) or '(none)'}",
                                 f"use a comma-separated list of {', '.join(FORMATS)}"))
    return chosen


@lru_cache(maxsize=1)
def typesetter_for(folder: Path, page_size: str) -> Typesetter:
    """The typesetter for an application's packets, kept while this process builds it.

    Every packet of an application shares most of its paragraphs (the CV, the
    statement), so sharing one typesetter saves each packet after the first about a
    quarter of its fit and PDF time. Only the latest application's is kept, so that a
    worker building a whole class holds one application's paragraphs at a time."""
    from .render.pdf import Typesetter

    return Typesetter(page_size)


def build_writer(app: Application, writer: Writer, out: Path, formats: tuple[str, ...]) -> WriterReport:
    """Build one writer's files into ``out/<writer id>`` and report what went into them."""
    stem = packet_stem(app.config.applicant.short_name)
    page_size = app.config.application.page_size
    entry = WriterReport(writer.id)
    typesetter = typesetter_for(app.folder, page_size)
    try:
        document, fitted = build_packet(app, writer, typesetter)
    except TooLong as exc:  # this writer fails; the others still build
        entry.error = "; ".join(f"{p.message} — {p.fix}" for p in exc.problems)
        return entry
    entry.pages, entry.trimmed = fitted.pages, fitted.trimmed()
    entry.statement_shortened = fitted.statement_shortened
    entry.highlighted = highlighted_entries(document)
    marking = writer_marking(app, writer)
    entry.marked = [{"section": m.section, "entry": entry_text(m.entry), "reasons": [str(r) for r in m.reasons]}
                    for m in marking.marked]
    entry.not_marked = [entry_text(m.entry) for m in marking.over_cap]
    entry.condensed = [str(c) for c in fitted.condensed]
    entry.cover_shared, entry.tightened = fitted.cover_shared, fitted.density
    target = ensure_dir(out / writer.id)
    for fmt in (f for f in formats if f != "eml"):
        data = render(document, fmt, page_size, typesetter)
        path = target / f"{stem}.{fmt}"
        write_atomic(path, data)
        entry.files.append(str(path.relative_to(out)))
    if "eml" in formats:  # after the packet files, which the request attaches
        path = target / eml_name("request")
        write_atomic(path, eml_bytes(compose(app, writer, "request", target)))
        entry.files.append(str(path.relative_to(out)))
    return entry


@dataclass
class _Failure:
    """A PacketError raised in a worker, carried back as data: a pickled PacketError
    would lose its problems' files and lines."""

    kind: type[PacketError]
    problems: list[Problem]


def _build_task(app: Application, writer_id: str, out: Path, formats: tuple[str, ...]) -> WriterReport | _Failure:
    """One unit of work for a worker process: one writer's files."""
    try:
        return build_writer(app, app.config.writer(writer_id), out, formats)
    except PacketError as exc:
        return _Failure(type(exc), exc.problems)


def _warm() -> None:
    """Load both writers, the fonts and the style sheet (the caches in fonts.py and
    styles.py keep them; the e-mail module comes with this one). Done in the parent just
    before the worker processes start, so that forked workers inherit all of it instead
    of each loading it again (about half a second of CPU per worker here); and as each
    worker's initializer, which costs nothing after a fork and loads them where workers
    are spawned instead."""
    from .render import docx, fonts, pdf  # noqa: F401
    from .render.styles import load_styles

    fonts.register()
    load_styles()


def _start_worker() -> None:
    """Each worker's initializer: end with the parent, then :func:`_warm`.

    A thread waits on the parent's sentinel, which multiprocessing gives every child,
    forked or spawned: it becomes ready only when the parent is gone, however it went
    (SIGKILL and SIGTERM run no clean-up). The worker then exits at once instead of
    building on, or waiting forever for work nobody will collect."""
    threading.Thread(target=_end_with_parent, name="lifeline", daemon=True).start()
    _warm()


def _end_with_parent() -> None:
    from multiprocessing import parent_process
    from multiprocessing.connection import wait

    parent = parent_process()
    if parent is not None:
        wait([parent.sentinel])
        os._exit(1)


def _worker_pool(stack: contextlib.ExitStack, workers: int) -> ProcessPoolExecutor:
    """A pool of worker processes that end with this one (see :func:`_start_worker`)."""
    from concurrent.futures import ProcessPoolExecutor

    _warm()
    return stack.enter_context(ProcessPoolExecutor(workers, initializer=_start_worker))


# One application with at most this many writers to build is built in this process.
# Measured on a shared 2-CPU machine (`make bench`, `make profile`), two workers for
# the sample's five writers took 1.48 s of CPU against 1.23 s in-process, and 3.1 s of
# wall time against 2.1 s: each worker lays the CV out afresh instead of reusing the
# first writer's paragraphs, and forking pays in page faults; on an idle machine the
# workers gained under a tenth for four writers. A class always uses the workers.
IN_PROCESS_WRITERS = 6


def workers_for_one(jobs: int, writers: int) -> int:
    """Worker processes for one application's ``writers``: none (1) unless there are
    enough writers for the workers to pay for themselves."""
    return 1 if writers <= IN_PROCESS_WRITERS else min(jobs, writers)


def default_jobs() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@dataclass
class _Plan:
    """One application folder: what the manifest knew, what to skip, what to build."""

    folder: Path
    out: Path
    report: BuildReport
    app: Application | None = None  # None: the folder could not be read
    manifest: Manifest = field(default_factory=Manifest)
    inputs: dict[str, str] = field(default_factory=dict)
    keys: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # writer → (key, its inputs)
    todo: list[str] = field(default_factory=list)  # writers to build, in packet.toml order
    results: dict[str, WriterReport | _Failure] = field(default_factory=dict)
    failure: type[PacketError] | None = None

    def place_results(self) -> None:
        """Put each built writer's report where its placeholder is, in packet.toml order."""
        for index, entry in enumerate(self.report.writers):
            result = self.results.get(entry.writer)
            if isinstance(result, _Failure):
                self.failure = self.failure or result.kind
                self.report.problems.extend(result.problems)
            elif result is not None:
                self.report.writers[index] = result


def _plan(folder: Path, out: Path, writer_ids: tuple[str, ...], formats: tuple[str, ...], force: bool) -> _Plan:
    app = load_application(folder)
    check_out_dir(out, [folder] + [p.parent for p in app.files.values()])
    ensure_dir(out)
    plan = _Plan(folder, out, BuildReport(str(folder), str(out)), app, Manifest.load(out), application_inputs(app))
    writers = {w.id: w for w in select_writers(app, writer_ids)}  # a repeated --writer builds once
    for writer in writers.values():
        names = writer_inputs(app, writer, plan.inputs)
        key = writer_key(writer.id, names, plan.inputs, formats)
        plan.keys[writer.id] = (key, names)
        record = None if force else plan.manifest.current(out, writer.id, key)
        if record is None:
            plan.todo.append(writer.id)
            plan.report.writers.append(WriterReport(writer.id))  # replaced by the result
        else:  # the same key means the same code recorded this report
            plan.report.unchanged.append(writer.id)
            plan.report.writers.append(WriterReport(**record.report))
    return plan


Progress = Callable[[int, int], None]  # (writers done, writers in all)


def _collect(plans: list[_Plan], futures: dict, formats: tuple[str, ...], progress: Progress | None,
             several: bool) -> None:
    """Wait for the writers sent to worker processes, or build them here when none were."""
    total = sum(len(plan.report.writers) for plan in plans)
    done = total - sum(len(plan.todo) for plan in plans)

    def store(plan: _Plan, writer_id: str, result: WriterReport | _Failure) -> None:
        nonlocal done
        plan.results[writer_id] = result
        done += 1
        if progress:
            progress(done, total)

    if progress:
        progress(done, total)
    if futures:
        from concurrent.futures import as_completed

        for future in as_completed(futures):
            plan, writer_id = futures[future]
            store(plan, writer_id, _contained(plan, several, future.result))
    else:
        for plan in plans:
            for writer_id in plan.todo:
                store(plan, writer_id, _contained(plan, several, _build_task, plan.app, writer_id, plan.out, formats))
    for plan in plans:
        plan.place_results()


def _escapes(several: bool, exc: Exception) -> bool:
    """Whether an exception in one folder's build ends the whole run: with one folder it
    always does (the CLI reports it); in a class only a bug under PACKETBUILDER_DEBUG,
    so that every other folder still ends with its summary, report and manifest."""
    return not several or (not isinstance(exc, PacketError) and bool(os.environ.get("PACKETBUILDER_DEBUG")))


def _problems_of(folder: Path, exc: Exception) -> list[Problem]:
    """A folder's failure as its problems; a bug is worded as cli.py words any internal error."""
    if isinstance(exc, PacketError):
        return exc.problems
    return [Problem(str(folder.resolve()), f"internal error ({type(exc).__name__}: {exc})",
                    "this is a bug; please report it with the command you ran (PACKETBUILDER_DEBUG=1 shows the "
                    "details)")]


def _contained(plan: _Plan, several: bool, call: Callable, *args) -> WriterReport | _Failure:
    """One writer's result; in a class, an exception fails only this writer's folder."""
    try:
        return call(*args)
    except Exception as exc:
        if _escapes(several, exc):
            raise
        return _Failure(type(exc) if isinstance(exc, PacketError) else WorkError, _problems_of(plan.folder, exc))


def _write_if_changed(path: Path, data: bytes) -> None:
    if file_digest(path) != digest(data):
        write_atomic(path, data)


def _finish(plan: _Plan, formats: tuple[str, ...]) -> None:
    """Write the report and record what was built in the manifest, each only if it changed."""
    manifest, out, config = plan.manifest, plan.out, plan.app.config
    for entry in plan.report.writers:
        if entry.error:
            manifest.records.pop(entry.writer, None)
        elif entry.writer in plan.todo:
            key, names = plan.keys[entry.writer]
            outputs = {name: file_digest(out / name) or "" for name in entry.files}
            manifest.records[entry.writer] = WriterRecord(key, format_set(formats), names, outputs, asdict(entry))
    manifest.writers = [w.id for w in config.writers]
    manifest.records = {k: v for k, v in manifest.records.items() if k in manifest.writers}
    report = plan.report.to_json()
    _write_if_changed(out / REPORT_NAME, report)
    manifest.folder, manifest.toolchain, manifest.inputs = str(plan.folder.resolve()), toolchain(), plan.inputs
    manifest.listing = folder_listing(plan.folder, out)
    manifest.requested = [w.writer for w in plan.report.writers]
    manifest.report = digest(report)
    _write_if_changed(out / MANIFEST_NAME, manifest.to_json())


def build_folders(targets: list[tuple[Path, Path]], writer_ids: tuple[str, ...] = (),
                  formats: tuple[str, ...] = FORMATS, jobs: int = 1, force: bool = False,
                  progress: Progress | None = None) -> list[BuildReport]:
    """Build application folders, each ``(folder, out)``, skipping unchanged writers
    unless ``force``; one report per folder, in the order given.

    With several folders (an adviser's class) a folder that cannot be read or built is
    reported in its BuildReport's ``problems`` and the others still build; with one,
    its error is raised, as from any command. A class with ``jobs`` > 1 gives each worker
    whole folders (see :func:`_class_folder`); ``progress`` then counts folders.
    """
    if len(targets) > 1 and jobs > 1:
        return _build_class(targets, writer_ids, formats, jobs, force, progress)
    return _build_here(targets, writer_ids, formats, jobs, force, progress, several=len(targets) > 1)


def _build_class(targets: list[tuple[Path, Path]], writer_ids: tuple[str, ...], formats: tuple[str, ...],
                 jobs: int, force: bool, progress: Progress | None) -> list[BuildReport]:
    """A class, each folder read, built and recorded whole by one worker. Read here, the
    folders cost this process 40 ms of CPU each (reading the Markdown) while the workers
    waited for it on the same CPUs, and each was pickled to a worker after."""
    reports: list[BuildReport | None] = [None] * len(targets)
    with contextlib.ExitStack() as stack:
        pool = _worker_pool(stack, min(jobs, len(targets)))
        futures = {pool.submit(_class_folder, folder, out, writer_ids, formats, force): number
                   for number, (folder, out) in enumerate(targets)}
        if progress:
            progress(0, len(targets))
        from concurrent.futures import as_completed

        for done, future in enumerate(as_completed(futures), 1):
            reports[futures[future]] = future.result()
            if progress:
                progress(done, len(targets))
    return [report for report in reports if report is not None]


def _class_folder(folder: Path, out: Path, writer_ids: tuple[str, ...], formats: tuple[str, ...],
                  force: bool) -> BuildReport:
    """A class's unit of work in a worker: one folder, as part of a class (its failure is
    its report's, and every other folder still ends with its own)."""
    return _build_here([(folder, out)], writer_ids, formats, 1, force, None, several=True)[0]


def _build_here(targets: list[tuple[Path, Path]], writer_ids: tuple[str, ...], formats: tuple[str, ...],
                jobs: int, force: bool, progress: Progress | None, several: bool) -> list[BuildReport]:
    """Build the folders from this process, one application's writers in workers when
    there are enough of them (:func:`workers_for_one`); ``several``: as part of a class."""
    plans: list[_Plan] = []
    futures: dict = {}  # Future → (plan, writer id)
    with contextlib.ExitStack() as stack:
        pool = None
        for folder, out in targets:
            try:
                plan = _plan(folder, out, writer_ids, formats, force)
            except Exception as exc:
                if _escapes(several, exc):
                    raise
                plan = _Plan(folder, out, BuildReport(str(folder), str(out), problems=_problems_of(folder, exc)))
            plans.append(plan)
            workers = workers_for_one(jobs, len(plan.todo))
            if plan.todo and workers > 1:
                if pool is None:
                    pool = _worker_pool(stack, workers)
                futures.update({pool.submit(_build_task, plan.app, writer_id, out, formats): (plan, writer_id)
                                for writer_id in plan.todo})
        _collect(plans, futures, formats, progress, several)
    for plan in plans:
        if plan.app is None:
            continue
        if plan.failure is None:
            try:
                _finish(plan, formats)
            except Exception as exc:
                if _escapes(several, exc):
                    raise
                plan.report.problems.extend(_problems_of(plan.folder, exc))
        elif not several:
            raise plan.failure(plan.report.problems)
    return [plan.report for plan in plans]


def build_application(folder: Path, out: Path | None = None, writer_ids: tuple[str, ...] = (),
                      formats: tuple[str, ...] = FORMATS, *, jobs: int = 1, force: bool = False) -> BuildReport:
    """Build the packets of one application folder into ``out`` (default ``folder/build``),
    skipping writers whose inputs are unchanged."""
    return build_folders([(folder, out or folder / "build")], writer_ids, formats, jobs, force)[0]
