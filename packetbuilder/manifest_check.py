"""The build manifest, checked before anything trusts it.

``send``, ``drafts`` and ``build`` decide from the manifest in ``--out`` whether a
packet is current, and hash every output file it records. The manifest is a file in
a folder students share and edit, so before it is used each value must have the type
the build writes and each recorded output must be a bounded regular file inside the
output folder: a hand-edited ``"/dev/zero"`` would otherwise be read until memory
runs out, and a list where a path belongs would end in an internal error. A problem
is an InputError naming the manifest, the line and the key.
"""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

from .errors import InputError, Problem
from .incremental import MANIFEST_NAME
from .outputs import output_file, read_output

MAX_MANIFEST_BYTES = 16 * 2**20
MAX_OUTPUT_BYTES = 64 * 2**20  # a packet PDF is under 1 MB (the ERAS limit), a DOCX a few MB

_TEXT_LISTS = ("writers", "requested")
_TEXT = ("folder", "toolchain", "listing", "report")
_RECORD = {"key": str, "formats": list, "inputs": list, "outputs": dict, "report": dict}


def _line_of(text: str, path: tuple[str, ...]) -> int | None:
    """The line where the key at ``path`` is written (each key searched after its parent's)."""
    position = 0
    for key in path:
        found = re.compile(re.escape(json.dumps(key)) + r"\s*:").search(text, position)
        if found is None:
            return None
        position = found.start()
    return text.count("\n", 0, position) + 1 if path else None


def _type_name(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


_JSON_TYPES = {"str": str, "int": int, "bool": bool, "list": list, "dict": dict}


def report_shape(report: type) -> dict[str, type]:
    """Each field of the dataclass a record's ``report`` is read back into, with the JSON
    type its value must have (from the annotation: ``list[str]`` → list)."""
    return {f.name: _JSON_TYPES[str(f.type).split("[")[0].split(" ")[0]] for f in fields(report)}


class _Checker:
    def __init__(self, out: Path, text: str, report: dict[str, type] | None):
        self.out, self.text, self.report = out, text, report
        self.file = str(out / MANIFEST_NAME)

    def fail(self, path: tuple[str, ...], what: str) -> InputError:
        return InputError(Problem(self.file, what, "delete it: the next build writes it again",
                                  _line_of(self.text, path), ".".join(path)))

    def expect(self, path: tuple[str, ...], value: Any, kind: type, element: type | None = None) -> None:
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            raise self.fail(path, f"should be {_type_name(kind())}, not {_type_name(value)}")
        items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
        if element is not None and any(not isinstance(item, element) for item in items):
            raise self.fail(path, f"should hold only {_type_name(element())}s")

    def record(self, writer: str, record: Any) -> None:
        path = ("records", writer)
        self.expect(path, record, dict)
        for key, kind in _RECORD.items():
            if key in record:
                self.expect((*path, key), record[key], kind, str if kind in (list,) else None)
        for key, value in record.get("report", {}).items() if self.report is not None else ():
            if key not in self.report:
                raise self.fail((*path, "report", key), f"holds {key!r}, which no build writes")
            self.expect((*path, "report", key), value, self.report[key])
        for name, sha in record.get("outputs", {}).items():
            self.expect((*path, "outputs", name), sha, str)
            try:
                output_file(self.out, name, MAX_OUTPUT_BYTES)
            except InputError as exc:
                raise self.fail((*path, "outputs", name),
                                f"records the output {name!r}, which {exc.problems[0].message}") from None

    def manifest(self, raw: Any) -> None:
        self.expect((), raw, dict)
        for key in _TEXT:
            if key in raw:
                self.expect((key,), raw[key], str)
        for key in _TEXT_LISTS:
            if key in raw:
                self.expect((key,), raw[key], list, str)
        if "inputs" in raw:
            self.expect(("inputs",), raw["inputs"], dict, str)
        self.expect(("records",), raw.get("records", {}), dict)
        for writer, record in raw.get("records", {}).items():
            self.record(writer, record)


def check_manifest(out: Path, report: dict[str, type] | None = None) -> None:
    """Refuse a manifest in ``out`` that the build did not write as it is: a value of the
    wrong type or a recorded output that is not a bounded regular file inside ``out``.
    No manifest is fine (everything is built); so is one that is not JSON, which the
    build already treats as none.

    ``report`` (:func:`report_shape` of the build's report class) checks each record's
    report too, for the callers that read it back: passed in, because this module is
    imported where the build itself is not (an unchanged rebuild must stay quick)."""
    data = read_output(out, MANIFEST_NAME, MAX_MANIFEST_BYTES)
    if data is None:
        return
    try:
        text = data.decode("utf-8")
        raw = json.loads(text)
    except ValueError:
        return
    _Checker(out, text, report).manifest(raw)
