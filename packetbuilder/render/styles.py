"""The style sheet both writers read (``packetbuilder/styles/packet.toml``).

One file of sizes, spacing and colours keyed by Word style names keeps the PDF and
the DOCX in step: change a size once and both follow.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
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
    rule_below: bool = False  # a thin rule under the paragraph (the cover sheet's title block)


@dataclass(frozen=True)
class StyleSheet:
    page: dict[str, float]
    fonts: dict[str, str]
    colors: dict[str, str]
    styles: dict[str, ParaStyle]

    def __getitem__(self, name: str) -> ParaStyle:
        return self.styles[name]


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
            rule_below=spec.get("rule_below", False))
    return StyleSheet(raw["page"], raw["fonts"], colors, styles)
