"""Forms in progress kept on the server: save and resume, drop-outs, paper and telephone entry.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 05:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    """Create form_session; responses get their channel (`web` for every one stored so far) and who typed them."""
    op.create_table('form_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('questionnaire_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('page', sa.Integer(), nullable=False),
    sa.Column('furthest_page', sa.Integer(), nullable=False),
    sa.Column('pages_visited', JSON, nullable=False),
    sa.Column('answers', JSON, nullable=False),
    sa.Column('flash', JSON, nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('entered_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['entered_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], ),
    sa.ForeignKeyConstraint(['version_id'], ['questionnaire_version.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('key')
    )
    with op.batch_alter_table('form_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_form_session_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index('ix_form_session_questionnaire_status', ['questionnaire_id', 'status'], unique=False)
        batch_op.create_index('ix_form_session_status_updated', ['status', 'updated_at'], unique=False)
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=16), server_default='web',
                                      nullable=False))
        batch_op.add_column(sa.Column('entered_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_response_entered_by', 'staff_user', ['entered_by'], ['id'])


def downgrade() -> None:
    """Drop form_session and the response columns."""
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_constraint('fk_response_entered_by', type_='foreignkey')
        batch_op.drop_column('entered_by')
        batch_op.drop_column('channel')
    with op.batch_alter_table('form_session', schema=None) as batch_op:
        batch_op.drop_index('ix_form_session_status_updated')
        batch_op.drop_index('ix_form_session_questionnaire_status')
        batch_op.drop_index(batch_op.f('ix_form_session_invitation_id'))
    op.drop_table('form_session')
