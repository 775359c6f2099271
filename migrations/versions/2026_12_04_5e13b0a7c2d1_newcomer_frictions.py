"""newcomer frictions: training contact and next session, seats per person, English names

Revision ID: 5e13b0a7c2d1
Revises: 5e7a21c9d0b4
Create Date: 2026-12-04 14:15:00

- `training.contact`, `training.next_session_on`: how to obtain a training, told
  up front on the booking form of a machine that requires it;
- `resource.max_seats_per_person`: seats one person may hold in one open-lab session
  (1 unless set);
- `equipment.name_en`: the English name of an equipment item (the French name when empty).
"""
from alembic import op
import sqlalchemy as sa

revision = "5e13b0a7c2d1"
down_revision = "5e7a21c9d0b4"
branch_labels = None
depends_on = None


# SQLite: plain ALTER TABLE, as a batch rebuild of `resource` would break the calendar triggers.
SQLITE_ADD_SEATS = (
    "ALTER TABLE resource ADD COLUMN max_seats_per_person INTEGER DEFAULT 1 NOT NULL"
    " CONSTRAINT ck_resource_max_seats_per_person_positive CHECK (max_seats_per_person >= 1)"
)


def upgrade():
    op.add_column("training", sa.Column("contact", sa.String(length=300), nullable=True))
    op.add_column("training", sa.Column("next_session_on", sa.Date(), nullable=True))
    op.add_column("equipment", sa.Column("name_en", sa.String(length=120), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_ADD_SEATS)
    else:
        op.add_column(
            "resource",
            sa.Column(
                "max_seats_per_person", sa.Integer(), server_default=sa.text("1"), nullable=False
            ),
        )
        op.create_check_constraint(
            op.f("ck_resource_max_seats_per_person_positive"),
            "resource",
            "max_seats_per_person >= 1",
        )


def downgrade():
    # SQLite (3.35+) drops a column with its column CHECK constraint in place.
    for table, column in (
        ("resource", "max_seats_per_person"),
        ("equipment", "name_en"),
        ("training", "next_session_on"),
        ("training", "contact"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
