"""The working-day calendar: chinese-calendar plus the overrides kept in the database."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from clerk_app.domain.workdays import WorkCalendar
from clerk_app.i18n import _
from clerk_app.services.common import Actor, Context, ServiceError, audit, require_supervisor
from clerk_app.store.models import CalendarOverride


def load_calendar(s: Session) -> WorkCalendar:
    overrides = {row.day: row.is_workday for row in s.scalars(select(CalendarOverride))}
    return WorkCalendar(overrides=overrides)


def calendar(ctx: Context) -> WorkCalendar:
    with ctx.tx() as s:
        return load_calendar(s)


def list_overrides(ctx: Context) -> list[CalendarOverride]:
    with ctx.tx() as s:
        return list(s.scalars(select(CalendarOverride).order_by(CalendarOverride.day)))


def set_override(ctx: Context, actor: Actor | None, day: dt.date, is_workday: bool, note: str) -> None:
    """``actor`` None: the admin command line."""
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


def remove_override(ctx: Context, actor: Actor, day: dt.date) -> None:
    require_supervisor(actor)
    with ctx.tx() as s:
        row = s.get(CalendarOverride, day)
        if row is None:
            raise ServiceError(_("{day} 没有调整记录。").format(day=day.isoformat()))
        s.delete(row)
        audit(s, ctx.clock(), actor, "calendar_override_removed", "calendar", day.isoformat())


def calendar_state(ctx: Context) -> tuple[str, str]:
    """(short text for the status bar, warning or empty)."""
    cal = calendar(ctx)
    until = cal.covered_until()
    warning = cal.coverage_warning(ctx.today())
    return _("日历至 {day}").format(day=until.isoformat()), warning
