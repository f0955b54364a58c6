"""`check`: every roster, timing and content rule with fixed dates, and the command itself."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from plan_helpers import ERAS, make_app, make_config, writer

from packetbuilder import check
from packetbuilder.audit import (FitOutcome, choose_letters, convention_rules, copy_rules, fit_rules, glyph_rules,
                                 letter_rules, notes_rules, placeholder_rules, qualities_rule, statement_rules,
                                 timing_rules, waiver_rules)
from packetbuilder.cli import main
from packetbuilder.errors import InputError, Problem
from packetbuilder.findings import LEVELS, Finding
from packetbuilder.sources import load_application
from packetbuilder.specialties import load_specialties, parse_specialties

ROSTER = Path(__file__).resolve().parent / "fixtures" / "roster"
SPECIALTIES = load_specialties()
EM = {"id": "em", "specialty": "Emergency Medicine"}
IM = {"id": "im", "specialty": "Internal Medicine"}
TODAY = dt.date(2026, 8, 1)


def brief(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.level, f.subject) for f in findings]


def one(findings: list[Finding], subject: str) -> Finding:
    matching = [f for f in findings if f.subject == subject]
    assert len(matching) == 1, findings
    return matching[0]


# -- the roster the issue describes -------------------------------------------------------

def test_roster_fixture_yields_the_expected_findings():
    app = load_application(ROSTER)
    findings = check.check_application(app, dt.date(2026, 8, 25))  # a month before ERAS (Sep 24)
    got = {(f.level, f.subject, f.message) for f in findings.items}

    def has(level: str, subject: str, phrase: str) -> bool:
        return any(lv == level and s == subject and phrase in m for lv, s, m in got)

    assert has("error", "track im", "three letters are expected")  # two IM writers
    assert has("warning", "track em", "usually two")  # one SLOE where EM expects two
    assert has("warning", "writer novak", "waived = false")
    assert has("warning", "writer mensah", "not asked yet")  # planned, deadline 16 days away
    assert has("warning", "writer haddad", "only 4 days before the ResidencyCAS deadline")  # an EM letter
    assert has("warning", "track im", "complementary perspective")  # IM has only clinical letters
    assert has("tip", "track im", "department of medicine letter")
    assert has("warning", "writer mensah", "no notes")
    assert has("tip", "track im", "no personal-statement draft")
    assert has("error", "notes/novak.md:7", "'TODO'")
    assert has("warning", "cv.md:13", "U+2713")
    # What is right is not reported: EM has three letters, two from EM, and a longitudinal one.
    assert not any(s == "track em" and ("three letters" in m or "come from" in m or "complementary" in m)
                   for _, s, m in got)
    assert not any(s in ("writer ortiz", "writer brooks") for _, s, _ in got)
    assert len(findings.errors) == 2


def test_findings_come_grouped_errors_first():
    findings = check.check_application(load_application(ROSTER), dt.date(2026, 8, 25))
    levels = [f.level for f in findings.items]
    assert levels == sorted(levels, key=LEVELS.index)
    assert findings.summary() == "2 errors, 9 warnings, 4 tips"  # two writers with nothing marked; no Why:; EM in ResidencyCAS


# -- letters per track ---------------------------------------------------------------------

def test_one_writer_application_is_told_three_letters_are_expected():
    cfg = make_config([writer("chen", status="agreed", asked=dt.date(2026, 7, 20))])
    found = letter_rules(cfg, SPECIALTIES)
    f = found[0]
    assert f.level == "error" and f.subject == "track im"
    assert "three letters are expected" in f.message and "1 letter writer (chen)" in f.message
    assert "add 2 more" in f.fix


def test_no_writers_at_all_is_the_same_error_not_a_crash():
    cfg = make_config([])
    f = one(letter_rules(cfg, SPECIALTIES), "track im")
    assert f.level == "error" and "0 letter writers" in f.message


def test_declined_writers_do_not_count():
    cfg = make_config([writer("a"), writer("b", role="research"), writer("c", status="declined")])
    f = one(letter_rules(cfg, SPECIALTIES), "track im")
    assert f.level == "error"
    assert "2 letter writers (a, b); c declined and no longer count" in f.message


def test_three_writers_with_a_complementary_one_pass():
    cfg = make_config([writer("a"), writer("b"), writer("c", role="research", specialty="Epidemiology")])
    assert letter_rules(cfg, SPECIALTIES) == []


def test_more_than_four_writers_names_the_four_to_assign():
    cfg = make_config([writer("s1", role="slor", specialty="Emergency Medicine", status="asked"),
                       writer("c1", specialty="Emergency Medicine", status="agreed"),
                       writer("c2", specialty="Emergency Medicine", status="uploaded"),
                       writer("s2", role="slor", specialty="Emergency Medicine", status="planned"),
                       writer("r1", role="research", specialty="Epidemiology"),
                       writer("c3", specialty="Emergency Medicine")], tracks=[EM])
    chosen = [w.id for w in choose_letters(cfg, cfg.tracks[0], SPECIALTIES)]
    assert chosen == ["s1", "c2", "s2", "r1"]  # both SLOEs, the uploaded letter, one complementary
    tip = one(letter_rules(cfg, SPECIALTIES), "track em")
    assert tip.level == "tip" and "at most four" in tip.message
    assert "s1, c2, s2, r1" in tip.fix and "keep c1, c3" in tip.fix


def test_too_few_letters_from_the_specialty():
    cfg = make_config([writer("a"), writer("b", role="research", specialty="Epidemiology"),
                       writer("c", role="leadership", specialty=None)])
    f = one(letter_rules(cfg, SPECIALTIES), "track im")
    assert f.level == "warning" and "1 of 3 letters come from Internal Medicine (a)" in f.message
    assert 'if c is from Internal Medicine, set specialty = "Internal Medicine"' in f.fix


def test_specialty_aliases_count_as_the_same_field():
    cfg = make_config([writer("a", specialty="Medicine"), writer("b", specialty="internal medicine"),
                       writer("c", role="longitudinal", specialty="Family Medicine")])
    assert letter_rules(cfg, SPECIALTIES) == []


def test_all_clinical_letters_lack_a_complementary_perspective():
    cfg = make_config([writer("a"), writer("b"), writer("c")])
    f = one(letter_rules(cfg, SPECIALTIES), "track im")
    assert f.level == "warning" and "complementary perspective" in f.message


# -- specialty conventions -----------------------------------------------------------------

@pytest.mark.parametrize("sloes, level", [(0, "error"), (1, "warning"), (2, None)])
def test_emergency_medicine_expects_two_sloes(sloes, level):
    writers = [writer(f"s{i}", role="slor", specialty="Emergency Medicine") for i in range(sloes)]
    cfg = make_config(writers + [writer("x", role="research")], tracks=[EM])
    found = convention_rules(cfg, SPECIALTIES)
    # and always the tip that ResidencyCAS letters are assigned to programs by hand
    assert [f.level for f in found] == ([level] if level else []) + ["tip"]
    assert "assign each letter to programs by hand in ResidencyCAS" in found[-1].message
    assert "(source: CORD, “ResidencyCAS 2025: Emergency Medicine Application Update”" in found[-1].message
    if level:
        assert "SLOE" in found[0].message and f"this track has {sloes or 'none'}" in found[0].message
        assert "(source: CORD, Standardized Letter of Evaluation (SLOE) and eSLOE, cordem.org" in found[0].message


def test_a_sloe_writer_who_also_writes_a_narrative_letter_is_flagged_in_residencycas():
    sloe = writer("s", role="slor", specialty="Emergency Medicine")
    same = writer("n", role="clinical", specialty="Emergency Medicine", email=sloe["email"])
    found = convention_rules(make_config([sloe, writer("t", role="slor"), same], tracks=[EM]), SPECIALTIES)
    assert any(f.subject == "writer n" and "does not also write a narrative letter" in f.message for f in found)


def test_general_surgery_asks_for_a_chair_letter_by_alias():
    tracks = [{"id": "gs", "specialty": "Surgery"}]
    cfg = make_config([writer("a", specialty="General Surgery")], tracks=tracks)
    f = one(convention_rules(cfg, SPECIALTIES), "track gs")
    assert f.level == "warning" and "chair of surgery" in f.message and 'role = "chair"' in f.fix
    with_chair = make_config([writer("a", role="chair")], tracks=tracks)
    assert convention_rules(with_chair, SPECIALTIES) == []


def test_unknown_specialties_have_no_conventions():
    cfg = make_config([writer("a")], tracks=[{"id": "vas", "specialty": "Vascular Surgery"}])
    assert convention_rules(cfg, SPECIALTIES) == []


def test_conventions_file_is_easy_to_extend_and_checked():
    added = parse_specialties('[[specialty]]\nname = "Dermatology"\naliases = ["Derm"]\n'
                              '[[specialty.expect]]\nroles = ["research"]\nexpected = 1\nlevel = "tip"\n'
                              'why = "Research counts"\nfix = "ask a research mentor"\n')
    cfg = make_config([writer("a")], tracks=[{"id": "d", "specialty": "derm"}])
    assert brief(convention_rules(cfg, added)) == [("tip", "track d")]
    with pytest.raises(InputError, match="malformed"):
        parse_specialties('[[specialty]]\nname = "X"\n[[specialty.expect]]\nroles = ["surgeon"]\nexpected = 1\n')


# -- timing --------------------------------------------------------------------------------

def timing(today: dt.date = TODAY, **fields) -> list[Finding]:
    return timing_rules(make_config([writer("w", **fields)]), today)


def test_asked_three_weeks_before_the_deadline_is_short_notice():
    f = one(timing(asked=dt.date(2026, 8, 20), status="agreed", today=dt.date(2026, 8, 21)), "writer w")
    assert f.level == "warning" and "3 weeks before the deadline Sep 10" in f.message


def test_asked_six_weeks_ahead_is_fine():
    assert timing(asked=dt.date(2026, 7, 30), status="agreed") == []


def test_deadline_after_eras_is_an_error_and_four_days_before_a_warning():
    late = one(timing(deadline=ERAS + dt.timedelta(2), asked=dt.date(2026, 7, 1), status="agreed"), "writer w")
    assert late.level == "error" and "after the ERAS deadline" in late.message
    close = one(timing(deadline=ERAS - dt.timedelta(4), asked=dt.date(2026, 7, 1), status="agreed"), "writer w")
    assert close.level == "warning" and "only 4 days before" in close.message
    assert timing(deadline=ERAS - dt.timedelta(10), asked=dt.date(2026, 7, 1), status="agreed") == []


def test_passed_deadline_suggests_a_reminder_or_a_backup():
    f = one(timing(asked=dt.date(2026, 7, 1), status="agreed", today=dt.date(2026, 9, 13)), "writer w")
    assert f.level == "warning" and "passed 3 days ago" in f.message
    assert "reminder" in f.fix and "backup" in f.fix
    assert timing(asked=dt.date(2026, 7, 1), status="uploaded", today=dt.date(2026, 9, 13))[0].level == "tip"


def test_eras_deadline_passed_without_the_letter_is_an_error():
    f = one(timing(asked=dt.date(2026, 7, 1), status="asked", today=ERAS + dt.timedelta(1)), "writer w")
    assert f.level == "error"


def test_planned_writer_gets_the_ask_by_date_or_a_warning():
    early = one(timing(status="planned", today=dt.date(2026, 7, 1)), "writer w")
    assert early.level == "tip" and "ask by Aug 13" in early.message
    late = one(timing(status="planned", today=ERAS - dt.timedelta(30)), "writer w")
    assert late.level == "warning" and "16 days away" in late.message and "ask now" in late.fix


def test_declined_writers_have_no_timing_findings():
    assert timing(status="declined", today=ERAS + dt.timedelta(3)) == []


def test_asked_status_without_a_date_is_a_tip():
    f = one(timing(status="agreed"), "writer w")
    assert f.level == "tip" and "asked = YYYY-MM-DD" in f.fix


def test_waiver_not_signed_is_a_warning():
    cfg = make_config([writer("a", waived=False), writer("b"), writer("c", waived=False, status="declined")])
    assert brief(waiver_rules(cfg)) == [("warning", "writer a")]
    assert "candid" in waiver_rules(cfg)[0].fix


# -- content -------------------------------------------------------------------------------

@pytest.mark.parametrize("count, flagged", [(0, True), (3, True), (4, False), (6, False), (7, True)])
def test_qualities_outside_four_to_six(count, flagged):
    cfg = make_config([], qualities=[f"q{i}" for i in range(count)])
    text = "[applicant]\nname = 'x'\n\n[application]\neras_deadline = 2026-09-24\nqualities = []\n"
    found = qualities_rule(cfg, text)
    assert bool(found) == flagged
    if flagged:
        assert found[0].subject == "packet.toml:6" and f"{count} qualities" in found[0].message


def test_placeholders_are_found_with_file_and_line():
    texts = {"notes/a.md": "Setting: clinic\n\nOn [date] we met.\nSigned, [Your Name]\n",
             "cv.md": "- Poster, TODO add venue\n- Todo bien con los pacientes\n- [ ] not a placeholder\n",
             "packet.toml": "# TODO: fill in later\nname = \"[Insert name here]\"\n"}
    found = placeholder_rules(texts)
    assert [(f.subject, f.message) for f in found] == [
        ("notes/a.md:3", "placeholder '[date]' is still in the text"),
        ("notes/a.md:4", "placeholder '[Your Name]' is still in the text"),
        ("cv.md:1", "placeholder 'TODO' is still in the text"),
        ("packet.toml:2", "placeholder '[Insert name here]' is still in the text")]
    assert all(f.level == "error" for f in found)


def test_characters_the_fonts_cannot_show_are_reported_with_line():
    from packetbuilder.render.fonts import unshowable

    texts = {"cv.md": "# Nguyễn Thị Minh Anh — Wiśniewski\n- Honors ✓ and 中文\n"}
    found = glyph_rules(texts, unshowable)
    assert brief(found) == [("warning", "cv.md:2")]
    assert "U+2713" in found[0].message and "U+4E2D" in found[0].message and "□" in found[0].message


NOTES = """Setting: General medicine ward, Riverside County Hospital
Dates: July 2026
Weeks: 4
Learned: how to run a family meeting

## Responsibilities
- Primary sub-intern for 6–8 patients; presented on rounds and wrote daily notes.
- Called consults and coordinated discharges with case management.
"""


def test_requests_that_read_like_copies_are_flagged():
    same = ["clinical reasoning", "ownership of patients", "communication with families"]
    cfg = make_config([writer("a", emphasis=same, highlight=["heart failure"]),
                       writer("b", emphasis=list(reversed(same)), highlight=["QI"]),
                       writer("c", role="research", emphasis=["data analysis", "scientific writing"])])
    app = make_app(cfg, notes={"a": NOTES, "b": NOTES.replace("July", "August"), "c": "Setting: lab\n"})
    found = copy_rules(app)
    assert brief(found) == [("warning", "writers a and b")]
    assert "emphasis 100% the same" in found[0].message and "notes" in found[0].message


def test_sample_requests_are_distinct(sample):
    assert copy_rules(load_application(sample)) == []


def test_missing_notes_and_missing_learned_line():
    cfg = make_config([writer("a"), writer("b"), writer("c", status="declined")])
    app = make_app(cfg, notes={"b": "Setting: clinic\n\n## What I did\n- things\n"})
    assert brief(notes_rules(app)) == [("warning", "writer a"), ("tip", "writer b"), ("tip", "writer b")]
    assert "notes/a.md" in notes_rules(app)[0].fix
    assert "`Why: …`" in notes_rules(app)[2].fix  # b's request explains the ask only from its facts
    with_why = make_app(cfg, notes={"b": "Setting: clinic\nLearned: to listen\nWhy: You saw me grow.\n\n- things\n"})
    assert brief(notes_rules(with_why)) == [("warning", "writer a")]


def test_missing_statement_for_a_track():
    cfg = make_config([], tracks=[EM, IM])
    assert brief(statement_rules(make_app(cfg, statements=("em",)))) == [("warning", "track im")]
    assert brief(statement_rules(make_app(cfg, statements=("em",), goals=True))) == [("tip", "track im")]


def test_packets_that_need_trimming():
    cfg = make_config([writer("a"), writer("b"), writer("c"), writer("d")], page_limit=3)
    too_long = Problem("packet.toml", "the packet for d is about 4 lines over its 3-page limit", "shorten it")
    found = fit_rules(cfg, {"a": FitOutcome(12, 3), "b": FitOutcome(2, statement="Personal statement cut to an "
                                                                            "excerpt"),
                            "c": FitOutcome(3, 1), "d": FitOutcome(too_long=too_long)}, cv_entries=30)
    assert brief(found) == [("warning", "writer a"), ("warning", "writer b"), ("tip", "writer c"),
                            ("error", "writer d")]
    assert found[0].message == "to fit 3 pages the build cuts 12 of 30 CV entries, 3 whole sections; that is heavy trimming"
    assert "personal statement cut to an excerpt" in found[1].message
    assert found[3].message == too_long.message and found[3].fix == "shorten it"
    assert fit_rules(cfg, {"a": FitOutcome()}, cv_entries=30) == []


def test_check_fits_packets_as_build_does(sample):
    toml = sample / "packet.toml"
    toml.write_text(re.sub(r"page_limit = \d", "page_limit = 2", toml.read_text(encoding="utf-8")), encoding="utf-8")
    notes = sample / "notes" / "chen.md"
    notes.write_text(notes.read_text("utf-8") + "\n## Every day\n"
                     + "".join(f"- Day {n}: admitted and presented two patients.\n" for n in range(30)), "utf-8")
    app = load_application(sample)
    assert check.fit_outcome(app, app.config.writer("chen")).too_long is not None
    okafor = check.fit_outcome(app, app.config.writer("okafor"))
    assert okafor.entries_cut > 0  # the cover shares its page at 2 pages, so the statement stays whole
    roster = load_application(ROSTER)
    assert check.fit_outcome(roster, roster.config.writer("ortiz")) == FitOutcome()  # fits: nothing cut


# -- the command ---------------------------------------------------------------------------

def test_check_command_on_the_roster_exits_1_with_grouped_findings():
    result = CliRunner().invoke(main, ["check", str(ROSTER), "--today", "2026-08-25"])
    assert result.exit_code == 1, result.output
    out = result.output
    assert out.index("Errors (2)") < out.index("Warnings (9)") < out.index("Tips (4)")
    assert "✗ track im: Internal Medicine has 2 letter writers" in out
    assert "→ fix:" in out and "2 errors, 9 warnings, 4 tips" in out
    assert "\x1b[" not in out  # plain when not a terminal


def test_check_command_on_the_sample_exits_0(sample):
    result = CliRunner().invoke(main, ["check", str(sample), "--today", "2026-07-01"])
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output


def test_check_command_one_writer_application(sample):
    toml = (sample / "packet.toml").read_text(encoding="utf-8")
    (sample / "packet.toml").write_text(toml[: toml.index("[[writers]]", toml.index("id = \"chen\"") + 1)],
                                        encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(sample), "--today", "2026-07-01"])
    assert result.exit_code == 1, result.output
    assert "Internal Medicine has 1 letter writer (chen); three letters are expected" in result.output


def test_check_command_invalid_input_exits_2(sample):
    (sample / "packet.toml").write_text("[applicant]\nname = 'x'\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(sample)])
    assert result.exit_code == 2
    assert "error: packet.toml" in result.output and "Traceback" not in result.output


def test_check_command_colour_only_when_wanted(monkeypatch):
    args = ["check", str(ROSTER), "--today", "2026-08-25"]
    assert re.search(r"\x1b\[\d", CliRunner().invoke(main, args, color=True).output)
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in CliRunner().invoke(main, args, color=True).output


def test_a_status_tip_names_the_mark_command_that_does_it():
    uploaded = timing_rules(make_config([writer("lee", status="uploaded")]), dt.date(2026, 8, 20))
    assert [f.fix for f in uploaded] == ["send a thank-you note, then `packetbuilder mark lee thanked`"]
    asked = timing_rules(make_config([writer("lee", asked=dt.date(2026, 7, 1))]), dt.date(2026, 7, 3))
    assert "`packetbuilder mark lee asked --on 2026-07-01`, or `agreed` once they said yes" in [f.fix for f in asked]
