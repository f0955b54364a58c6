"""A wall-clock limit on one exchange with a mail server, not only on each read.

A socket timeout bounds each read, so a server that trickles one byte every 20 s
never trips a 60 s timeout and can hold ``send`` for hours. A :class:`Deadline`
keeps a duplicate of the connection's socket and, when the time is up, shuts the
connection down from a timer thread: the read that is blocked returns at once, the
client library raises its "connection closed" error, and the caller asks
:attr:`Deadline.expired` to say why. ``shutdown`` acts on the connection, not on a
descriptor, so it reaches the socket through TLS wrapping as well.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Deadline:
    """Watches one connection; :meth:`limit` bounds a block of work on it."""

    def __init__(self) -> None:
        self._socket: socket.socket | None = None
        self.expired = False

    def watch(self, sock: socket.socket) -> None:
        """Call with the connection's socket as soon as it exists (before TLS)."""
        self._socket = sock.dup()

    def _expire(self) -> None:
        self.expired = True
        if self._socket is not None:
            try:
                self._socket.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    @contextmanager
    def limit(self, seconds: float) -> Iterator[None]:
        """Shut the connection down if the block is still running after ``seconds``."""
        timer = threading.Timer(seconds, self._expire)
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None
