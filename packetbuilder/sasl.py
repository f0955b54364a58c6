"""SASL sign-in exchanges for SMTP AUTH and IMAP AUTHENTICATE, written out, in UTF-8.

smtplib's ``login`` and imaplib's ``login`` encode the password as ASCII, so a
password with an "é" ended in an internal error that showed one of its characters.
PLAIN (RFC 4616) and LOGIN carry UTF-8, and every server that checks passwords
compares bytes, so any password works. XOAUTH2 (Google's and Microsoft's published
format) and OAUTHBEARER (RFC 7628) carry an OAuth 2.0 access token; when a server
refuses a token it sends a JSON error as a challenge, to which the client answers
with an empty line (XOAUTH2) or a single ^A (OAUTHBEARER) before the final "no".
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .credentials import Credential

# In order of preference: XOAUTH2 is what Google and Microsoft document for IMAP and SMTP.
OAUTH_MECHANISMS = ("XOAUTH2", "OAUTHBEARER")
PASSWORD_MECHANISMS = ("PLAIN", "LOGIN")


@dataclass(frozen=True)
class Exchange:
    """A mechanism and the client's responses: the first goes with the command, the rest
    answer the server's challenges in turn."""

    mechanism: str
    responses: tuple[bytes, ...] = field(repr=False)


def exchange(credential: Credential, offered: set[str]) -> Exchange | None:
    """The exchange to sign in with, among the mechanisms the server ``offered``; None if none fits."""
    user = credential.username.encode("utf-8")
    secret = credential.secret.encode("utf-8")
    if credential.kind == "oauth2":
        if "XOAUTH2" in offered:
            return Exchange("XOAUTH2", (b"user=" + user + b"\x01auth=Bearer " + secret + b"\x01\x01", b""))
        if "OAUTHBEARER" in offered:
            return Exchange("OAUTHBEARER", (b"n,a=" + _gs2_name(user) + b",\x01auth=Bearer " + secret + b"\x01\x01",
                                            b"\x01"))
        return None
    if "PLAIN" in offered:
        return Exchange("PLAIN", (b"\0" + user + b"\0" + secret,))
    if "LOGIN" in offered:
        return Exchange("LOGIN", (user, secret))
    return None


def _gs2_name(user: bytes) -> bytes:
    """RFC 5801: "," and "=" in the authorization identity are escaped."""
    return user.replace(b"=", b"=3D").replace(b",", b"=2C")


def mechanisms_wanted(credential: Credential) -> tuple[str, ...]:
    return OAUTH_MECHANISMS if credential.kind == "oauth2" else PASSWORD_MECHANISMS
