"""media hashes, known-media lists and the media view audit log

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05 08:05:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import himaya.store.schema

revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('media_hashes',
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('pdq', sa.String(length=64), nullable=True),
    sa.Column('quality', sa.Integer(), nullable=True),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('hasher_version', sa.String(length=16), nullable=False),
    sa.Column('hashed_at', himaya.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('org_id', 'sha256')
    )
    with op.batch_alter_table('media_hashes', schema=None) as batch_op:
        batch_op.create_index('ix_media_hashes_org_pdq', ['org_id', 'pdq'], unique=False)

    op.create_table('known_media',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('fingerprint', sa.String(length=72), nullable=False),
    sa.Column('media_key', sa.Text(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('blob', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('pdq', sa.String(length=64), nullable=True),
    sa.Column('quality', sa.Integer(), nullable=True),
    sa.Column('signals', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=64), nullable=False),
    sa.Column('label', sa.LargeBinary(), nullable=True),
    sa.Column('partner', sa.Text(), nullable=True),
    sa.Column('added_by', sa.Text(), nullable=True),
    sa.Column('added_at', himaya.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'case_id', 'fingerprint', name='uq_known_media_fingerprint')
    )
    with op.batch_alter_table('known_media', schema=None) as batch_op:
        batch_op.create_index('ix_known_media_org_case', ['org_id', 'case_id'], unique=False)

    op.create_table('media_views',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('subject', sa.Text(), nullable=False),
    sa.Column('view', sa.String(length=16), nullable=False),
    sa.Column('viewer', sa.Text(), nullable=False),
    sa.Column('reason', sa.LargeBinary(), nullable=True),
    sa.Column('viewed_at', himaya.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('media_views', schema=None) as batch_op:
        batch_op.create_index('ix_media_views_org_subject', ['org_id', 'subject'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('media_views', schema=None) as batch_op:
        batch_op.drop_index('ix_media_views_org_subject')
    op.drop_table('media_views')
    with op.batch_alter_table('known_media', schema=None) as batch_op:
        batch_op.drop_index('ix_known_media_org_case')
    op.drop_table('known_media')
    with op.batch_alter_table('media_hashes', schema=None) as batch_op:
        batch_op.drop_index('ix_media_hashes_org_pdq')
    op.drop_table('media_hashes')
