"""Hostile text still renders: fuzzing the whole build with hypothesis.

Users paste whatever their CV holds. Each example writes an application whose CV,
notes, statement and header-bound names are random mixes of Markdown markup, raw
HTML, entities, control characters, bidi overrides, emoji, astral-plane
characters, very long words and lines, deeply nested and empty list items, tables
and code fences, with tags after CV lines, ``Key: value`` facts in the notes and, in
some examples, a hostile programs.csv, then runs the real ``build`` command for the packet (PDF and DOCX). Every example must either
build a PDF and a DOCX that pypdf and python-docx open, within the page limit, or
fail clearly — exit 2 with ``error: <file>…`` lines for invalid input, or exit 1
with the fitter's "FAILED — … too long … — shorten …" line when what may not be cut
(the cover sheet, the notes on the work with the writer) exceeds the page limit —
never with a traceback or an internal error. The build runs in-process with
``PACKETBUILDER_DEBUG=1``, so a real bug surfaces as its own exception, which
hypothesis shrinks to a minimal example.

Profiles (environment variable ``PACKETBUILDER_FUZZ``): ``quick`` (default, part of
``make test``: 30 examples, the same ones every run) and ``long`` (``make fuzz``:
``FUZZ_EXAMPLES``, default 1500, new ones every run).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from email import policy
from email.parser import BytesParser
from pathlib import Path

import docx
import pypdf
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from packetbuilder.cli import main
from packetbuilder.config import _LINE_BREAKS
from packetbuilder.formatting import not_text
from packetbuilder.render import fonts

settings.register_profile("quick", max_examples=30, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("long", max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1500")), deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("PACKETBUILDER_FUZZ", "quick"))

ERROR_LINE = re.compile(r"^error: [^:\s][^:]*(:\d+)?: (\[[^\]]+\] )?\S.* — \S.*$")
PAGE_LIMIT = 3

HOSTILE = [
    "&", "&amp;", "&lt;b&gt;", "&#0;", "&#x110000;", "&#xD800;", "&nbsp;", "&bogus;", "AT&T", "a<b", "<jane@x.org>",
    "<b>bold?</b>", "</p>", "<script>alert(1)</script>", "<!--", "-->", "<![CDATA[x]]>", "<br/>", "<para>",
    '<a href="javascript:alert(1)">x</a>', "*", "**", "***", "_", "__", "`", "``", "~~", "\\", "|", "#", ">",
    "[link](https://example.org/a_(b))", "[x](javascript:alert(1))", "[e](mailto:a@b.c)", "[](<>)", "![img](x.png)",
    "[ref][missing]", "[x](\uffff)", "[x](&#xFFFF;)", "[x](http://a.example/\u202e)", "<https://a.example/&amp;>",
    '[t](https://a.example "title & <b>")', "<mailto:a@b.example>", "{: .chen .keep }", "{: .optional }", "{: #anchor }", "{:", "}", "\x07", "\x08",
    "\x0b", "\x0c", "\x1b[31m", "\x7f", "\x85", "\u00ad", "\u200b", "\u200d", "\u2028", "\u2029", "\u202e",
    "\u2066", "\u2069", "\u061c", "\ufeff", "\ufffd", "\ufffe", "\uffff", "\U0001F600", "\U0001F9D1\u200d\u2695\ufe0f",
    "\U0001D518", "\U000E0041", "\U0010FFFD", "\u01c4", "\ufdfa", "\u0e01\u0e34\u0e4a", "نگوین", "עברית",
    "Nguyễn Thị", "Wiśniewski", "Ⅻ", "\u2011", "\t", "  ", "'quoted'", '"double"', "--", "...", "<<", ">>",
]

short_atom = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), min_size=1, max_size=12),
    st.text("abcdefghij ", min_size=1, max_size=30),
)
atom = st.one_of(short_atom, st.integers(50, 3000).map(lambda n: "W" * n))  # or one very long word


def words(atoms: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(atoms, min_size=1, max_size=8).map(" ".join).map(lambda s: s.replace("\n", " ").replace("\r", " "))


line, short_line = words(atom), words(short_atom)
long_line = st.integers(1000, 3000).map(lambda n: ("lorem ipsum dolor " * 200)[:n])


@st.composite
def nested_list(draw, text: st.SearchStrategy[str]) -> str:
    """A list nested up to thirty deep, with empty items and mixed markers."""
    depth = draw(st.integers(1, 30))
    rows = []
    for level in range(depth):
        marker = draw(st.sampled_from(["-", "*", "+", "1."]))
        item = draw(st.one_of(st.just(""), text))
        rows.append("    " * level + f"{marker} {item}".rstrip())
    return "\n".join(rows)


@st.composite
def table(draw, text: st.SearchStrategy[str]) -> str:
    columns = draw(st.integers(1, 6))
    cells = st.lists(st.one_of(st.just(""), text.map(lambda s: s.replace("|", "\\|"))), min_size=columns,
                     max_size=columns)
    rows = [draw(cells) for _ in range(draw(st.integers(0, 5)))]
    head = draw(cells)
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * columns]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


@st.composite
def fence(draw, text: st.SearchStrategy[str]) -> str:
    body = draw(st.lists(text, max_size=6))
    closed = draw(st.booleans())
    return "```" + draw(st.sampled_from(["", "python", "<b>", "{: .x}"])) + "\n" + "\n".join(body) + (
        "\n```" if closed else "")


def blocks(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Markdown blocks whose text comes from ``text``."""
    return st.one_of(
        text,
        nested_list(text),
        table(text),
        fence(text),
        text.map(lambda s: "### " + s),
        text.map(lambda s: "> " + s),
        text.map(lambda s: f"<div>\n{s}\n</div>"),
        st.sampled_from(["---", "- ", "1.", "#", "##", "<!-- unclosed", "    indented code", "\\", "| |\n|-|"]),
    )


# Tags at the end of a CV line, as people write them, mistype them and paste them.
tag = st.one_of(st.sampled_from(["chen", "keep", "optional", "lee", "CHEN", "chen-2", "x" * 300, "é", "1"]),
                st.text(st.characters(exclude_categories=("Cs",), exclude_characters="\x00}"), min_size=1, max_size=8))
tags = st.lists(st.tuples(st.sampled_from([".", "#", "", "key="]), tag).map("".join), min_size=1, max_size=5).map(
    lambda found: " {: " + " ".join(found) + " }")
tagged_line = st.tuples(line, st.one_of(st.just(""), tags)).map("".join)

# CV and statement: anything, 3,000-character lines included (the packet is trimmed to fit).
markdown = st.lists(st.one_of(blocks(tagged_line), long_line), min_size=1, max_size=8).map("\n\n".join)

# The notes' `Key: value` facts: the keys packetbuilder reads, their near misses, and any text.
fact_key = st.one_of(st.sampled_from(["Setting", "Dates", "Weeks", "Patients", "Learned", "Why", "Week", "SETTING",
                                      "why", "Title", "Setting:", "Wh y"]), short_line.map(lambda s: s.strip(": ")))
facts = st.lists(st.tuples(fact_key, short_line), max_size=6).map(
    lambda rows: "".join(f"{key}: {value}\n" for key, value in rows))

# programs.csv: hostile fields, stray and doubled quotes, too many or too few columns.
csv_field = st.one_of(short_atom, st.sampled_from(['"', '""', '"a,b"', "a\"b", "3", "11", "chair;slor", "track:im",
                                                   "specialty:9", " ", ""]), st.integers(1000, 140_000).map(
                                                       lambda n: "x" * n))
programs_csv = st.lists(st.lists(csv_field, min_size=1, max_size=8).map(",".join), max_size=6).map(
    lambda rows: "\n".join(["program,city,state,type,priority,letters,requires", *rows]) + "\n")
# Notes are never trimmed, so long ones only test that the fitter says so: keep them short.
short_markdown = st.lists(blocks(short_line), min_size=1, max_size=3).map("\n\n".join)


def toml_string(text: str) -> str:
    """A TOML basic string holding exactly ``text`` (escapes everything but printable ASCII)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif " " <= ch <= "~":
            out.append(ch)
        else:
            out.append(f"\\u{ord(ch):04X}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08X}")
    return '"' + "".join(out) + '"'


# Names as packet.toml accepts them (no line breaks or control characters, which are
# refused with exit 2: see the catalogue), hostile in every other way.
name = st.one_of(st.sampled_from(["Maya Chen, MD", "Nguyễn Thị Minh Anh", "O'Brien & <Sons>", "\u202eevil\u202c name",
                                  "\U0001F600 Smiley", "عائشة بنت أحمد", "Dr. \u05e9\u05e8\u05d4 Cohen", "Tab\tName",
                                  "Wolfeschlegelsteinhausenbergerdorff " * 12]),
                 short_line.map(lambda s: "".join(c for c in s if not not_text(c) and c not in _LINE_BREAKS))
                 .map(lambda s: s if s.strip() else "Name" + s))  # a blank name is refused: see the catalogue
# A few examples in a hundred try to smuggle a header or a noncharacter into the salutation.
smuggled = st.sampled_from([""] * 60 + ["\r\nBcc: x@example.org", "\u2028Bcc: x", "\x85", "\ufffe"])


def write_application(folder: Path, cv: str, notes: str, statement: str, names: dict[str, str],
                      programs: str | None = None) -> None:
    (folder / "notes").mkdir(parents=True)
    (folder / "statements").mkdir()
    (folder / "packet.toml").write_text(f"""\
[applicant]
name = {toml_string(names['applicant'])}
email = "jordan.rivera@med.example.edu"
school = "Example University School of Medicine"

[application]
eras_deadline = 2026-09-24
page_limit = {PAGE_LIMIT}
qualities = [{toml_string(names['quality'])}]
{'programs = "programs.csv"' if programs is not None else ""}

[[tracks]]
id = "im"
specialty = {toml_string(names['specialty'])}
statement = "statements/im.md"
focus = [{toml_string(names['quality'])}]

[[writers]]
id = "chen"
name = {toml_string(names['writer'])}
salutation = {toml_string(names['salutation'])}
email = "mchen@hospital.example.org"
role = "clinical"
highlight = ["heart failure"]
emphasis = [{toml_string(names['emphasis'])}]
""", encoding="utf-8")
    (folder / "cv.md").write_text(cv, encoding="utf-8")
    (folder / "notes" / "chen.md").write_text(notes, encoding="utf-8")
    (folder / "statements" / "im.md").write_text(statement, encoding="utf-8")
    if programs is not None:
        (folder / "programs.csv").write_text(programs, encoding="utf-8")


def build(folder: Path, out: Path, formats: str = "pdf,docx"):
    """The packet only, by default: the request e-mail rightly refuses text that looks like
    a template placeholder ([x], <<x>>, {{ x }}), which hostile text often does."""
    return CliRunner().invoke(main, ["build", str(folder), "--out", str(out), "--writer", "chen", "--jobs", "1",
                                     "--format", formats], env={"PACKETBUILDER_DEBUG": "1", "NO_COLOR": "1"})


def assert_outcome(result, out: Path) -> None:
    shown = result.output + (result.stderr if result.stderr_bytes is not None else "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception  # a real bug: let hypothesis shrink it and show the traceback
    assert "Traceback" not in shown and "internal error" not in shown, shown
    assert result.exit_code in (0, 1, 2), shown
    if currently_in_test_context():  # the outcome mix, in --hypothesis-show-statistics
        event({0: "built", 1: "too long for the page limit", 2: "invalid input"}[result.exit_code])
    if result.exit_code == 2:
        errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
        assert errors and all(ERROR_LINE.match(e) for e in errors), shown
        return
    if result.exit_code == 1:
        assert re.search(r"^chen: FAILED — the packet for chen needs \d+ pages.* — shorten ", result.stdout, re.M), shown
        return
    [pdf_path] = (out / "chen").glob("*.pdf")
    [docx_path] = (out / "chen").glob("*.docx")
    reader = pypdf.PdfReader(io.BytesIO(pdf_path.read_bytes()), strict=True)
    assert 1 <= len(reader.pages) <= PAGE_LIMIT, shown
    reader.pages[0].extract_text()
    docx.Document(str(docx_path))


@given(cv_body=markdown, notes=short_markdown, statement=markdown, names=st.fixed_dictionaries(
    {"applicant": name, "writer": name, "salutation": st.tuples(name, smuggled).map("".join), "specialty": name,
     "quality": name, "emphasis": short_line}), sectionless=st.sampled_from([False] * 9 + [True]),
       note_facts=facts, programs=st.one_of(st.none(), programs_csv))
def test_hostile_markdown_builds_or_fails_clearly(cv_body: str, notes: str, statement: str,
                                                  names: dict[str, str], sectionless: bool, note_facts: str,
                                                  programs: str | None) -> None:
    cv = cv_body if sectionless else f"# Jordan Rivera\n\n## Experience\n\n{cv_body}\n"
    with tempfile.TemporaryDirectory() as tmp:
        folder, out = Path(tmp) / "app", Path(tmp) / "out"
        write_application(folder, cv, "Setting: " + notes.split("\n")[0] + "\n" + note_facts + "\n" + notes,
                          statement, names, programs)
        assert_outcome(build(folder, out), out)


PLAIN = {"applicant": "Jordan Rivera", "writer": "Maya Chen, MD", "salutation": "Dr. Chen",
         "specialty": "Internal Medicine", "quality": "calm", "emphasis": "clinical reasoning"}
ESSAY = ("lorem ipsum dolor " * 200)[:3000]

# What fuzzing found, kept as fixed cases: each stopped or hung the build before its fix.
FOUND = {
    # reportlab cannot repeat a table header taller than a page (LayoutError)
    "table header taller than a page": dict(cv="| " + "W" * 4000 + " | b | c | d |\n|---|---|---|---|\n| 1 | 2 | 3 | 4 |"),
    # a cover-sheet row taller than a page could not be split (LayoutError)
    "cover-sheet row taller than a page": dict(notes="Setting: " + "W" * 3000 + "\n\n- ward work",
                                              names={**PLAIN, "emphasis": ESSAY}),
    # reportlab looped forever on a keep-with-next heading taller than the page with nothing after it…
    "heading taller than a page at the end": dict(cv="### " + "W" * 3300),
    # …and on the part of one left over when it split across pages
    "heading split across pages at the end": dict(cv="```\ni " + "W" * 3000 + "\n```\n\n### " + "W" * 3300,
                                                 statement=ESSAY),
    # a section heading (a PDF outline entry) split across pages: reportlab made its parts
    # with the heading class's own constructor, which refused them (TypeError; found in review)
    "section heading taller than a page": dict(cv="- ward work\n\n## " + "Longheading " * 1500 + "\n\n- an entry"),
    # python-docx refuses U+FFFF (in a link target, or passed as drawable by the fonts' cmap)
    "noncharacters in links and text": dict(cv="- see [x](https://a.example/&#xFFFF;) and [y](&#xFFFF;)",
                                            names={**PLAIN, "emphasis": "odd \uffff and \x00 here"}),
    # python-docx refuses core properties over 255 characters; file names over 255 bytes fail
    "very long names": dict(names={**PLAIN, "applicant": "Wolfeschlegelsteinhausenbergerdorff " * 12,
                                   "writer": "Wolfeschlegelsteinhausenbergerdorff " * 12}),
}


@pytest.mark.parametrize("case", FOUND)
def test_what_fuzzing_found_still_builds(case: str, tmp_path: Path) -> None:
    spec = FOUND[case]
    folder, out = tmp_path / "app", tmp_path / "out"
    write_application(folder, f"# Jordan Rivera\n\n## Experience\n\n{spec.get('cv', '- ward work')}\n",
                      spec.get("notes", "Setting: ward"), spec.get("statement", "A short statement."),
                      spec.get("names", PLAIN))

    result = build(folder, out, "pdf,docx,eml")

    assert_outcome(result, out)
    assert result.exit_code in (0, 1)  # built, or too long for the page limit: never invalid input


def test_missing_glyphs_are_replaced_visibly_and_reported(sample: Path, tmp_path: Path) -> None:
    """A character no font has prints as □ in both outputs, never vanishes, and check names it."""
    lacking = "\U0001F600"  # an emoji: Carlito has none
    assert ord(lacking) not in fonts.covered()
    cv = sample / "cv.md"
    cv.write_text(cv.read_text("utf-8").replace("## Education", f"## Education\n\n- Smiling {lacking} clinic",
                                                1), "utf-8")
    out = tmp_path / "out"

    result = build(sample, out)

    assert result.exit_code == 0, result.output
    pdf = pypdf.PdfReader(next((out / "chen").glob("*.pdf")))
    pdf_text = "".join(page.extract_text() for page in pdf.pages)
    assert f"Smiling {fonts.MISSING} clinic" in pdf_text
    document = docx.Document(str(next((out / "chen").glob("*.docx"))))
    docx_text = "\n".join(docx.text.paragraph.Paragraph(p, document).text  # those in an entry's table too
                          for p in document.element.body.iter(docx.oxml.ns.qn("w:p")))
    assert f"Smiling {fonts.MISSING} clinic" in docx_text
    assert lacking not in pdf_text + docx_text
    checked = CliRunner().invoke(main, ["check", str(sample), "--today", "2026-07-01"])
    assert re.search(r"cv\.md:\d+: the PDF fonts cannot show '\U0001F600' \(U\+1F600 .*\); it prints as □",
                     checked.output), checked.output


# -- templates and the manifest: what a shared folder can hold ------------------------------

CANARY = "canary-7d1f: a private file outside the application"
TEMPLATE_NAMES = ["_common.j2", "request.j2", "../packet.toml", "../../private.txt", "../render/../../x",
                  "/etc/hostname", "sub/../../private.txt", "..", ".", "", "nul\x00.j2", "C:\\x", "templates/x",
                  "_linked.j2", "missing.j2"]
JINJA = [
    "{{ writer.name }}", "{{ applicant.name }}", "{{ writer.nickname }}", "{{ 1/0 }}", "{{ ''.__class__ }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% for i in range(99999) %}{% endfor %}", "{% for c in 'ab' * 60000 %}{% endfor %}",
    "{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}{{ m(0) }}", "{% if x %}", "{% endfor %}", "{{", "}}", "{# x",
    "{{ writer.emphasis|join_and }}", "{{ range(10)|list }}", "=?utf-8?q?=0D=0ABcc:_x@evil.example?=",
    "{{ '=?utf-8?q?x?=' }}", "\u202e", "\u200b", "\r\nBcc: x@evil.example", "[date]",
]
plain_text = st.text("abcdefghij ,.", min_size=1, max_size=20)
template_text = st.lists(st.one_of(plain_text, plain_text, plain_text, st.sampled_from(JINJA), short_atom,
                                   st.sampled_from(TEMPLATE_NAMES).map(lambda n: "{% include " + repr(n) + " %}"),
                                   st.sampled_from(TEMPLATE_NAMES).map(lambda n: "{% import " + repr(n) + " as x %}")),
                         max_size=6).map("".join)


@given(subject=template_text, body=template_text, common=st.one_of(st.none(), template_text))
def test_hostile_templates_render_or_fail_clearly(subject: str, body: str, common: str | None) -> None:
    """Any template renders an e-mail whose headers are exactly From, To, Subject and the
    fixed ones, with nothing from outside the application, or fails with a located InputError."""
    from packetbuilder.errors import InputError
    from packetbuilder.mail import Attachment, build_message, render_draft
    from packetbuilder.sources import load_application

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "app"
        write_application(folder, "# Jordan Rivera\n\n## Experience\n\n- ward work\n", "Setting: ward", "A statement.",
                          PLAIN)
        (Path(tmp) / "private.txt").write_text(CANARY, encoding="utf-8")
        templates = folder / "templates"
        templates.mkdir()
        (templates / "_linked.j2").symlink_to(Path(tmp) / "private.txt")
        (templates / "request.j2").write_text(f"Subject: {subject}\n\n{body}\n", encoding="utf-8")
        if common is not None:
            (templates / "_common.j2").write_text(common, encoding="utf-8")
        app = load_application(folder)
        writer = app.config.writer("chen")
        attachments = [Attachment("Jordan_Rivera_LOR_Packet.pdf", b"%PDF")]
        try:
            draft = render_draft(app, writer, "request", dt.date(2026, 8, 1), attachments)
            message = build_message(app, writer, "request", draft, attachments, dt.date(2026, 8, 1))
        except InputError as exc:
            event("refused")
            assert all(ERROR_LINE.match(f"error: {p.render()}") for p in exc.problems), exc
            return
        event("rendered")
        assert CANARY not in draft.subject + draft.body
        parsed = BytesParser(policy=policy.default).parsebytes(message.as_bytes(policy=policy.SMTP))
        assert sorted(k.lower() for k in parsed.keys()) == sorted(
            ["from", "to", "subject", "date", "message-id", "x-unsent", "mime-version", "content-type"])
        assert "=?" not in str(parsed["Subject"])


MANIFEST_PATHS = ["/dev/zero", "../x", "chen/../../x", "chen/Jordan_Rivera_LOR_Packet.pdf", "chen", "", ".",
                  "chen/link.pdf", "\x00", "a" * 300, "chen/missing.pdf"]
json_value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(),
                                    st.text(max_size=10), st.sampled_from(MANIFEST_PATHS)),
                          lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                  st.dictionaries(st.sampled_from(MANIFEST_PATHS + ["key", "x"]),
                                                                  inner, max_size=3)),
                          max_leaves=8)


@pytest.fixture(scope="module")
def built_once(tmp_path_factory) -> tuple[Path, Path]:
    """One small application built once (PDF only), whose manifest each example spoils."""
    root = tmp_path_factory.mktemp("manifest")
    folder, out = root / "app", root / "out"
    write_application(folder, "# Jordan Rivera\n\n## Experience\n\n- ward work\n", "Setting: ward", "A statement.",
                      PLAIN)
    assert build(folder, out, "pdf").exit_code == 0
    (out / "chen" / "link.pdf").symlink_to("/dev/zero")
    return folder, out


@given(changes=st.lists(st.tuples(st.sampled_from([(), ("records",), ("records", "chen"),
                                                   ("records", "chen", "outputs"), ("records", "chen", "report"),
                                                   ("records", "chen", "report"),
                                                   ("inputs",)]),
                                  st.one_of(st.sampled_from(["key", "formats", "inputs", "outputs", "report", "writers",
                                                             "requested", "folder", "records", "chen", "pages",
                                                             "files", "cover_shared"]),
                                            st.sampled_from(MANIFEST_PATHS)),
                                  json_value), min_size=1, max_size=4))
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_hostile_manifests_are_refused_clearly_or_safe_to_use(built_once, changes) -> None:
    """A spoilt manifest is a located InputError, or every output it records is a bounded
    regular file inside --out (so hashing it cannot hang or exhaust memory)."""
    import json

    from packetbuilder.build import WriterReport
    from packetbuilder.errors import InputError
    from packetbuilder.incremental import MANIFEST_NAME, Manifest, unchanged
    from packetbuilder.manifest_check import check_manifest, report_shape

    folder, out = built_once
    path = out / MANIFEST_NAME
    original = path.read_bytes()
    raw = json.loads(original)
    for where, key, value in changes:
        target = raw
        for part in where:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[key] = value
    try:
        path.write_text(json.dumps(raw), encoding="utf-8")
        try:
            check_manifest(out, report_shape(WriterReport))
        except InputError as exc:
            event("refused")
            assert all(ERROR_LINE.match(f"error: {p.render()}") for p in exc.problems), exc
            return
        event("accepted")
        for record in Manifest.load(out).records.values():
            for name in record.outputs:
                target = (out / name).resolve()
                assert out.resolve() in target.parents and (not target.exists() or target.is_file())
            WriterReport(**record.report)  # as build reads an unchanged writer's report back
        unchanged(folder, out, (), ("pdf",))
    finally:
        path.write_bytes(original)
