"""A batch of e-mails to writers: what goes to whom, and handing each over exactly once.

``send`` (SMTP, to the writer) and ``drafts`` (IMAP, into the student's own Drafts
folder) plan and hand over their batches the same way; they differ only in their
transport and in which earlier records make a writer skip.

Handing over follows the sent log's protocol (:mod:`.sentlog`): the batch takes the
output folder's lock (:mod:`.locking`) before it reads the log, so two runs cannot
both plan the same message; opening the log for appending comes before connecting, so
a log that cannot be written stops the batch before anything is sent; each message is
recorded ``in-flight`` (fsynced) before it is handed over and ``done`` or ``failed``
after. The first failure stops the batch with a WorkError saying, per writer, what was
sent, what may have been, and what was not.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Literal

from .config import Config, MailServer, Writer
from .delivery import Refused, Transport, Unsure
from .errors import InputError, Problem, WorkError
from .etiquette import status_refusal
from .formatting import packet_stem
from .incremental import writer_is_current
from .locking import folder_lock
from .mail_headers import verify_headers
from .manifest_check import check_manifest
from .sentlog import History, SentLog, SentRecord, read_log
from .sources import Application, load_application
from .textfiles import CONFIG_NAME

Now = Callable[[], dt.datetime]
SkipRule = Callable[[Writer, str, list[SentRecord]], str]


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass(frozen=True)
class Outgoing:
    """One message of a batch: to be handed over, or skipped with the reason."""

    writer: Writer
    kind: str
    message: EmailMessage | None
    skip: str = ""

    def describe(self, verb: str, where: str = "") -> str:
        if self.skip or self.message is None:
            return f"skip {self.writer.id}: {self.skip}"
        names = [part.get_filename() for part in self.message.iter_attachments()]
        return (f"{verb} {self.kind} to {self.message['To']}{where}: \"{self.message['Subject']}\""
                + (f" + {', '.join(names)}" if names else ""))

    def preview(self) -> str:
        """The whole message as its recipient will see it, as mailmerge's dry run shows it:
        the headers, the text, and each attachment's name and size."""
        if self.skip or self.message is None:
            return self.describe("would send")
        message = self.message
        lines = [f"{'─' * 8} {self.kind} to {self.writer.id} {'─' * 8}"]
        lines += [f"{name}: {message[name]}" for name in ("From", "To", "Subject", "Date") if message[name]]
        body = message.get_body(("plain",))
        lines += ["", body.get_content().rstrip() if body is not None else ""]
        for part in message.iter_attachments():
            size = len(part.get_content())
            lines.append(f"[attachment] {part.get_filename()} ({size / 1024:.0f} KB, {part.get_content_type()})")
        return "\n".join(lines) + "\n"


def earlier_reason(writer: Writer, kind: str, records: list[SentRecord], resend: bool, again: str,
                   draft_states: tuple[str, ...], draft_note: str) -> str:
    """Why this message is not handed over now, from the writer's status and the log's
    earlier records, or "": the rules ``send`` and ``drafts`` share. ``again`` says what
    --resend does to a sent message, ``draft_states`` which draft records stop this one
    (``draft_note`` follows their reason)."""
    reason = status_refusal(writer, kind)
    if reason or resend:
        return reason
    history = History.of(records, writer.id, kind)
    if history.uncertain is not None:
        return uncertain_reason(writer, kind, history.uncertain)
    if history.sent is not None:
        return f"{kind} already sent on {history.sent.time.date().isoformat()} (add --resend to {again})"
    if history.draft is not None and history.draft.state in draft_states:
        return (f"a draft of this {kind} was placed in your Drafts folder on {history.draft.time.date().isoformat()}"
                + draft_note)
    return ""


def uncertain_reason(writer: Writer, kind: str, record: SentRecord) -> str:
    """Why a message the log marks in flight is not sent again by itself."""
    when = record.time.astimezone().strftime("%Y-%m-%d %H:%M")
    return (f"the {kind} to {writer.name} may already have arrived: the run of {when} stopped after handing it "
            "to the server and before the server confirmed it (the sent log marks it uncertain); look in your "
            f"Sent folder or ask {writer.name}, and add --resend only if it did not arrive")


# -- planning (pure, apart from reading the built packets) -------------------------------

def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_settings(config: Config, table: Literal["smtp", "imap"], purpose: str) -> MailServer:
    """The [smtp] or [imap] table, checked for what ``purpose`` needs."""
    settings: MailServer | None = getattr(config, table)
    if settings is None:
        raise InputError(Problem(CONFIG_NAME, f"there is no [{table}] table, so {purpose}",
                                 f"add [{table}] with provider (or host), username and auth "
                                 "(see the sample packet.toml and the README)", key=table))
    if settings.security == "none" and not _is_loopback(str(settings.host)):
        raise InputError(Problem(CONFIG_NAME, f"security = \"none\" would send your password and letters "
                                 f"unencrypted to {settings.host}",
                                 'use security = "starttls" or "ssl" (or set provider); "none" is for a '
                                 "server on this computer only", key=f"{table}.security"))
    return settings


def unique_ids(ids: tuple[str, ...]) -> tuple[str, ...]:
    """``--writer chen --writer chen`` is one writer: a repeated id must not plan a second message."""
    return tuple(dict.fromkeys(ids))


def plan_batch(app: Application, kind: str, writers: list[Writer], out: Path, today: dt.date,
               skip: SkipRule) -> list[Outgoing]:
    """What a batch would do for each writer, with the messages already built and checked."""
    # Late, not for a cycle: ``status`` imports :mod:`.send` (this module's user) to read the
    # log, and must not load the e-mail templates and the build to do so.
    from .mail import compose, packet_attachments

    records = read_log(out)
    stem = packet_stem(app.config.applicant.short_name)
    plan = []
    for writer in writers:
        reason = skip(writer, kind, records)
        if reason:
            plan.append(Outgoing(writer, kind, None, reason))
            continue
        writer_dir = out / writer.id
        # Sending an older packet would send old content (an earlier CV, last week's
        # deadline) beside a freshly written e-mail.
        if kind in ("request", "reminder") and packet_attachments(writer_dir, stem) \
                and not writer_is_current(app, writer, out):
            raise InputError(Problem(str(writer_dir), f"the packet for {writer.id} is out of date: the application "
                                     "(or packetbuilder) changed since it was built",
                                     f"rebuild it first: packetbuilder build {app.folder} --out {out}"))
        plan.append(Outgoing(writer, kind, compose(app, writer, kind, writer_dir, today)))
    return plan


@dataclass(frozen=True)
class Batch:
    """A command up to the network: the application, its --out, the plan, and (when
    really handing over) the checked server settings."""

    app: Application
    out: Path
    items: list[Outgoing]
    settings: MailServer | None


@contextmanager
def open_batch(folder: Path, writer_ids: tuple[str, ...], kind: str, out: Path | None, today: dt.date,
               skip: SkipRule, server: tuple[Literal["smtp", "imap"], str] | None, command: str) -> Iterator[Batch]:
    """Load, check the server settings first (a settings mistake should not wait for a
    rebuild), take the folder's lock when a server is given (``(table, purpose)``), and
    plan under it; the lock is held until the block ends."""
    from .build import select_writers  # late, as in plan_batch
    from .mail import output_folder

    app = load_application(folder)
    out = output_folder(app, out)
    settings = server_settings(app.config, *server) if server else None
    with folder_lock(out, command) if server else nullcontext():
        check_manifest(out)  # before its records decide whether a packet is current
        writers = select_writers(app, unique_ids(writer_ids))
        yield Batch(app, out, plan_batch(app, kind, writers, out, today, skip), settings)


# -- handing over (the network edge) ------------------------------------------------------

def _final(message: EmailMessage, now: dt.datetime, kind: str, writer_id: str) -> EmailMessage:
    """The message as it leaves: the draft marker (X-Unsent) goes and Date becomes the real
    time; the Message-ID stays, so the log, the server and the .eml on disk name one message.
    Changed headers are read back once more (:func:`.mail_headers.verify_headers`) before
    the message may leave."""
    del message["X-Unsent"]
    del message["Date"]
    message["Date"] = format_datetime(now)
    verify_headers(message, f"the {kind} e-mail to {writer_id}")
    return message


@dataclass
class _Tally:
    via: str
    done: list[Outgoing]
    uncertain: list[Outgoing]
    pending: list[Outgoing]

    def summary(self) -> str:
        verb, negated = ("sent", "not sent") if self.via == "smtp" else ("placed", "not placed")
        left = [i.writer.id for i in self.pending if i not in self.done and i not in self.uncertain]
        parts = [f"{verb}: {', '.join(i.writer.id for i in self.done) or 'none'}"]
        if self.uncertain:
            parts.append(f"uncertain: {', '.join(i.writer.id for i in self.uncertain)}")
        parts.append(f"{negated}: {', '.join(left) or 'none'}")
        return "; ".join(parts)

    def advice(self) -> str:
        if not self.uncertain:
            return "fix that and run the same command again: only the rest will go"
        names = ", ".join(i.writer.id for i in self.uncertain)
        if self.via == "imap":
            return (f"run the same command again: it looks for {names}'s draft in your Drafts folder first, so "
                    "none is placed twice")
        return (f"{names} may have received it: the sent log marks it uncertain and no run sends it again "
                "without --resend (look in your Sent folder first); run the same command again for the rest")


def hand_over_batch(pending: list[Outgoing], transport: Transport, out: Path, now: Now = utc_now,
                    on_done: Callable[[Outgoing, bool], None] = lambda item, found: None) -> list[Outgoing]:
    """Hand each message over once, recording it before and after; returns those handed over
    (or found already there). ``on_done(item, found)`` reports each as it completes."""
    tally = _Tally(transport.via, [], [], pending)

    def stop(what: str, fix: str = "") -> WorkError:
        return WorkError(Problem(f"{transport.via} {transport.server}", what,
                                 f"{fix + '; ' if fix else ''}{tally.summary()} — {tally.advice()}"))

    def record(item: Outgoing, state: Literal["in-flight", "done", "failed"]) -> None:
        assert item.message is not None
        log.append(SentRecord(item.writer.id, item.kind, str(item.message["Message-ID"]), now(), transport.via,
                              state))

    try:
        log = SentLog(out)
    except WorkError as exc:
        problem = exc.problems[0]
        verb = "sent" if transport.via == "smtp" else "placed"
        raise WorkError(replace(problem, message=f"{problem.message}, so nothing was {verb}")) from None
    with log:
        try:
            transport.open()
        except Refused as exc:
            raise stop(exc.what, exc.fix) from None
        try:
            for item in pending:
                assert item.message is not None
                try:
                    message = _final(item.message, now(), item.kind, item.writer.id)
                except InputError as exc:  # refused before anything of it went out: the rest stay unsent
                    raise stop(exc.problems[0].message, exc.problems[0].fix) from None
                in_flight = False
                try:
                    found = transport.holds(message)
                    if not found:
                        try:
                            record(item, "in-flight")
                        except WorkError as exc:
                            raise stop(f"{exc.problems[0].message}, so {item.writer.id}'s message and the rest were "
                                       "not handed over", "free some disk space or fix the log's permissions") from None
                        in_flight = True
                        transport.hand_over(message)
                except Refused as exc:
                    if in_flight:
                        try:
                            record(item, "failed")
                        except WorkError:
                            pass  # it stays in flight: the next run calls it uncertain, which errs safe
                    raise stop(exc.what, exc.fix) from None
                except Unsure as exc:
                    tally.uncertain.append(item)
                    raise stop(exc.what, exc.fix) from None
                tally.done.append(item)
                try:
                    record(item, "done")
                except WorkError as exc:
                    raise stop(f"the server confirmed {item.writer.id}'s message, but {exc.problems[0].message}: it "
                               "stays marked in flight, so the next run reports it as uncertain and does not hand it "
                               "over again") from None
                on_done(item, found)
        finally:
            transport.close()
    return tally.done
