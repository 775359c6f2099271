"""the day-of check-in reminder is sent once

Revision ID: a9d9046677f7
Revises: 09a462744fc8
Create Date: 2026-12-04 18:20:00

- `booking.checkin_reminder_sent_at`: when the "check in now" email went out
  (booking/notifications/reminders.py, send_checkin_reminders). No index: the due
  bookings are found through ix_booking_resource_window's start_at range.
"""
from alembic import op
import sqlalchemy as sa

revision = "a9d9046677f7"
down_revision = "09a462744fc8"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # Plain ALTER TABLE: a batch rebuild of `booking` would break the calendar triggers.
        op.execute("ALTER TABLE booking ADD COLUMN checkin_reminder_sent_at DATETIME")
        return
    op.add_column(
        "booking", sa.Column("checkin_reminder_sent_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    op.execute("ALTER TABLE booking DROP COLUMN checkin_reminder_sent_at")
