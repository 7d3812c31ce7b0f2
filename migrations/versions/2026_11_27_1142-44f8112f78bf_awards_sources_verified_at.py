"""awards, sources, verified_at

Revision ID: 44f8112f78bf
Revises: 5c4a30e5c277
Create Date: 2026-11-27 11:42:13.273591
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '44f8112f78bf'
down_revision: str | None = '5c4a30e5c277'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('competition',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('short_name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('level', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
    sa.Column('organiser', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.PrimaryKeyConstraint('slug')
    )
    op.create_table('nomination',
    sa.Column('slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('competition_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('year_from', sa.Integer(), nullable=True),
    sa.Column('year_to', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['competition_slug'], ['competition.slug'], ),
    sa.PrimaryKeyConstraint('slug')
    )
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_competition_slug'), ['competition_slug'], unique=False)

    op.create_table('award',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('practice_id', sa.Integer(), nullable=False),
    sa.Column('competition_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('nomination_slug', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('category', sqlmodel.sql.sqltypes.AutoString(length=4), nullable=True),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('prize', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('source_url', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['competition_slug'], ['competition.slug'], ),
    sa.ForeignKeyConstraint(['nomination_slug'], ['nomination.slug'], ),
    sa.ForeignKeyConstraint(['practice_id'], ['practice.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_award_competition_slug'), ['competition_slug'], unique=False)
        batch_op.create_index(batch_op.f('ix_award_practice_id'), ['practice_id'], unique=False)

    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sources', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('verified_at', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('practice', schema=None) as batch_op:
        batch_op.drop_column('verified_at')
        batch_op.drop_column('sources')

    with op.batch_alter_table('award', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_award_practice_id'))
        batch_op.drop_index(batch_op.f('ix_award_competition_slug'))

    op.drop_table('award')
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_competition_slug'))

    op.drop_table('nomination')
    op.drop_table('competition')
