"""Sync with the county center: outbox bookkeeping, county state of cases, conflicts.

Revision ID: 0100_sync
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0100_sync"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("entity_seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("last_attempt_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reason_code", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("result", sa.JSON(), nullable=True))
        batch_op.create_index("ix_outbox_state_id", ["state", "id"], unique=False)
    # records queued before this migration get their place among their entity's changes
    op.execute(
        """
        UPDATE outbox SET entity_seq = (
            SELECT COUNT(*) FROM outbox AS o
            WHERE o.entity = outbox.entity AND o.entity_key = outbox.entity_key AND o.id <= outbox.id
        ) WHERE entity_seq IS NULL
        """
    )
    op.create_table(
        "sync_case_state",
        sa.Column("case_no", sa.String(length=32), nullable=False),
        sa.Column("county_version", sa.Integer(), nullable=False),
        sa.Column("county_status", sa.String(length=24), nullable=True),
        sa.Column("official_no", sa.String(length=60), nullable=True),
        sa.Column("result_text", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.String(length=32), nullable=True),
        sa.Column("pulled_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("case_no"),
    )
    op.create_table(
        "sync_conflicts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("county_data", sa.JSON(), nullable=False),
        sa.Column("local_data", sa.JSON(), nullable=False),
        sa.Column("detected_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("resolution", sa.String(length=20), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("sync_conflicts", schema=None) as batch_op:
        batch_op.create_index("ix_sync_conflicts_key", ["key"], unique=False)
        batch_op.create_index("ix_sync_conflicts_resolved_at", ["resolved_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sync_conflicts", schema=None) as batch_op:
        batch_op.drop_index("ix_sync_conflicts_resolved_at")
        batch_op.drop_index("ix_sync_conflicts_key")
    op.drop_table("sync_conflicts")
    op.drop_table("sync_case_state")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_state_id")
        batch_op.drop_column("result")
        batch_op.drop_column("reason_code")
        batch_op.drop_column("last_attempt_at")
        batch_op.drop_column("attempts")
        batch_op.drop_column("entity_seq")
