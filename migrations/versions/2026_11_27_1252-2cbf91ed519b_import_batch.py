"""import_batch: spreadsheets uploaded by moderators, checked and waiting to be imported

Revision ID: 2cbf91ed519b
Revises: 89fc6010df2a
Create Date: 2026-11-27 12:52:43.172488
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '2cbf91ed519b'
down_revision: str | None = '89fc6010df2a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('import_batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('good', sa.Integer(), nullable=False),
    sa.Column('bad', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('checked', 'imported', name='importstatus'), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('imported_by', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batch_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('import_batch', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batch_created_at'))

    op.drop_table('import_batch')
    sa.Enum(name='importstatus').drop(op.get_bind(), checkfirst=True)  # PostgreSQL keeps the type otherwise
