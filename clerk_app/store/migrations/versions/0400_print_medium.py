"""Print records say whether they went to paper or to a PDF file.

Only paper makes the next print a copy (补打). Records made before this revision that wrote
a file ending in .pdf were PDF saves.

Revision ID: 0400_print_medium
Revises: 0300_calendar_years
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0400_print_medium"
down_revision = "0300_calendar_years"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("print_records") as batch:
        batch.add_column(sa.Column("medium", sa.String(length=8), nullable=False,
                                   server_default="paper"))
    op.execute("UPDATE print_records SET medium = 'pdf' WHERE lower(target) LIKE '%.pdf'")


def downgrade() -> None:
    with op.batch_alter_table("print_records") as batch:
        batch.drop_column("medium")
