from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("HIMAYA_SHARED", ROOT.parent / "shared"))
FORMATS = SHARED / "formats"


@pytest.fixture
def formats() -> Path:
    """../shared/formats; tests that need it skip with a clear reason when it is absent."""
    if not FORMATS.is_dir():
        pytest.skip(f"../shared/formats not found at {FORMATS} (set HIMAYA_SHARED to its parent)")
    return FORMATS


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """HIMAYA_HOME for CLI tests: a fresh SQLite store under tmp_path, never a configured database."""
    monkeypatch.setenv("HIMAYA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HIMAYA_DATABASE_URL", raising=False)
    return tmp_path / "home"
