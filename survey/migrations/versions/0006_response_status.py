"""Managing responses: a status per response (real, test, synthetic), when it was last corrected, and a revision
per questionnaire that every change to stored responses bumps.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 05:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the columns; every response stored so far is `real` (there was no way to tell synthetic ones)."""
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='real',
                                      nullable=False))
        batch_op.add_column(sa.Column('corrected_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.add_column(sa.Column('responses_revision', sa.Integer(), server_default='0', nullable=False))


def downgrade() -> None:
    """Drop the columns."""
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_column('responses_revision')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_column('corrected_at')
        batch_op.drop_column('status')
