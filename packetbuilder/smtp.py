"""SMTP submission to the writer: verified TLS, UTF-8 or OAuth sign-in, and a clear line
between "the server does not have it" and "the server may have it".

smtplib's ``send_message`` hides the one moment that matters for never sending twice:
whether the end of the message (the final ``.``) reached the server. Before it, a
broken connection means the server discards what it got (RFC 5321 §4.1.1.4), so the
message may be sent again; after it, the server may have queued the message even if
its "250" never arrives. So the transaction (MAIL, RCPT, DATA, the message, the
reply) is written out here, with smtplib's own command and reply functions.

Every exchange (connecting and signing in; then each message) runs under one
wall-clock :class:`~.deadline.Deadline` of ``[smtp] timeout`` seconds, besides a
per-read socket timeout, so a server that trickles bytes cannot hold ``send``.
"""

from __future__ import annotations

import base64
import re
import smtplib
import socket
import ssl
from email import policy
from email.message import EmailMessage

from .config import Smtp
from .credentials import Credential
from .deadline import Deadline
from .delivery import Refused, TransportError, Unsure, shared_reason, sign_in_refused
from .sasl import exchange, mechanisms_wanted

PASSWORD_ENV = "PACKETBUILDER_SMTP_PASSWORD"
READ_TIMEOUT = 60  # seconds for any one read; the whole exchange is bounded by [smtp] timeout


class _Client(smtplib.SMTP):
    """smtplib.SMTP that shows its socket to the deadline before TLS, and does implicit TLS itself."""

    def __init__(self, host: str, port: int, deadline: Deadline, implicit_tls: ssl.SSLContext | None):
        self._deadline = deadline
        self._implicit_tls = implicit_tls
        super().__init__(host, port, timeout=READ_TIMEOUT)  # connects, and keeps host for STARTTLS

    def _get_socket(self, host, port, timeout):  # type: ignore[no-untyped-def]  # smtplib's hook
        sock = socket.create_connection((host, port), timeout, self.source_address)
        self._deadline.watch(sock)
        if self._implicit_tls is None:
            return sock
        try:
            return self._implicit_tls.wrap_socket(sock, server_hostname=host)
        except BaseException:
            sock.close()
            raise


def _dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it: CRLF line ends, a leading "." doubled, then CRLF.CRLF."""
    data = re.sub(rb"(?:\r\n|\n|\r(?!\n))", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class SmtpTransport:
    """One SMTP connection for a batch (see :class:`~.delivery.Transport`)."""

    via = "smtp"

    def __init__(self, settings: Smtp, credential: Credential | None, context: ssl.SSLContext | None = None):
        self.settings = settings
        self.server = f"{settings.host}:{settings.port}"
        self._credential = credential
        self._context = context or ssl.create_default_context()
        self._deadline = Deadline()
        self._client: _Client | None = None

    # -- connecting ----------------------------------------------------------------------

    def open(self) -> None:
        try:
            with self._deadline.limit(self.settings.timeout):
                implicit = self._context if self.settings.security == "ssl" else None
                client = self._client = _Client(str(self.settings.host), self.settings.port, self._deadline, implicit)
                if self.settings.security == "starttls":
                    client.starttls(context=self._context)
                client.ehlo_or_helo_if_needed()
                if self._credential is not None:
                    self._sign_in(client, self._credential)
        except TransportError:
            raise
        except (smtplib.SMTPException, OSError) as exc:
            raise Refused(*self._reason(exc)) from None

    def _sign_in(self, client: _Client, credential: Credential) -> None:
        offered = set(client.esmtp_features.get("auth", "").upper().split())
        chosen = exchange(credential, offered)
        if chosen is None:
            raise Refused(f"the server offers no sign-in packetbuilder can use with auth = \"{credential.kind}\" "
                          f"(it offers: {', '.join(sorted(offered)) or 'none'}; packetbuilder speaks "
                          f"{', '.join(mechanisms_wanted(credential))})",
                          "check [smtp] auth, security and port" + (
                              "; an OAuth token needs a server that takes XOAUTH2 or OAUTHBEARER"
                              if credential.kind == "oauth2" else ""))
        first, *rest = chosen.responses
        code, reply = client.docmd("AUTH", f"{chosen.mechanism} {base64.b64encode(first).decode()}")
        for response in rest:
            if code != 334:
                break
            code, reply = client.docmd(base64.b64encode(response).decode())
        if code != 235:
            raise smtplib.SMTPAuthenticationError(code, reply)

    # -- one message ------------------------------------------------------------------------

    def holds(self, message: EmailMessage) -> bool:
        return False  # SMTP cannot look; the sent log remembers instead

    def hand_over(self, message: EmailMessage) -> None:
        client = self._client
        assert client is not None, "open() first"
        sender = message["From"].addresses[0].addr_spec
        recipients = [address.addr_spec for address in message["To"].addresses]
        data = _dot_stuffed(message.as_bytes(policy=policy.SMTP))
        handed = False
        try:
            with self._deadline.limit(self.settings.timeout):
                code, reply = client.mail(sender)
                if code != 250:
                    raise smtplib.SMTPSenderRefused(code, reply, sender)
                for recipient in recipients:
                    code, reply = client.rcpt(recipient)
                    if code not in (250, 251):
                        raise smtplib.SMTPRecipientsRefused({recipient: (code, reply)})
                code, reply = client.docmd("DATA")
                if code != 354:
                    raise smtplib.SMTPDataError(code, reply)
                client.send(data)
                handed = True
                code, reply = client.getreply()
                if code != 250:
                    raise smtplib.SMTPDataError(code, reply)
        except (smtplib.SMTPException, OSError) as exc:
            what, fix = self._reason(exc)
            code = getattr(exc, "smtp_code", 0)
            # After the final dot only a whole "4xx"/"5xx" answer means "not taken": smtplib also
            # reads the bytes of a reply cut off by the deadline, or by a dropped link, as one.
            if handed and (self._deadline.expired or not 400 <= code < 600):
                raise Unsure(f"{what} after the whole message was sent and before the server confirmed it", fix
                             ) from None
            raise Refused(what, fix) from None

    def close(self) -> None:
        client = self._client
        try:
            if client is not None and client.sock is not None and not self._deadline.expired:
                client.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            if client is not None:
                client.close()
            self._deadline.close()

    # -- what went wrong --------------------------------------------------------------------

    def _reason(self, exc: BaseException) -> tuple[str, str]:
        """(what went wrong, what to do) for the errors SMTP can meet; never a secret."""
        shared = shared_reason(exc, "smtp", self.settings.timeout, self._deadline.expired)
        if shared is not None:
            return shared
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            answer = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else ""
            kind = self._credential.kind if self._credential is not None else "password"
            return sign_in_refused("smtp", kind, f"{exc.smtp_code} {answer}".rstrip(), PASSWORD_ENV)
        if isinstance(exc, smtplib.SMTPNotSupportedError):
            return (f"the server does not support this ({exc})", "check [smtp] security and port")
        if isinstance(exc, smtplib.SMTPRecipientsRefused):
            return (f"the server refused the recipient {', '.join(exc.recipients)}", "check the writer's email")
        if isinstance(exc, smtplib.SMTPResponseException):
            answer = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(
                exc.smtp_error)
            return (f"the server answered {exc.smtp_code} {answer}", "")
        if isinstance(exc, smtplib.SMTPServerDisconnected):
            return ("the server closed the connection", "")
        return (f"{type(exc).__name__}: {exc}", "check [smtp] host and port and your network connection")
