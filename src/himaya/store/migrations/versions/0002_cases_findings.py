"""cases, detector runs and findings

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 07:45:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import himaya.store.schema

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('cases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('created_at', himaya.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'name', name='uq_cases_org_name')
    )
    op.create_table('detector_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('detector', sa.String(length=32), nullable=False),
    sa.Column('detector_version', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('summary', sa.LargeBinary(), nullable=True),
    sa.Column('started_at', himaya.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', himaya.store.schema.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('detector_runs', schema=None) as batch_op:
        batch_op.create_index('ix_detector_runs_org_case', ['org_id', 'case_id', 'detector'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('org_id', sa.String(length=64), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('detector', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=48), nullable=False),
    sa.Column('subject_type', sa.String(length=16), nullable=False),
    sa.Column('subject_key', sa.Text(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('band', sa.String(length=16), nullable=True),
    sa.Column('detail', sa.LargeBinary(), nullable=False),
    sa.Column('status', sa.String(length=16), server_default='open', nullable=False),
    sa.Column('reviewed_by', sa.Text(), nullable=True),
    sa.Column('reviewed_at', himaya.store.schema.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', himaya.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', himaya.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['org_id'], ['organisations.id'], ),
    sa.ForeignKeyConstraint(['run_id'], ['detector_runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('org_id', 'case_id', 'detector', 'kind', 'subject_key', name='uq_findings_subject')
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index('ix_findings_org_case_kind', ['org_id', 'case_id', 'detector', 'kind', 'score'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_org_case_kind')
    op.drop_table('findings')
    with op.batch_alter_table('detector_runs', schema=None) as batch_op:
        batch_op.drop_index('ix_detector_runs_org_case')
    op.drop_table('detector_runs')
    op.drop_table('cases')
