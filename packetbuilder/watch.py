"""``build --watch``: rebuild the writers a saved source concerns, until Ctrl-C.

Editing a CV and rebuilding by hand is the slow loop rendercv's watch mode removes.
The sources are a handful of small files, so polling their modification times twice
a second costs nothing measurable and needs no dependency. Only the files packet.toml
names (plus the default notes and goals paths, and templates/) are watched: the build
writes elsewhere, so its own output can never trigger a rebuild.

Which writers a change concerns is a pure function of the config: a writer's notes
concern that writer, a track's statement concerns the writers on that track, and
everything else (packet.toml, the CV, goals, programs, e-mail templates) concerns all.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .build import BuildReport
from .config import Config, load_config
from .errors import PacketError
from .sources import notes_name
from .textfiles import CONFIG_NAME

TEMPLATES = "templates"
INTERVAL = 0.5  # seconds between polls
SETTLE_ROUNDS = 10  # editors save in bursts; wait at most this many polls for quiet

Stamp = tuple[int, int] | None  # (mtime_ns, size), or None for a missing file
Rebuild = Callable[[Path, tuple[str, ...]], BuildReport]


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


@dataclass
class _Watched:
    """What is known about one application folder between polls."""

    folder: Path
    config: Config
    stamps: dict[str, Stamp] = field(default_factory=dict)

    def names(self) -> list[str]:
        return list(source_map(self.config))

    def poll(self) -> dict[str, Stamp]:
        return snapshot(self.folder, self.names())


def _settle(watched: _Watched, sleep: Callable[[float], None], interval: float) -> dict[str, Stamp]:
    """Snapshots until two in a row agree, so one save is one rebuild."""
    current = watched.poll()
    for _ in range(SETTLE_ROUNDS):
        sleep(interval)
        again = watched.poll()
        if again == current:
            break
        current = again
    return current


def _step(watched: _Watched, rebuild: Rebuild, only: tuple[str, ...], sleep: Callable[[float], None],
          interval: float) -> str | None:
    """One poll of one folder: None if nothing changed, else the line to print."""
    if watched.poll() == watched.stamps:
        return None
    stamps = _settle(watched, sleep, interval)
    changed = changed_names(watched.stamps, stamps)
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
                  interval: float = INTERVAL, sleep: Callable[[float], None] = time.sleep,
                  clock: Callable[[], str] = lambda: time.strftime("%H:%M:%S")) -> None:
    """Poll the folders' sources and rebuild what a change concerns; return on Ctrl-C."""
    watched = []
    for folder in folders:
        item = _Watched(folder, load_config(folder))
        item.stamps = item.poll()
        watched.append(item)
    echo(f"watching {', '.join(str(f) for f in folders)} for changes; press Ctrl-C to stop")
    try:
        while True:
            sleep(interval)
            for item in watched:
                line = _step(item, rebuild, only, sleep, interval)
                if line:
                    where = f"{item.folder}: " if len(watched) > 1 else ""
                    echo(f"{clock()} {where}{line}")
    except KeyboardInterrupt:
        echo("stopped watching")
