"""user sessions: a server-side handle per login (session id and remember token, hashed)

Revision ID: 5e8b1f3a9c20
Revises: 5e1f0a9b7c2d
Create Date: 2026-12-04 14:30:00

Logout, a password change or reset and "sign out everywhere" delete rows; the
cookies that name a deleted row stop working (booking/auth/user_sessions.py).
Sessions signed before this revision have no row: their users log in again.
"""
from alembic import op
import sqlalchemy as sa

revision = "5e8b1f3a9c20"
down_revision = "5e1f0a9b7c2d"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('session_hash', sa.String(length=64), nullable=False),
    sa.Column('remember_hash', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_session_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_session')),
    sa.UniqueConstraint('remember_hash', name=op.f('uq_user_session_remember_hash')),
    sa.UniqueConstraint('session_hash', name=op.f('uq_user_session_session_hash'))
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_session_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_session_user_id'))
    op.drop_table('user_session')
