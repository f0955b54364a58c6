"""Mail provider presets: ``provider = "gmail"`` in [smtp] or [imap] fills host and security.

A student should not have to look up five server names to send five e-mails, and a
wrong port is the most common first failure. Each row below is taken from the
provider's own published settings page (named beside it); the port follows from the
security (:data:`PORTS`), so a key the student writes (``port = 587``) still wins.
Data only: read by :mod:`.config` when it validates [smtp] and [imap].
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Server:
    host: str
    security: str  # "ssl" (TLS from the first byte) or "starttls"


@dataclass(frozen=True)
class Provider:
    smtp: Server
    imap: Server


PROVIDERS: dict[str, Provider] = {
    # Google, "Add Gmail to another email client" (IMAP and SMTP settings):
    # https://support.google.com/mail/answer/7126229
    "gmail": Provider(Server("smtp.gmail.com", "starttls"), Server("imap.gmail.com", "ssl")),
    # Microsoft, "POP, IMAP, and SMTP settings" for Microsoft 365 and Outlook.com:
    # https://support.microsoft.com/office/pop-imap-and-smtp-settings-8361e398-8af4-4e97-b147-6c6c4ac95353
    "outlook": Provider(Server("smtp.office365.com", "starttls"), Server("outlook.office365.com", "ssl")),
    # Apple, "iCloud Mail server settings for other email client apps":
    # https://support.apple.com/en-us/102525
    "icloud": Provider(Server("smtp.mail.me.com", "starttls"), Server("imap.mail.me.com", "ssl")),
    # Yahoo, "IMAP server settings for Yahoo Mail": https://help.yahoo.com/kb/SLN4075.html
    "yahoo": Provider(Server("smtp.mail.yahoo.com", "ssl"), Server("imap.mail.yahoo.com", "ssl")),
    # Fastmail, "Server names and ports":
    # https://www.fastmail.help/hc/en-us/articles/1500000278342-Server-names-and-ports
    "fastmail": Provider(Server("smtp.fastmail.com", "ssl"), Server("imap.fastmail.com", "ssl")),
}

# The standard port of each protocol for each kind of security (RFC 8314 for "ssl" and
# "starttls"; "none" is for a test server on this computer).
PORTS: dict[str, dict[str, int]] = {
    "smtp": {"starttls": 587, "ssl": 465, "none": 25},
    "imap": {"starttls": 143, "ssl": 993, "none": 143},
}
