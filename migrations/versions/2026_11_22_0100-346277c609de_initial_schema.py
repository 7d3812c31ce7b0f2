"""initial schema

Revision ID: 346277c609de
Revises: 
Create Date: 2026-11-22 01:00:40.383183
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '346277c609de'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('admin_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('password_hash', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admin_user_username'), ['username'], unique=True)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=True),
    sa.Column('actor', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_practice_id'), ['practice_id'], unique=False)

    op.create_table('change_log',
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('seq')
    )
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_log_practice_id'), ['practice_id'], unique=False)

    op.create_table('municipality_type',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('law_note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('slug')
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('op', sa.Enum('upsert', 'delete', name='outboxop'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_done_at'), ['done_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_practice_id'), ['practice_id'], unique=False)

    op.create_table('region',
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('federal_district', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('iso_3166_2', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.PrimaryKeyConstraint('code')
    )
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_region_federal_district'), ['federal_district'], unique=False)

    op.create_table('theme',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('slug')
    )
    op.create_table('practice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('tracking_code', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('problem', sa.Text(), nullable=True),
    sa.Column('solution', sa.Text(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('outcome_figures', sa.JSON(), nullable=False),
    sa.Column('region_code', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('municipality', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('municipality_type_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('year_started', sa.Integer(), nullable=True),
    sa.Column('resources', sa.Text(), nullable=True),
    sa.Column('partners', sa.Text(), nullable=True),
    sa.Column('contact_organisation', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('contact_person', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
    sa.Column('contact_website', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('contact_public', sa.Boolean(), nullable=False),
    sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('documents', sa.JSON(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'published', 'rejected', 'archived', name='status'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitter_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('submitter_organisation', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('submitter_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=True),
    sa.Column('moderation_note', sa.Text(), nullable=True),
    sa.Column('synthetic', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_type_slug'], ['municipality_type.slug'], ),
    sa.ForeignKeyConstraint(['region_code'], ['region.code'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_municipality_type_slug'), ['municipality_type_slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_region_code'), ['region_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_slug'), ['slug'], unique=True)
        batch_op.create_index(batch_op.f('ix_practice_status'), ['status'], unique=False)
        batch_op.create_index('ix_practice_status_published_at', ['status', 'published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_synthetic'), ['synthetic'], unique=False)
        batch_op.create_index(batch_op.f('ix_practice_tracking_code'), ['tracking_code'], unique=True)

    op.create_table('practice_theme',
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('theme_slug', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_slug'], ['theme.slug'], ),
    sa.PrimaryKeyConstraint('practice_id', 'theme_slug')
    )
    with op.batch_alter_table('practice_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_practice_theme_theme_slug'), ['theme_slug'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('practice_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_theme_theme_slug'))

    op.drop_table('practice_theme')
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_practice_tracking_code'))
        batch_op.drop_index(batch_op.f('ix_practice_synthetic'))
        batch_op.drop_index('ix_practice_status_published_at')
        batch_op.drop_index(batch_op.f('ix_practice_status'))
        batch_op.drop_index(batch_op.f('ix_practice_slug'))
        batch_op.drop_index(batch_op.f('ix_practice_region_code'))
        batch_op.drop_index(batch_op.f('ix_practice_municipality_type_slug'))

    op.drop_table('practice')
    op.drop_table('theme')
    with op.batch_alter_table('region', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_region_federal_district'))

    op.drop_table('region')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_practice_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_done_at'))

    op.drop_table('outbox')
    op.drop_table('municipality_type')
    with op.batch_alter_table('change_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_log_practice_id'))

    op.drop_table('change_log')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_practice_id'))

    op.drop_table('audit_log')
    with op.batch_alter_table('admin_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admin_user_username'))

    op.drop_table('admin_user')
