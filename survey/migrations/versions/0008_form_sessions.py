"""Forms in progress kept on the server: save and resume, drop-outs, paper and telephone entry.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 05:40:00
"""

import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
from alembic import op  # noqa: F401

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Reserved: filled in by the change that needs it."""


def downgrade() -> None:
    """Reserved: filled in by the change that needs it."""
