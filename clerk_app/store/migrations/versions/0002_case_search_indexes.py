"""Index for finding cases by the applicant's ID number.

The case list's search box finds a case by the applicant's full document number (resident ID,
USCC, ...). ``applicants`` is unique on (id_type, id_number), which does not serve a lookup by
number alone: with 150,000 applicants the search scanned them all (about 0.3 s). The ids of the
case list itself already come from the covering index on ``cases.created_at``.

Revision ID: 0002_case_search
Revises: 0100_sync
"""

from __future__ import annotations

from alembic import op

revision = "0002_case_search"
down_revision = "0100_sync"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_applicants_id_number", "applicants", ["id_number"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_applicants_id_number", table_name="applicants")
