"""The command line: click commands only. Each parses options, calls one function, prints.

Errors from the work come up as :class:`PacketError` and are printed as
``error: <file>:<line>: <what> — <how to fix>`` with exit 2 (invalid input) or 1
(failed work); nothing reaches the user as a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import sys
from pathlib import Path

import click

from . import __version__
from .errors import InputError, PacketError, Problem

FOLDER = click.Path(file_okay=False, path_type=Path)


def reports_errors(command):
    """Print PacketErrors as one line per problem and exit with their code.

    Anything else that escapes a command is a bug in packetbuilder, not the user's
    doing: they get one line saying so and how to report it (exit 1), never a
    traceback. ``PACKETBUILDER_DEBUG=1`` lets the exception through, for developers.
    """

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except PacketError as exc:
            for problem in exc.problems:
                click.secho(f"error: {problem.render()}", fg="red", err=True)
            sys.exit(exc.exit_code)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:
            click.secho("error: packetbuilder: interrupted — every file already written is complete; "
                        "run the command again to finish", fg="red", err=True)
            sys.exit(130)
        except Exception as exc:
            if os.environ.get("PACKETBUILDER_DEBUG"):
                raise
            click.secho(f"error: packetbuilder: internal error ({type(exc).__name__}: {exc}) — this is a bug; "
                        "please report it with the command you ran (PACKETBUILDER_DEBUG=1 shows the details)",
                        fg="red", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
@click.option("--format", "formats", default="pdf,docx,eml", show_default=True,
              help="Comma-separated: pdf,docx,eml (eml: the request e-mail with the packet attached).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), metavar="N",
              help="Worker processes building writers in parallel (default: the number of CPUs).")
@click.option("--force", is_flag=True, help="Rebuild every writer, even those whose inputs are unchanged.")
@click.option("--watch", is_flag=True, help="Then rebuild the writers a saved source concerns, until Ctrl-C.")
@reports_errors
def build(dirs: tuple[Path, ...], writers: tuple[str, ...], out: Path | None, formats: str, jobs: int | None,
          force: bool, watch: bool) -> None:
    """Build each writer's packet (PDF and DOCX) and request e-mail (request.eml) into --out.

    A writer whose inputs are unchanged since the last build into --out is skipped
    without touching its files (--force rebuilds it). Several DIRs build a whole class,
    one subfolder of --out per application; a folder that fails does not stop the others.

    \b
    Examples:
      packetbuilder build my-application --writer chen
      packetbuilder build class/* --out class-packets --jobs 2
      packetbuilder build my-application --watch   # rebuild on every save
    """
    from .incremental import output_folders, split_formats, unchanged_summaries
    from .manifest_check import check_manifest, report_shape
    from .outputs import remove_stale_parts

    dirs = dirs or (Path("."),)
    targets = output_folders(dirs, out)
    for _, target in targets:
        check_manifest(target)
        remove_stale_parts(target)  # what a killed build left, before anything else: it may hold personal data
    # An unchanged rebuild is answered from the manifest, without loading the pipeline.
    summaries = None if force else unchanged_summaries(targets, writers, split_formats(formats))
    if summaries is None:
        from .build import WriterReport, build_folders, default_jobs, parse_formats

        for _, target in targets:  # the build reads each unchanged writer's report back
            check_manifest(target, report_shape(WriterReport))

        with _progress_bar() as progress:
            reports = build_folders(targets, writers, parse_formats(formats), jobs or default_jobs(), force, progress)
        summaries = [report.summary() for report in reports]
    for (_, target), summary in zip(targets, summaries):
        if len(targets) > 1:
            click.echo(f"{summary.folder}:")
        for line in summary.lines:
            click.echo(("  " if len(targets) > 1 else "") + line)
        for problem in summary.problems:
            click.secho(f"error: {problem}", fg="red", err=True)
        if len(targets) == 1:
            click.echo(f"{summary.summary()} → {target}")
    if len(targets) > 1:
        click.echo("summary:")
        for summary in summaries:
            click.echo(f"  {summary.summary()}")
    failed = any(summary.failed or summary.problems for summary in summaries)
    if watch:
        from .build import build_application, parse_formats
        from .watch import watch_folders

        chosen, outs = parse_formats(formats), dict(targets)
        watch_folders(list(dirs), lambda folder, ids: build_application(folder, outs[folder], ids, chosen),
                      click.echo, writers)
    sys.exit(1 if failed else 0)


@contextlib.contextmanager
def _progress_bar():
    """One progress bar, on a terminal only: over the writers, or over the folders of a
    class that workers build a folder at a time."""
    if not sys.stderr.isatty():
        yield None
        return
    with contextlib.ExitStack() as stack:
        bar = None

        def update(done: int, total: int) -> None:
            nonlocal bar
            if bar is None:
                bar = stack.enter_context(click.progressbar(length=total, label="building", file=sys.stderr))
            bar.update(done - bar.pos)

        yield update


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
@click.option("--cv", "cv", type=click.Path(dir_okay=False, path_type=Path), metavar="CV.docx|CV.md",
              help="Start from your own CV (a Word .docx, imported, or Markdown) instead of the sample: "
                   "packet.toml gets your name and contact, and a commented writer template.")
@reports_errors
def init(folder: Path, cv: Path | None) -> None:
    """Create a new application folder from the commented sample, or from your own CV.

    It never overwrites: DIR must not exist, or be empty. With --cv, DIR gets your CV
    as cv.md (a Word file is imported as `packetbuilder import` does, with its report
    in cv.import.json for `check`) and a packet.toml with your name, e-mail and phone
    filled in where the CV has them, every key explained, and no sample writers.

    \b
    Examples:
      packetbuilder init my-application
      packetbuilder init my-application --cv ~/Documents/CV.docx
    """
    from .scaffold import create_application, create_from_cv

    created = create_application(folder) if cv is None else create_from_cv(folder, cv)
    click.echo(f"created {folder}: " + ", ".join(str(p) for p in created.files))
    if created.imported is not None:
        _import_report(created.imported, "cv.md")
    click.echo("next:")
    for command in created.next_steps():
        click.echo(f"  {command}")
    if cv is None:
        click.echo("then make it yours: edit packet.toml (every key is explained there), cv.md and notes/.")
        return
    missing = ", ".join(key.replace("_", " ") for key, value in vars(created.facts).items() if value is None)
    click.echo("first fill in packet.toml: your specialty under [[tracks]], the deadline, and one [[writers]] table "
               "per letter writer (copy the commented template)"
               + (f"; the CV did not give your {missing}" if missing else "") + ".")


def _import_report(converted, name: str) -> None:
    """What an import guessed (stdout) and could not place (stderr, as it may be lost text)."""
    for line in converted.report.guess_lines():
        click.echo(f"  {name}: {line}")
    for line in converted.report.unplaced_lines():
        click.secho(f"warning: {line}", fg="yellow", err=True)


@main.command("import")
@click.argument("source", metavar="CV.docx", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(path_type=Path),
              help="Where to write the Markdown: a file, or a folder to put cv.md in (default ./cv.md).")
@click.option("--force", is_flag=True, help="Replace the Markdown file and its import report if they exist.")
@reports_errors
def import_cv(source: Path, out: Path | None, force: bool) -> None:
    """Turn a Word CV (.docx) into cv.md, in the shape packetbuilder reads best.

    Sections, entries (a bold title, a table row of dates and text, dates after a tab)
    and their bullets are found from Word's styles or, without styles, from how the CV
    looks. What that took guessing is printed and kept beside the Markdown in
    cv.import.json, which `check` reads to name each guess at its line; what could not
    be placed (text boxes, pictures, headers, footers, comments) is printed on stderr
    with its paragraph number. Never overwrites unless --force.

    \b
    Examples:
      packetbuilder import ~/Documents/CV.docx --out my-application/cv.md
      packetbuilder import CV.docx            # writes ./cv.md and ./cv.import.json
    """
    from .docx_import import import_docx

    target, sidecar, converted = import_docx(source, out, force)
    click.echo(f"wrote {target} ({converted.summary()}) and {sidecar}")
    _import_report(converted, target.name)
    click.echo(f"next: packetbuilder check (it lists the guesses again at their lines; delete {sidecar.name} "
               "once they are right)")


# -- planning: check, schedule, status ----------------------------------------------------

today_option = click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                            help="Plan as if it were this date (default: today).")


def _today(value: dt.datetime | None) -> dt.date:
    return value.date() if value else dt.date.today()


def _planning_header(app, day: dt.date) -> str:
    from .formatting import long_date
    from .schedule import relative

    from .specialties import service_of

    cfg = app.config
    deadlines = dict.fromkeys((service_of(t).name, cfg.track_deadline(t)) for t in cfg.tracks)
    return (f"{cfg.applicant.short_name} — today {long_date(day)}; "
            + "; ".join(f"{service} deadline {long_date(date)} ({relative(date, day)})" for service, date in deadlines))


@main.command()
@click.argument("folder", metavar="[DIR]", default=".", type=FOLDER)
@today_option
@reports_errors
def check(folder: Path, today: dt.datetime | None) -> None:
    """Validate the application and audit writers, dates and content; writes nothing.

    First, for each writer, the CV entries marked for them and why; then the findings,
    grouped as errors, warnings and tips, each with its fix. Exit 1 if there is any
    error, 0 otherwise.

    \b
    Example:
      packetbuilder check my-application --today 2026-08-20
    """
    from .audit import report_lines
    from .check import check_application, marked_lines
    from .sources import load_application

    app = load_application(folder)
    day = _today(today)
    findings = check_application(app, day)
    click.echo(_planning_header(app, day) + "\n")
    for line in marked_lines(app) + report_lines(findings):
        click.echo(line)
    sys.exit(1 if findings.errors else 0)


@main.command()
@click.argument("words", metavar="[DIR] WRITER STATUS", nargs=-1, required=True)
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE",
              help="The date it happened (default today); marking asked records it as `asked`.")
@click.option("--letter-id", metavar="ID", help="Record the writer's ERAS Letter ID too.")
@reports_errors
def mark(words: tuple[str, ...], on: dt.datetime | None, letter_id: str | None) -> None:
    """Set a writer's status in packet.toml, keeping its comments and layout.

    Marking `asked` records the date too. A move that makes no sense (thanked before
    uploaded) is refused with where the writer can go instead.

    \b
    Examples:
      packetbuilder mark chen asked --on 2026-07-20      (in the application folder)
      packetbuilder mark my-application chen agreed --letter-id LOR-4821-0917
    """
    # DIR is optional but comes first, which click's arguments cannot express: two words
    # are WRITER STATUS in the current folder, three are DIR WRITER STATUS. status_edit
    # checks the status and the move.
    if len(words) not in (2, 3):
        raise click.UsageError("give the writer's id and the new status, after the application folder when "
                               "it is not the current one: `packetbuilder mark chen agreed`")
    *folder_word, writer_id, status = words
    folder = FOLDER.convert(folder_word[0] if folder_word else ".", None, click.get_current_context())
    from .status_edit import mark as set_status

    click.echo(set_status(folder, writer_id, status, _today(on), letter_id))


@main.command()
@click.argument("folder", metavar="[DIR]", default=".", type=FOLDER)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the list here as CSV (default DIR/build/assignments.csv).")
@reports_errors
def assign(folder: Path, out: Path | None) -> None:
    """List which letters to assign to each program in programs.csv (at most four each).

    A program's `letters` and `requires` columns (chair, slor, specialty:2, track:ID) are
    met first, then the strongest letters for the track; programs that cannot be
    satisfied are named with the reason. This is the list to type into MyERAS or
    ResidencyCAS. Exit 1 if any program cannot be satisfied.

    \b
    Example:
      packetbuilder assign my-application
    """
    from .assign import assign_all, assignment_lines, assignments_csv
    from .outputs import check_out_dir, write_atomic
    from .sources import load_application
    from .specialties import load_specialties

    app = load_application(folder)
    if not app.programs:
        raise InputError(Problem("packet.toml", "there is no program list to assign letters to",
                                 'add programs = "programs.csv" under [application] (columns program, letters, '
                                 "requires)", key="application.programs"))
    assignments = assign_all(app.programs, app.config, load_specialties())
    target = out or app.folder / "build" / "assignments.csv"
    check_out_dir(target.parent, app.input_folders())
    for line in assignment_lines(assignments):
        click.echo(line)
    write_atomic(target, assignments_csv(assignments))
    click.echo(f"wrote {target}")
    sys.exit(1 if any(a.problems for a in assignments) else 0)


@main.command()
@click.argument("folder", metavar="[DIR]", default=".", type=FOLDER)
@click.option("--ics", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the calendar here (default DIR/build/schedule.ics).")
@today_option
@reports_errors
def schedule(folder: Path, ics: Path | None, today: dt.datetime | None) -> None:
    """Print the timeline of asks, reminders, deadlines and thank-yous; write an .ics calendar.

    Import the calendar again after changing packet.toml: events keep their IDs, so
    they are updated rather than duplicated.

    \b
    Example:
      packetbuilder schedule my-application --ics ~/letters.ics
    """
    from .outputs import check_out_dir, write_atomic
    from .schedule import calendar_ics, timeline, timeline_rows
    from .sources import load_application
    from .status import format_table

    app = load_application(folder)
    day = _today(today)
    target = ics or folder / "build" / "schedule.ics"
    check_out_dir(target.parent, app.input_folders(), holding=False)
    events = timeline(app.config)
    table = format_table(["date", "when", "writer", "what"], timeline_rows(app.config, events, day))
    calendar = calendar_ics(app.config, events)
    click.echo(_planning_header(app, day) + "\n")
    for line in table:
        click.echo(line)
    write_atomic(target, calendar)
    click.echo(f"\nwrote {target} ({len(events)} all-day events with reminders)")


@main.command()
@click.argument("folder", metavar="[DIR]", default=".", type=FOLDER)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Build folder holding the sent log of `send` (default DIR/build).")
@today_option
@reports_errors
def status(folder: Path, out: Path | None, today: dt.datetime | None) -> None:
    """One row per writer: status, dates, days left, e-mails sent and the next action.

    \b
    Example:
      packetbuilder status my-application
    """
    from .send import read_sent_log
    from .sources import load_application
    from .status import format_table, sent_by_writer, status_headers, status_rows

    app = load_application(folder)
    day = _today(today)
    sent = sent_by_writer(read_sent_log(out or folder / "build"))
    table = format_table(status_headers(True), status_rows(app.config, day, sent))  # whole, before a line is shown
    click.echo(_planning_header(app, day) + "\n")
    for line in table:
        click.echo(line)


# -- e-mail: email, send, drafts -------------------------------------------------------------

KIND_CHOICE = click.Choice(["request", "reminder", "thanks", "match"])


@main.command()
@click.argument("folder", metavar="[DIR]", default=".", type=FOLDER)
@click.option("--writer", "writer_id", required=True, metavar="ID", help="The writer the e-mail is to.")
@click.option("--kind", type=KIND_CHOICE, default="request", show_default=True, help="Which e-mail.")
@click.option("--out", type=click.Path(path_type=Path), help="Output folder (default DIR/build).")
@today_option
@reports_errors
def email(folder: Path, writer_id: str, kind: str, out: Path | None, today: dt.datetime | None) -> None:
    """Write one e-mail to a writer as an editable draft: --out/<writer>/<kind>.eml.

    Open the .eml in your mail program; it opens as an unsent draft you can edit and send.
    A request attaches the writer's built packet, so run `build` first.

    \b
    Example:
      packetbuilder email my-application --writer chen --kind reminder
    """
    from .mail import write_email

    click.echo(f"wrote {write_email(folder, writer_id, kind, out, _today(today))}")


@main.command()
@click.argument("folder", metavar="[DIR]", default=".", type=FOLDER)
@click.option("--writer", "writers", multiple=True, metavar="ID", help="Only this writer (repeatable).")
@click.option("--kind", type=KIND_CHOICE, default="request", show_default=True, help="Which e-mail.")
@click.option("--send", "really", is_flag=True, help="Really send (without it: a dry run that sends nothing).")
@click.option("--resend", is_flag=True, help="Send again even if the sent log says it was (or may have been) sent.")
@click.option("--limit", type=click.IntRange(min=1), metavar="N",
              help="At most N messages this run (the rest wait for the next run).")
@click.option("--out", type=click.Path(path_type=Path), help="Build folder holding the packets and the sent log "
              "(default DIR/build).")
@today_option
@reports_errors
def send(folder: Path, writers: tuple[str, ...], kind: str, really: bool, resend: bool, limit: int | None,
         out: Path | None, today: dt.datetime | None) -> None:
    """Send e-mails to writers over SMTP ([smtp] in packet.toml). Dry run unless --send.

    Each message is recorded in --out/sent-log.jsonl before it goes and once the
    server confirms it, and is never sent twice unless --resend: if a run stops
    between the two (a crash, a dropped connection), the next run names the message
    as uncertain and leaves it alone. If a batch fails part-way, run the same command
    again: only the rest go. One send or drafts at a time per --out folder.

    Sign-in: a password from PACKETBUILDER_SMTP_PASSWORD, the system keyring or a
    hidden prompt, or an OAuth token from [smtp] token_command; never stored or shown.
    A dry run prints every message whole: headers, text, and each attachment with its
    size. --limit N sends at most N this run; the next run sends the rest.

    \b
    Examples:
      packetbuilder send my-application                      # every message, as it would go
      packetbuilder send my-application --send --limit 1     # send the first request only
      packetbuilder send my-application --send               # send the requests
      packetbuilder send my-application --kind reminder --writer chen --send
    """
    from .credentials import credential_for
    from .send import LOG_NAME, PASSWORD_ENV, prepare, send_batch

    with prepare(folder, writers, kind, out, _today(today), resend, sending=really) as batch:
        pending = [item for item in batch.items if not item.skip]
        later = pending[limit:] if limit else []
        pending = pending[:limit] if limit else pending
        for item in batch.items:
            if item.skip:
                click.echo(item.describe("skip"))
            elif item in later:
                click.echo(f"not this run (--limit {limit}): {item.kind} to {item.writer.id}")
            elif not really:
                click.echo(item.preview())
        if batch.settings is None:
            click.echo(f"dry run: {len(pending)} message{'' if len(pending) == 1 else 's'} would be sent"
                       f"{f', {len(later)} more after this run' if later else ''}; add --send to send "
                       f"{'it' if len(pending) == 1 else 'them'}")
            return
        if not pending:
            click.echo("nothing to send")
            return
        credential = credential_for(batch.settings, PASSWORD_ENV, lambda text: click.prompt(text, hide_input=True))
        sent = send_batch(pending, batch.settings, credential, batch.out,
                          on_sent=lambda item: click.echo(item.describe("send")))
        click.echo(f"sent {len(sent)} message(s); recorded in {batch.out / LOG_NAME}")


@main.command()
@click.argument("folder", metavar="[DIR]", default=".", type=FOLDER)
@click.option("--writer", "writers", multiple=True, metavar="ID", help="Only this writer (repeatable).")
@click.option("--kind", type=KIND_CHOICE, default="request", show_default=True, help="Which e-mail.")
@click.option("--resend", is_flag=True, help="Place a draft again even if the sent log says one was placed "
              "(one still in Drafts is never placed twice).")
@click.option("--out", type=click.Path(path_type=Path), help="Build folder holding the packets and the sent log "
              "(default DIR/build).")
@today_option
@reports_errors
def drafts(folder: Path, writers: tuple[str, ...], kind: str, resend: bool, out: Path | None,
           today: dt.datetime | None) -> None:
    """Put each e-mail into your mailbox's Drafts folder over IMAP ([imap] in packet.toml).

    Then open Drafts in any mail program (Gmail, Outlook, Apple Mail, a phone), read
    each draft, and press Send. The Drafts folder is the one the server marks as
    such, or [imap] drafts. Before placing a message its Message-ID is looked for in
    Drafts, and every draft placed is recorded in --out/sent-log.jsonl, so a draft is
    never placed twice, even after a dropped connection. One send or drafts at a
    time per --out folder.

    Sign-in: a password from PACKETBUILDER_IMAP_PASSWORD, the system keyring or a
    hidden prompt, or an OAuth token from [imap] token_command; never stored or shown.

    \b
    Examples:
      packetbuilder drafts my-application                 # every request, into Drafts
      packetbuilder drafts my-application --writer chen --kind reminder
    """
    from .credentials import credential_for
    from .drafts import PASSWORD_ENV, place_drafts, prepare

    with prepare(folder, writers, kind, out, _today(today), resend) as batch:
        pending = [item for item in batch.items if not item.skip]
        for item in batch.items:
            if item.skip:
                click.echo(item.describe("skip"))
        if not pending or batch.settings is None:
            click.echo("no draft to place")
            return
        credential = credential_for(batch.settings, PASSWORD_ENV, lambda text: click.prompt(text, hide_input=True))

        def report(item, found: bool, folder_name: str) -> None:
            if found:
                click.echo(item.describe("found", f" already in {folder_name}, not placed again"))
            else:
                click.echo(item.describe("placed", f" in {folder_name}"))

        placed = place_drafts(pending, batch.settings, credential, batch.out, on_placed=report)
        click.echo(f"{len(placed)} draft(s) in your Drafts folder at {batch.settings.host}: open each in your mail "
                   "program, read it, and press Send")


@main.command()
@click.argument("folder", metavar="[DIR]", required=False, default=Path("."), type=FOLDER)
@click.option("--writer", "writer_id", required=True, metavar="ID", help="The writer whose packet to show.")
@click.option("--email", "email_kind", type=click.Choice(["request", "reminder", "thanks", "match"]),
              help="Show this built e-mail (<build>/<writer>/<kind>.eml) instead of the packet.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the PNG files (default DIR/build/preview).")
@click.option("--build-dir", "built", type=click.Path(file_okay=False, path_type=Path),
              help="Where `build` wrote its files: the e-mails for --email, and a current PDF to draw "
                   "as it is (default DIR/build).")
@click.option("--width", type=click.IntRange(100, 4000), default=800, show_default=True,
              help="Picture width in pixels.")
@reports_errors
def preview(folder: Path, writer_id: str, email_kind: str | None, out: Path | None, built: Path | None,
            width: int) -> None:
    """PNG pictures of a writer's packet pages or of a built e-mail, for a quick look.

    Needs pdftoppm (poppler-utils). A current PDF in the build folder is drawn as it
    is; otherwise the packet is rendered from the sources as `build` would, without
    writing to the build folder.

    \b
    Examples:
      packetbuilder preview my-application --writer chen
      packetbuilder preview my-application --writer chen --email request
    """
    from .preview import preview as draw

    pictures = draw(folder, writer_id, out, email_kind, built, width)
    for path in pictures.pages:
        click.echo(f"wrote {path}")
