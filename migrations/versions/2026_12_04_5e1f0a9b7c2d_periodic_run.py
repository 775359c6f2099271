"""periodic runs: when each self-running job last started, shared by all workers

Revision ID: 5e1f0a9b7c2d
Revises: c1a7e2d9b3f4
Create Date: 2026-12-04 14:40:00
"""
from alembic import op
import sqlalchemy as sa

revision = "5e1f0a9b7c2d"
down_revision = "c1a7e2d9b3f4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "periodic_run",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_periodic_run")),
    )


def downgrade():
    op.drop_table("periodic_run")
