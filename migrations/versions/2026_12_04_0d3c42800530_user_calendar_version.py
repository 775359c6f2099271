"""calendar versions: a requester's display name is shown by private feeds

Revision ID: 0d3c42800530
Revises: 5e8a0c3b7d21
Create Date: 2026-12-04 14:30:00

Renaming a person raises the calendar version of every resource they requested a
booking of, so that private feeds and single-booking downloads, which show the
requester's name, validate on it (see booking/resources/versions.py, whose
statements this revision keeps a frozen copy of).
"""
from alembic import op
import sqlalchemy as sa

revision = "0d3c42800530"
down_revision = "5e8a0c3b7d21"
branch_labels = None
depends_on = None

SQLITE = ['CREATE TRIGGER IF NOT EXISTS user_calendar_update AFTER UPDATE OF display_name ON "user" WHEN OLD.display_name IS NOT NEW.display_name BEGIN UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = strftime(\'%Y-%m-%d %H:%M:%f000\', \'now\') WHERE id IN (SELECT DISTINCT resource_id FROM booking WHERE requester_id = NEW.id); END']

POSTGRESQL = ['CREATE OR REPLACE FUNCTION user_calendar_bump() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n\n    UPDATE resource SET calendar_version = calendar_version + 1, calendar_changed_at = now()\n    WHERE id IN (SELECT id FROM resource WHERE id IN (SELECT DISTINCT resource_id FROM booking WHERE requester_id = NEW.id) ORDER BY id FOR UPDATE)\n;\n    RETURN NULL;\nEND $$', 'CREATE OR REPLACE TRIGGER user_calendar_update AFTER UPDATE OF display_name ON "user" FOR EACH ROW WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name) EXECUTE FUNCTION user_calendar_bump()']


def upgrade():
    dialect = op.get_bind().dialect.name
    for statement in POSTGRESQL if dialect == "postgresql" else SQLITE:
        op.execute(sa.text(statement))


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute('DROP TRIGGER IF EXISTS user_calendar_update ON "user"')
        op.execute("DROP FUNCTION IF EXISTS user_calendar_bump()")
    else:
        op.execute("DROP TRIGGER IF EXISTS user_calendar_update")
