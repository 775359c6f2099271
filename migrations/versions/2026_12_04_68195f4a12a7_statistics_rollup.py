"""statistics rollup: bookings summed per resource and local month

Revision ID: 68195f4a12a7
Revises: 3f6d2b9e1c47
Create Date: 2026-12-04 22:40:38

The statistics of a period made of whole months read these sums instead of every booking
of the period (booking/stats/models.py, booking/stats/rollup.py). They are filled on
first use (or by `flask refresh-stats`): the upgrade leaves them empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "68195f4a12a7"
down_revision = "3f6d2b9e1c47"
branch_labels = None
depends_on = None

STATES = ("pending", "approved", "refused", "cancelled", "expired", "waitlisted", "released")
DAYS = tuple(f"d{n:02d}" for n in range(1, 32))
HOURS = tuple(f"h{n:02d}" for n in range(24))


def _counts(names):
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def _seconds(names):
    return [sa.Column(name, sa.Float(), nullable=False) for name in names]


def upgrade():
    op.create_table(
        "stats_rollup",
        sa.Column("resource_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("year", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("calendar_version", sa.Integer(), nullable=False),
        sa.Column("resource_updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("served", sa.JSON(), nullable=False),
        sa.Column("crossing", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("resource_id", "year", name=op.f("pk_stats_rollup")),
    )
    op.create_table(
        "stats_month",
        sa.Column("resource_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        *_counts((*STATES, "attendees", "checked_in", "decided")),
        *_seconds(("approved_seconds", "seat_seconds", "released_seconds", *DAYS)),
        sa.PrimaryKeyConstraint("resource_id", "month", name=op.f("pk_stats_month")),
    )
    op.create_table(
        "stats_heat",
        sa.Column("resource_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("weekday", sa.SmallInteger(), autoincrement=False, nullable=False),
        *_counts(HOURS),
        sa.PrimaryKeyConstraint("resource_id", "month", "weekday", name=op.f("pk_stats_heat")),
    )


def downgrade():
    op.drop_table("stats_heat")
    op.drop_table("stats_month")
    op.drop_table("stats_rollup")
