"""What a mail transport (SMTP to the writer, IMAP to the student's Drafts) tells the batch.

The one question that decides whether a rerun may try again is whether the server
can have the message. A transport answers it with the kind of error it raises:
:class:`Refused` when the server certainly does not have it (it said no, or the
connection broke before the message was complete), :class:`Unsure` when it may
(everything was sent and the confirmation never came).
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Protocol

from .sentlog import Via


class TransportError(Exception):
    """A failure, as (what went wrong, what to do), both safe to print: no secret in either."""

    def __init__(self, what: str, fix: str = ""):
        super().__init__(what)
        self.what = what
        self.fix = fix


class Refused(TransportError):
    """The server does not have the message: it is safe to try it again."""


class Unsure(TransportError):
    """The server may have the message: trying again could make a second copy."""


class Transport(Protocol):
    via: Via
    server: str  # "imap.example.org:993", for messages

    def open(self) -> None:
        """Connect and sign in; Refused on failure (nothing has been handed over yet)."""

    def holds(self, message: EmailMessage) -> bool:
        """Whether the server already holds this message (an IMAP search); False if it cannot tell."""

    def hand_over(self, message: EmailMessage) -> None:
        """Deliver or place one message; Refused or Unsure on failure."""

    def close(self) -> None:
        """Say goodbye if the connection still allows it; never raises."""
