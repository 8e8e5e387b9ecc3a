"""The working-day calendar: chinese-calendar plus the overrides kept in the database.

Every change to the calendar (a day set or removed, a year declared complete, the county's
calendar applied) recalculates the due dates of open cases it may move: those still estimated
and those whose period covers a changed day (``recalculate_due_dates``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from clerk_app.domain.status import OPEN_STATUSES
from clerk_app.domain.workdays import WorkCalendar
from clerk_app.i18n import _
from clerk_app.services.common import (
    Actor,
    Context,
    ServiceError,
    audit,
    enqueue,
    require_supervisor,
)
from clerk_app.store.models import CalendarOverride, CalendarYear, Case, CaseEvent

#: years a supervisor or the county may declare complete (the CLI's bounds for days, too)
FIRST_YEAR, LAST_YEAR = 2000, 2100


def load_calendar(s: Session) -> WorkCalendar:
    overrides = {row.day: row.is_workday for row in s.scalars(select(CalendarOverride))}
    years = set(s.scalars(select(CalendarYear.year)))
    return WorkCalendar(overrides=overrides, override_years=years)


def calendar(ctx: Context) -> WorkCalendar:
    with ctx.tx() as s:
        return load_calendar(s)


def list_overrides(ctx: Context) -> list[CalendarOverride]:
    with ctx.tx() as s:
        return list(s.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))


def list_complete_years(ctx: Context) -> list[CalendarYear]:
    with ctx.tx() as s:
        return list(s.scalars(select(CalendarYear).order_by(CalendarYear.year)))


def set_override(ctx: Context, actor: Actor | None, day: dt.date, is_workday: bool, note: str) -> int:
    """``actor`` None: the admin command line. Answers how many cases got a new due date."""
    if actor is not None:
        require_supervisor(actor)
    if not note.strip():
        raise ServiceError(_("请写明调整原因，例如「2027 年春节调休」。"), field="note")
    with ctx.tx() as s:
        row = s.get(CalendarOverride, day)
        if row is None:
            row = CalendarOverride(day=day)
            s.add(row)
        row.is_workday = is_workday
        row.note = note.strip()
        row.source = "local"
        row.updated_at = ctx.clock()
        row.operator_id = actor.id if actor else None
        audit(s, ctx.clock(), actor, "calendar_override_set", "calendar", day.isoformat(),
              is_workday=is_workday, note=note.strip())
        s.flush()
        return len(recalculate_due_dates(s, ctx.clock(), actor, days=[day],
                                         reason=_("工作日调整：{day}").format(day=day.isoformat())))


def remove_override(ctx: Context, actor: Actor, day: dt.date) -> int:
    require_supervisor(actor)
    with ctx.tx() as s:
        row = s.get(CalendarOverride, day)
        if row is None:
            raise ServiceError(_("{day} 没有调整记录。").format(day=day.isoformat()))
        s.delete(row)
        audit(s, ctx.clock(), actor, "calendar_override_removed", "calendar", day.isoformat())
        s.flush()
        return len(recalculate_due_dates(s, ctx.clock(), actor, days=[day],
                                         reason=_("删除工作日调整：{day}").format(day=day.isoformat())))


def check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ServiceError(_("只能标记 {first} 年到 {last} 年之间的年份。").format(
            first=FIRST_YEAR, last=LAST_YEAR), field="year")


def set_year_complete(ctx: Context, actor: Actor | None, year: int, complete: bool,
                      note: str = "") -> int:
    """Declare that every holiday and make-up workday of ``year`` is entered (or take that
    back). ``actor`` None: the admin command line. Answers how many cases got a new due date."""
    if actor is not None:
        require_supervisor(actor)
    check_year(year)
    now = ctx.clock()
    with ctx.tx() as s:
        row = s.get(CalendarYear, year)
        if complete:
            cal = load_calendar(s)
            if cal.source_covers_year(year):
                raise ServiceError(_("{year} 年的节假日已包含在内置日历中，无需标记。").format(year=year),
                                   field="year")
            if not _has_day_off(s, year):
                raise ServiceError(_(
                    "{year} 年还没有录入任何节假日。请先把全年的节假日和调休上班日逐日录入，"
                    "再标记为已全部录入。").format(year=year), field="year")
            if row is None:
                row = CalendarYear(year=year)
                s.add(row)
            row.note = note.strip()[:200]
            row.source = "local"
            row.updated_at = now
            row.operator_id = actor.id if actor else None
            audit(s, now, actor, "calendar_year_complete", "calendar", str(year), note=note.strip())
            reason = _("{year} 年节假日安排已全部录入").format(year=year)
        else:
            if row is None:
                raise ServiceError(_("{year} 年没有标记为已全部录入。").format(year=year), field="year")
            s.delete(row)
            audit(s, now, actor, "calendar_year_incomplete", "calendar", str(year), note=note.strip())
            reason = _("取消「{year} 年节假日安排已全部录入」").format(year=year)
        s.flush()
        return len(recalculate_due_dates(s, now, actor, years=[year], reason=reason))


def _has_day_off(s: Session, year: int) -> bool:
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return s.scalar(select(CalendarOverride.day).where(
        CalendarOverride.day >= first, CalendarOverride.day <= last,
        CalendarOverride.is_workday.is_(False)).limit(1)) is not None


# --- due dates of open cases ------------------------------------------------------------


@dataclass(frozen=True)
class DueChange:
    case_no: str
    old_due: dt.date | None
    new_due: dt.date
    old_estimated: bool
    new_estimated: bool


def _span(days: Iterable[dt.date], years: Iterable[int]) -> tuple[dt.date, dt.date] | None:
    bounds = list(days)
    for y in years:
        bounds += [dt.date(y, 1, 1), dt.date(y, 12, 31)]
    return (min(bounds), max(bounds)) if bounds else None


def recalculate_due_dates(s: Session, now: dt.datetime, actor: Actor | None, *,
                          days: Iterable[dt.date] = (), years: Iterable[int] = (),
                          reason: str, by: str = "") -> list[DueChange]:
    """Count again the due dates of open cases after a calendar change, in the caller's
    transaction: every case whose promised date is estimated, and every case whose period
    (after its day of acceptance, up to its later due date) reaches a changed day or year.

    A case whose dates change gets a history line, an audit line and an ``update`` record for
    the county (its snapshot carries the due date). Cases whose dates stay are not touched.
    ``by`` ("sync") says the change came from the county.
    """
    from clerk_app.services.intake import _snapshot  # intake imports this module

    cal = load_calendar(s)
    touches = [Case.due_estimated.is_(True)]
    span = _span(days, years)
    if span is not None:
        lo, hi = span
        touches.append(and_(Case.accepted_at < dt.datetime.combine(hi, dt.time.min),
                            or_(Case.due_date >= lo, Case.legal_due_date >= lo)))
    q = (select(Case)
         .where(Case.status.in_([st.value for st in OPEN_STATUSES]),
                Case.accepted_at.is_not(None), Case.due_date.is_not(None), or_(*touches))
         .options(selectinload(Case.item), selectinload(Case.applicant))
         .order_by(Case.id))
    changes: list[DueChange] = []
    for case in s.scalars(q):
        start = case.accepted_at.date()
        due = cal.add_workdays(start, case.item.promised_limit)
        legal = cal.add_workdays(start, case.item.legal_limit)
        if (due.date, legal.date, due.estimated) == (case.due_date, case.legal_due_date,
                                                     bool(case.due_estimated)):
            continue
        detail = {
            "old_due_date": case.due_date.isoformat() if case.due_date else None,
            "due_date": due.date.isoformat(),
            "old_legal_due_date": case.legal_due_date.isoformat() if case.legal_due_date else None,
            "legal_due_date": legal.date.isoformat(),
            "due_estimated": due.estimated,
            "reason": reason,
        }
        if by:
            detail["by"] = by
        changes.append(DueChange(case.case_no, case.due_date, due.date, bool(case.due_estimated),
                                 due.estimated))
        case.due_date = due.date
        case.legal_due_date = legal.date
        case.due_estimated = due.estimated
        case.updated_at = now
        s.add(CaseEvent(case_id=case.id, at=now, operator_id=actor.id if actor else None,
                        action="due_recalculated", from_status=case.status, to_status=case.status,
                        detail=detail))
        audit(s, now, actor, "case_due_recalculated", "case", case.case_no, **detail)
        enqueue(s, now, "case", case.case_no, "update", _snapshot(case))
    return changes


def calendar_state(ctx: Context) -> tuple[str, str]:
    """(short text for the status bar, warning or empty)."""
    cal = calendar(ctx)
    until = cal.covered_until()
    warning = cal.coverage_warning(ctx.today())
    return _("日历至 {day}").format(day=until.isoformat()), warning
