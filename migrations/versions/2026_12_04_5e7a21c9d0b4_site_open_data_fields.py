"""site open-data fields: what the national schema of places of digital inclusion asks for

Revision ID: 5e7a21c9d0b4
Revises: 0d3c42800530
Create Date: 2026-12-04 14:20:00

The operator's SIRET or RNA (`pivot`), the commune, its postcode and INSEE code, the
website, and the services, fees and access modes, `|`-separated values from the
LaMednum standard's vocabularies (booking/stats/mediation.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "5e7a21c9d0b4"
down_revision = "0d3c42800530"
branch_labels = None
depends_on = None

COLUMNS = ("pivot", "city", "postcode", "insee_code", "website", "services", "fees", "access_modes")


def upgrade():
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pivot", sa.String(length=14), nullable=True))
        batch_op.add_column(
            sa.Column("city", sa.String(length=120), server_default="Brest", nullable=False)
        )
        batch_op.add_column(sa.Column("postcode", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("insee_code", sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column("website", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("services", sa.String(length=600), nullable=True))
        batch_op.add_column(sa.Column("fees", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("access_modes", sa.String(length=300), nullable=True))


def downgrade():
    with op.batch_alter_table("site", schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
