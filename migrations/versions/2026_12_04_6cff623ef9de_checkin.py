"""check-in and no-show release

Revision ID: 6cff623ef9de
Revises: ea3546c89449
Create Date: 2026-12-04 17:05:00

- `resource.checkin_required` (off), `resource.checkin_grace_minutes` (15, 0 to 240),
  `resource.checkin_by` ("members": the booking's association and the managers;
  "managers": the managers only);
- `booking.checked_in_at`, `booking.checked_in_by_id`; the new booking state "released"
  needs no schema change (the state is a string column without a CHECK).
  The foreign key has no ON DELETE: a column added by SQLite's ALTER TABLE cannot carry
  one that reflection sees, and erasing a person clears the column first anyway
  (booking/privacy/erasure.py), as for the other people columns.
"""
from alembic import op
import sqlalchemy as sa

revision = "6cff623ef9de"
down_revision = "ea3546c89449"
branch_labels = None
depends_on = None


# SQLite: plain ALTER TABLE, as a batch rebuild of `resource` or `booking` would break the
# calendar triggers.
SQLITE_STATEMENTS = (
    "ALTER TABLE resource ADD COLUMN checkin_required BOOLEAN DEFAULT 0 NOT NULL",
    "ALTER TABLE resource ADD COLUMN checkin_grace_minutes INTEGER DEFAULT 15 NOT NULL"
    " CONSTRAINT ck_resource_checkin_grace_range"
    " CHECK (checkin_grace_minutes >= 0 AND checkin_grace_minutes <= 240)",
    "ALTER TABLE resource ADD COLUMN checkin_by VARCHAR(12) DEFAULT 'members' NOT NULL",
    "ALTER TABLE booking ADD COLUMN checked_in_at DATETIME",
    "ALTER TABLE booking ADD COLUMN checked_in_by_id INTEGER"
    " CONSTRAINT fk_booking_checked_in_by_id_user REFERENCES \"user\" (id)",
)


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_STATEMENTS:
            op.execute(statement)
        return
    op.add_column(
        "resource",
        sa.Column("checkin_required", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "resource",
        sa.Column(
            "checkin_grace_minutes", sa.Integer(), server_default=sa.text("15"), nullable=False
        ),
    )
    op.create_check_constraint(
        op.f("ck_resource_checkin_grace_range"),
        "resource",
        "checkin_grace_minutes >= 0 AND checkin_grace_minutes <= 240",
    )
    op.add_column(
        "resource",
        sa.Column("checkin_by", sa.String(length=12), server_default="members", nullable=False),
    )
    op.add_column("booking", sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("booking", sa.Column("checked_in_by_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_booking_checked_in_by_id_user"),
        "booking",
        "user",
        ["checked_in_by_id"],
        ["id"],
    )


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint(op.f("fk_booking_checked_in_by_id_user"), "booking", type_="foreignkey")
    # SQLite (3.35+) drops a column with its column constraints in place.
    for table, column in (
        ("booking", "checked_in_by_id"),
        ("booking", "checked_in_at"),
        ("resource", "checkin_by"),
        ("resource", "checkin_grace_minutes"),
        ("resource", "checkin_required"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
