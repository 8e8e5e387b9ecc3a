"""A year declared complete (「2027 年节假日安排已全部录入」), and due dates counted again when
the calendar changes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from clerk_app.services import calendar, catalog, intake
from clerk_app.services.common import PermissionDenied, ServiceError
from clerk_app.store.models import AuditLog, CalendarYear, Case, CaseEvent, OutboxRecord
from tests.core.helpers import all_received, person

NEW_YEAR_2027 = dt.date(2027, 1, 1)  # a Friday


def item_named(ctx, name):
    return next(it for it in catalog.current_items(ctx) if it.name == name)


def enter_2027(ctx, actor) -> None:
    calendar.set_override(ctx, actor, NEW_YEAR_2027, False, "2027 年元旦")
    for day in range(8, 13):
        calendar.set_override(ctx, actor, dt.date(2027, 2, day), False, "2027 年春节")
    calendar.set_override(ctx, actor, dt.date(2027, 2, 20), True, "2027 年春节调休上班")


def test_a_complete_year_is_no_longer_estimated_and_the_warning_goes(demo_ctx, supervisor):
    assert calendar.calendar(demo_ctx).is_workday(dt.date(2027, 3, 1)) == (True, True)
    text, warning = calendar.calendar_state(demo_ctx)
    assert text == "日历至 2026-12-31" and "2027 年的期限按周一至周五估算" in warning

    enter_2027(demo_ctx, supervisor)
    # single days alone do not cover the year
    assert calendar.calendar(demo_ctx).is_workday(dt.date(2027, 3, 1)) == (True, True)
    assert calendar.calendar_state(demo_ctx)[1] != ""

    calendar.set_year_complete(demo_ctx, supervisor, 2027, True, "据国务院办公厅通知录入")
    cal = calendar.calendar(demo_ctx)
    assert cal.is_workday(dt.date(2027, 3, 1)) == (True, False)
    assert cal.is_workday(dt.date(2027, 3, 6)) == (False, False)  # an ordinary Saturday
    assert cal.is_workday(dt.date(2027, 2, 9)) == (False, False)
    assert cal.is_workday(dt.date(2027, 2, 20)) == (True, False)
    assert not cal.add_workdays(dt.date(2026, 12, 3), 60).estimated
    assert calendar.calendar_state(demo_ctx) == ("日历至 2027-12-31", "")
    [row] = calendar.list_complete_years(demo_ctx)
    assert (row.year, row.source, row.note) == (2027, "local", "据国务院办公厅通知录入")
    with demo_ctx.tx() as s:
        logged = s.scalars(select(AuditLog).where(AuditLog.action == "calendar_year_complete")).all()
    assert [(a.entity_id, a.operator_id) for a in logged] == [("2027", supervisor.id)]

    calendar.set_year_complete(demo_ctx, supervisor, 2027, False)
    assert calendar.calendar(demo_ctx).is_workday(dt.date(2027, 3, 1)) == (True, True)
    assert "2027" in calendar.calendar_state(demo_ctx)[1]


def test_declaring_a_year_is_refused_when_it_cannot_be_right(demo_ctx, supervisor, clerk):
    with pytest.raises(ServiceError, match="还没有录入任何节假日"):
        calendar.set_year_complete(demo_ctx, supervisor, 2027, True)
    calendar.set_override(demo_ctx, supervisor, dt.date(2027, 2, 20), True, "调休上班")
    with pytest.raises(ServiceError, match="还没有录入任何节假日"):  # a workday is no holiday
        calendar.set_year_complete(demo_ctx, supervisor, 2027, True)
    with pytest.raises(ServiceError, match="内置日历"):
        calendar.set_year_complete(demo_ctx, supervisor, 2026, True)
    with pytest.raises(ServiceError, match="2000 年到 2100 年"):
        calendar.set_year_complete(demo_ctx, supervisor, 2200, True)
    with pytest.raises(ServiceError, match="没有标记"):
        calendar.set_year_complete(demo_ctx, supervisor, 2027, False)
    calendar.set_override(demo_ctx, supervisor, NEW_YEAR_2027, False, "元旦")
    with pytest.raises(PermissionDenied):
        calendar.set_year_complete(demo_ctx, clerk, 2027, True)
    with demo_ctx.tx() as s:
        assert s.scalars(select(CalendarYear)).all() == []


def _case(ctx, case_no):
    with ctx.tx() as s:
        c = s.scalar(select(Case).where(Case.case_no == case_no))
        events = s.scalars(select(CaseEvent).where(CaseEvent.case_id == c.id)
                           .order_by(CaseEvent.id)).all()
        ops = s.scalars(select(OutboxRecord.op).where(OutboxRecord.entity_key == case_no)
                        .order_by(OutboxRecord.id)).all()
        audits = s.scalars(select(AuditLog).where(AuditLog.action == "case_due_recalculated",
                                                  AuditLog.entity_id == case_no)).all()
        return c, events, ops, audits


def test_an_estimated_due_date_is_counted_again_when_the_year_is_completed(
        demo_ctx, clerk, supervisor, clock):
    early = intake.accept(demo_ctx, clerk, intake.IntakeForm(
        item_named(demo_ctx, "临时救助申请").id, person(name="李四"),
        all_received(item_named(demo_ctx, "临时救助申请"))))
    assert early.due_date == dt.date(2026, 12, 10) and not early.due_estimated
    clock.advance(days=21)  # Thursday 2026-12-24
    item = item_named(demo_ctx, "最低生活保障申请")  # promised 10 working days, legal 30
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    # 12-25, 12-28..31, then 2027 by the weekday rule: 01-01 and 01-04..07
    assert out.due_date == dt.date(2027, 1, 7) and out.due_estimated

    # 元旦 falls inside the period: the date moves, but is still an estimate
    assert calendar.set_override(demo_ctx, supervisor, NEW_YEAR_2027, False, "2027 年元旦") == 1
    case, events, ops, _audits = _case(demo_ctx, out.case_no)
    assert case.due_date == dt.date(2027, 1, 8) and case.due_estimated

    for day in range(8, 13):
        calendar.set_override(demo_ctx, supervisor, dt.date(2027, 2, day), False, "2027 年春节")
    assert calendar.set_year_complete(demo_ctx, supervisor, 2027, True) == 1
    case, events, ops, audits = _case(demo_ctx, out.case_no)
    assert case.due_date == dt.date(2027, 1, 8) and case.due_estimated is False
    # legal limit: 30 working days, 12-25 .. 02-05 (02-04 before 元旦 was entered)
    assert case.legal_due_date == dt.date(2027, 2, 5)
    recalculated = [e for e in events if e.action == "due_recalculated"]
    assert len(recalculated) == 2
    first, last = recalculated
    assert first.detail["old_due_date"] == "2027-01-07" and first.detail["due_date"] == "2027-01-08"
    assert first.detail["due_estimated"] is True and first.operator_id == supervisor.id
    assert last.detail["due_estimated"] is False and "2027 年节假日安排已全部录入" in last.detail["reason"]
    assert last.from_status == last.to_status == case.status
    assert len(audits) == 2
    # the county learns the new date the way it learns every change: a snapshot record
    assert ops == ["accept", "update", "update"]
    with demo_ctx.tx() as s:
        update = s.scalars(select(OutboxRecord).where(OutboxRecord.entity_key == out.case_no)
                           .order_by(OutboxRecord.id)).all()[-1]
    assert update.payload["due_date"] == "2027-01-08" and update.payload["due_estimated"] is False
    assert update.entity_seq == 3

    # the case inside 2026 was never touched
    _c, early_events, early_ops, _a = _case(demo_ctx, early.case_no)
    assert [e.action for e in early_events] == ["accepted"] and early_ops == ["accept"]

    # taking the mark back makes the date an estimate again
    calendar.set_year_complete(demo_ctx, supervisor, 2027, False)
    case, *_rest = _case(demo_ctx, out.case_no)
    assert case.due_date == dt.date(2027, 1, 8) and case.due_estimated is True


def test_removing_a_day_inside_a_known_period_moves_the_due_date(demo_ctx, clerk, supervisor):
    item = item_named(demo_ctx, "临时救助申请")  # promised 5: 12-04 .. 12-10
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    assert out.due_date == dt.date(2026, 12, 10) and not out.due_estimated
    calendar.set_override(demo_ctx, supervisor, dt.date(2026, 12, 7), False, "停电停办一天")
    case, events, ops, _a = _case(demo_ctx, out.case_no)
    assert case.due_date == dt.date(2026, 12, 11) and not case.due_estimated
    calendar.remove_override(demo_ctx, supervisor, dt.date(2026, 12, 7))
    case, events, ops, _a = _case(demo_ctx, out.case_no)
    assert case.due_date == dt.date(2026, 12, 10)
    assert [e.action for e in events].count("due_recalculated") == 2
    # a day after the period moves nothing
    calendar.set_override(demo_ctx, supervisor, dt.date(2027, 3, 1), False, "x")
    assert _case(demo_ctx, out.case_no)[2] == ["accept", "update", "update"]
