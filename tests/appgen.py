"""Generated applications of any length, for the fitting tests and ``make bench``.

A CV of N pages of content is what a real applicant with a long record brings: dated
entries across the usual sections, a few tagged ``.optional`` or ``.keep``, and for
each writer one entry tagged with their id and two that mention their keyword. What
concerns a writer stays a handful of entries however long the CV grows, as in life, so
a packet can always be fitted; the rest is what fitting may cut. Deterministic: the
same arguments give the same files.
"""

from __future__ import annotations

import random
from pathlib import Path

ENTRIES_PER_PAGE = 20  # two-line entries with headings: about a page of CV in the packet's style
WRITERS = (("chen", "clinical", "sepsis"), ("okafor", "research", "registry"), ("lee", "leadership", "mentor"),
           ("park", "clinical", "stroke"), ("diaz", "longitudinal", "continuity"))
SECTIONS = ("Clinical Experience", "Research", "Publications and Presentations", "Leadership", "Teaching",
            "Volunteer Work", "Honors and Awards", "Professional Memberships", "Skills", "Interests")
PLACES = ("Riverside County Hospital", "University Hospital", "Eastside Community Health Center",
          "Harborview Medical Center", "Valley Medical Center", "Northgate Veterans Affairs Clinic")
ROLES = {"Clinical Experience": ("Clerkship", "Elective", "Sub-internship", "Away rotation"),
         "Research": ("Retrospective cohort study", "Quality improvement project", "Chart review", "Pilot trial"),
         "Publications and Presentations": ("Poster", "Oral abstract", "Case report", "Manuscript"),
         "Leadership": ("Class officer", "Committee member", "Interest group president", "Clinic coordinator"),
         "Teaching": ("Teaching assistant", "Near-peer tutor", "Simulation instructor", "Workshop leader"),
         "Volunteer Work": ("Interpreter", "Health fair volunteer", "Shelter clinic volunteer", "Crisis line volunteer"),
         "Honors and Awards": ("Scholarship", "Honor society", "Research award", "Service award"),
         "Professional Memberships": ("Student member", "Section member", "Chapter member", "Associate member"),
         "Skills": ("Languages", "Data analysis", "Procedures", "Imaging"),
         "Interests": ("Running", "Choir", "Cooking", "Hiking")}
TOPICS = ("heart failure", "diabetes", "pneumonia", "asthma", "kidney disease", "hypertension", "COPD",
          "anemia", "cirrhosis", "depression", "HIV care", "obesity")
FILLER = ("Worked with the team on admissions, daily notes and family meetings, and presented on rounds.",
          "Collected and cleaned the data, ran the analysis in R, and wrote the first draft of the abstract.",
          "Organized weekly sessions and a schedule for the volunteers, and reported to the faculty advisor.",
          "Took part in teaching rounds and wrote a short review of the evidence for the team.")


def _entry(rng: random.Random, section: str, year: int) -> str:
    role = rng.choice(ROLES[section])
    topic = rng.choice(TOPICS)
    place = rng.choice(PLACES)
    extra = " ".join(rng.sample(FILLER, rng.randint(0, 2)))
    return f"- **{role}, {topic}**, {place}, {year}. {extra}".rstrip()


def cv_markdown(pages: float, writers=WRITERS, seed: int = 0) -> str:
    """A CV with about ``pages`` pages of entries, oldest years spread over a decade."""
    rng = random.Random(seed)
    count = max(len(SECTIONS), round(pages * ENTRIES_PER_PAGE))
    per_section = {s: [] for s in SECTIONS}
    for index in range(count):
        section = SECTIONS[index % len(SECTIONS)]
        per_section[section].append(_entry(rng, section, 2026 - rng.randint(0, 10)))
    for number, (writer, _, keyword) in enumerate(writers):
        section = SECTIONS[number % 3]
        per_section[section].insert(0, f"- **{ROLES[section][0]} with Dr. {writer.title()}**, {PLACES[number % 6]}, "
                                       f"2026. The work this letter is about. {{: .{writer} }}")
        for offset in (1, 4):
            target = per_section[SECTIONS[(number + offset) % len(SECTIONS)]]
            target.insert(len(target) // 2, f"- **Project on {keyword}**, {PLACES[offset]}, 2025. "
                                            f"Reviewed {keyword} cases with the team.")
    for section in ("Interests", "Teaching"):
        per_section[section][-1] += " {: .optional }"
    lines = ["# Jordan A. Rivera", "", "jordan.rivera@med.example.edu · +1 (555) 010-0199", "",
             "## Education", "",
             "- **Doctor of Medicine (MD) candidate**, Example University School of Medicine, 2023 – 2027 {: .keep }",
             "- **B.S. in Biology**, State University, 2018 – 2022 {: .keep }", ""]
    for section in SECTIONS:
        lines += [f"## {section}", "", *sorted(per_section[section], key=_newest_first), ""]
    return "\n".join(lines)


def _newest_first(line: str) -> int:
    """Entries in reverse chronological order, as CVs list them (tagged ones stay on top)."""
    if "{: ." in line and "optional" not in line:
        return -10_000
    years = [int(w.strip(".,")) for w in line.split() if w.strip(".,").isdigit() and len(w.strip(".,")) == 4]
    return -max(years, default=0)


STATEMENT = """# Personal statement

{paragraphs}
"""
PARAGRAPH = ("I came to medicine after years of translating for my family at clinic visits, and I learned "
             "early that a plan only works when the patient can carry it out at home. On the wards I look "
             "for that moment when the plan becomes theirs.")


def write_application(folder: Path, pages: float, writers=WRITERS, page_limit: int = 3, seed: int = 0,
                      statement_paragraphs: int = 5, goals: bool = True) -> Path:
    """Write a complete application folder with a CV of about ``pages`` pages of content
    (and a career goals page unless ``goals`` is false)."""
    (folder / "notes").mkdir(parents=True, exist_ok=True)
    (folder / "statements").mkdir(exist_ok=True)
    roster = "\n".join(
        f'[[writers]]\nid = "{w}"\nname = "{w.title()} Writer, MD"\nsalutation = "Dr. {w.title()}"\n'
        f'email = "{w}@hospital.example.org"\nrole = "{role}"\nhighlight = ["{keyword}"]\n'
        f'emphasis = ["clinical reasoning", "teamwork"]\n' for w, role, keyword in writers)
    (folder / "packet.toml").write_text(
        '[applicant]\nname = "Jordan A. Rivera"\nemail = "jordan.rivera@med.example.edu"\n'
        'school = "Example University School of Medicine"\n\n'
        f'[application]\neras_deadline = 2026-09-24\npage_limit = {page_limit}\n\n'
        '[[tracks]]\nid = "im"\nspecialty = "Internal Medicine"\nstatement = "statements/im.md"\n\n' + roster,
        encoding="utf-8")
    (folder / "cv.md").write_text(cv_markdown(pages, writers, seed), encoding="utf-8")
    (folder / "statements" / "im.md").write_text(
        STATEMENT.format(paragraphs="\n\n".join([PARAGRAPH] * statement_paragraphs)), encoding="utf-8")
    if goals:  # found as goals.md without a setting
        (folder / "goals.md").write_text("# Career goals\n\nA general internist who keeps doing outcomes research.\n",
                                         encoding="utf-8")
    for w, _, keyword in writers:
        (folder / "notes" / f"{w}.md").write_text(
            f"Setting: Four weeks with Dr. {w.title()}\nDates: July 2026\nWeeks: 4\n\n"
            f"## What I did\n- Cared for patients with {keyword}; presented on rounds.\n"
            "- Led a family meeting with you present.\n", encoding="utf-8")
    return folder
