"""What may stand in an e-mail header, and proof that a built message says only that.

Names, the specialty and the subject line are typed by students (or come from a
template someone shared), and they end up in From, To and Subject. Two things must
never come through them:

- *Encoded words* (``=?utf-8?q?…?=``, RFC 2047): a mail program decodes them, and
  some versions of Python's own e-mail package (3.11.7, 3.12.1; CVE-2024-6923) write
  a decoded line break out as a real one, so ``=?utf-8?q?=0D=0ABcc:_x@y?=`` in a
  specialty adds a Bcc header. Nobody's name holds ``=?``, so the two characters are
  refused wherever they are, on every Python.
- *Invisible format characters* (bidi controls such as U+202E, zero-width spaces and
  joiners, the BOM): they make "Dr. Chen" display as something else. They are
  warned about in ``check`` and dropped from every header.

Refusing at the source is the first line; :func:`verify_headers` is the second: it
reads the serialised message back with the e-mail package and refuses it unless the
header names and values are exactly those that were built, whatever the cause.
"""

from __future__ import annotations

import unicodedata
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

from .errors import InputError, Problem

ENCODED_WORD = "=?"


def encoded_word_reason(value: str) -> str:
    """Why ``value`` cannot go into a header, or "": the text a validation error shows."""
    if ENCODED_WORD in value:
        return ("contains '=?', which mail programs read as the start of an encoded word (RFC 2047) and which can "
                "add hidden e-mail headers — remove the '=?'")
    return ""


def invisible(ch: str) -> bool:
    """A format character (Unicode category Cf): bidi controls, zero-width spaces and joiners, the BOM."""
    return unicodedata.category(ch) == "Cf"


def invisible_in(value: str) -> list[str]:
    """The invisible format characters in ``value``, as U+XXXX, each once, in order."""
    return list(dict.fromkeys(f"U+{ord(c):04X}" for c in value if invisible(c)))


def header_text(value: str) -> str:
    """``value`` as a header shows it: invisible format characters dropped, spaces collapsed."""
    return " ".join("".join(c for c in value if not invisible(c)).split())


def serialised(message: EmailMessage) -> bytes:
    """The bytes written to a .eml and handed to a server: CRLF line ends, as RFC 5322 wants."""
    return message.as_bytes(policy=policy.SMTP)


def _headers(message: EmailMessage) -> list[tuple[str, str]]:
    """Each header's name and value, the value without white space: folding a long value
    that mixes encoded and plain words may drop a space between them (the e-mail package
    does so on 3.11–3.13), which changes how it looks but adds nothing to it."""
    return [(name.lower(), "".join(str(value).split())) for name, value in message.items()]


def verify_headers(message: EmailMessage, what: str) -> None:
    """Refuse a message whose headers, written as they will be sent and read back, are
    not exactly the headers that were built.

    Any difference — a header more or less, a value whose text changed in decoding —
    means the message would not say what was built, so it is refused (``what`` names
    it in the error) and nothing is written or sent. Only the top-level headers are
    compared, so only they are written and read: the parts below carry no typed text
    but attachment names, which the e-mail package encodes with RFC 2231 and reads back
    the same, and writing the attached packet twice more was most of an e-mail's cost.
    """
    head = b"".join(policy.SMTP.fold_binary(name, value) for name, value in message.items()) + b"\r\n"
    parsed = BytesParser(policy=policy.default).parsebytes(head, headersonly=True)
    built, read = _headers(message), _headers(parsed)
    if built != read:
        changed = sorted({name for name, _ in set(built) ^ set(read)}) or ["(order)"]
        raise InputError(Problem(what, "the e-mail would not arrive as built: reading it back changes its "
                                       f"header(s) {', '.join(changed)}",
                                 "remove unusual characters ('=?', control or invisible characters) from the names, "
                                 "addresses and subject line (packet.toml and the template)"))
