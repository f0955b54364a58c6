"""``send``: e-mails to writers over SMTP, safely: dry run by default, never the same message twice.

A dry run plans and shows every message and touches nothing. ``--send`` takes the
output folder's lock, plans again under it, and hands the batch to SMTP through
:func:`.outbox.hand_over_batch`, which records each message in the sent log
(:mod:`.sentlog`) before and after it leaves. A (writer, kind) the log records as
sent is skipped unless ``--resend`` (each resend adds its own records); so is one
whose last send may have arrived unconfirmed (a crash, a connection dropped after
the whole message went out), and one already placed in the student's Drafts folder
by ``drafts``, which the student may send from there. A batch that fails part-way
stops, says what was and was not sent, and a rerun sends only the rest.

``status`` reads the log through :func:`read_sent_log` (asked/sent dates per writer).
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import Smtp, Writer
from .credentials import Credential
from .outbox import Batch, Now, Outgoing, earlier_reason, hand_over_batch, open_batch, utc_now
from .sentlog import LOG_NAME, SentRecord, append_sent, log_path, read_sent_log
from .smtp import PASSWORD_ENV, SmtpTransport

# Also what the status command, and the tests of status and of private files, reach the log through.
__all__ = ["LOG_NAME", "PASSWORD_ENV", "SentRecord", "append_sent", "log_path", "prepare", "read_sent_log",
           "send_batch", "skip_reason"]


def skip_reason(writer: Writer, kind: str, records: list[SentRecord], resend: bool) -> str:
    """Why this writer gets no message of this kind now, or "" when they should."""
    return earlier_reason(writer, kind, records, resend, "send it again", ("in-flight", "done"),
                          ": send that one from your mail program, or add --resend to send it from here as well")


@contextmanager
def prepare(folder: Path, writer_ids: tuple[str, ...], kind: str, out: Path | None, today: dt.date,
            resend: bool, sending: bool) -> Iterator[Batch]:
    """The batch, planned; when ``sending``, [smtp] is checked first and the output
    folder stays locked until the block ends, so no other run can plan the same messages."""
    with open_batch(folder, writer_ids, kind, out, today, lambda w, k, r: skip_reason(w, k, r, resend),
                    ("smtp", "nothing can be sent") if sending else None, "send") as batch:
        yield batch


def send_batch(batch: list[Outgoing], settings: Smtp, credential: Credential | None, out: Path,
               context: ssl.SSLContext | None = None, now: Now = utc_now,
               on_sent: Callable[[Outgoing], None] = lambda item: None) -> list[Outgoing]:
    """Send the batch over one connection, each message recorded before and after it goes."""
    pending = [item for item in batch if not item.skip and item.message is not None]
    return hand_over_batch(pending, SmtpTransport(settings, credential, context), out, now,
                           lambda item, found: on_sent(item))
