"""Passwords and OAuth tokens for [smtp] and [imap]: where they come from, never where they go.

A secret never comes from a file in the application folder (that folder is shared,
copied and backed up) and is never printed, logged, put in an error message or passed
on a command line. It comes from one of:

- ``token_command`` (with ``auth = "oauth2"``): a command the student configures that
  prints a fresh access token, as msmtp's ``passwordeval`` and isync's ``PassCmd`` do,
  so packetbuilder ships no OAuth client secret and refreshes no tokens itself. The
  command runs without a shell when it is a plain command line (split as a POSIX shell
  would, quotes included); a line that uses shell syntax (``|``, ``$``, ``~``, ``;``…)
  runs under ``/bin/sh -c``, since that is what it was written for. It gets
  :data:`TOKEN_TIMEOUT` seconds, its own process group (killed whole on a timeout),
  the terminal's stdin and stderr (a token tool may need to ask or explain), and its
  stdout is read as the token: the first non-empty line.
- the system keyring (``keyring = true``), service ``packetbuilder``, user ``username``,
  through the optional ``keyring`` package, imported only when asked for.
- an environment variable, else a hidden prompt (passwords only).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from .config import MailServer
from .errors import InputError, Problem, WorkError
from .textfiles import CONFIG_NAME

KEYRING_SERVICE = "packetbuilder"
TOKEN_TIMEOUT = 60
_SHELL_SYNTAX = re.compile(r"[|&;<>()$`*?\[\]{}~!#\n\\]")
_TOKEN = re.compile(r"^[\x21-\x7e]+$")  # RFC 6750 b64token and every provider's tokens: visible ASCII


@dataclass(frozen=True)
class Credential:
    """Who signs in and with what; the secret is kept out of ``repr`` (and so out of tracebacks)."""

    username: str
    kind: Literal["password", "oauth2"]
    secret: str = field(repr=False)


def command_argv(command: str) -> list[str]:
    """How ``token_command`` is run: its own words, or ``/bin/sh -c`` when it uses shell syntax."""
    if _SHELL_SYNTAX.search(command):
        return ["/bin/sh", "-c", command]
    return shlex.split(command)


def run_token_command(command: str, table: str, timeout: float = TOKEN_TIMEOUT) -> str:
    """The access token ``command`` prints; a WorkError (never showing its output) if it fails."""
    key = f"{table}.token_command"

    def problem(what: str, fix: str) -> WorkError:
        return WorkError(Problem(CONFIG_NAME, f"token_command {what}", fix, key=key))

    try:
        argv = command_argv(command)
    except ValueError as exc:
        raise InputError(Problem(CONFIG_NAME, f"token_command cannot be read as a command line ({exc})",
                                 "check its quotes", key=key)) from None
    if not argv:
        raise InputError(Problem(CONFIG_NAME, "token_command is empty", "write the command that prints a token",
                                 key=key))
    try:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, start_new_session=True)
    except OSError as exc:
        raise problem(f"could not be started ({exc.strerror or exc}: {argv[0]})",
                      "install the token tool, or give its full path") from None
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise problem(f"did not finish within {timeout:g} s",
                      "run it yourself to see why: it may be waiting for you to authorize it in a browser") from None
    if process.returncode != 0:
        raise problem(f"failed (exit status {process.returncode}; its own message, if any, is above)",
                      "run it yourself to see why; the token tool may need to be authorized again") from None
    lines = [line.strip() for line in output.decode("utf-8", "replace").splitlines() if line.strip()]
    if not lines or not _TOKEN.match(lines[0]):
        raise problem("printed no access token (an empty line, or one with spaces or non-ASCII characters)",
                      "it must print the token alone on its first line, as `oama access` and mutt_oauth2.py do")
    return lines[0]


def keyring_secret(username: str, table: str) -> str:
    """The secret stored for ``username`` under :data:`KEYRING_SERVICE` in the system keyring."""
    key = f"{table}.keyring"
    try:
        import keyring  # optional (the "keyring" extra), loaded only when packet.toml asks for it
    except ImportError:
        raise InputError(Problem(CONFIG_NAME, "keyring = true needs the keyring package, which is not installed",
                                 "pip install 'packetbuilder[keyring]' (or pip install keyring)", key=key)) from None
    try:
        secret = keyring.get_password(KEYRING_SERVICE, username)
    except Exception as exc:  # each keyring back end raises its own errors
        raise WorkError(Problem(CONFIG_NAME, f"the system keyring could not be read ({type(exc).__name__})",
                                "unlock your keyring (or log in to the desktop session), then try again",
                                key=key)) from None
    if not secret:
        raise InputError(Problem(CONFIG_NAME, f"the system keyring holds nothing for {username} under "
                                 f"\"{KEYRING_SERVICE}\"", f"store it once with: keyring set {KEYRING_SERVICE} "
                                 f"{username}", key=key))
    return secret


def credential_for(settings: MailServer, password_env: str, prompt: Callable[[str], str]) -> Credential | None:
    """The credential to sign in to ``settings`` with, or None when it names no user (no sign-in)."""
    if settings.username is None:
        return None
    table = settings.PROTOCOL
    if settings.auth == "oauth2":
        token = (run_token_command(settings.token_command, table) if settings.token_command
                 else keyring_secret(settings.username, table))
        return Credential(settings.username, "oauth2", token)
    if settings.keyring:
        return Credential(settings.username, "password", keyring_secret(settings.username, table))
    password = os.environ.get(password_env) or prompt(
        f"{table.upper()} password for {settings.username} at {settings.host}")
    return Credential(settings.username, "password", password)
