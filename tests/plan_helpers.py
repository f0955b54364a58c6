"""Small rosters for the planning tests (audit, schedule, status): configs built in code,
so each test states exactly the writers and dates it is about."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from packetbuilder.config import Config
from packetbuilder.markdown import read_notes
from packetbuilder.model import Document
from packetbuilder.sources import Application

ERAS = dt.date(2026, 9, 24)  # a Thursday; writers' default deadline is Thursday Sep 10


def writer(id: str, **fields: Any) -> dict[str, Any]:
    """A writer table with sensible defaults: a clinical Internal Medicine attending."""
    name = id.capitalize()
    return {"id": id, "name": f"{name} Doe, MD", "salutation": f"Dr. {name}", "email": f"{id}@hospital.example.org",
            "role": "clinical", "specialty": "Internal Medicine", **fields}


def make_config(writers: list[dict[str, Any]], tracks: list[dict[str, Any]] | None = None,
                **application: Any) -> Config:
    return Config.model_validate({
        "applicant": {"name": "Test Applicant", "email": "applicant@med.example.edu", "school": "Example SOM"},
        "application": {"eras_deadline": ERAS, **application},
        "tracks": tracks or [{"id": "im", "specialty": "Internal Medicine"}],
        "writers": writers,
    })


def make_app(cfg: Config, notes: dict[str, str] | None = None, statements: tuple[str, ...] = (),
             goals: bool = False) -> Application:
    """An Application without files: notes given as Markdown text, statements by track id."""
    empty = Document("", ())
    return Application(Path("."), cfg, empty, {t: empty for t in statements}, empty if goals else None,
                       {k: read_notes(v) for k, v in (notes or {}).items()})
