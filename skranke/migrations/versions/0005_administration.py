"""administration: per-branch details and policy, service languages and targets, device
contact, booking made by staff, and the audit trail of administration changes

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 03:00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401
from alembic import op

import skranke.store.tables

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_TS = skranke.store.tables.UTCDateTime(timezone=True)
Text = sqlmodel.sql.sqltypes.AutoString
OUTBOX_TICKET_FK = "fk_outbox_ticket_id_ticket"


def upgrade() -> None:
    # Server defaults let existing rows migrate; batch mode copies the table on SQLite.
    with op.batch_alter_table("branch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("municipality", Text(length=120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("contact_email", Text(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("contact_phone", Text(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("contact_url", Text(length=200), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("logo", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("logo_type", Text(length=40), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("special_hours", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("overflow_threshold_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recall_limit", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("booking_call_window_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("cutoff_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("names", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("what_to_bring", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("target_minutes", sa.Integer(), nullable=False, server_default="15"))
        batch_op.add_column(sa.Column("contact_limit", sa.Integer(), nullable=True))
    with op.batch_alter_table("counter", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column("last_contact_at", UTC_TS, nullable=True))
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_user_id", sa.Integer(), nullable=True))

    op.create_table(
        "audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTC_TS, nullable=False),
        sa.Column("actor", Text(length=60), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("entity", Text(length=20), nullable=False),
        sa.Column("entity_key", Text(length=80), nullable=False),
        sa.Column("action", Text(length=20), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit", schema=None) as batch_op:
        batch_op.create_index("ix_audit_at", ["at"], unique=False)
        batch_op.create_index("ix_audit_branch_at", ["branch_id", "at"], unique=False)
    # Statistics (docs/statistics.md): a branch's tickets of a date range, and the calls and
    # counter states of a time range, each one index range scan.
    op.create_index("ix_ticket_branch_day", "ticket", ["branch_id", "day"], unique=False)
    op.create_index("ix_event_kind_at", "event", ["kind", "at"], unique=False)
    # A ticket's first call (a recall or a resumption calls again) and who called it last.
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_called_at", UTC_TS, nullable=True))
        batch_op.add_column(sa.Column("called_by_user_id", sa.Integer(), nullable=True))
    op.execute("UPDATE ticket SET first_called_at = called_at")
    # The phone page's "text me when I am third" (docs/live.md): a walk-in's number for the
    # ticket's life, and notices of a ticket in the outbox beside those of bookings.
    op.create_table(
        "ticket_contact",
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("phone", Text(length=20), nullable=True),
        sa.Column("language", Text(length=5), nullable=False),
        sa.Column("asked_at", UTC_TS, nullable=False),
        sa.Column("notified_at", UTC_TS, nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("booking_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch_op.create_index("ix_outbox_ticket_id", ["ticket_id"], unique=False)
        batch_op.create_foreign_key(OUTBOX_TICKET_FK, "ticket", ["ticket_id"], ["id"])


def downgrade() -> None:
    op.execute("DELETE FROM outbox WHERE booking_id IS NULL")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(OUTBOX_TICKET_FK, type_="foreignkey")
        batch_op.drop_index("ix_outbox_ticket_id")
        batch_op.drop_column("ticket_id")
        batch_op.alter_column("booking_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("ticket_contact")
    with op.batch_alter_table("ticket", schema=None) as batch_op:
        batch_op.drop_column("called_by_user_id")
        batch_op.drop_column("first_called_at")
    op.drop_index("ix_event_kind_at", table_name="event")
    op.drop_index("ix_ticket_branch_day", table_name="ticket")
    op.drop_table("audit")
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_column("created_by_user_id")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.drop_column("last_contact_at")
        batch_op.drop_column("active")
    with op.batch_alter_table("counter", schema=None) as batch_op:
        batch_op.drop_column("active")
    with op.batch_alter_table("service", schema=None) as batch_op:
        for name in ("contact_limit", "target_minutes", "what_to_bring", "names"):
            batch_op.drop_column(name)
    with op.batch_alter_table("branch", schema=None) as batch_op:
        for name in (
            "cutoff_minutes", "booking_call_window_minutes", "recall_limit",
            "overflow_threshold_minutes", "special_hours", "logo_type", "logo",
            "contact_url", "contact_phone", "contact_email", "municipality", "active",
        ):
            batch_op.drop_column(name)
