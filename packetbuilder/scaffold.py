"""``init``: a new application folder, copied from the sample application.

A newcomer learns the format fastest from a complete, working example they can edit,
as with ``rendercv new``: the sample's packet.toml explains every field in comments,
and its CV, statement, notes and program list show each convention in use. The sample
in ``samples/`` is the one source of truth; a wheel carries a copy of it as
``packetbuilder/starter`` (made by setup.py at build time), a source checkout uses it
directly.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .config import json_schema, parse_config
from .errors import InputError, Problem, WorkError
from .outputs import ensure_dir, write_atomic
from .textfiles import CONFIG_NAME

SCHEMA_NAME = "packet.schema.json"
SCHEMA_DIRECTIVE = f"#:schema ./{SCHEMA_NAME}\n"
_SKIPPED = {"build", "__pycache__"}


def starter_folder() -> Path:
    """Where the sample application is: inside an installed wheel, or in the checkout."""
    packaged = resources.files("packetbuilder") / "starter"
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parent.parent / "samples"
    if (checkout / CONFIG_NAME).is_file():
        return checkout
    raise WorkError(Problem("packetbuilder", "the sample application is missing from this installation",
                            "reinstall packetbuilder (pip install --force-reinstall packetbuilder)"))


def starter_files(source: Path) -> list[Path]:
    """The sample's files, relative and sorted; outputs, caches and hidden files are left out."""
    files = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and not any(p in _SKIPPED or p.startswith(".") for p in relative.parts):
            files.append(relative)
    return files


@dataclass(frozen=True)
class Created:
    """What ``init`` made: the folder, its files, and a writer to try ``preview`` with."""

    folder: Path
    files: list[Path]
    first_writer: str

    def next_steps(self) -> list[str]:
        """The three commands to run next, with the folder quoted for the shell."""
        where = shlex.quote(str(self.folder))
        return [f"packetbuilder check {where}",
                f"packetbuilder build {where}",
                f"packetbuilder preview {where} --writer {self.first_writer}"]


def create_application(folder: Path, source: Path | None = None) -> Created:
    """Copy the sample into ``folder``, which must not exist or be empty; never overwrite.

    The copy also gets ``packet.schema.json`` and a ``#:schema`` line at the top of
    packet.toml, so editors with Taplo (e.g. VS Code's Even Better TOML) complete and
    check keys as the user types.
    """
    source = source or starter_folder()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(Problem(str(folder), "already exists and is not empty; init never overwrites",
                                 f"give init a new folder, e.g. `packetbuilder init {folder.name}-2`"))
    files = starter_files(source)
    ensure_dir(folder)
    for relative in files:
        data = (source / relative).read_bytes()
        if relative == Path(CONFIG_NAME):
            data = SCHEMA_DIRECTIVE.encode() + data
        write_atomic(folder / relative, data)
    schema = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    write_atomic(folder / SCHEMA_NAME, schema.encode("utf-8"))
    config = parse_config((folder / CONFIG_NAME).read_text(encoding="utf-8"))
    first = config.writers[0].id if config.writers else "ID"
    return Created(folder, files + [Path(SCHEMA_NAME)], first)
