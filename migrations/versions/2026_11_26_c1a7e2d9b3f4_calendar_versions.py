"""calendar versions: a counter per resource raised by triggers

Revision ID: c1a7e2d9b3f4
Revises: 4cf039d37543
Create Date: 2026-11-26 00:50:00

`resource.calendar_version` / `calendar_changed_at` move, in the same transaction,
whenever something a calendar of the resource shows changes; grids and feeds
validate and cache on them (see booking/resources/versions.py, whose statements
this revision keeps a frozen copy of).
"""
from alembic import op
import sqlalchemy as sa

revision = "c1a7e2d9b3f4"
down_revision = "4cf039d37543"
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS booking_calendar_insert AFTER INSERT ON booking BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id IN (NEW.resource_id); END",
    "CREATE TRIGGER IF NOT EXISTS closure_calendar_insert AFTER INSERT ON closure BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id = NEW.resource_id OR site_id = NEW.site_id; END",
    "CREATE TRIGGER IF NOT EXISTS opening_hours_calendar_insert AFTER INSERT ON opening_hours BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id = NEW.resource_id OR site_id = NEW.site_id; END",
    "CREATE TRIGGER IF NOT EXISTS booking_calendar_update AFTER UPDATE ON booking BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id IN (OLD.resource_id, NEW.resource_id); END",
    "CREATE TRIGGER IF NOT EXISTS closure_calendar_update AFTER UPDATE ON closure BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id = OLD.resource_id OR site_id = OLD.site_id OR id = NEW.resource_id OR site_id = NEW.site_id; END",
    "CREATE TRIGGER IF NOT EXISTS opening_hours_calendar_update AFTER UPDATE ON opening_hours BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id = OLD.resource_id OR site_id = OLD.site_id OR id = NEW.resource_id OR site_id = NEW.site_id; END",
    "CREATE TRIGGER IF NOT EXISTS booking_calendar_delete AFTER DELETE ON booking BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id IN (OLD.resource_id); END",
    "CREATE TRIGGER IF NOT EXISTS closure_calendar_delete AFTER DELETE ON closure BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id = OLD.resource_id OR site_id = OLD.site_id; END",
    "CREATE TRIGGER IF NOT EXISTS opening_hours_calendar_delete AFTER DELETE ON opening_hours BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id = OLD.resource_id OR site_id = OLD.site_id; END",
    "CREATE TRIGGER IF NOT EXISTS site_calendar_update AFTER UPDATE ON site BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE site_id = NEW.id; END",
    "CREATE TRIGGER IF NOT EXISTS association_calendar_update AFTER UPDATE OF name ON association WHEN OLD.name IS NOT NEW.name BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime('%Y-%m-%d %H:%M:%f000', 'now') WHERE id IN (SELECT DISTINCT resource_id FROM booking WHERE association_id = NEW.id); END",
]

POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION booking_calendar_bump() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    IF TG_OP = 'INSERT' THEN \n    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()\n    WHERE id IN (SELECT id FROM resource WHERE id IN (SELECT resource_id FROM new_rows) ORDER BY id FOR UPDATE)\n; END IF;\n    IF TG_OP = 'UPDATE' THEN \n    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()\n    WHERE id IN (SELECT id FROM resource WHERE id IN (SELECT resource_id FROM new_rows UNION SELECT resource_id FROM old_rows) ORDER BY id FOR UPDATE)\n; END IF;\n    IF TG_OP = 'DELETE' THEN \n    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()\n    WHERE id IN (SELECT id FROM resource WHERE id IN (SELECT resource_id FROM old_rows) ORDER BY id FOR UPDATE)\n; END IF;\n    RETURN NULL;\nEND $$",
    "CREATE OR REPLACE FUNCTION owned_calendar_bump() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    IF TG_OP = 'INSERT' THEN \n    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()\n    WHERE id IN (SELECT id FROM resource WHERE id IN (SELECT resource_id FROM new_rows) OR site_id IN (SELECT site_id FROM new_rows WHERE site_id IS NOT NULL) ORDER BY id FOR UPDATE)\n; END IF;\n    IF TG_OP = 'UPDATE' THEN \n    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()\n    WHERE id IN (SELECT id FROM resource WHERE id IN (SELECT resource_id FROM new_rows) OR site_id IN (SELECT site_id FROM new_rows WHERE site_id IS NOT NULL) OR id IN (SELECT resource_id FROM old_rows) OR site_id IN (SELECT site_id FROM old_rows WHERE site_id IS NOT NULL) ORDER BY id FOR UPDATE)\n; END IF;\n    IF TG_OP = 'DELETE' THEN \n    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()\n    WHERE id IN (SELECT id FROM resource WHERE id IN (SELECT resource_id FROM old_rows) OR site_id IN (SELECT site_id FROM old_rows WHERE site_id IS NOT NULL) ORDER BY id FOR UPDATE)\n; END IF;\n    RETURN NULL;\nEND $$",
    "CREATE OR REPLACE FUNCTION site_calendar_bump() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    IF TG_OP = 'UPDATE' THEN \n    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()\n    WHERE id IN (SELECT id FROM resource WHERE site_id IN (SELECT id FROM new_rows) ORDER BY id FOR UPDATE)\n; END IF;\n    RETURN NULL;\nEND $$",
    "CREATE OR REPLACE FUNCTION association_calendar_bump() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    IF TG_OP = 'UPDATE' THEN \n    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()\n    WHERE id IN (SELECT id FROM resource WHERE id IN (SELECT DISTINCT b.resource_id FROM booking b JOIN new_rows n ON n.id = b.association_id JOIN old_rows o ON o.id = n.id WHERE o.name IS DISTINCT FROM n.name) ORDER BY id FOR UPDATE)\n; END IF;\n    RETURN NULL;\nEND $$",
    'CREATE OR REPLACE TRIGGER booking_calendar_insert AFTER INSERT ON booking REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_calendar_bump()',
    'CREATE OR REPLACE TRIGGER closure_calendar_insert AFTER INSERT ON closure REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION owned_calendar_bump()',
    'CREATE OR REPLACE TRIGGER opening_hours_calendar_insert AFTER INSERT ON opening_hours REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION owned_calendar_bump()',
    'CREATE OR REPLACE TRIGGER booking_calendar_update AFTER UPDATE ON booking REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_calendar_bump()',
    'CREATE OR REPLACE TRIGGER closure_calendar_update AFTER UPDATE ON closure REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION owned_calendar_bump()',
    'CREATE OR REPLACE TRIGGER opening_hours_calendar_update AFTER UPDATE ON opening_hours REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION owned_calendar_bump()',
    'CREATE OR REPLACE TRIGGER booking_calendar_delete AFTER DELETE ON booking REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION booking_calendar_bump()',
    'CREATE OR REPLACE TRIGGER closure_calendar_delete AFTER DELETE ON closure REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION owned_calendar_bump()',
    'CREATE OR REPLACE TRIGGER opening_hours_calendar_delete AFTER DELETE ON opening_hours REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION owned_calendar_bump()',
    'CREATE OR REPLACE TRIGGER site_calendar_update AFTER UPDATE ON site REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION site_calendar_bump()',
    'CREATE OR REPLACE TRIGGER association_calendar_update AFTER UPDATE ON association REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION association_calendar_bump()',
]

TRIGGERS = {
    "booking": ("booking_calendar_insert", "booking_calendar_update", "booking_calendar_delete"),
    "closure": ("closure_calendar_insert", "closure_calendar_update", "closure_calendar_delete"),
    "opening_hours": (
        "opening_hours_calendar_insert",
        "opening_hours_calendar_update",
        "opening_hours_calendar_delete",
    ),
    "site": ("site_calendar_update",),
    "association": ("association_calendar_update",),
}
FUNCTIONS = (
    "booking_calendar_bump",
    "owned_calendar_bump",
    "site_calendar_bump",
    "association_calendar_bump",
)


def upgrade():
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("calendar_version", sa.Integer(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("calendar_changed_at", sa.DateTime(timezone=True), nullable=True)
        )
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL if dialect == "postgresql" else SQLITE:
        op.execute(sa.text(statement))


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, names in TRIGGERS.items():
        for name in names:
            op.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else ""))
    if postgresql:
        for name in FUNCTIONS:
            op.execute(f"DROP FUNCTION IF EXISTS {name}()")
    with op.batch_alter_table("resource", schema=None) as batch_op:
        batch_op.drop_column("calendar_changed_at")
        batch_op.drop_column("calendar_version")
