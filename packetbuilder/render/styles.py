"""The style sheet both writers read (``packetbuilder/styles/packet.toml``).

One file of sizes, spacing and colours keyed by Word style names keeps the PDF and
the DOCX in step: change a size once and both follow.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

STYLES_DIR = Path(__file__).resolve().parent.parent / "styles"
STYLE_SHEET = STYLES_DIR / "packet.toml"
REFERENCE_DOCX = STYLES_DIR / "reference.docx"


@dataclass(frozen=True)
class ParaStyle:
    name: str
    size: float
    leading: float
    bold: bool = False
    italic: bool = False
    mono: bool = False
    color: str = "222222"
    space_before: float = 0
    space_after: float = 0
    indent: float = 0
    hang: float = 0  # a list label's room before the text; 0: the List Bullet indent
    right_indent: float = 0  # prose keeps a readable line length inside the page's measure
    rule_below: bool = False  # a thin rule under the paragraph (the cover sheet's title block, section headings)
    align: str = "left"  # "left" or "right" (an entry's dates)
    keep_with_next: bool = False  # never the last thing on a page: headings, the title block, the CV's name


@dataclass(frozen=True)
class StyleSheet:
    page: dict[str, float]
    fonts: dict[str, str]
    colors: dict[str, str]
    styles: dict[str, ParaStyle]
    tighten: tuple[dict, ...] = ()  # the [[tighten]] steps as written

    def __hash__(self) -> int:
        return id(self)

    def __getitem__(self, name: str) -> ParaStyle:
        return self.styles[name]


def indents(sheet: StyleSheet, name: str, depth: int) -> tuple[float, float]:
    """(where the text's lines start, where a list label hangs) for a paragraph of this
    style at this list depth: one rule for both writers. A paragraph inside a list item (a
    continuation, an entry's detail text) starts where the item's text does."""
    step = sheet.styles["List Bullet"].indent
    spec = sheet.styles.get(name) or sheet.styles["Body Text"]
    if depth and name not in ("List Bullet", "List Number"):
        return step * (depth + 1), step * depth
    left = spec.indent + depth * step
    return left, left - (spec.hang or step)


@dataclass(frozen=True)
class TightenStep:
    """One step of typographic tightening (``[[tighten]]`` in the style sheet): sizes,
    leading and spacing scaled, margins set, each within the floors below."""

    size: float = 1.0  # scale on font sizes
    leading: float = 1.0  # scale on leading
    space: float = 1.0  # scale on space before and after paragraphs
    margin: float = 0.0  # left and right margins in points (0: unchanged)
    saving: float = 0.0  # the share of a page's text height it saves, for fitting's estimates


MIN_BODY_SIZE = 10.0
MIN_LEADING = 1.15  # times the font size
MIN_MARGIN = 43.2  # 0.6 in


def _step_saving(sheet: StyleSheet, step: TightenStep) -> float:
    """Share of text height a step saves on a Letter page: fewer points per line, more
    characters per line."""
    body, tight = sheet["Body Text"], tightened(sheet, step)["Body Text"]
    width = 612 - sheet.page["margin_left"] - sheet.page["margin_right"]
    new_width = 612 - tight_margin(sheet, step) * 2
    return max(0.0, 1 - (tight.leading / body.leading) * (width / new_width) * (tight.size / body.size))


def tight_margin(sheet: StyleSheet, step: TightenStep) -> float:
    return max(MIN_MARGIN, step.margin) if step.margin else sheet.page["margin_left"]


def tightened(sheet: StyleSheet, step: TightenStep | int) -> StyleSheet:
    """The sheet one tightening step makes (an int: the sheet's own step, from 1; 0 is
    the sheet itself). Body text never goes below 10 pt, leading below 1.15 times the
    size, margins below 0.6 in."""
    if isinstance(step, int):
        if not step:
            return sheet
        step = tighten_steps(sheet)[step - 1]
    styles = {}
    for name, spec in sheet.styles.items():
        size = spec.size * step.size
        if name in ("Body Text", "List Bullet", "List Number"):
            size = max(MIN_BODY_SIZE, size) if spec.size >= MIN_BODY_SIZE else spec.size
        styles[name] = replace(spec, size=round(size, 2), leading=round(max(spec.leading * step.leading,
                                                                                size * MIN_LEADING), 2),
                               space_before=round(spec.space_before * step.space, 2),
                               space_after=round(spec.space_after * step.space, 2))
    margin = tight_margin(sheet, step)
    return replace(sheet, styles=styles, page={**sheet.page, "margin_left": margin, "margin_right": margin})


@lru_cache(maxsize=None)
def tighten_steps(sheet: StyleSheet | None = None) -> tuple[TightenStep, ...]:
    """The sheet's tightening steps, with what each saves."""
    sheet = sheet or load_styles()
    steps = [TightenStep(**spec) for spec in sheet.tighten]
    return tuple(replace(s, saving=_step_saving(sheet, s)) for s in steps)


@lru_cache(maxsize=None)
def load_styles(path: Path = STYLE_SHEET) -> StyleSheet:
    raw = tomllib.loads(path.read_text("utf-8"))
    colors = raw["colors"]
    styles = {}
    for name, spec in raw["styles"].items():
        size = float(spec["size"])
        color = spec.get("color", "text")
        styles[name] = ParaStyle(
            name=name, size=size, leading=float(spec.get("leading", round(size * 1.2, 1))),
            bold=spec.get("bold", False), italic=spec.get("italic", False), mono=spec.get("mono", False),
            color=colors.get(color, color), space_before=float(spec.get("space_before", 0)),
            space_after=float(spec.get("space_after", 0)), indent=float(spec.get("indent", 0)),
            hang=float(spec.get("hang", 0)), right_indent=float(spec.get("right_indent", 0)),
            rule_below=spec.get("rule_below", False), align=spec.get("align", "left"),
            keep_with_next=spec.get("keep_with_next", name.startswith("Heading")))
    return StyleSheet(raw["page"], raw["fonts"], colors, styles, tuple(raw.get("tighten", ())))
