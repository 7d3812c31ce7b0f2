"""audit log index for rate limits

Revision ID: 5c4a30e5c277
Revises: 346277c609de
Create Date: 2026-11-22 01:48:24.550610
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '5c4a30e5c277'
down_revision: str | None = '346277c609de'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_actor_action_at', ['actor', 'action', 'at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_actor_action_at')

