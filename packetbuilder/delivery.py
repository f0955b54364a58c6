"""What a mail transport (SMTP to the writer, IMAP to the student's Drafts) tells the batch.

The one question that decides whether a rerun may try again is whether the server
can have the message. A transport answers it with the kind of error it raises:
:class:`Refused` when the server certainly does not have it (it said no, or the
connection broke before the message was complete), :class:`Unsure` when it may
(everything was sent and the confirmation never came).
"""

from __future__ import annotations

import ssl
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


# -- what went wrong, in the words SMTP and IMAP share ------------------------------------------

def shared_reason(exc: BaseException, table: str, timeout: int, expired: bool) -> tuple[str, str] | None:
    """(what, fix) for the failures both transports describe alike, else None."""
    if expired:
        return (f"the server took longer than {timeout} s (a very slow or stalled connection)",
                f"try again later or from another network; [{table}] timeout sets the limit")
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"the server's certificate could not be verified ({exc.verify_message})",
                f"check [{table}] host; if your institution uses its own certificate authority, "
                "point the SSL_CERT_FILE environment variable at its certificate")
    return None


def sign_in_refused(table: str, kind: str, answer: str, password_env: str) -> tuple[str, str]:
    """(what, fix) when the server said no to the password or the token (``answer`` is its words)."""
    if kind == "oauth2":
        return (f"the server refused the OAuth token ({answer})",
                f"run [{table}] token_command yourself: the token may be expired, for another account, or lack "
                f"the {table.upper()} scope (see the README's sending section)")
    return (f"the server refused the user name or password ({answer})",
            f"check [{table}] username and the password (environment variable {password_env}, or the keyring); "
            "many providers need an app password, see the README")
