"""booking statistics index: with the check-in columns, one scan gives every figure

Revision ID: 3f6d2b9e1c47
Revises: a9d9046677f7
Create Date: 2026-12-04 20:10:00

`ix_booking_stats` gains `checked_in_at` and `cancelled_at` (last, mostly empty): the
check-in figures (checked in, no-shows, hours released) are now summed by the statistics'
per-resource GROUP BY (booking/stats/queries.py per_resource), which must still read
everything from the index alone instead of a second scan of the period's bookings
(booking/stats/checkins.py had one, ~121 ms of SQLite at the benchmark's scale 10).
"""

from alembic import op

revision = "3f6d2b9e1c47"
down_revision = "a9d9046677f7"
branch_labels = None
depends_on = None

BEFORE = [
    "resource_id",
    "state",
    "start_at",
    "end_at",
    "attendees",
    "association_id",
    "created_at",
    "decided_at",
]
AFTER = [*BEFORE, "checked_in_at", "cancelled_at"]


def _index(columns):
    with op.batch_alter_table("booking", schema=None) as batch_op:
        batch_op.drop_index("ix_booking_stats")
        batch_op.create_index("ix_booking_stats", columns, unique=False)


def upgrade():
    _index(AFTER)


def downgrade():
    _index(BEFORE)
