"""Reading cases: the list (fast with 200,000 rows), one case with its history, drafts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session, selectinload

from clerk_app.domain import ids
from clerk_app.domain.case_numbers import normalize_case_no
from clerk_app.domain.status import OPEN_STATUSES, CaseStatus
from clerk_app.domain.workdays import WorkCalendar, deadline_state
from clerk_app.i18n import _
from clerk_app.services.calendar import load_calendar
from clerk_app.services.common import Actor, Context, ServiceError
from clerk_app.store.models import Applicant, Case, CaseEvent, Document, Draft

if TYPE_CHECKING:
    from clerk_app.domain.search import CatalogIndex

WARN_DAYS = 2  # working days before the due date when a case turns yellow

DEADLINE_FILTERS = ("all", "approaching", "overdue")


@dataclass
class CaseFilter:
    text: str = ""  # case number, applicant name, ID number or item name
    statuses: set[str] = field(default_factory=set)
    deadline: str = "all"  # all | approaching | overdue
    date_from: dt.date | None = None
    date_to: dt.date | None = None


@dataclass(frozen=True)
class CaseRow:
    id: int
    case_no: str
    applicant_name: str
    item_name: str
    status: str
    created_at: dt.datetime
    due_date: dt.date | None
    due_estimated: bool
    deadline: str  # none | normal | approaching | overdue
    sync: str = "none"  # none | waiting | sent | rejected: has the county got it?
    sync_reason: str = ""  # why the county rejected it


def _like_escape(text: str) -> str:
    """``text`` for a LIKE pattern with ``escape="\\"``: its % _ and \\ match only themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _looks_like_initials(text: str) -> bool:
    """Latin letters only, as a clerk types the pinyin of an item (dbsq, dibao)."""
    return 2 <= len(text) <= 40 and text.isascii() and text.isalpha()


@lru_cache(maxsize=2)
def _item_names_index(names: tuple[str, ...]) -> CatalogIndex:
    from clerk_app.domain.search import CatalogIndex  # pypinyin: only when a clerk types pinyin

    return CatalogIndex((i, name, "") for i, name in enumerate(names))


def item_names_by_pinyin(s: Session, text: str) -> list[str]:
    """Item names of this device's cases that the pinyin ``text`` finds (as the catalog does)."""
    names = tuple(sorted(n for n in s.scalars(select(Case.item_name).distinct()) if n))
    if not names:
        return []
    return [names[i] for i in _item_names_index(names).search(text, limit=500)]


def _query(f: CaseFilter, today: dt.date, cal: WorkCalendar,
           pinyin_names: list[str] | None = None) -> Select[Any]:
    q = select(Case.id)
    text = f.text.strip()
    if text:
        canonical = normalize_case_no(text)
        number = ids.normalize_id(text)
        if canonical:
            q = q.where(Case.case_no == canonical)
        elif (len(number) >= 15 and number.isascii() and number.isalnum()
              and sum(ch.isdigit() for ch in number) >= 8):
            # a whole document number (ID card, USCC, ...): no name or case number looks like it
            q = q.where(
                Case.applicant_id.in_(select(Applicant.id).where(Applicant.id_number == number))
            )
        else:
            # % and _ typed by the clerk are characters to find, not LIKE wildcards
            like = f"%{_like_escape(text)}%"
            conditions = [Case.applicant_name.like(like, escape="\\"),
                          Case.item_name.like(like, escape="\\"),
                          Case.case_no.like(f"%{_like_escape(text.upper())}%", escape="\\")]
            if len(number) >= 6 and number[:-1].isdigit():
                conditions.append(
                    Case.applicant_id.in_(select(Applicant.id).where(Applicant.id_number == number))
                )
            elif len(number) == 4 and number[:3].isdigit() and (number[3].isdigit() or number[3] == "X"):
                # 身份证后四位: what a clerk asks a citizen who has no case number with them
                conditions.append(Case.applicant_id.in_(
                    select(Applicant.id).where(Applicant.id_number.like(f"%{number}"))))
            if pinyin_names:
                conditions.append(Case.item_name.in_(pinyin_names))
            q = q.where(or_(*conditions))
    if f.statuses:
        q = q.where(Case.status.in_(sorted(f.statuses)))
    if f.deadline != "all":
        q = q.where(Case.status.in_([s.value for s in OPEN_STATUSES]), Case.due_date.is_not(None))
        if f.deadline == "overdue":
            q = q.where(Case.due_date < today)
        elif f.deadline == "approaching":
            limit = cal.add_workdays(today, WARN_DAYS).date
            q = q.where(Case.due_date >= today, Case.due_date <= limit)
    if f.date_from:
        q = q.where(Case.created_at >= dt.datetime.combine(f.date_from, dt.time.min))
    if f.date_to:
        q = q.where(Case.created_at < dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min))
    return q


SORT_KEYS = ("created_at", "due_date", "case_no")  # orders the case list can be sorted by


def _order(sort: str, descending: bool) -> list[Any]:
    if sort not in SORT_KEYS:
        raise ValueError(sort)
    column = getattr(Case, sort)
    key = column.desc() if descending else column.asc()
    if sort == "due_date":  # cases without a due date (waiting, refused) go last either way
        key = key.nulls_last()
    return [key, Case.id.desc() if descending else Case.id.asc()]


class CaseList:
    """Ids of the matching cases, newest first (or by ``sort``); rows are fetched page by page
    on demand. With ``limit``, only the first ids (a list's head, shown while the rest come)."""

    def __init__(self, ctx: Context, f: CaseFilter | None = None, sort: str = "created_at",
                 descending: bool = True, limit: int | None = None) -> None:
        self.ctx = ctx
        self.filter = f or CaseFilter()
        self.today = ctx.today()
        with ctx.tx() as s:
            self.calendar = load_calendar(s)
            text = self.filter.text.strip()
            names = item_names_by_pinyin(s, text) if _looks_like_initials(text) else None
            q = _query(self.filter, self.today, self.calendar, names).order_by(
                *_order(sort, descending))
            if limit is not None:
                q = q.limit(limit)
            # 200,000 ids: the driver's rows directly, without SQLAlchemy's per-row processing,
            # take a third of the time (ids are plain integers, nothing to convert).
            result = s.connection().execute(q)
            try:
                self.ids: list[int] = [cid for (cid,) in result.cursor.fetchall()]
            finally:
                result.close()
        #: False when ``limit`` cut the list short: these are only its first ids
        self.complete = limit is None or len(self.ids) < limit

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, start: int, count: int) -> list[CaseRow]:
        wanted = self.ids[start : start + count]
        if not wanted:
            return []
        with self.ctx.tx() as s:
            result = s.execute(
                select(Case.id, Case.case_no, Case.applicant_name, Case.item_name, Case.status,
                       Case.created_at, Case.due_date, Case.due_estimated)
                .where(Case.id.in_(wanted))
            ).all()
        by_id = {r.id: r for r in result}
        from clerk_app.services.sync_admin import case_sync_states  # sync is not needed to list

        synced = case_sync_states(self.ctx, [r.case_no for r in result])
        out = []
        for cid in wanted:
            r = by_id.get(cid)
            if r is None:
                continue
            state = _deadline(r.status, r.due_date, self.today, self.calendar)
            info = synced[r.case_no]
            out.append(CaseRow(r.id, r.case_no, r.applicant_name, r.item_name, r.status,
                               r.created_at, r.due_date, r.due_estimated, state, info.state,
                               info.reason))
        return out


_OPEN_VALUES = frozenset(st.value for st in OPEN_STATUSES)


def _deadline(status: str, due: dt.date | None, today: dt.date, cal: WorkCalendar) -> str:
    """none | normal | approaching | overdue; only a case whose clock runs has a state."""
    if status not in _OPEN_VALUES:
        return "none"
    return deadline_state(due, today, cal, WARN_DAYS)


def case_deadline(ctx: Context, case: Case) -> str:
    """The deadline state of one case today, as the case list shows it."""
    with ctx.tx() as s:
        cal = load_calendar(s)
    return _deadline(case.status, case.due_date, ctx.today(), cal)


def case_detail(ctx: Context, case_id: int) -> Case:
    """A case with its item, applicant, checklist, documents (with prints) and history."""
    with ctx.tx() as s:
        case = s.scalar(
            select(Case).where(Case.id == case_id).options(
                selectinload(Case.item), selectinload(Case.applicant), selectinload(Case.operator),
                selectinload(Case.materials),
                selectinload(Case.documents).selectinload(Document.prints),
                selectinload(Case.events).selectinload(CaseEvent.operator),
            )
        )
        if case is None:
            raise ServiceError(_("找不到该办件。"))
        return case


def find_case_id(ctx: Context, case_no: str) -> int:
    canonical = normalize_case_no(case_no)
    if canonical is None:
        raise ServiceError(_("办件编号「{no}」格式不对或校验位不符，请核对。").format(no=case_no))
    with ctx.tx() as s:
        cid = s.scalar(select(Case.id).where(Case.case_no == canonical))
        if cid is None:
            raise ServiceError(_("本机没有办件 {no}。").format(no=canonical))
        return cid


def counts(ctx: Context) -> dict[str, int]:
    """Counts for the supervision summary: open, approaching, overdue, awaiting supplement."""
    today = ctx.today()
    with ctx.tx() as s:
        cal = load_calendar(s)
        limit = cal.add_workdays(today, WARN_DAYS).date
        open_values = [st.value for st in OPEN_STATUSES]
        base = select(func.count(Case.id)).where(Case.status.in_(open_values))
        return {
            "open": s.scalar(base) or 0,
            "overdue": s.scalar(base.where(Case.due_date < today)) or 0,
            "approaching": s.scalar(base.where(Case.due_date >= today, Case.due_date <= limit)) or 0,
            "awaiting": s.scalar(select(func.count(Case.id)).where(
                Case.status == CaseStatus.AWAITING_SUPPLEMENT.value)) or 0,
        }


# --- drafts ------------------------------------------------------------------------------


def save_draft(ctx: Context, actor: Actor, payload: dict[str, Any], kind: str = "intake") -> None:
    with ctx.tx() as s:
        row = s.scalar(select(Draft).where(Draft.operator_id == actor.id, Draft.kind == kind))
        if row is None:
            row = Draft(operator_id=actor.id, kind=kind)
            s.add(row)
        row.payload = payload
        row.updated_at = ctx.clock()


def load_draft(ctx: Context, actor: Actor, kind: str = "intake") -> dict[str, Any] | None:
    with ctx.tx() as s:
        row = s.scalar(select(Draft).where(Draft.operator_id == actor.id, Draft.kind == kind))
        return dict(row.payload) if row else None


def clear_draft(ctx: Context, actor: Actor, kind: str = "intake") -> None:
    with ctx.tx() as s:
        row = s.scalar(select(Draft).where(Draft.operator_id == actor.id, Draft.kind == kind))
        if row is not None:
            s.delete(row)
