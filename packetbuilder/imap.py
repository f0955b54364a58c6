"""IMAP to the student's own mailbox: each message placed in Drafts, once.

A draft in the Drafts folder is what every mail program can open, edit and send
(Gmail, new Outlook and Outlook on the web, Apple Mail, a phone), unlike an ``.eml``
file, which most open read-only. The Drafts folder is the one the server marks
``\\Drafts`` (RFC 6154 SPECIAL-USE), else one named "Drafts", else ``[imap] drafts``.
Before each APPEND the folder is searched for the message's Message-ID, so a message
placed by a run that was cut off is found instead of placed again.

The standard library's imaplib is used (no extra dependency for a handful of
commands), with TLS always verified, sign-in through :mod:`.sasl` (imaplib's
``login`` sends the password as ASCII), and the same wall-clock
:class:`~.deadline.Deadline` per exchange as SMTP.
"""

from __future__ import annotations

import base64
import imaplib
import re
import socket
import ssl
from email import policy
from email.message import EmailMessage

from .config import Imap
from .credentials import Credential
from .deadline import Deadline
from .delivery import Refused, TransportError, Unsure, shared_reason, sign_in_refused
from .sasl import exchange, mechanisms_wanted

PASSWORD_ENV = "PACKETBUILDER_IMAP_PASSWORD"
READ_TIMEOUT = 60
DRAFT_FLAGS = r"(\Draft \Seen)"
_LIST_LINE = re.compile(rb'^\((?P<flags>[^)]*)\) (?P<delimiter>NIL|"(?:[^"\\]|\\.)*") ?(?P<name>.*)$')


class _Client(imaplib.IMAP4):
    """imaplib.IMAP4 that shows its socket to the deadline before TLS, and does implicit TLS itself."""

    def __init__(self, host: str, port: int, deadline: Deadline, implicit_tls: ssl.SSLContext | None):
        self._deadline = deadline
        self._implicit_tls = implicit_tls
        super().__init__(host, port, READ_TIMEOUT)

    def _create_socket(self, timeout):  # type: ignore[no-untyped-def]  # imaplib's hook
        sock = socket.create_connection((self.host, self.port), timeout)
        self._deadline.watch(sock)
        if self._implicit_tls is None:
            return sock
        try:
            return self._implicit_tls.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def quoted(text: str) -> str:
    """An IMAP quoted string (RFC 3501 §4.3)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def decode_mailbox(name: bytes) -> str:
    """A mailbox name as the user reads it: RFC 3501 §5.1.3 modified UTF-7 decoded."""
    def shifted(match: re.Match[bytes]) -> str:
        if match.group(1) == b"":
            return "&"
        data = match.group(1).replace(b",", b"/")
        return base64.b64decode(data + b"=" * (-len(data) % 4)).decode("utf-16-be")
    return re.sub(rb"&([A-Za-z0-9+,]*)-", lambda m: shifted(m).encode("utf-8"), name).decode("utf-8", "replace")


def _mailboxes(lines: list[bytes | tuple[bytes, bytes] | None]) -> list[tuple[str, set[str], str]]:
    """(raw name, attributes, readable name) of each LIST response line."""
    found = []
    for item in lines:
        if item is None:
            continue
        head, literal = (item[0], item[1]) if isinstance(item, tuple) else (item, None)
        match = _LIST_LINE.match(head)
        if match is None:
            continue
        raw = literal if literal is not None else match.group("name")
        if raw.startswith(b'"') and raw.endswith(b'"'):
            raw = re.sub(rb'\\(.)', rb'\1', raw[1:-1])
        flags = {f.lower() for f in match.group("flags").decode("ascii", "replace").split()}
        found.append((raw.decode("utf-8", "replace"), flags, decode_mailbox(raw)))
    return found


class ImapTransport:
    """One IMAP connection for a batch of drafts (see :class:`~.delivery.Transport`)."""

    via = "imap"

    def __init__(self, settings: Imap, credential: Credential | None, context: ssl.SSLContext | None = None):
        self.settings = settings
        self.server = f"{settings.host}:{settings.port}"
        self.drafts = ""  # the Drafts folder, as the user reads its name, once open
        self._credential = credential
        self._context = context or ssl.create_default_context()
        self._deadline = Deadline()
        self._client: _Client | None = None
        self._mailbox = ""  # the Drafts folder as the server spells it

    def _connected(self) -> _Client:
        if self._client is None:
            raise Refused("not connected")
        return self._client

    # -- connecting ----------------------------------------------------------------------

    def open(self) -> None:
        try:
            with self._deadline.limit(self.settings.timeout):
                implicit = self._context if self.settings.security == "ssl" else None
                self._client = _Client(self.settings.host, self.settings.port, self._deadline, implicit)
                if self.settings.security == "starttls":
                    self._client.starttls(ssl_context=self._context)
                if self._credential is not None:
                    self._sign_in(self._client, self._credential)
                self._mailbox, self.drafts = self._find_drafts(self._client)
                typ, data = self._client.select(quoted(self._mailbox), readonly=True)
                if typ != "OK":
                    raise Refused(f"the Drafts folder {self.drafts!r} cannot be opened ({_text(data)})",
                                  "check [imap] drafts")
        except TransportError:
            raise
        except (imaplib.IMAP4.error, OSError) as exc:
            raise Refused(*self._reason(exc)) from None

    def _sign_in(self, client: _Client, credential: Credential) -> None:
        offered = {c[5:].upper() for c in client.capabilities if c.upper().startswith("AUTH=")}
        chosen = exchange(credential, offered)
        try:
            if chosen is not None:
                responses = iter(chosen.responses)
                client.authenticate(chosen.mechanism, lambda challenge: next(responses, b""))
                return
            if credential.kind == "password" and "LOGINDISABLED" not in client.capabilities:
                if not credential.secret.isascii():
                    raise Refused("this server signs in only with the IMAP LOGIN command, which cannot carry a "
                                  "password with non-ASCII characters", "use an app password (they are ASCII)")
                client.login(credential.username, credential.secret)
                return
        except imaplib.IMAP4.abort:
            raise
        except imaplib.IMAP4.error as exc:  # the server said no; its words name no secret
            raise Refused(*sign_in_refused("imap", credential.kind, str(exc), PASSWORD_ENV)) from None
        raise Refused(f"the server offers no sign-in packetbuilder can use with auth = \"{credential.kind}\" "
                      f"(it offers: {', '.join(sorted(offered)) or 'none'}; packetbuilder speaks "
                      f"{', '.join(mechanisms_wanted(credential))})", "check [imap] auth, security and port")

    def _find_drafts(self, client: _Client) -> tuple[str, str]:
        typ, data = client.list('""', '"*"')
        if typ != "OK":
            raise Refused(f"the server would not list its folders ({_text(data)})")
        boxes = _mailboxes(data)
        wanted = self.settings.drafts
        for raw, flags, name in boxes:
            if (name == wanted or raw == wanted) if wanted else "\\drafts" in flags:
                return raw, name
        if not wanted:
            for raw, flags, name in boxes:
                if re.split(r"[/.]", name)[-1].lower() == "drafts":
                    return raw, name
        names = ", ".join(name for _, _, name in boxes) or "none"
        if wanted:
            raise Refused(f"there is no folder {wanted!r} on the server (its folders: {names})",
                          "check [imap] drafts")
        raise Refused(f"the server marks no folder as Drafts and none is named Drafts (its folders: {names})",
                      'add drafts = "<the name of your Drafts folder>" to [imap]')

    # -- one message ------------------------------------------------------------------------

    def holds(self, message: EmailMessage) -> bool:
        client = self._connected()
        try:
            with self._deadline.limit(self.settings.timeout):
                typ, data = client.search(None, "UNDELETED", "HEADER", "Message-ID", quoted(str(message["Message-ID"])))
        except (imaplib.IMAP4.error, OSError) as exc:
            raise Refused(*self._reason(exc)) from None
        if typ != "OK":
            raise Refused(f"the server could not search the Drafts folder ({_text(data)})")
        return bool(data and data[0] and data[0].split())

    def hand_over(self, message: EmailMessage) -> None:
        client = self._connected()
        try:
            with self._deadline.limit(self.settings.timeout):
                typ, data = client.append(quoted(self._mailbox), DRAFT_FLAGS, None,
                                          message.as_bytes(policy=policy.SMTP))
        except (imaplib.IMAP4.error, OSError) as exc:
            what, fix = self._reason(exc)
            raise Unsure(f"{what} while the draft was being placed", fix) from None
        if typ != "OK" and self._deadline.expired:  # an answer cut off by the deadline is no answer
            what, fix = self._reason(TimeoutError())
            raise Unsure(f"{what} while the draft was being placed", fix)
        if typ != "OK":
            raise Refused(f"the server refused the draft ({_text(data)})",
                          "check that your mailbox is not full")

    def close(self) -> None:
        client = self._client
        try:
            if client is not None and not self._deadline.expired:
                client.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
        finally:
            if client is not None:
                try:
                    client.shutdown()
                except OSError:
                    pass
            self._deadline.close()

    # -- what went wrong --------------------------------------------------------------------

    def _reason(self, exc: BaseException) -> tuple[str, str]:
        """(what went wrong, what to do); imaplib's errors carry the server's words, never ours."""
        shared = shared_reason(exc, "imap", self.settings.timeout, self._deadline.expired)
        if shared is not None:
            return shared
        if isinstance(exc, imaplib.IMAP4.abort):
            return ("the server closed the connection", "")
        if isinstance(exc, imaplib.IMAP4.error):
            return (f"the server answered: {exc}", "check [imap] security and port")
        return (f"{type(exc).__name__}: {exc}", "check [imap] host and port and your network connection")


def _text(data: object) -> str:
    if isinstance(data, list) and data and isinstance(data[0], bytes):
        return data[0].decode("utf-8", "replace")
    return str(data)
