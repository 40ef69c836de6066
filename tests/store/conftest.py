from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from himaya.config import Settings
from himaya.store.db import Store, open_store

PG_URL = os.environ.get("HIMAYA_TEST_DATABASE_URL")
_pg_reset = False


def _reset_postgres(url: str) -> None:
    """Once per session: an empty public schema in the *test* database, then migrations run on first open."""
    global _pg_reset
    if _pg_reset:
        return
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()
    _pg_reset = True


def make_settings(backend: str, home: Path) -> Settings:
    if backend == "postgres":
        assert PG_URL
        _reset_postgres(PG_URL)
        return Settings(home=home, database_url=PG_URL)
    return Settings(home=home)


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
    """A store for a fresh organisation (PostgreSQL tests share one database, so organisations keep them apart)."""
    s = open_store(store_settings, org_id=f"org-{uuid.uuid4().hex[:12]}")
    yield s
    s.close()
