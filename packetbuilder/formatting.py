"""Small text helpers shared by packets, emails and schedules: dates people read, file names."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9]+")


def long_date(day: dt.date) -> str:
    """'Thursday, September 10, 2026': unambiguous for US readers, no leading zero."""
    return f"{day:%A, %B} {day.day}, {day.year}"


def medium_date(day: dt.date) -> str:
    """'September 10, 2026'."""
    return f"{day:%B} {day.day}, {day.year}"


def short_date(day: dt.date) -> str:
    """'Sep 10': for tables where the year is obvious."""
    return f"{day:%b} {day.day}"


def not_text(ch: str) -> bool:
    """Control characters (but tab), surrogates and noncharacters (U+FFFE, U+FFFF, U+FDD0…):
    never part of a name or a line of text, and XML — so the DOCX — refuses some of them."""
    code = ord(ch)
    return ((unicodedata.category(ch) in ("Cc", "Cs") and ch != "\t") or 0xFDD0 <= code <= 0xFDEF
            or code & 0xFFFE == 0xFFFE)


def ascii_words(text: str) -> list[str]:
    """ASCII words of a name: 'Nguyễn Thị' → ['Nguyen', 'Thi']; 'đ' and 'ł' folded too."""
    folded = text.replace("Đ", "D").replace("đ", "d").replace("Ł", "L").replace("ł", "l").replace("ß", "ss")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    return [w for w in _UNSAFE.split(folded) if w]


STEM_NAME_MAX = 60  # characters of a name in a file name: file systems refuse names over 255 bytes


def file_stem(name: str, suffix: str) -> str:
    """A portable file name stem: ASCII words joined by '_', none of | * ? : / \\, the
    name cut after the last whole word within STEM_NAME_MAX characters."""
    words = ascii_words(name) or ["Applicant"]
    kept: list[str] = []
    for word in words:
        if len("_".join([*kept, word])) > STEM_NAME_MAX:
            break
        kept.append(word)
    return "_".join((kept or [words[0][:STEM_NAME_MAX]]) + [suffix])


def packet_stem(short_name: str) -> str:
    """The packet's file name without extension, from the applicant's short name: the
    stem ``build`` writes and ``email``/``send`` look for to attach."""
    return file_stem(short_name, "LOR_Packet")


_DOUBLE = re.compile(r'"([^"\n]*)"')


def typographic(text: str) -> str:
    """Typed quotes as typeset ones, as Markdown's smart quotes make them in the CV and
    notes, so that "Dr. O'Neil" from packet.toml sits beside "Dr. O’Neil" from a notes
    file in the same style: an apostrophe in or before a word is ’, "a pair" is “a pair”,
    and a single quote opening a phrase is ‘."""
    text = _DOUBLE.sub("\u201c\\1\u201d", text)
    text = re.sub(r"(?<![\w.,!?])'(?=\w[^']*'(?!\w))", "\u2018", text)  # 'quoted' opens with ‘
    return text.replace("'", "\u2019")
