"""``build --watch``: rebuild the writers a saved source concerns, until Ctrl-C.

Editing a CV and rebuilding by hand is the slow loop rendercv's watch mode removes, and
the wait after a save is what the student feels: rebuilding one writer costs tens of
milliseconds, so the watch must not add a polling interval or a fixed settling delay
on top. Saves arrive as file-system events (inotify, FSEvents, ReadDirectoryChangesW,
through watchdog); only where the system offers none does watchdog poll instead.

A save is acted on when it is complete: where the system reports a file closed after
writing (inotify) that is the signal, so an editor's truncate-then-write is one save;
elsewhere a modification is. Bursts coalesce without a timer: every event already
waiting is taken with the first, and saves that land during a rebuild are taken
together once it is done. Events only wake the loop; what changed is decided by
comparing each source's modification time and size with the last build's, so an event
for the build's own output, or for a file no build reads, rebuilds nothing.

Which writers a change concerns is a pure function of the config: a writer's notes
concern that writer, a track's statement concerns the writers on that track, and
everything else (packet.toml, the CV, goals, programs, e-mail templates) concerns all.
"""

from __future__ import annotations

import os
import queue
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import (EVENT_TYPE_CLOSED, EVENT_TYPE_CREATED, EVENT_TYPE_DELETED, EVENT_TYPE_MODIFIED,
                             EVENT_TYPE_MOVED, FileSystemEvent, FileSystemEventHandler)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from .build import BuildReport
from .config import Config, load_config
from .errors import PacketError
from .sources import notes_name
from .textfiles import CONFIG_NAME, TEMPLATES

POLL_INTERVAL = 0.2  # seconds between scans, only where the system reports no file events
WAKE = 1.0  # seconds: how often a wait for events wakes up, so that Ctrl-C is always seen

Stamp = tuple[int, int] | None  # (mtime_ns, size), or None for a missing file
Rebuild = Callable[[Path, tuple[str, ...]], BuildReport]
Changes = Iterable[dict[Path, set[str]]]  # batches of saves: folder → names relative to it


def _merge(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    return None if a is None or b is None else a | b


def source_map(config: Config) -> dict[str, frozenset[str] | None]:
    """Each source file (relative to the folder) → the writer ids it concerns; None = all."""
    app = config.application
    sources: dict[str, frozenset[str] | None] = {CONFIG_NAME: None, app.cv: None, app.goals or "goals.md": None}
    if app.programs:
        sources[app.programs] = None
    for track in config.tracks:
        if track.statement:
            ids = frozenset(w.id for w in config.writers if config.track_of(w).id == track.id)
            sources[track.statement] = _merge(sources.get(track.statement, frozenset()), ids)
    for writer in config.writers:
        name = notes_name(writer)
        sources[name] = _merge(sources.get(name, frozenset()), frozenset({writer.id}))
    return sources


def affected_writers(config: Config, changed: Iterable[str], only: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The writers to rebuild for these changed files, in packet.toml order, within ``only``."""
    sources = source_map(config)
    wanted: frozenset[str] | None = frozenset()
    for name in changed:
        concerns = None if name.startswith(TEMPLATES + "/") else sources.get(name, frozenset())
        wanted = _merge(wanted, concerns)
    return tuple(w.id for w in config.writers
                 if (wanted is None or w.id in wanted) and (not only or w.id in only))


def snapshot(folder: Path, names: Iterable[str]) -> dict[str, Stamp]:
    """Modification time and size of each named file and of every file under templates/."""
    stamps: dict[str, Stamp] = {}
    templates = folder / TEMPLATES
    extra = [str(p.relative_to(folder)) for p in sorted(templates.rglob("*")) if p.is_file()] \
        if templates.is_dir() else []
    for name in [*names, *extra]:
        try:
            info = os.stat(folder / name)
            stamps[name] = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamps[name] = None
    return stamps


def changed_names(before: dict[str, Stamp], after: dict[str, Stamp]) -> list[str]:
    return sorted(n for n in before.keys() | after.keys() if before.get(n) != after.get(n))


def report_line(changed: list[str], report: BuildReport) -> str:
    """One line per rebuild: what changed and, per writer, the pages or the failure."""
    done = ", ".join(f"{w.writer} FAILED ({w.error})" if w.error else f"{w.writer} ({w.pages} p.)"
                     for w in report.writers)
    return f"{', '.join(changed)} changed → rebuilt {done or 'nothing'}"


def error_line(changed: list[str], exc: PacketError) -> str:
    more = len(exc.problems) - 1
    return (f"{', '.join(changed)} changed → error: {exc.problems[0].render()}"
            + (f" (and {more} more; run `packetbuilder check`)" if more else "") + "; fix it and save again")


class FileEvents:
    """Saves under the watched folders, as batches: folder → the names (relative to it)
    that events were reported for.

    ``polling`` forces the scanning observer; it is also used when the system's event
    source cannot start (e.g. the inotify watch limit is reached)."""

    def __init__(self, folders: list[Path], polling: bool = False) -> None:
        self._events: queue.SimpleQueue[tuple[Path, str]] = queue.SimpleQueue()
        self._folders = folders
        try:
            self._observer = self._start(PollingObserver(timeout=POLL_INTERVAL) if polling else Observer())
        except OSError:
            self._observer = self._start(PollingObserver(timeout=POLL_INTERVAL))
        # inotify reports a file closed after writing: the end of a save. Other sources
        # report modifications only, so there a modification must count.
        complete = {EVENT_TYPE_CLOSED} if type(self._observer).__module__.endswith(".inotify") else \
            {EVENT_TYPE_MODIFIED, EVENT_TYPE_CREATED}
        self._signals = complete | {EVENT_TYPE_MOVED, EVENT_TYPE_DELETED}

    def _start(self, observer: BaseObserver) -> BaseObserver:
        for folder in self._folders:
            observer.schedule(_Forward(self, folder), str(folder), recursive=True)
        observer.start()
        return observer

    def put(self, folder: Path, event: FileSystemEvent) -> None:
        """Called on the observer's thread for every event under ``folder``."""
        if event.event_type not in self._signals:
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            if path:
                self._events.put((folder, Path(os.path.relpath(os.fsdecode(path), folder)).as_posix()))

    def wait(self, timeout: float | None = None) -> dict[Path, set[str]]:
        """The next batch: the first event (waiting up to ``timeout`` seconds for it; an
        empty batch if none came) and every event already queued behind it."""
        try:
            pending = [self._events.get(timeout=timeout)]
        except queue.Empty:
            return {}
        while True:
            try:
                pending.append(self._events.get_nowait())
            except queue.Empty:
                break
        batch: dict[Path, set[str]] = {}
        for folder, name in pending:
            batch.setdefault(folder, set()).add(name)
        return batch

    def __iter__(self) -> Iterator[dict[Path, set[str]]]:
        while True:
            batch = self.wait(WAKE)
            if batch:
                yield batch

    def close(self) -> None:
        self._observer.stop()
        self._observer.join(5)


class _Forward(FileSystemEventHandler):
    def __init__(self, events: FileEvents, folder: Path) -> None:
        self.events, self.folder = events, folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.events.put(self.folder, event)


@dataclass
class _Watched:
    """What is known about one application folder between rebuilds."""

    folder: Path
    config: Config
    stamps: dict[str, Stamp] = field(default_factory=dict)

    def names(self) -> list[str]:
        return list(source_map(self.config))

    def poll(self) -> dict[str, Stamp]:
        return snapshot(self.folder, self.names())


def _step(watched: _Watched, rebuild: Rebuild, only: tuple[str, ...]) -> str | None:
    """After events in one folder: None if no source changed, else the line to print."""
    stamps = watched.poll()
    changed = changed_names(watched.stamps, stamps)
    if not changed:
        return None
    watched.stamps = stamps
    try:
        if CONFIG_NAME in changed:
            watched.config = load_config(watched.folder)
            watched.stamps = watched.poll()  # the config may name other files now
        ids = affected_writers(watched.config, changed, only)
        if not ids:
            return None
        return report_line(changed, rebuild(watched.folder, ids))
    except PacketError as exc:
        return error_line(changed, exc)


def watch_folders(folders: list[Path], rebuild: Rebuild, echo: Callable[[str], None], only: tuple[str, ...] = (),
                  changes: Changes | None = None,
                  clock: Callable[[], str] = lambda: time.strftime("%H:%M:%S")) -> None:
    """Rebuild what each saved source concerns; return on Ctrl-C. ``changes`` are the
    batches of saves (default: the folders' file-system events)."""
    watched = {}
    for folder in folders:
        item = _Watched(folder, load_config(folder))
        item.stamps = item.poll()
        watched[folder] = item
    events = FileEvents(folders) if changes is None else None
    echo(f"watching {', '.join(str(f) for f in folders)} for changes; press Ctrl-C to stop")
    try:
        for batch in changes if events is None else events:
            for folder, item in watched.items():
                line = _step(item, rebuild, only) if batch.get(folder) else None
                if line:
                    where = f"{item.folder}: " if len(watched) > 1 else ""
                    echo(f"{clock()} {where}{line}")
    except KeyboardInterrupt:
        echo("stopped watching")
    finally:
        if events is not None:
            events.close()
