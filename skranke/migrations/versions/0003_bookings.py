"""bookings: bookable services, closed dates, the booking table and the notice outbox

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 04:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import skranke.store.tables

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TS = skranke.store.tables.UTCDateTime(timezone=True)


def upgrade() -> None:
    # Server defaults let existing rows migrate; batch mode copies the table on SQLite.
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bookable", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("slot_minutes", sa.Integer(), nullable=False, server_default="15"))
        batch_op.add_column(sa.Column("capacity", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("advance_days", sa.Integer(), nullable=False, server_default="60"))
        batch_op.add_column(sa.Column("lead_minutes", sa.Integer(), nullable=False, server_default="60"))
        batch_op.add_column(sa.Column("what_to_bring_da", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("what_to_bring_en", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False, server_default=""))
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_dates", sa.JSON(), nullable=False, server_default="[]"))

    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("branch_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("start", UTC_TS, nullable=False),
        sa.Column("end", UTC_TS, nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("reminder_sent_at", UTC_TS, nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("checked_in_at", UTC_TS, nullable=True),
        sa.Column("cancelled_at", UTC_TS, nullable=True),
        sa.Column("purged_at", UTC_TS, nullable=True),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["branch_id"], ["branch.id"]),
        sa.ForeignKeyConstraint(["service_id"], ["service.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
    )
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.create_index("ix_booking_slot", ["service_id", "start", "state"], unique=False)
        batch_op.create_index("ix_booking_branch_start", ["branch_id", "start"], unique=False)
        batch_op.create_index("ix_booking_state_start", ["state", "start"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_booking_phone"), ["phone"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("template", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_TS, nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("created_at", UTC_TS, nullable=False),
        sa.Column("sent_at", UTC_TS, nullable=True),
        sa.ForeignKeyConstraint(["booking_id"], ["booking.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_due", ["state", "next_attempt_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_booking_id"), ["booking_id"], unique=False)


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("booking")
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.drop_column("closed_dates")
    with op.batch_alter_table("service", schema=None) as batch_op:
        for column in (
            "what_to_bring_en",
            "what_to_bring_da",
            "lead_minutes",
            "advance_days",
            "capacity",
            "slot_minutes",
            "bookable",
        ):
            batch_op.drop_column(column)
