"""The command line: click commands only. Each parses options, calls one function, prints.

Errors from the work come up as :class:`PacketError` and are printed as
``error: <file>:<line>: <what> — <how to fix>`` with exit 2 (invalid input) or 1
(failed work); nothing reaches the user as a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import PacketError

FOLDER = click.Path(file_okay=False, path_type=Path)


def reports_errors(command):
    """Print PacketErrors as one line per problem and exit with their code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except PacketError as exc:
            for problem in exc.problems:
                click.secho(f"error: {problem.render()}", fg="red", err=True)
            sys.exit(exc.exit_code)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="packetbuilder")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Build tailored letter-of-recommendation request packets for residency applications.

    \b
    Start here:
      packetbuilder init my-application    # a complete, commented example to edit
      packetbuilder build my-application   # packets into my-application/build
    """
    # Colour only helps on a terminal; click already drops it when output is piped,
    # and NO_COLOR (https://no-color.org) asks for none at all.
    if os.environ.get("NO_COLOR"):
        ctx.color = False


@main.command()
@click.argument("dirs", nargs=-1, type=FOLDER)
@click.option("--writer", "writers", multiple=True, metavar="ID", help="Only this writer (repeatable).")
@click.option("--out", type=click.Path(path_type=Path), help="Output folder (default DIR/build).")
@click.option("--format", "formats", default="pdf,docx", show_default=True, help="Comma-separated: pdf,docx.")
@reports_errors
def build(dirs: tuple[Path, ...], writers: tuple[str, ...], out: Path | None, formats: str) -> None:
    """Build each writer's packet (PDF and DOCX) into --out.

    \b
    Example:
      packetbuilder build my-application --writer chen
    """
    from .build import build_application, parse_formats

    chosen = parse_formats(formats)
    dirs = dirs or (Path("."),)
    failed = False
    for folder in dirs:
        target = out / folder.name if out and len(dirs) > 1 else out
        report = build_application(folder, target, writers, chosen)
        for entry in report.writers:
            click.echo(entry.summary())
        click.echo(f"wrote {report.out}")
        failed |= report.failed
    sys.exit(1 if failed else 0)


@main.command()
def schema() -> None:
    """Print the JSON Schema of packet.toml (for editor validation and completion).

    \b
    Example:
      packetbuilder schema > packet.schema.json
    """
    from .config import json_schema

    click.echo(json.dumps(json_schema(), indent=2, ensure_ascii=False))


@main.command()
@click.argument("folder", metavar="DIR", type=FOLDER)
@reports_errors
def init(folder: Path) -> None:
    """Create a new application folder from the commented sample; never overwrites.

    \b
    Example:
      packetbuilder init my-application
    """
    from .scaffold import create_application

    created = create_application(folder)
    click.echo(f"created {folder}: " + ", ".join(str(p) for p in created.files))
    click.echo("next:")
    for command in created.next_steps():
        click.echo(f"  {command}")
    click.echo("then make it yours: edit packet.toml (every key is explained there), cv.md and notes/.")
