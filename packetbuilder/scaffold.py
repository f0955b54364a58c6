"""``init``: a new application folder, copied from the sample application or started
from the student's own CV.

A newcomer learns the format fastest from a complete, working example they can edit,
as with ``rendercv new``: the sample's packet.toml explains every field in comments,
and its CV, statement, notes and program list show each convention in use. The sample
in ``samples/`` is the one source of truth; a wheel carries a copy of it as
``packetbuilder/starter`` (made by setup.py at build time), a source checkout uses it
directly.

A student who already has a CV (``init DIR --cv CV.docx|CV.md``) gets that CV as
cv.md (a Word file imported, :mod:`.docx_import`) and a packet.toml with their name
and contact filled in and no one else's writers (:mod:`.starter_config`).
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .config import json_schema, parse_config
from .docx_import import DEFAULT_NAME, Converted, convert
from .errors import InputError, Problem, WorkError
from .import_report import sidecar_for
from .outputs import ensure_dir, write_atomic
from .starter_config import ApplicantFacts, starter_texts
from .textfiles import CONFIG_NAME, read_text

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
    first_writer: str  # "" when the folder has no writer yet (made from the student's CV)
    facts: ApplicantFacts | None = None  # what the student's CV gave packet.toml
    imported: Converted | None = None  # the Word CV's import, with what it guessed

    def next_steps(self) -> list[str]:
        """The commands to run next, with the folder quoted for the shell."""
        where = shlex.quote(str(self.folder))
        steps = [f"packetbuilder check {where}", f"packetbuilder build {where}"]
        return steps + ([f"packetbuilder preview {where} --writer {self.first_writer}"] if self.first_writer else [])


def create_application(folder: Path, source: Path | None = None) -> Created:
    """Copy the sample into ``folder``, which must not exist or be empty; never overwrite.

    The copy also gets ``packet.schema.json`` and a ``#:schema`` line at the top of
    packet.toml, so editors with Taplo (e.g. VS Code's Even Better TOML) complete and
    check keys as the user types.
    """
    source = source or starter_folder()
    _refuse_existing(folder)
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


def _refuse_existing(folder: Path) -> None:
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InputError(Problem(str(folder), "already exists and is not empty; init never overwrites",
                                 f"give init a new folder, e.g. `packetbuilder init {folder.name}-2`"))


def _is_word_file(path: Path) -> bool:
    """A Word file by its name, or by its first bytes (a zip or an OLE file) whatever its name."""
    if path.suffix.lower() in (".docx", ".docm", ".dotx", ".doc"):
        return True
    if path.suffix.lower() in (".md", ".markdown", ".txt"):
        return False
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError:
        return False
    return head.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))


def create_from_cv(folder: Path, cv: Path, source: Path | None = None) -> Created:
    """A new application around the student's own CV: ``cv`` (a Word file, imported, with
    its import report beside it; or Markdown, copied) as cv.md, and a packet.toml made
    from the sample's with the CV's name and contact filled in, a commented writer
    template and no sample writers (:func:`.starter_config.own_config`). Nothing is
    written until the CV has been read; the folder must not exist or be empty.
    """
    _refuse_existing(folder)
    imported = None
    if _is_word_file(cv):
        imported = convert(cv)
        cv_text = imported.markdown
    else:
        cv_text = read_text(cv.parent, cv.name, cv)
    sample = (source or starter_folder()) / CONFIG_NAME
    config_text, facts = starter_texts(sample.read_text(encoding="utf-8"), cv_text)
    parse_config(config_text)  # a starter that does not load would be a bug here, not the student's
    written = {Path(DEFAULT_NAME): cv_text.encode("utf-8"), Path(CONFIG_NAME): (SCHEMA_DIRECTIVE + config_text).encode(),
               Path(SCHEMA_NAME): (json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")}
    if imported is not None:
        written[sidecar_for(Path(DEFAULT_NAME))] = imported.report.to_json()
    ensure_dir(folder)
    for relative, data in written.items():
        write_atomic(folder / relative, data)
    return Created(folder, sorted(written), "", facts, imported)
