"""Fixtures for the media detector: a real store (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

from tests.store.conftest import backend, store, store_settings  # noqa: F401 - the store fixtures, SQLite and PostgreSQL


