"""When a questionnaire version was first shown to a respondent: a served version is never changed in place.

Versions stored before this revision count as served (at their first response, else when loaded): a server
may have been showing them, and forms may be in progress on them. Treating an unserved version as served
costs at most an extra `{label}+n` version; the reverse could change what a stored code means.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:00:00
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the nullable `served_at` column and mark the versions that already existed as served."""
    with op.batch_alter_table('questionnaire_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('served_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.execute("UPDATE questionnaire_version SET served_at = COALESCE("
               "(SELECT min(response.submitted_at) FROM response WHERE response.version_id = questionnaire_version.id),"
               " loaded_at)")


def downgrade() -> None:
    """Drop `served_at`."""
    # Not a batch copy: with foreign keys on, SQLite refuses to drop a table responses refer to.
    # SQLite 3.35+ drops a column in place, as PostgreSQL does.
    op.execute("ALTER TABLE questionnaire_version DROP COLUMN served_at")
