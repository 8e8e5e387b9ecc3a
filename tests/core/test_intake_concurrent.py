"""Two programs on one data folder take the same new applicant at the same moment."""

from __future__ import annotations

from sqlalchemy import event, func, select

from clerk_app.services import catalog, intake
from clerk_app.services.common import Context
from clerk_app.store.db import Database
from clerk_app.store.models import Applicant, Case
from tests.core.helpers import all_received, person


def test_the_same_new_applicant_taken_by_two_windows_at_once(demo_ctx, clerk, clock):
    item = next(it for it in catalog.current_items(demo_ctx) if it.name == "临时救助申请")
    other = Context(Database(demo_ctx.db.path), clock)  # the second program: its own engine
    raced = []

    def the_other_window_is_quicker(conn, cursor, statement, params, context, executemany):
        # the first window has looked the applicant up and found nobody; before its insert
        # reaches the database, the second window takes the same citizen and commits
        if not raced and statement.lstrip().upper().startswith("INSERT INTO APPLICANTS"):
            raced.append(intake.accept(other, clerk, intake.IntakeForm(
                item.id, person(phone="13907170002"), all_received(item))))

    engine = demo_ctx.db.engine
    event.listen(engine, "before_cursor_execute", the_other_window_is_quicker)
    try:
        out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    finally:
        event.remove(engine, "before_cursor_execute", the_other_window_is_quicker)
        other.db.dispose()

    assert raced and raced[0].case_no != out.case_no
    with demo_ctx.tx() as s:
        assert s.scalar(select(func.count()).select_from(Applicant)) == 1
        applicant = s.scalars(select(Applicant)).one()
        assert applicant.phone == "13907170001"  # the later intake's details are kept
        assert set(s.scalars(select(Case.applicant_id))) == {applicant.id}
        assert s.scalar(select(func.count()).select_from(Case)) == 2
