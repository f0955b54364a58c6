"""Which e-mail a writer may get, by where they stand (``status`` in packet.toml).

A reminder to a chair who never answered the ask, or thanks for a letter not yet
written, embarrasses the student; so does a request to someone who declined. ``email``
refuses such a message with the reason and what to do, and ``send`` skips it with the
same reason. A reminder to a writer who was asked but has not answered is a polite
follow-up on the ask (the reminder template words it so), not a nudge about a date
nobody agreed on. Data and one function; read by the e-mail composer and by ``send``.
"""

from __future__ import annotations

from .config import Writer

_NOT_YET = ' — set status = "uploaded" in packet.toml once it is'
# By kind, the statuses that get no such e-mail, and why.
REFUSED = {
    "request": {"declined": "declined to write a letter", "uploaded": "has already uploaded the letter",
                "thanked": "has already uploaded the letter"},
    "reminder": {"declined": "declined to write a letter",
                 "planned": "has not been asked yet (status planned): send the request first",
                 "uploaded": "has already uploaded the letter", "thanked": "has already uploaded the letter"},
    "thanks": {"declined": "declined to write a letter", "planned": "has not uploaded yet (status planned)" + _NOT_YET,
               "asked": "has not uploaded yet (status asked)" + _NOT_YET,
               "agreed": "has not uploaded yet (status agreed)" + _NOT_YET,
               "thanked": "has already been thanked (status thanked)"},
    "match": {"declined": "declined to write a letter",
              "planned": "did not write a letter (status planned)",
              "asked": "has not uploaded a letter (status asked)" + _NOT_YET,
              "agreed": "has not uploaded a letter (status agreed)" + _NOT_YET},
}


def status_refusal(writer: Writer, kind: str) -> str:
    """Why this writer gets no e-mail of this kind now ("Dr. W declined to write a
    letter"), or "" when they may."""
    reason = REFUSED.get(kind, {}).get(writer.status, "")
    return f"{writer.name} {reason}" if reason else ""
