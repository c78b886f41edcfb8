"""print jobs: one row per ticket a kiosk prints, with attempts and last error

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 03:00:12.679120
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import skranke.store.tables  # noqa: F401

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('print_job',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', skranke.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', skranke.store.tables.UTCDateTime(timezone=True), nullable=False),
    sa.Column('printed_at', skranke.store.tables.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['branch_id'], ['branch.id'], ),
    sa.ForeignKeyConstraint(['device_id'], ['device.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.create_index('ix_print_job_pending', ['status', 'device_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_print_job_ticket_id'), ['ticket_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('print_job', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_job_ticket_id'))
        batch_op.drop_index('ix_print_job_pending')

    op.drop_table('print_job')
