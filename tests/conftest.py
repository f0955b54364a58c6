"""Shared fixtures: a private copy of the sample application for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A writable copy of samples/ (tests may edit it freely)."""
    target = tmp_path / "app"
    shutil.copytree(SAMPLES, target, ignore=shutil.ignore_patterns("build"))
    return target
