"""The font set both writers share, and what it can show.

The PDF embeds Carlito (metric-compatible with Calibri) and Liberation Mono
(Courier New); the DOCX names Calibri and Courier New, so Word paginates it like the
PDF. Base-14 PDF fonts would draw black boxes for Vietnamese or Polish letters
without any error, hence embedded TTFs. Characters the fonts lack are replaced by a
visible □ in both outputs (and reported by ``check``), never silently dropped.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from ..formatting import not_text

FONT_DIR = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "Carlito"
MONO = "LiberationMono"
FILES = {FAMILY: "Carlito-Regular.ttf", f"{FAMILY}-Bold": "Carlito-Bold.ttf",
         f"{FAMILY}-Italic": "Carlito-Italic.ttf", f"{FAMILY}-BoldItalic": "Carlito-BoldItalic.ttf",
         MONO: "LiberationMono-Regular.ttf"}
MISSING = "\u25a1"  # □: visibly a stand-in, unlike the black box a font draws for a missing glyph

# Characters with a safe look-alike the fonts have; invisible formatting is dropped.
_SUBSTITUTES = {"\u2010": "-", "\u2011": "-", "\u2012": "–", "\u2015": "—", "\u2212": "-", "\u00ad": "",
                "\u2028": " ", "\u2029": " ", "\t": "    "}
_INVISIBLE = {"Cf", "Cc"}


@lru_cache(maxsize=None)
def covered() -> frozenset[int]:
    """Code points every face of the body family can draw.

    Read from the registered fonts rather than by parsing the TTFs again: a profile of
    ``build`` showed TrueType parsing (``TTFontFile.extractInfo``) as the largest single
    cost after imports, and the faces are parsed once by :func:`register` anyway."""
    from reportlab.pdfbase import pdfmetrics

    register()
    sets = [set(pdfmetrics.getFont(name).face.charToGlyph) for name in FILES if name != MONO]
    # The cmaps also list code points that are not text (NUL, CR, the U+FFFF end marker):
    # those are fixed like any character the fonts lack, or XML, and so the DOCX, refuses them.
    return frozenset(code for code in set.intersection(*sets) if not not_text(chr(code)))


def register() -> None:
    """Register the TTFs with reportlab once per process (bold/italic map included)."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FAMILY in pdfmetrics.getRegisteredFontNames():
        return
    for name, file in FILES.items():
        pdfmetrics.registerFont(TTFont(name, FONT_DIR / file))
    pdfmetrics.registerFontFamily(FAMILY, normal=FAMILY, bold=f"{FAMILY}-Bold", italic=f"{FAMILY}-Italic",
                                  boldItalic=f"{FAMILY}-BoldItalic")
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(MONO, bold, italic, MONO)


def _fix(ch: str, have: frozenset[int]) -> str:
    if ch == "\n" or ord(ch) in have:
        return ch
    if ch in _SUBSTITUTES:
        return _SUBSTITUTES[ch]
    if unicodedata.category(ch) in _INVISIBLE:
        return ""  # bidi overrides, zero-width joiners, control characters
    decomposed = unicodedata.normalize("NFC", ch)
    if all(ord(c) in have for c in decomposed):
        return decomposed
    return MISSING


@lru_cache(maxsize=None)
def _shown_as_is() -> frozenset[str]:
    """The characters :func:`displayable` leaves alone, as a set of strings: whether a
    text is all of them is then one set operation, where a per-character test showed in
    a profile of ``build`` (every run of every layout passes through here)."""
    return frozenset(map(chr, covered())) | {"\n"}


def displayable(text: str) -> str:
    """The text as the fonts can show it."""
    if _shown_as_is().issuperset(text):
        return text
    have = covered()
    return "".join(_fix(c, have) for c in unicodedata.normalize("NFC", text))


def unshowable(text: str) -> list[str]:
    """Distinct characters that would print as □ (for ``check``)."""
    have = covered()
    return sorted({c for c in unicodedata.normalize("NFC", text)
                   if c != "\n" and ord(c) not in have and _fix(c, have) == MISSING})
