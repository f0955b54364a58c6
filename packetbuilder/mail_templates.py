"""The e-mail templates: found inside their own folders only, and run within limits.

An adviser building a class runs templates other people wrote, so a template is
treated as untrusted code. Two roots are searched, the application's ``templates/``
first, then the package's own templates, by one loader with one rule: a name is a
relative path without ``..``, and what it names must resolve (symlinks included)
inside the root it was found in and be a regular file of bounded size. A name that
breaks the rule is an error naming it, never a reason to look elsewhere: falling back
to another root with an unchecked name is how ``../`` once read a private file.

Rendering is bounded too: every ``{% for %}`` counts its steps against one budget per
e-mail, and the budget also carries a deadline, so nested ``range(100000)`` loops
stop with an error naming the template instead of running for hours.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.sandbox import SandboxedEnvironment

from .errors import InputError, Problem
from .textfiles import TEMPLATES, read_regular

PACKAGE_TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_TEMPLATE_BYTES = 256 * 1024  # the package's largest template is 5 KB
MAX_LOOP_STEPS = 100_000  # per e-mail; the package's templates take fewer than 200
MAX_RENDER_SECONDS = 10.0
_BUDGET_FILTER = "_loop_budget"


class UnsafeTemplateName(Exception):
    """A template asked for by a name that would leave its folder (``../x``, ``/etc/x``)."""

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


class TemplateLimit(Exception):
    """A template ran past its budget of loop steps or of time."""


def _parts(name: str) -> tuple[str, ...]:
    """The folders and file of a template name, or UnsafeTemplateName if it could leave its root."""
    path = PurePosixPath(name.replace("\\", "/"))
    if not name or "\x00" in name or path.is_absolute() or ":" in name or ".." in path.parts:
        raise UnsafeTemplateName(name)
    return tuple(part for part in path.parts if part != ".")


@dataclass(frozen=True)
class TemplateRoot:
    """One folder of templates and how its templates are named in messages."""

    folder: Path
    prefix: str  # "templates/" or "built-in template "

    def label(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def find(self, name: str) -> Path | None:
        """The regular file ``name`` names inside this root, or None if there is none.

        A name that resolves outside the root (a symlink out) or to something that is
        not a regular file (a folder, a FIFO, a device) is an error, not a miss."""
        candidate = self.folder.joinpath(*_parts(name))
        if not os.path.lexists(candidate):
            return None
        root = self.folder.resolve()
        if root != self.folder.parent.resolve() / self.folder.name:
            raise InputError(Problem(self.label(name), f"is in a folder linked from elsewhere ({self.folder.name} is a "
                                                       "link)", f"make {self.folder.name} a real folder"))
        target = candidate.resolve()
        if root not in target.parents:
            raise InputError(Problem(self.label(name), "leads outside its templates folder (a link out of it)",
                                     "copy the template into the folder instead of linking to it"))
        if not target.is_file() or not stat.S_ISREG(target.stat().st_mode):
            raise InputError(Problem(self.label(name), "is not a regular file",
                                     "templates are text files; remove it or replace it with one"))
        return target

    def read(self, name: str, path: Path) -> str:
        """The template's text: at most MAX_TEMPLATE_BYTES of UTF-8 from a regular file."""
        label = self.label(name)
        data = read_regular(path, label, MAX_TEMPLATE_BYTES, "templates are text files; remove it or replace it with one",
                            follow=False)
        if len(data) > MAX_TEMPLATE_BYTES:
            raise InputError(Problem(label, f"is larger than {MAX_TEMPLATE_BYTES // 1024} KB, too large for an "
                                            "e-mail template", "keep a template to the text of one e-mail"))
        if b"\x00" in data:
            raise InputError(Problem(label, "is a binary file, not text", "save the template as UTF-8 text"))
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(Problem(label, "is not UTF-8", "save it as UTF-8 (in most editors: Save As → UTF-8)",
                                     data[: exc.start].count(b"\n") + 1)) from None


def template_roots(folder: Path) -> tuple[TemplateRoot, ...]:
    """Where templates are looked up, in order: the application's overrides, then the package's."""
    return (TemplateRoot(folder / TEMPLATES, f"{TEMPLATES}/"),
            TemplateRoot(PACKAGE_TEMPLATES, "built-in template "))


def locate(roots: Iterable[TemplateRoot], name: str) -> tuple[TemplateRoot, Path] | None:
    """The first root that holds ``name``, with the file's path, or None."""
    for root in roots:
        path = root.find(name)
        if path is not None:
            return root, path
    return None


class TemplateLoader(jinja2.BaseLoader):
    """Jinja's loader over :func:`template_roots`; the file name Jinja records for a
    template is its label, so errors and tracebacks name ``templates/request.j2``."""

    def __init__(self, roots: tuple[TemplateRoot, ...]):
        self.roots = roots

    def get_source(self, environment: jinja2.Environment, template: str
                   ) -> tuple[str, str, Callable[[], bool]]:
        found = locate(self.roots, template)
        if found is None:
            raise jinja2.TemplateNotFound(template)
        root, path = found
        return root.read(template, path), root.label(template), lambda: True


class _Budget:
    """The loop steps and the time left to one e-mail's rendering."""

    def __init__(self) -> None:
        self.steps = MAX_LOOP_STEPS
        self.deadline = time.monotonic() + MAX_RENDER_SECONDS

    def count(self, items: Any) -> Iterator[Any]:
        for item in items:
            self.steps -= 1
            if self.steps < 0:
                raise TemplateLimit(f"its loops ran more than {MAX_LOOP_STEPS:,} steps")
            if time.monotonic() > self.deadline:
                raise TemplateLimit(f"it ran longer than {MAX_RENDER_SECONDS:.0f} seconds")
            yield item


class LimitedEnvironment(SandboxedEnvironment):
    """The sandbox, with every ``{% for %}`` drawing on the environment's budget.

    The loops are rewritten as the template is parsed (``for x in items`` becomes
    ``for x in items|_loop_budget``), so no template can opt out; an environment
    serves one e-mail, so each e-mail has the whole budget.
    """

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.filters[_BUDGET_FILTER] = _Budget().count

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Filter(loop.iter, _BUDGET_FILTER, [], [], None, None, lineno=loop.iter.lineno)
        return tree
