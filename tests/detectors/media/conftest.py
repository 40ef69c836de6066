"""Fixtures for the media detector: a real store (SQLite, and PostgreSQL when configured), pictures on disk."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from himaya.config import Settings
from himaya.store.db import Store, open_store
from tests.store.conftest import PG_URL, make_settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgres" and not PG_URL:
        pytest.skip("PostgreSQL tests need HIMAYA_TEST_DATABASE_URL (set by .ci/run)")
    return str(request.param)


@pytest.fixture
def store_settings(backend: str, tmp_path: Path) -> Settings:
    return make_settings(backend, tmp_path / "home")


@pytest.fixture
def store(store_settings: Settings) -> Iterator[Store]:
    s = open_store(store_settings, org_id=f"org-{uuid.uuid4().hex[:12]}")
    yield s
    s.close()
