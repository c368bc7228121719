"""Interview grids, interviews, their notes, coded passages and audit trail.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 05:40:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
String = sqlmodel.sql.sqltypes.AutoString
UTC = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    """Create the interview tables (survey/db.py, survey/store_interviews.py)."""
    op.create_table('interview_grid',
    sa.Column('id', String(length=64), nullable=False),
    sa.Column('mission_id', String(), nullable=False),
    sa.Column('title', String(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['mission_id'], ['mission.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('interview_grid', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_grid_mission_id'), ['mission_id'], unique=False)
    op.create_table('interview_grid_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_id', String(length=64), nullable=False),
    sa.Column('mission_id', String(length=64), nullable=False),
    sa.Column('version', String(length=32), nullable=False),
    sa.Column('definition', JSON, nullable=False),
    sa.Column('content_hash', String(length=64), nullable=False),
    sa.Column('source', String(), nullable=False),
    sa.Column('loaded_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['interview_grid.id'], ),
    sa.ForeignKeyConstraint(['mission_id'], ['mission.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('grid_id', 'version')
    )
    with op.batch_alter_table('interview_grid_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_grid_version_grid_id'), ['grid_id'], unique=False)
    op.create_table('interview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_version_id', sa.Integer(), nullable=False),
    sa.Column('grid_id', String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('category', String(length=48), nullable=False),
    sa.Column('organisation', String(length=200), nullable=False),
    sa.Column('role', String(length=200), nullable=False),
    sa.Column('site', String(length=64), nullable=False),
    sa.Column('interviewee_name', String(length=200), nullable=False),
    sa.Column('channel', String(length=16), nullable=False),
    sa.Column('interviewer_id', sa.Integer(), nullable=True),
    sa.Column('consent', sa.Boolean(), nullable=True),
    sa.Column('status', String(length=16), nullable=False),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.Column('started_at', UTC(), nullable=False),
    sa.Column('completed_at', UTC(), nullable=True),
    sa.Column('updated_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['interview_grid.id'], ),
    sa.ForeignKeyConstraint(['grid_version_id'], ['interview_grid_version.id'], ),
    sa.ForeignKeyConstraint(['interviewer_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('grid_id', 'category', 'number')
    )
    with op.batch_alter_table('interview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_grid_id'), ['grid_id'], unique=False)
    op.create_table('interview_text',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('slot', String(length=80), nullable=False),
    sa.Column('body', String(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('updated_at', UTC(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], ),
    sa.ForeignKeyConstraint(['updated_by'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('interview_id', 'slot')
    )
    op.create_table('interview_save',
    sa.Column('save_id', String(length=64), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('slot', String(length=80), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], ),
    sa.PrimaryKeyConstraint('save_id')
    )
    with op.batch_alter_table('interview_save', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_save_interview_id'), ['interview_id'], unique=False)
    op.create_table('interview_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grid_id', String(length=64), nullable=False),
    sa.Column('code', String(length=64), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('label', String(), nullable=False),
    sa.Column('definition', String(), nullable=False),
    sa.Column('example', String(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('aliases', JSON, nullable=False),
    sa.ForeignKeyConstraint(['grid_id'], ['interview_grid.id'], ),
    sa.ForeignKeyConstraint(['merged_into_id'], ['interview_code.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['interview_code.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('grid_id', 'code')
    )
    with op.batch_alter_table('interview_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_code_grid_id'), ['grid_id'], unique=False)
    op.create_table('interview_segment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('slot', String(length=80), nullable=False),
    sa.Column('start', sa.Integer(), nullable=True),
    sa.Column('end', sa.Integer(), nullable=True),
    sa.Column('text', String(), nullable=False),
    sa.Column('is_quote', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', UTC(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['staff_user.id'], ),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('interview_segment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_segment_interview_id'), ['interview_id'], unique=False)
    op.create_table('interview_segment_code',
    sa.Column('segment_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['interview_code.id'], ),
    sa.ForeignKeyConstraint(['segment_id'], ['interview_segment.id'], ),
    sa.PrimaryKeyConstraint('segment_id', 'code_id')
    )
    with op.batch_alter_table('interview_segment_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_segment_code_code_id'), ['code_id'], unique=False)
    op.create_table('interview_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('interview_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('at', UTC(), nullable=False),
    sa.Column('slot', String(length=80), nullable=False),
    sa.Column('before', String(), nullable=False),
    sa.Column('after', String(), nullable=False),
    sa.ForeignKeyConstraint(['interview_id'], ['interview.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('interview_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_audit_interview_id'), ['interview_id'], unique=False)


def downgrade() -> None:
    """Drop the interview tables, children first."""
    for table, indexes in (('interview_audit', ['interview_id']), ('interview_segment_code', ['code_id']),
                           ('interview_segment', ['interview_id']), ('interview_code', ['grid_id']),
                           ('interview_save', ['interview_id']), ('interview_text', []),
                           ('interview', ['grid_id']), ('interview_grid_version', ['grid_id']),
                           ('interview_grid', ['mission_id'])):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in indexes:
                batch_op.drop_index(batch_op.f(f'ix_{table}_{column}'))
        op.drop_table(table)
