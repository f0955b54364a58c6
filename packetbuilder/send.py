"""Sending e-mails over SMTP, safely: dry run by default, never the same message twice.

The sent log is the memory that makes a batch safe to rerun. It lives in the output
folder as ``sent-log.jsonl``: one JSON object per line, appended and fsynced after
each message the server accepted and before the next one is attempted::

    {"writer": "chen", "kind": "request", "message_id": "<request.chen.…@med.example.edu>",
     "time": "2026-07-20T14:03:11+00:00"}

``time`` is when the server accepted the message (UTC, ISO 8601). A (writer, kind)
pair that appears in the log is skipped unless ``--resend``; each resend adds a line.
A batch that fails part-way stops, reports what was and was not sent, and a rerun
sends only the rest. If the process dies between the server's acceptance and the
fsync, that one message is sent again on rerun: the log can only err towards a
duplicate of one message, never towards a silent gap.

``status`` reads the log through :func:`read_sent_log` (asked/sent dates per writer).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from .config import Config, Smtp, Writer
from .errors import InputError, Problem, WorkError
from .etiquette import status_refusal
from .formatting import packet_stem
from .incremental import writer_is_current
from .outputs import FILE_MODE, ensure_dir
from .sources import Application, load_application
from .textfiles import CONFIG_NAME

LOG_NAME = "sent-log.jsonl"
PASSWORD_ENV = "PACKETBUILDER_SMTP_PASSWORD"
TIMEOUT = 60

@dataclass(frozen=True)
class SentRecord:
    """One line of the sent log: a message the server accepted."""

    writer: str
    kind: str
    message_id: str
    time: dt.datetime


def log_path(out_dir: Path) -> Path:
    return Path(out_dir) / LOG_NAME


def read_sent_log(out_dir: Path) -> list[SentRecord]:
    """The records of ``out_dir/sent-log.jsonl`` in the order sent; [] when nothing was sent.

    A damaged line is an error, not something to skip: guessing could send a message twice.
    """
    path = log_path(out_dir)
    if not path.exists():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            records.append(SentRecord(str(raw["writer"]), str(raw["kind"]), str(raw["message_id"]),
                                      dt.datetime.fromisoformat(raw["time"])))
        except (ValueError, KeyError, TypeError):
            raise InputError(Problem(str(path), "is not a valid sent-log line",
                                     "repair or delete that line (each line records one message that was sent)",
                                     number)) from None
    return records


def append_sent(out_dir: Path, record: SentRecord) -> None:
    """Append one record and fsync it, so a crash right after cannot forget the message."""
    ensure_dir(Path(out_dir))
    path = log_path(out_dir)
    line = json.dumps({"writer": record.writer, "kind": record.kind, "message_id": record.message_id,
                       "time": record.time.isoformat(timespec="seconds")}, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


# -- planning (pure, apart from reading the built packets) -------------------------------

@dataclass(frozen=True)
class Outgoing:
    """One message of a batch: to be sent, or skipped with the reason."""

    writer: Writer
    kind: str
    message: EmailMessage | None
    skip: str = ""

    def describe(self, sending: bool) -> str:
        if self.skip or self.message is None:
            return f"skip {self.writer.id}: {self.skip}"
        names = [part.get_filename() for part in self.message.iter_attachments()]
        verb = "send" if sending else "would send"
        return (f"{verb} {self.kind} to {self.message['To']}: \"{self.message['Subject']}\""
                + (f" + {', '.join(names)}" if names else ""))

    def preview(self) -> str:
        """The whole message as its recipient will see it, as mailmerge's dry run shows it:
        the headers, the text, and each attachment's name and size."""
        if self.skip or self.message is None:
            return self.describe(sending=False)
        message = self.message
        lines = [f"{'─' * 8} {self.kind} to {self.writer.id} {'─' * 8}"]
        lines += [f"{name}: {message[name]}" for name in ("From", "To", "Subject", "Date") if message[name]]
        body = message.get_body(("plain",))
        lines += ["", body.get_content().rstrip() if body is not None else ""]
        for part in message.iter_attachments():
            size = len(part.get_content())
            lines.append(f"[attachment] {part.get_filename()} ({size / 1024:.0f} KB, {part.get_content_type()})")
        return "\n".join(lines) + "\n"


def skip_reason(writer: Writer, kind: str, sent: list[SentRecord], resend: bool) -> str:
    """Why this writer gets no message of this kind now, or "" when they should."""
    reason = status_refusal(writer, kind)
    if reason:
        return reason
    earlier = [r for r in sent if r.writer == writer.id and r.kind == kind]
    if earlier and not resend:
        return f"{kind} already sent on {earlier[-1].time.date().isoformat()} (add --resend to send it again)"
    return ""


def plan_batch(app: Application, kind: str, writers: list[Writer], out: Path, today: dt.date,
               resend: bool = False) -> list[Outgoing]:
    """What a ``send`` would do for each writer, with the messages already built and checked."""
    # Late, not for a cycle: ``status`` imports this module for read_sent_log, and must not
    # load the e-mail templates and the build (doubling this module's import time) to read a log.
    from .mail import compose, packet_attachments

    sent = read_sent_log(out)
    stem = packet_stem(app.config.applicant.short_name)
    plan = []
    for writer in writers:
        reason = skip_reason(writer, kind, sent, resend)
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


# -- sending (the network edge) ----------------------------------------------------------

def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def smtp_settings(config: Config) -> Smtp:
    """The [smtp] table, checked for what sending needs."""
    if config.smtp is None:
        raise InputError(Problem(CONFIG_NAME, "there is no [smtp] table, so nothing can be sent",
                                 'add [smtp] with host, port, security and username (see the sample packet.toml)',
                                 key="smtp"))
    if config.smtp.security == "none" and not _is_loopback(config.smtp.host):
        raise InputError(Problem(CONFIG_NAME, f"security = \"none\" would send your password and letters "
                                 f"unencrypted to {config.smtp.host}",
                                 'use security = "starttls" (port 587) or "ssl" (port 465); "none" is for a '
                                 "server on this computer only", key="smtp.security"))
    return config.smtp


def connect(settings: Smtp, password: str | None, context: ssl.SSLContext | None = None) -> smtplib.SMTP:
    """An authenticated connection; TLS certificates are always verified."""
    context = context or ssl.create_default_context()
    if settings.security == "ssl":
        client: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
        if settings.security == "starttls":
            client.starttls(context=context)
    if settings.username:
        client.login(settings.username, password or "")
    return client


def _reason(exc: BaseException) -> tuple[str, str]:
    """(what went wrong, what to do) for the errors sending can meet."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"the server's certificate could not be verified ({exc.verify_message})",
                "check [smtp] host; if your institution uses its own certificate authority, "
                "point the SSL_CERT_FILE environment variable at its certificate")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return ("the server refused the user name or password",
                f"check [smtp] username and the password (environment variable {PASSWORD_ENV})")
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return (f"the server does not support this ({exc})", "check [smtp] security and port")
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return (f"the server refused the recipient {', '.join(exc.recipients)}", "check the writer's email")
    if isinstance(exc, smtplib.SMTPResponseException):
        return (f"the server answered {exc.smtp_code} {exc.smtp_error.decode('utf-8', 'replace')}", "")
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return ("the server closed the connection", "")
    return (f"{type(exc).__name__}: {exc}", "check [smtp] host and port and your network connection")


def send_batch(batch: list[Outgoing], settings: Smtp, password: str | None, out: Path,
               context: ssl.SSLContext | None = None,
               now: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc),
               on_sent: Callable[[Outgoing], None] = lambda item: None) -> list[Outgoing]:
    """Send the batch over one connection, logging each message before the next.

    The draft marker (X-Unsent) goes and Date becomes the real time; the Message-ID
    stays, so the log and the .eml on disk name the same message. The first failure
    stops the batch with a WorkError that lists what was and was not sent.
    """
    pending = [item for item in batch if not item.skip and item.message is not None]
    done: list[Outgoing] = []
    client = None
    try:
        client = connect(settings, password, context)
        for item in pending:
            message = item.message
            del message["X-Unsent"]
            del message["Date"]
            message["Date"] = format_datetime(now())
            client.send_message(message)
            append_sent(out, SentRecord(item.writer.id, item.kind, str(message["Message-ID"]), now()))
            done.append(item)
            on_sent(item)
    except (smtplib.SMTPException, OSError) as exc:
        what, fix = _reason(exc)
        unsent = [i.writer.id for i in pending if i not in done]
        rerun = "fix that and run the same command again: only the unsent ones will go"
        raise WorkError(Problem(f"smtp {settings.host}:{settings.port}", what,
                                f"{fix + '; ' if fix else ''}sent: {', '.join(i.writer.id for i in done) or 'none'}; "
                                f"not sent: {', '.join(unsent)} — {rerun}")) from None
    finally:
        if client is not None:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
    return done


@dataclass(frozen=True)
class Batch:
    """The ``send`` command up to the network: the application, its --out, the plan,
    and (when really sending) the checked [smtp] settings."""

    app: Application
    out: Path
    items: list[Outgoing]
    smtp: Smtp | None


def prepare(folder: Path, writer_ids: tuple[str, ...], kind: str, out: Path | None, today: dt.date,
            resend: bool, sending: bool) -> Batch:
    """Load, check [smtp] first when sending (a settings mistake should not wait for a
    rebuild), and plan the batch."""
    from .build import select_writers  # late, as in plan_batch
    from .mail import output_folder

    app = load_application(folder)
    out = output_folder(app, out)
    settings = smtp_settings(app.config) if sending else None
    return Batch(app, out, plan_batch(app, kind, select_writers(app, writer_ids), out, today, resend), settings)
