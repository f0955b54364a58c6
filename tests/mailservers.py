"""Real mail servers for the tests, on 127.0.0.1 only, started and stopped by the tests.

- SMTP: aiosmtpd, with a handler that records what arrives and can misbehave on cue
  (hang up after DATA, trickle its reply, hold a message until told), and SASL
  PLAIN/LOGIN (UTF-8) and XOAUTH2/OAUTHBEARER mechanisms that check the secret.
- IMAP: Dovecot from Debian's ``dovecot-imapd``, run as a subprocess from a private
  config in a temporary folder: a passwd-file user, Maildir in the folder, a Drafts
  mailbox marked ``\\Drafts`` (RFC 6154), TLS with a trustme certificate, and an
  oauth2 passdb whose token introspection is a small HTTP server in the test.
- A TCP proxy that cuts a connection at a chosen point, and a server that trickles one
  byte at a time, to make the faults a real network makes.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import http.server
import imaplib
import json
import os
import grp
import pwd
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from packetbuilder.build import build_application

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
USER = "anh.nguyen@med.example.edu"
PASSWORD = "correct horse battery"
UNICODE_PASSWORD = "Łódź-crème-brûlée-密码"  # not Latin-1, not ASCII
TOKEN = "ya29.test-access-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 15.0) -> None:
    give_up = time.monotonic() + seconds
    while time.monotonic() < give_up:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


@dataclass
class LocalCA:
    """A certificate authority the clients trust through SSL_CERT_FILE, and a 127.0.0.1 certificate."""

    folder: Path
    authority: trustme.CA = field(default_factory=trustme.CA)

    def __post_init__(self) -> None:
        leaf = self.authority.issue_cert("127.0.0.1")
        self.ca_file = self.folder / "test-ca.pem"
        self.cert_file = self.folder / "server-cert.pem"
        self.key_file = self.folder / "server-key.pem"
        self.authority.cert_pem.write_to_path(str(self.ca_file))
        with open(self.cert_file, "wb") as handle:
            for pem in leaf.cert_chain_pems:
                handle.write(pem.bytes())
        leaf.private_key_pem.write_to_path(str(self.key_file))
        self.server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        leaf.configure_cert(self.server_context)

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.ca_file))


# -- SMTP ----------------------------------------------------------------------------------

@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    authenticated: bool
    tls: bool
    mechanism: str


@dataclass
class Recorder:
    """An SMTP handler that keeps what arrives, and misbehaves on cue.

    ``drop_after`` N messages it hangs up at the next MAIL; ``refuse_data`` it answers the
    message with that reply and keeps nothing; ``hang_up_after_data`` it
    keeps the message and hangs up instead of answering; ``trickle_reply`` it keeps the
    message and answers one byte at a time, every ``trickle_every`` seconds; ``hold`` it
    keeps the message and answers only once the event is set; ``delay`` it waits before
    each answer to DATA."""

    drop_after: int | None = None
    refuse_data: str = ""
    hang_up_after_data: bool = False
    trickle_reply: bool = False
    trickle_every: float = 0.3
    hold: threading.Event | None = None
    delay: float = 0.0
    password: str = PASSWORD
    token: str = TOKEN
    received: list[Received] = field(default_factory=list)
    refused_tokens: int = 0

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.drop_after is not None and len(self.received) >= self.drop_after:
            server.transport.close()
            return "421 closing"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.refuse_data:
            return self.refuse_data
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        mechanism = getattr(session.auth_data, "mechanism", "PLAIN/LOGIN") if session.authenticated else ""
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message,
                                      bool(session.authenticated),
                                      server.transport.get_extra_info("ssl_object") is not None, mechanism))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.hang_up_after_data:
            server.transport.abort()
            return None
        if self.trickle_reply:
            for _ in range(1000):
                if server.transport.is_closing():
                    return None
                server.transport.write(b"2")
                await asyncio.sleep(self.trickle_every)
        if self.hold is not None:
            while not self.hold.is_set():
                await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"

    def check_password(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (auth_data.login, auth_data.password) == (USER.encode(), self.password.encode("utf-8"))
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself

    async def _oauth(self, server, args, mechanism: str) -> AuthResult:
        blob = base64.b64decode(args[1]) if len(args) > 1 else await server.challenge_auth("")
        fields = dict(part.split(b"=", 1) for part in blob.split(b"\x01") if b"=" in part)
        user = fields.get(b"user") or blob.split(b",")[1].removeprefix(b"a=")
        if user == USER.encode() and fields.get(b"auth") == b"Bearer " + self.token.encode():
            return AuthResult(success=True, auth_data=OAuthLogin(user.decode(), mechanism))
        self.refused_tokens += 1
        await server.challenge_auth(json.dumps({"status": "401", "schemes": "bearer"}))
        return AuthResult(success=False, handled=False)

    async def auth_XOAUTH2(self, server, args):
        return await self._oauth(server, args, "XOAUTH2")

    async def auth_OAUTHBEARER(self, server, args):
        return await self._oauth(server, args, "OAUTHBEARER")


@dataclass
class OAuthLogin:
    login: str
    mechanism: str


@contextlib.contextmanager
def smtp_server(handler: Recorder, port: int, **options) -> Iterator[Controller]:
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield controller
    finally:
        if handler.hold is not None:
            handler.hold.set()
        controller.stop()


@contextlib.contextmanager
def starttls_server(handler: Recorder, ca: LocalCA, port: int, **options) -> Iterator[Controller]:
    with smtp_server(handler, port, tls_context=ca.server_context, require_starttls=True,
                     authenticator=handler.check_password, auth_required=True, auth_require_tls=True,
                     **options) as controller:
        yield controller


# -- faults on the wire ---------------------------------------------------------------------

class _Listener:
    """A loopback TCP server that hands each connection to ``_handle``, in a thread of its own."""

    def __init__(self, port: int):
        self.port = port
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", port))
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        self._listener.settimeout(0.1)
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        raise NotImplementedError

    def __enter__(self):  # type: ignore[no-untyped-def]  # each subclass returns itself
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._listener.close()


class Trickler(_Listener):
    """A server that sends ``first`` and then one byte at a time, forever: per-read
    timeouts never fire, only a deadline on the whole exchange does."""

    def __init__(self, port: int, first: bytes = b"2", every: float = 0.3):
        super().__init__(port)
        self.first, self.every = first, every

    def _handle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.sendall(self.first)
                while not self._stop.wait(self.every):
                    conn.sendall(b"2")
            except OSError:
                return


class FaultyProxy(_Listener):
    """A TCP proxy to ``upstream`` that breaks the first connection whose upload passes
    ``after`` bytes: ``mode="cut"`` closes both sides at once (the server gets part of the
    message), ``mode="mute"`` lets the whole upload through but never forwards the
    server's answers again and then closes (the server has the message; the client
    never hears so). Sizes count TLS bytes, which track the plaintext closely."""

    def __init__(self, upstream: int, after: int, mode: str):
        super().__init__(free_port())
        self.upstream, self.after, self.mode = upstream, after, mode
        self.tripped = threading.Event()

    def _handle(self, client: socket.socket) -> None:
        server = socket.create_connection(("127.0.0.1", self.upstream))
        uploaded = 0
        muted = False
        armed = not self.tripped.is_set()
        with client, server:
            client.settimeout(0.05)
            server.settimeout(0.05)
            idle_since = None
            while not self._stop.is_set():
                moved = False
                with contextlib.suppress(TimeoutError):
                    data = client.recv(65536)
                    if not data:
                        return
                    moved = True
                    if armed and self.mode == "cut" and uploaded + len(data) > self.after:
                        server.sendall(data[: max(0, self.after - uploaded)])
                        self.tripped.set()
                        return
                    uploaded += len(data)
                    server.sendall(data)
                    if armed and self.mode == "mute" and uploaded > self.after:
                        muted = True
                with contextlib.suppress(TimeoutError):
                    data = server.recv(65536)
                    if not data:
                        return
                    moved = True
                    if not muted:
                        client.sendall(data)
                if muted:
                    idle_since = idle_since if not moved else time.monotonic()
                    if idle_since is not None and time.monotonic() - idle_since > 1.0:
                        self.tripped.set()
                        return


# -- IMAP: Dovecot ----------------------------------------------------------------------------

DOVECOT = shutil.which("dovecot") or ("/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None)


def need_dovecot() -> str:
    if DOVECOT is None:
        pytest.skip("Dovecot is not installed (Debian: apt-get install dovecot-imapd; `make test` does it as root)")
    return DOVECOT


class Introspection:
    """The OAuth 2.0 token introspection endpoint (RFC 7662) Dovecot's oauth2 passdb asks:
    ``token`` is active for ``user``, anything else is not."""

    def __init__(self, token: str = TOKEN, user: str = USER):
        self.token, self.user = token, user
        self.asked = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                outer.asked += 1
                good = parse_qs(body).get("token", [""])[0] == outer.token
                answer = json.dumps({"active": "true", "username": outer.user} if good else {"active": "false"})
                data = answer.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/introspect"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Introspection:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Dovecot:
    """A private Dovecot: ``imaps`` (TLS from the first byte) and ``imap`` (STARTTLS) ports.

    As root it runs as Debian installs it (login processes as dovenull, internal ones as
    dovecot, mail owned by nobody); as another user it runs rootless, everything as that
    user (Dovecot's "Rootless installation"). ``mailboxes`` maps each mailbox to its
    SPECIAL-USE flag ("" for none)."""

    ca: LocalCA
    introspection_url: str
    users: dict[str, str] = field(default_factory=lambda: {USER: PASSWORD})
    mailboxes: dict[str, str] = field(default_factory=lambda: {"Drafts": "\\Drafts", "Sent": "\\Sent"})

    def __post_init__(self) -> None:
        self.binary = need_dovecot()
        # Short, world-traversable: unix socket paths are limited to ~100 bytes, and the mail
        # user must reach its Maildir.
        self.root = Path(tempfile.mkdtemp(prefix="pb-dovecot-", dir="/tmp"))
        self.root.chmod(0o755)
        self.imaps_port, self.imap_port = free_port(), free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def _config(self) -> str:
        root = self.root
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("nobody")
            users = "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
            chroot = ""
        else:
            mail_user = pwd.getpwuid(os.geteuid())
            group = grp.getgrgid(os.getegid()).gr_name
            users = (f"default_internal_user = {mail_user.pw_name}\ndefault_internal_group = {group}\n"
                     f"default_login_user = {mail_user.pw_name}\n")
            chroot = "  chroot =\n"
        boxes = "".join(f"  mailbox \"{name}\" {{\n    auto = create\n"
                        + (f"    special_use = {flag}\n" if flag else "") + "  }\n"
                        for name, flag in self.mailboxes.items())
        return f"""# A private Dovecot for packetbuilder's tests: loopback only, everything under {root}.
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{users}ssl = required
ssl_cert = <{self.ca.cert_file}
ssl_key = <{self.ca.key_file}
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login oauthbearer xoauth2
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
namespace inbox {{
  inbox = yes
  separator = /
{boxes}}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
passdb {{
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = {root}/oauth2.conf.ext
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/home/%u
}}
# No growing delay after a wrong password or token from 127.0.0.1 (the auth penalty):
# the tests try wrong ones on purpose.
service anvil {{
{chroot}  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
{chroot}  inet_listener imap {{
    address = 127.0.0.1
    port = {self.imap_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.imaps_port}
    ssl = yes
  }}
}}
"""

    def __enter__(self) -> Dovecot:
        root = self.root
        (root / "users").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()),
                                    encoding="utf-8")
        (root / "oauth2.conf.ext").write_text(
            f"introspection_mode = post\nintrospection_url = {self.introspection_url}\n"
            "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
            "force_introspection = yes\n", encoding="utf-8")
        (root / "dovecot.conf").write_text(self._config(), encoding="utf-8")
        for name in ("mail", "home"):
            (root / name).mkdir()
            if os.geteuid() == 0:
                nobody = pwd.getpwnam("nobody")
                os.chown(root / name, nobody.pw_uid, nobody.pw_gid)
        self.process = subprocess.Popen([self.binary, "-F", "-c", str(root / "dovecot.conf")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            wait_for_port(self.imaps_port)
        except AssertionError:
            self.__exit__()
            raise AssertionError("Dovecot did not start: " + self.log())
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None
        shutil.rmtree(self.root, ignore_errors=True)

    def log(self) -> str:
        try:
            return (self.root / "dovecot.log").read_text(errors="replace")
        except OSError:
            return ""

    def client(self, user: str = USER, password: str | None = None) -> imaplib.IMAP4_SSL:
        """A plain imaplib session, independent of packetbuilder's code, to read back what arrived."""
        client = imaplib.IMAP4_SSL("127.0.0.1", self.imaps_port, ssl_context=self.ca.client_context(), timeout=30)
        secret = (password or self.users[user]).encode("utf-8")
        client.authenticate("PLAIN", lambda _: b"\0" + user.encode("utf-8") + b"\0" + secret)
        return client

    def messages(self, mailbox: str = "Drafts", user: str = USER) -> list[tuple[set[str], EmailMessage]]:
        """(flags, message) of every message in ``mailbox``, read back over IMAP."""
        client = self.client(user)
        try:
            typ, _ = client.select(f'"{mailbox}"', readonly=True)
            assert typ == "OK", mailbox
            typ, data = client.fetch("1:*", "(FLAGS BODY.PEEK[])") if _count(client) else ("OK", [])
            found = []
            for item in data:
                if isinstance(item, tuple):
                    flags = set(imaplib.ParseFlags(item[0]))
                    found.append(({f.decode() for f in flags}, BytesParser(policy=policy.default).parsebytes(item[1])))
            return found
        finally:
            client.logout()


def _count(client: imaplib.IMAP4) -> int:
    typ, data = client.search(None, "ALL")
    return len(data[0].split()) if data and data[0] else 0


# -- the application ---------------------------------------------------------------------------

def built_sample(root: Path) -> Path:
    """``root``, holding the sample application (``app``) built into ``out``: PDF, DOCX and
    request.eml per writer. Mail settings are added afterwards, as a student would."""
    shutil.copytree(SAMPLES, root / "app")
    build_application(root / "app", root / "out", formats=("pdf", "docx", "eml"))
    return root


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string


def set_table(app: Path, name: str, **values: object) -> None:
    """Replace (or add, or with no values remove) the [name] table of packet.toml, as a user
    would edit it."""
    toml = app / "packet.toml"
    text = toml.read_text(encoding="utf-8")
    head, marker, rest = text.partition(f"\n[{name}]\n")
    if marker:
        following = rest.find("\n[")
        text = head + ("\n" + rest[following:] if following >= 0 else "\n")
    if values:
        text = text.rstrip("\n") + f"\n\n[{name}]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in values.items())
    toml.write_text(text, encoding="utf-8")


def token_command(folder: Path, token: str = TOKEN, exit_status: int = 0, sleep: float = 0) -> str:
    """A token_command that prints ``token`` (as `oama access` would), written as a script."""
    script = folder / f"token-{abs(hash((token, exit_status, sleep)))}.py"
    script.write_text(f"import sys, time\ntime.sleep({sleep})\nprint({token!r})\nsys.exit({exit_status})\n")
    return f"{sys.executable} {script}"
