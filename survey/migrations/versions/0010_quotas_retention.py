"""Quotas counted exactly: a count per quota cell, and the places each stored response took.

GDPR retention needs no table: the period is in each questionnaire's `mission:` block, and purges and erasures
are recorded in the audit log.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 05:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create `quota_count` and `quota_place` (responses stored before have no place: no quota counted them)."""
    op.create_table(
        'quota_count',
        sa.Column('questionnaire_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('quota', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column('cell', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('cap', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id']),
        sa.PrimaryKeyConstraint('questionnaire_id', 'quota', 'cell'),
    )
    op.create_table(
        'quota_place',
        sa.Column('response_id', sa.Integer(), nullable=False),
        sa.Column('quota', sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column('questionnaire_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('cell', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id']),
        sa.ForeignKeyConstraint(['response_id'], ['response.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('response_id', 'quota'),
    )
    op.create_index('ix_quota_place_cell', 'quota_place', ['questionnaire_id', 'quota', 'cell'], unique=False)


def downgrade() -> None:
    """Drop both tables."""
    op.drop_index('ix_quota_place_cell', table_name='quota_place')
    op.drop_table('quota_place')
    op.drop_table('quota_count')
