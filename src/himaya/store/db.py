"""Opening the store: engine settings per backend, schema migrations, the organisation's keys."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from himaya.config import Settings
from himaya.errors import ConfigError, StoreError
from himaya.store import schema
from himaya.store.blobs import BlobStore
from himaya.store.crypto import Cipher, kek_id, load_or_create_master_key, unwrap_dek, wrap_dek

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = sa.engine.make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # The import's own connection is used by its background writer thread (store/writer.py), never
        # by two threads at once; SQLite's same-thread check would refuse even that.
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
            cur = dbapi_conn.cursor()
            # WAL + FULL: a committed import survives power loss; secure_delete: no deleted plaintext pages.
            for pragma in ("journal_mode=WAL", "synchronous=FULL", "secure_delete=ON", "foreign_keys=ON",
                           "temp_store=MEMORY", "cache_size=-65536"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            # One writer at a time, decided at BEGIN, so two imports never deadlock half-way.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if url.startswith("postgresql"):
        engine = sa.create_engine(url, pool_pre_ping=True)
        _check_postgres_durability(engine)
        return engine
    raise ConfigError(f"unsupported database URL scheme in {sa.engine.make_url(url).render_as_string(hide_password=True)}")


def _check_postgres_durability(engine: Engine) -> None:
    try:
        with engine.connect() as conn:
            for name in ("fsync", "synchronous_commit", "full_page_writes"):
                value = conn.exec_driver_sql(f"SHOW {name}").scalar()
                if value != "on":
                    raise ConfigError(f"PostgreSQL {name} is {value!r}; Himaya stores evidence and needs it 'on'")
    except sa.exc.OperationalError as exc:
        raise StoreError(f"cannot connect to PostgreSQL: {exc.orig}") from None


def _alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    return ScriptDirectory(str(MIGRATIONS)).get_current_head()


def upgrade(engine: Engine) -> tuple[str | None, str | None]:
    before = current_revision(engine)
    command.upgrade(_alembic_config(engine), "head")
    return before, current_revision(engine)


def ensure_schema(engine: Engine) -> None:
    """A fresh store is created on first use; an older one must be upgraded on purpose."""
    current = current_revision(engine)
    if current is None:
        with engine.connect() as conn:
            empty = not sa.inspect(conn).get_table_names()
        if not empty:
            raise StoreError("the database has tables but no Himaya schema version: is it another application's?")
        upgrade(engine)
    elif current != head_revision():
        raise StoreError(f"the store is at schema {current}, this Himaya needs {head_revision()}: run `himaya db upgrade`")


class Store:
    """An open store for one organisation: engine, column cipher and blob store."""

    def __init__(self, settings: Settings, org_id: str | None = None) -> None:
        self.settings = settings
        self.org_id = org_id or settings.org
        if settings.database_url is None:
            settings.home.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.engine = make_engine(settings.url)
        ensure_schema(self.engine)
        self.cipher = self._cipher()
        self.blobs = BlobStore(settings.blob_dir, self.org_id, self.cipher.blob_key, encrypt=settings.encrypt)

    def _cipher(self) -> Cipher:
        if not self.settings.encrypt:
            self._ensure_org()
            return Cipher(self.org_id, None)
        kek = load_or_create_master_key(self.settings.master_key_path)
        with self.engine.begin() as conn:
            self._ensure_org(conn)
            row = conn.execute(sa.select(schema.org_keys).where(schema.org_keys.c.org_id == self.org_id)
                               .order_by(schema.org_keys.c.version.desc()).limit(1)).first()
            if row is None:
                dek = secrets.token_bytes(32)
                conn.execute(schema.org_keys.insert().values(
                    org_id=self.org_id, version=1, wrapped_dek=wrap_dek(kek, dek, self.org_id),
                    kek_id=kek_id(kek), created_at=datetime.now(UTC)))
                return Cipher(self.org_id, dek, 1)
        if row.kek_id != kek_id(kek):
            raise ConfigError(f"the key file {self.settings.master_key_path} is not the key this store was created "
                              f"with (expected key id {row.kek_id}, got {kek_id(kek)})")
        return Cipher(self.org_id, unwrap_dek(kek, row.wrapped_dek, self.org_id), row.version)

    def _ensure_org(self, conn: sa.Connection | None = None) -> None:
        def run(c: sa.Connection) -> None:
            exists = c.execute(sa.select(schema.organisations.c.id).where(schema.organisations.c.id == self.org_id)).first()
            if not exists:
                c.execute(schema.organisations.insert().values(id=self.org_id, name=self.org_id, created_at=datetime.now(UTC)))
        if conn is not None:
            run(conn)
        else:
            with self.engine.begin() as c:
                run(c)

    def close(self) -> None:
        self.engine.dispose()


def open_store(settings: Settings | None = None, org_id: str | None = None) -> Store:
    return Store(settings or Settings(), org_id)


def secure_umask() -> None:
    """Files Himaya creates are for its own user only."""
    os.umask(0o077)
