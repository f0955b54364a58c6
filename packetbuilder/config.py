"""packet.toml → typed, validated settings.

The schema is written once, as pydantic models, so that validation, the typed
settings the rest of the code reads, and the JSON Schema offered to editors
(``packetbuilder schema``) can never disagree. Models reject unknown keys, and every
problem in the file is reported at once with its line and a plain-language fix, as
rendercv does: a student fixing a config should not have to run the tool ten times.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.functional_validators import AfterValidator

from .errors import InputError, Problem
from .formatting import not_text
from .mail_headers import encoded_word_reason
from .providers import PORTS, PROVIDERS
from .textfiles import CONFIG_NAME, read_text

ID_PATTERN = r"^[a-z0-9-]+$"
# RFC 5322 dot-atoms: what every SMTP server accepts (no quoted or non-ASCII local parts).
_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
ROLES = ("clinical", "research", "leadership", "longitudinal", "chair", "slor")
STATUSES = ("planned", "asked", "agreed", "declined", "uploaded", "thanked")


# Everything str.splitlines() breaks at: any of them could end an e-mail header early.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


def _one_line(value: str) -> str:
    """Header-bound text (names, salutation, subject parts) goes into e-mail headers and
    document metadata: a line break, or an encoded word that decodes to one, would let
    a value inject a header."""
    if any(c in _LINE_BREAKS for c in value):
        raise ValueError("must be a single line (it contains a line break) — put it on one line")
    bad = next((c for c in value if not_text(c)), None)
    if bad is not None:
        raise ValueError(f"contains an invisible control character (U+{ord(bad):04X}) — delete it; "
                         "it usually comes with text pasted from another program")
    encoded = encoded_word_reason(value)
    if encoded:
        raise ValueError(encoded)
    if not value.strip():
        raise ValueError("must not be empty — write the value between the quotes")
    return value.strip()


def _email(value: str) -> str:
    value = _one_line(value)
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not a valid e-mail address — write it as name@example.org")
    return value


def _rel_path(value: str) -> str:
    """Paths are relative to the application folder; containment is checked on load."""
    if "\x00" in value or not value.strip():
        raise ValueError("is not a usable path")
    return value


# The years a season can be planned in. Every date is moved by weeks (asks, reminders,
# thank-yous), so a date near year 1 or 9999 overflowed Python's calendar deep inside
# the schedule; no residency application is outside these years, and a typo is caught.
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _plannable(value: dt.date) -> dt.date:
    if not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"{value.isoformat()} is outside the years a season can be planned in — "
                         f"use a date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}")
    return value


Line = Annotated[str, AfterValidator(_one_line)]
Email = Annotated[str, AfterValidator(_email)]
RelPath = Annotated[str, AfterValidator(_rel_path)]
Date = Annotated[dt.date, AfterValidator(_plannable)]
Ident = Annotated[str, Field(pattern=ID_PATTERN, description="Lower-case letters, digits and hyphens.")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Applicant(_Strict):
    name: Line = Field(description="Full name, printed as written (any Unicode).")
    preferred_name: Line | None = Field(None, description="Used in greetings, sign-off and file names.")
    email: Email = Field(description="The applicant's e-mail address; the From of every e-mail.")
    phone: Line | None = None
    school: Line = Field(description="Medical school.")
    class_year: int | None = Field(None, ge=1900, le=2200)
    aamc_id: Line | None = Field(None, description="AAMC ID, shown to writers for the ERAS portal.")
    pronouns: Line | None = Field(None, description="Shown on the cover sheet, for writers who ask (e.g. she/her).")

    @property
    def short_name(self) -> str:
        return self.preferred_name or self.name


class ApplicationSettings(_Strict):
    deadline: Date | None = Field(None, description=(
        "Date by which all letters must be uploaded (the application service's deadline). "
        "`eras_deadline` is the older name of the same key."))
    eras_deadline: Date | None = Field(None, description="The older name of `deadline`; either may be given.")
    page_limit: int = Field(4, ge=2, le=4, description="Pages per packet, 2 to 4.")
    page_size: Literal["letter", "a4"] = "letter"
    lang: Annotated[str, Field(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")] = Field(
        "en-US", description="The packets' language tag (BCP 47), for screen readers and spell checkers.")
    highlight_cap: int = Field(8, ge=1, le=50, description=(
        "At most this many CV entries are marked for a writer on `highlight` keywords or the notes' "
        "Setting alone (the strongest matches); tags and co-authorship always mark."))
    qualities: list[Line] = Field(default_factory=list, description="4–6 words or phrases that describe you.")
    submission: Line | None = Field(None, description=(
        "How letters are submitted; default: as the track's application service takes them (ERAS: its Letter "
        "of Recommendation Portal; ResidencyCAS: the request e-mail from the service and Liaison Letters)."))
    cv: RelPath = "cv.md"
    goals: RelPath | None = None
    programs: RelPath | None = None
    match_day: Date | None = None
    matched: Line | None = Field(None, description="Where you matched, for the Match-outcome e-mail.")

    @model_validator(mode="before")
    @classmethod
    def _one_deadline(cls, data: Any) -> Any:
        """``deadline`` and its older name ``eras_deadline`` are one key: either will do."""
        if not isinstance(data, dict):
            return data
        given = {k: data[k] for k in ("deadline", "eras_deadline") if k in data}
        if not given:
            raise _AtKeys([(("deadline",), "required key 'deadline' is missing — add `deadline = 2026-09-24`, "
                                           "the date all letters must be uploaded by")])
        if len(given) == 2 and given["deadline"] != given["eras_deadline"]:
            raise _AtKeys([(("eras_deadline",), "`deadline` and `eras_deadline` are the same setting and differ — "
                                                "keep one of them")])
        value = next(iter(given.values()))
        if not isinstance(value, dt.date) or not FIRST_DATE <= value <= LAST_DATE:
            return data  # not a usable date: the key as written gets the error, once
        return {**data, "deadline": value, "eras_deadline": value}


class Track(_Strict):
    id: Ident
    specialty: Line
    statement: RelPath | None = None
    focus: list[Line] = Field(default_factory=list, description="Program types and regions.")
    requirements: list[str] = Field(default_factory=list, description="Program-specific letter requirements.")
    service: Line | None = Field(None, description=(
        'The application service: "ERAS", "ResidencyCAS", or its name; default from the specialty '
        "(emergency medicine and OB/GYN apply through ResidencyCAS)."))
    deadline: Date | None = Field(None, description="This track's letter deadline, when it differs from "
                                                       "[application] deadline.")


class Writer(_Strict):
    id: Ident
    name: Line
    salutation: Line
    email: Email
    title: Line | None = None
    role: Literal[ROLES]  # type: ignore[valid-type]
    specialty: Line | None = None
    track: Ident | None = None
    notes: RelPath | None = None
    highlight: list[str] = Field(default_factory=list, description="CV keywords highlighted for this writer.")
    emphasis: list[str] = Field(default_factory=list, description="Areas the writer might speak to.")
    asked: Date | None = None
    deadline: Date | None = Field(None, description="Agreed upload date; default ERAS deadline minus 14 days.")
    waived: bool = True
    letter_id: Line | None = None
    submission: Line | None = None
    share_programs: bool = False
    share_roster: bool = Field(False, description="Show this writer who else is writing for you, and in what role.")
    status: Literal[STATUSES] = "planned"  # type: ignore[valid-type]


class MailServer(_Strict):
    """What [smtp] and [imap] share: where the server is and how to sign in to it.

    ``provider`` fills host and security from :mod:`.providers` and ``port`` follows
    ``security``, before validation, so that a key written in packet.toml always wins.
    No secret is ever read from here: passwords and tokens come from the environment,
    a prompt, the system keyring or ``token_command`` (see :mod:`.credentials`).
    """

    PROTOCOL: ClassVar[str]

    provider: Literal[tuple(PROVIDERS)] | None = Field(  # type: ignore[valid-type]
        None, description="Fills host, port and security with the provider's published settings.")
    host: Line | None = Field(None, description="The server; required unless `provider` is given.")
    username: Line | None = Field(None, description="Usually your e-mail address; without it, no sign-in.")
    auth: Literal["password", "oauth2"] = Field("password", description=(
        "password: an (app) password; oauth2: an OAuth 2.0 access token from `token_command` (XOAUTH2 or "
        "OAUTHBEARER)."))
    token_command: Line | None = Field(None, description=(
        "With auth = \"oauth2\": the command that prints a fresh access token, e.g. \"oama access you@school.edu\"."))
    keyring: bool = Field(False, description=(
        "Read the password (or token) from the system keyring, service \"packetbuilder\", user `username`."))
    timeout: int = Field(120, ge=1, le=3600, description=(
        "Seconds one message may take in all, connecting included, before it is given up."))

    @model_validator(mode="before")
    @classmethod
    def _fill_from_provider(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        provider = data.get("provider")
        if isinstance(provider, str) and provider in PROVIDERS:
            server = getattr(PROVIDERS[provider], cls.PROTOCOL)
            filled.setdefault("host", server.host)
            filled.setdefault("security", server.security)
        security = filled.get("security", cls.model_fields["security"].default)
        if "port" not in filled and isinstance(security, str) and security in PORTS[cls.PROTOCOL]:
            filled["port"] = PORTS[cls.PROTOCOL][security]
        return filled

    @model_validator(mode="after")
    def _sign_in_is_complete(self) -> "MailServer":
        table = self.PROTOCOL
        found = []
        if self.host is None:
            found.append((("host",), "no server is named — add host = \"...\" or provider = \"gmail\" "
                                     "(or outlook, icloud, yahoo, fastmail)"))
        if self.token_command is not None and self.auth != "oauth2":
            found.append((("token_command",), "token_command gives an OAuth access token, but auth is "
                                              f"\"{self.auth}\" — add auth = \"oauth2\" to [{table}]"))
        if self.auth == "oauth2" and self.token_command is None and not self.keyring:
            found.append((("auth",), "auth = \"oauth2\" needs a token — add token_command = \"...\" (the "
                                     "command that prints an access token; see the README)"))
        if (self.auth == "oauth2" or self.keyring) and self.username is None:
            found.append((("username",), "signing in needs a user name — add username = \"you@example.org\""))
        if found:
            raise _AtKeys(found)
        return self


class Smtp(MailServer):
    PROTOCOL = "smtp"

    port: int = Field(587, ge=1, le=65535, description="Default: 587 for starttls, 465 for ssl.")
    security: Literal["starttls", "ssl", "none"] = Field("starttls", description=(
        "starttls (port 587), ssl (port 465) or none (only to a server on this computer)."))


class Imap(MailServer):
    PROTOCOL = "imap"

    port: int = Field(993, ge=1, le=65535, description="Default: 993 for ssl, 143 for starttls.")
    security: Literal["ssl", "starttls", "none"] = Field("ssl", description=(
        "ssl (port 993), starttls (port 143) or none (only to a server on this computer)."))
    drafts: Line | None = Field(None, description=(
        "The Drafts folder, when the server does not mark one (RFC 6154 SPECIAL-USE)."))


class _AtKeys(ValueError):
    """Cross-field problems, each at the key it is about (``(index, "id")`` below the
    validated field): pydantic would put a list or model validator's error on the whole
    list or file, with no line the user can find."""

    def __init__(self, found: list[tuple[tuple[Any, ...], str]]):
        super().__init__("; ".join(message for _, message in found))
        self.found = found


class Config(_Strict):
    """The whole packet.toml. Cross-field rules live in the model validator."""

    applicant: Applicant
    application: ApplicationSettings
    tracks: list[Track] = Field(min_length=1)
    writers: list[Writer] = Field(default_factory=list)
    smtp: Smtp | None = None
    imap: Imap | None = None

    @field_validator("tracks", "writers")
    @classmethod
    def _unique_ids(cls, items: list[Any]) -> list[Any]:
        seen: set[str] = set()
        found = []
        for index, item in enumerate(items):
            if item.id in seen:
                found.append(((index, "id"), f"id {item.id!r} is used twice — give each one a unique id"))
            seen.add(item.id)
        if found:
            raise _AtKeys(found)
        return items

    @model_validator(mode="after")
    def _known_tracks(self) -> "Config":
        ids = [t.id for t in self.tracks]
        found = [(("writers", index, "track"), f"track {w.track!r} is not defined — use one of: {', '.join(ids)}")
                 for index, w in enumerate(self.writers) if w.track is not None and w.track not in ids]
        if found:
            raise _AtKeys(found)
        return self

    # -- derived values the rest of the code asks for -------------------------------

    def track_of(self, writer: Writer) -> Track:
        return next((t for t in self.tracks if t.id == writer.track), self.tracks[0])

    def track_deadline(self, track: Track) -> dt.date:
        """The date all of a track's letters must be uploaded by."""
        return track.deadline or self.application.eras_deadline

    def deadline_of(self, writer: Writer) -> dt.date:
        return writer.deadline or self.track_deadline(self.track_of(writer)) - dt.timedelta(days=14)

    def request_date(self, writer: Writer) -> dt.date:
        """The date a writer's request (its e-mail and its packet) is dated: when the letter
        was asked for, else four weeks before the agreed deadline — never the clock, so the
        same inputs make the same files."""
        return writer.asked or self.deadline_of(writer) - dt.timedelta(days=28)

    def writer(self, writer_id: str) -> Writer:
        for w in self.writers:
            if w.id == writer_id:
                return w
        raise InputError(Problem(CONFIG_NAME, f"no writer with id {writer_id!r}",
                                 f"use one of: {', '.join(w.id for w in self.writers) or '(none defined)'}"))


def json_schema() -> dict[str, Any]:
    """JSON Schema of packet.toml, for editors that validate TOML (Taplo, Even Better TOML)."""
    schema = Config.model_json_schema(mode="validation")
    schema["title"] = "packetbuilder packet.toml"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


# -- locating keys in the TOML text ------------------------------------------------------

_TABLE = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_KEY = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


def key_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Map each key path (``("writers", 1, "email")``) to its 1-based line.

    tomllib gives no positions, and errors without a line are much harder to act on,
    so this scans the text for table headers and ``key =`` lines. Inline tables and
    dotted keys are rare in packet.toml; they fall back to their table's line.
    """
    lines: dict[tuple[Any, ...], int] = {}
    counts: dict[str, int] = {}
    table: tuple[Any, ...] = ()
    for number, raw in enumerate(text.splitlines(), 1):
        m = _TABLE.match(raw)
        if m:
            name = m.group(2)
            if m.group(1) == "[[":
                counts[name] = counts.get(name, -1) + 1
                table = (name, counts[name])
            else:
                table = tuple(name.split("."))
            lines.setdefault(table, number)
            lines.setdefault(table[:1], number)
            continue
        m = _KEY.match(raw)
        if m:
            lines.setdefault((*table, m.group(1)), number)
    return lines


def _line_for(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int]) -> int | None:
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel]:
    model: type[BaseModel] = Config
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            break
        inner = field.annotation
        for candidate in (inner, *getattr(inner, "__args__", ())):
            for sub in (candidate, *getattr(candidate, "__args__", ())):
                if isinstance(sub, type) and issubclass(sub, BaseModel):
                    model = sub
                    break
    return model


def _describe(error: dict[str, Any], loc: tuple[Any, ...]) -> tuple[str, str]:
    """Plain-language (message, fix) for one pydantic error."""
    kind = error["type"]
    key = str(loc[-1]) if loc else ""
    if kind == "extra_forbidden":
        known = list(_model_at(loc[:-1]).model_fields)
        close = difflib.get_close_matches(key, known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys here: {', '.join(known)}"
        return f"unknown key {key!r}", hint
    if kind == "missing":
        return f"required key {key!r} is missing", f"add `{key} = ...`"
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing"):
        return f"{_shown(error['input'])} is not a date", "write a TOML date without quotes, e.g. 2026-09-10"
    if kind == "literal_error":
        return f"{_shown(error['input'])} is not allowed", "use " + error["ctx"]["expected"]
    if kind == "string_pattern_mismatch":
        return f"{_shown(error['input'])} is not a valid id", "use lower-case letters, digits and hyphens, e.g. \"chen\""
    if kind in ("greater_than_equal", "less_than_equal"):
        return f"{_shown(error['input'])} is out of range", error["msg"].replace("Input should be", "it must be")
    if kind == "too_short":
        return f"at least one [[{key}]] table is required", f"add a [[{key}]] table"
    if kind == "value_error":
        message, _, fix = error["msg"].removeprefix("Value error, ").partition(" — ")
        return message, fix
    expected = {"string_type": "text in quotes", "int_type": "a whole number", "bool_type": "true or false",
                "list_type": "a list like [\"a\", \"b\"]", "model_type": "a table",
                "dict_type": "a table"}.get(kind)
    if expected:
        return f"has the wrong type ({type(error['input']).__name__})", f"write {expected}"
    return error["msg"], ""


def _located(errors: list[Any]) -> list[Any]:
    """pydantic's errors, with each cross-field problem moved to the key it is about."""
    out = []
    for error in errors:
        cause = error.get("ctx", {}).get("error")
        if isinstance(cause, _AtKeys):
            out.extend({**error, "loc": (*error["loc"], *sub), "msg": message} for sub, message in cause.found)
        else:
            out.append(error)
    return out


# packet.toml nests at most a list inside a table; a few levels more is already a typo.
# tomllib reads nesting by recursion, so thousands of brackets were a RecursionError.
MAX_NESTING = 8
# What may open or close a string, comment or bracket in TOML (the nesting scan below).
_TOML_TOKEN = re.compile(r'"""|\'\'\'|["\'#\[\]{}\n]')
_STRING_END = {'"""': re.compile(r'(?:[^\\]|\\.)*?"""', re.S), "\'\'\'": re.compile(r"[\s\S]*?\'\'\'"),
               '"': re.compile(r'(?:[^"\\\n]|\\.)*(?:"|$)', re.M), "\'": re.compile(r"[^\'\n]*(?:\'|$)", re.M)}
_LONG_NUMBER = re.compile(r"(?<![\w.])[+-]?\d[\d_]{4300,}")


def _too_deep(text: str) -> int | None:
    """The line where brackets outside strings and comments first nest deeper than
    :data:`MAX_NESTING`, or None. One pass over the text, so any size is quick."""
    depth, line, at = 0, 1, 0
    while (m := _TOML_TOKEN.search(text, at)) is not None:
        token, at = m.group(), m.end()
        if token == "\n":
            line += 1
        elif token == "#":
            end = text.find("\n", at)
            at = len(text) if end < 0 else end
        elif token in _STRING_END:
            end = _STRING_END[token].match(text, at)
            stop = end.end() if end else len(text)
            line += text.count("\n", at, stop)
            at = stop
        elif token in "[{":
            depth += 1
            if depth > MAX_NESTING:
                return line
        else:
            depth = max(0, depth - 1)
    return None


def _key_at(text: str, line: int) -> str:
    """The dotted key written at ``line`` (or the table it is in), for a problem found
    before the text could be read as TOML."""
    lines = key_lines(text)
    best = max((path for path, number in lines.items() if number <= line),
               key=lambda path: (lines[path], len(path)), default=())
    return ".".join(str(part) for part in best if not isinstance(part, int))


def _too_long_number(text: str, file: str) -> InputError:
    """tomllib reads integers with ``int()``, which refuses more than 4,300 digits with a
    plain ValueError and no position: find the number's line ourselves."""
    number = _LONG_NUMBER.search(text)
    line = text.count("\n", 0, number.start()) + 1 if number else None
    digits = f"of {len(number.group())} digits " if number else ""
    return InputError(Problem(file, f"has a number {digits}too long to read", "write a whole number such as 2027",
                              line, _key_at(text, line) if line else ""))


def _shown(value: Any) -> str:
    """A value as a message quotes it: a huge one (a pasted number of thousands of digits)
    is cut, so that the message stays one readable line."""
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:20]}… ({len(text)} characters)"


def parse_config(text: str, file: str = CONFIG_NAME) -> Config:
    """Validate packet.toml text; raise InputError listing every problem with its line."""
    deep = _too_deep(text)
    if deep is not None:
        raise InputError(Problem(file, f"has brackets nested more than {MAX_NESTING} deep",
                                 'a list in packet.toml is one level, e.g. qualities = ["calm", "kind"]', deep,
                                 _key_at(text, deep)))
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(r"\(at line (\d+), column (\d+)\)", msg)
        line = int(m.group(1)) if m else None
        raise InputError(Problem(file, "TOML syntax error: " + re.sub(r"\s*\(at .*\)", "", msg),
                                 "check quotes, brackets and `key = value` form on that line", line)) from None
    except ValueError:
        raise _too_long_number(text, file) from None
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        lines = key_lines(text)
        problems = []
        for error in _located(exc.errors()):
            loc = tuple(error["loc"])
            message, fix = _describe(error, loc)
            key = ".".join(str(p) for p in loc if not isinstance(p, int))
            if loc and loc[0] in ("writers", "tracks") and len(loc) > 1 and isinstance(loc[1], int):
                ident = raw.get(loc[0], [{}])[loc[1]]
                ident = ident.get("id") if isinstance(ident, dict) else None
                key = f"{loc[0]}[{ident or loc[1] + 1}]" + "".join(f".{p}" for p in loc[2:])
            problems.append(Problem(file, message, fix, _line_for(loc, lines), key))
        raise InputError(problems) from None


def load_config(folder: Path) -> Config:
    path = folder / CONFIG_NAME
    return parse_config(read_text(folder, CONFIG_NAME, path), CONFIG_NAME)
