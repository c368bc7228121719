"""Publishing from the web: questionnaire states and dates, mission branding.

Every questionnaire stored so far stays answerable: its state is `open` (uploads from the staff pages start as
`draft`, set by the store). A table holds each mission's name, logo and header colours for respondents' pages.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29 05:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the state and dates to `questionnaire`; create `mission_branding`."""
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='open',
                                      nullable=False))
        batch_op.add_column(sa.Column('opens_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('closes_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        'mission_branding',
        sa.Column('mission_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('background', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('text_colour', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column('logo', sa.LargeBinary(), nullable=True),
        sa.Column('logo_width', sa.Integer(), nullable=False),
        sa.Column('logo_height', sa.Integer(), nullable=False),
        sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['mission_id'], ['mission.id']),
        sa.PrimaryKeyConstraint('mission_id'),
    )


def downgrade() -> None:
    """Drop the table and the columns."""
    op.drop_table('mission_branding')
    with op.batch_alter_table('questionnaire', schema=None) as batch_op:
        batch_op.drop_column('closed_at')
        batch_op.drop_column('closes_at')
        batch_op.drop_column('opens_at')
        batch_op.drop_column('state')
