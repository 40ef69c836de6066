from tests.store.conftest import backend, store, store_settings  # noqa: F401 - the store fixtures, SQLite and PostgreSQL
