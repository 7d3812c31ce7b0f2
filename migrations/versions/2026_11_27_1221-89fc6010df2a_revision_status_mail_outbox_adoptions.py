"""status «revision», mail outbox, edit tokens, adoptions

Revision ID: 89fc6010df2a
Revises: 44f8112f78bf
Create Date: 2026-11-27 12:21:40.383104
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '89fc6010df2a'
down_revision: str | None = '44f8112f78bf'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The new status value. SQLite keeps the enum as plain VARCHAR (no CHECK constraint);
    # PostgreSQL has a native type. ADD VALUE may run in the migration's transaction on
    # PostgreSQL 12+, as long as nothing here uses the value.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TYPE status ADD VALUE IF NOT EXISTS 'revision' AFTER 'pending'")
    op.create_table('mail_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('recipient', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('context', sa.JSON(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('pending', 'sending', 'sent', 'failed', name='mailstate'), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claim_token', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_outbox_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index('ix_mail_outbox_state_next', ['state', 'next_attempt_at'], unique=False)

    op.create_table('adoption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('municipality', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('municipality_type_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('what_changed', sa.Text(), nullable=False),
    sa.Column('outcome_figures', sa.JSON(), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('contact_organisation', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('status', sa.Enum('pending', 'approved', 'rejected', name='adoptionstatus'), nullable=False),
    sa.Column('moderation_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('moderated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['municipality_type_slug'], ['municipality_type.slug'], ),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adoption_practice_id'), ['practice_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_adoption_status'), ['status'], unique=False)

    op.create_table('edit_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('edit_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_edit_token_practice_id'), ['practice_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('edit_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_edit_token_practice_id'))

    op.drop_table('edit_token')
    with op.batch_alter_table('adoption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adoption_status'))
        batch_op.drop_index(batch_op.f('ix_adoption_practice_id'))

    op.drop_table('adoption')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_state_next')
        batch_op.drop_index(batch_op.f('ix_mail_outbox_practice_id'))

    op.drop_table('mail_outbox')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TYPE IF EXISTS mailstate")
        op.execute("DROP TYPE IF EXISTS adoptionstatus")
    # PostgreSQL cannot drop a value from an enum type: practices «на доработке» go back to
    # pending, and the value 'revision' stays in the type, unused.
    op.execute("UPDATE practice SET status = 'pending' WHERE status = 'revision'")
