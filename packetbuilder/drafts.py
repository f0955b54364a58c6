"""``drafts``: each e-mail placed in the Drafts folder of the student's own mailbox, once.

An ``.eml`` file opens as an editable draft only in classic Outlook; a draft in the
mailbox opens everywhere the student reads mail, and the student sends it with their
own program, signature and Sent folder. This needs IMAP only, so it works with
accounts whose SMTP sign-in is switched off (most Microsoft 365 schools from 2027).

The batch takes the same lock and keeps the same sent log as ``send`` (:mod:`.outbox`).
Before placing a message the Drafts folder is searched for its Message-ID: one placed
by a run that was cut off is found and recorded, not placed a second time. A (writer,
kind) whose draft the log records as placed is skipped unless ``--resend`` (for a
draft the student deleted), and so is one already sent, or possibly sent, by ``send``.
Even with ``--resend``, a message still in Drafts is never placed twice.
"""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import Imap, Writer
from .credentials import Credential
from .imap import PASSWORD_ENV, ImapTransport
from .outbox import Batch, Now, Outgoing, earlier_reason, hand_over_batch, open_batch, utc_now
from .sentlog import SentRecord

__all__ = ["PASSWORD_ENV", "place_drafts", "prepare", "skip_reason"]


def skip_reason(writer: Writer, kind: str, records: list[SentRecord], resend: bool) -> str:
    """Why this writer's message of this kind is not placed in Drafts now, or "" when it should be."""
    return earlier_reason(writer, kind, records, resend, "place a draft of it anyway", ("done",),
                          " (add --resend to place it again if you deleted it)")


@contextmanager
def prepare(folder: Path, writer_ids: tuple[str, ...], kind: str, out: Path | None, today: dt.date,
            resend: bool) -> Iterator[Batch]:
    """The batch, planned with [imap] checked first, the output folder locked until the block ends."""
    with open_batch(folder, writer_ids, kind, out, today, lambda w, k, r: skip_reason(w, k, r, resend),
                    ("imap", "no draft can be placed"), "drafts") as batch:
        yield batch


def place_drafts(batch: list[Outgoing], settings: Imap, credential: Credential | None, out: Path,
                 context: ssl.SSLContext | None = None, now: Now = utc_now,
                 on_placed: Callable[[Outgoing, bool, str], None] = lambda item, found, folder: None
                 ) -> list[Outgoing]:
    """Place each message in Drafts over one connection; ``on_placed(item, found, folder)``
    tells whether it was placed now or found there already, and the folder's name."""
    pending = [item for item in batch if not item.skip and item.message is not None]
    transport = ImapTransport(settings, credential, context)
    return hand_over_batch(pending, transport, out, now,
                           lambda item, found: on_placed(item, found, transport.drafts))
