"""A heartbeat on running jobs, so that a job whose worker died is failed and its partial file removed.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 03:30:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable `heartbeat_at` column (jobs already running count from when they were created)."""
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
