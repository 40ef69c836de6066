"""Alembic environment: the engine comes from Himaya's settings, never from an ini file with secrets."""

from __future__ import annotations

from alembic import context

from himaya.store.schema import metadata

config = context.config


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from himaya.config import Settings
        from himaya.store.db import make_engine

        engine = make_engine(Settings().url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True,
                          compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run()
