"""Applying what the county sends (pull) to the local database, under the conflict rule.

The rule (docs/sync.md, "Conflicts"):

1. County data for a case with no unsent local change is applied at once.
2. County data for a case with an unsent local change (waiting or set aside) is not applied:
   it is kept as a conflict and shown; the local case stays as the clerk left it.
3. When the county has acknowledged every local change of that case, the held county data
   is applied (the county saw the changes; after submission its decision stands).
4. When the county refused a local change because it had already decided, the county's
   decision wins, but only once a clerk confirms it (the citizen must be told): the refused
   change is then discarded and the decision applied.

Calendar days: a county override for a day the device overrode itself with another value is
held the same way until a supervisor picks one. A county's complete year (``calendar_year``)
is applied at once; taking it back removes only the county's mark, never a local one. Once a
page's calendar entries are applied, the due dates they move are counted again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from clerk_app.domain.status import CaseStatus
from clerk_app.services.common import audit
from clerk_app.store.models import (
    CalendarOverride,
    CalendarYear,
    Case,
    CaseEvent,
    Operator,
    OutboxRecord,
    SyncCaseState,
    SyncConflict,
)
from clerk_app.sync import protocol as P
from clerk_app.sync import state as ST

log = logging.getLogger(__name__)

UNSENT = (P.PENDING, P.SET_ASIDE)
COUNTY_TO_LOCAL = {
    "in_review": CaseStatus.IN_REVIEW,
    "completed": CaseStatus.COMPLETED,
    "not_approved": CaseStatus.NOT_APPROVED,
}


def _chunks(items: list[Any], n: int = 500):  # noqa: ANN202
    for i in range(0, len(items), n):
        yield items[i : i + n]


def unsent_keys(s: Session, keys: list[str]) -> set[str]:
    out: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        out.update(s.scalars(select(OutboxRecord.entity_key).where(
            OutboxRecord.entity == "case", OutboxRecord.entity_key.in_(chunk),
            OutboxRecord.state.in_(UNSENT)).distinct()))
    return out


def apply_entries(s: Session, now: dt.datetime, entries: list[dict[str, Any]]) -> dict[str, int]:
    stats = {"applied": 0, "held": 0, "skipped": 0}
    case_entries = [e for e in entries if e.get("kind") == P.KIND_CASE]
    keys = [str(e["data"].get("case_no") or e.get("key")) for e in case_entries]
    cases: dict[str, Case] = {}
    states: dict[str, SyncCaseState] = {}
    for chunk in _chunks(sorted(set(keys))):
        for c in s.scalars(select(Case).where(Case.case_no.in_(chunk))):
            cases[c.case_no] = c
        for st in s.scalars(select(SyncCaseState).where(SyncCaseState.case_no.in_(chunk))):
            states[st.case_no] = st
    held_keys = unsent_keys(s, keys)
    calendar_days: list[dt.date] = []
    calendar_years: list[int] = []
    for e in entries:
        kind = e.get("kind")
        data = e.get("data") or {}
        if kind == P.KIND_CASE:
            outcome = _case_entry(s, now, data, cases, states, held_keys)
        elif kind == P.KIND_CATALOG:
            outcome = _catalog_entry(s, now, data)
        elif kind == P.KIND_CALENDAR:
            outcome = _calendar_entry(s, now, data)
            if outcome == "applied":
                calendar_days.append(dt.date.fromisoformat(str(data["day"])))
        elif kind == P.KIND_CALENDAR_YEAR:
            outcome = _calendar_year_entry(s, now, data)
            if outcome == "applied":
                calendar_years.append(int(data["year"]))
        elif kind == P.KIND_OPERATOR:
            outcome = _operator_entry(s, now, data)
        elif kind == P.KIND_SETTING:
            from clerk_app.services.agents import apply_county_setting

            outcome = apply_county_setting(s, now, data)
        elif kind in ("agent", "commission", "handover"):  # 代办: clerk_app/services/agents.py
            from clerk_app.services.agents import apply_feed_entry

            outcome = apply_feed_entry(s, now, kind, data)
        else:
            log.warning("unknown feed entry kind %r skipped", kind)
            outcome = "skipped"
        stats[outcome] += 1
    if case_entries:  # 代办: a commission follows the county's decision on its case
        from clerk_app.services.commissions import reconcile

        reconcile(s, now, keys)
    if calendar_days or calendar_years:
        _recalculate(s, now, calendar_days, calendar_years)
    return stats


def _recalculate(s: Session, now: dt.datetime, days: list[dt.date], years: list[int]) -> None:
    from clerk_app.services.calendar import recalculate_due_dates

    s.flush()
    recalculate_due_dates(s, now, None, days=days, years=years, reason="县级中心更新工作日历",
                          by="sync")


# --- cases ------------------------------------------------------------------------------


def _case_entry(s: Session, now: dt.datetime, data: dict[str, Any], cases: dict[str, Case],
                states: dict[str, SyncCaseState], held_keys: set[str]) -> str:
    case_no = str(data.get("case_no") or "")
    version = int(data.get("county_version") or 0)
    st = states.get(case_no)
    if st is None:
        st = SyncCaseState(case_no=case_no, county_version=0)
        s.add(st)
        states[case_no] = st
    if version <= (st.county_version or 0):
        return "skipped"  # already known (a re-pull, or the same data from a USB file)
    if case_no in held_keys:
        _hold(s, now, case_no, data, cases.get(case_no))
        return "held"
    apply_county_decision(s, now, data, cases.get(case_no), st)
    return "applied"


def _hold(s: Session, now: dt.datetime, case_no: str, data: dict[str, Any], case: Case | None) -> None:
    open_same = s.scalar(select(SyncConflict).where(
        SyncConflict.kind == P.KIND_CASE, SyncConflict.key == case_no,
        SyncConflict.resolved_at.is_(None)))
    local = {"status": case.status if case else None,
             "unsent_ops": list(s.scalars(select(OutboxRecord.op).where(
                 OutboxRecord.entity_key == case_no, OutboxRecord.state.in_(UNSENT))
                 .order_by(OutboxRecord.id)))}
    if open_same is not None:
        # keep one open conflict per case: the newest county data replaces older held data
        if int(data.get("county_version") or 0) > int(open_same.county_data.get("county_version") or 0):
            open_same.county_data = data
            open_same.local_data = local
        return
    s.add(SyncConflict(kind=P.KIND_CASE, key=case_no, county_data=data, local_data=local,
                       detected_at=now, note=""))


def apply_county_decision(s: Session, now: dt.datetime, data: dict[str, Any], case: Case | None,
                          st: SyncCaseState | None = None) -> None:
    case_no = str(data.get("case_no") or "")
    if st is None:
        st = s.get(SyncCaseState, case_no)
        if st is None:
            st = SyncCaseState(case_no=case_no, county_version=0)
            s.add(st)
    st.county_version = int(data.get("county_version") or 0)
    st.county_status = data.get("status")
    st.official_no = data.get("official_no")
    st.result_text = data.get("result_text")
    st.decided_at = data.get("decided_at")
    st.pulled_at = now
    if case is None:
        return
    new = COUNTY_TO_LOCAL.get(str(data.get("status")))
    if new is None:
        return
    old = case.status
    if old == CaseStatus.DELIVERED.value and new is CaseStatus.COMPLETED:
        new_value = old  # the result was already handed over: never step back
    else:
        new_value = new.value
    case.status = new_value
    case.updated_at = now
    if new in (CaseStatus.COMPLETED, CaseStatus.NOT_APPROVED) and case.completed_at is None:
        case.completed_at = now
    s.add(CaseEvent(case_id=case.id, at=now, operator_id=None, action="county_decision",
                    from_status=old, to_status=new_value,
                    detail={"county_status": data.get("status"),
                            "official_no": data.get("official_no"),
                            "result": data.get("result_text"),
                            "county_version": data.get("county_version")}))


def resolve_held(s: Session, now: dt.datetime, keys: list[str] | None = None) -> int:
    """Rule 3: apply held county data of cases whose local changes are all acknowledged."""
    q = select(SyncConflict).where(SyncConflict.kind == P.KIND_CASE, SyncConflict.resolved_at.is_(None))
    if keys is not None:
        if not keys:
            return 0
        open_rows = []
        for chunk in _chunks(sorted(set(keys))):
            open_rows += list(s.scalars(q.where(SyncConflict.key.in_(chunk))))
    else:
        open_rows = list(s.scalars(q))
    if not open_rows:
        return 0
    still = unsent_keys(s, [c.key for c in open_rows])
    done = 0
    for conflict in open_rows:
        if conflict.key in still:
            continue
        st = s.get(SyncCaseState, conflict.key)
        if st is None or int(conflict.county_data.get("county_version") or 0) > (st.county_version or 0):
            case = s.scalar(select(Case).where(Case.case_no == conflict.key))
            apply_county_decision(s, now, conflict.county_data, case, st)
            conflict.resolution = "county"
        else:
            conflict.resolution = "superseded"
        conflict.resolved_at = now
        conflict.note = "本机改动已被县级接收，按规则采用县级结果"
        done += 1
    return done


def take_county(s: Session, now: dt.datetime, conflict: SyncConflict, actor_id: int | None) -> None:
    """Rule 4, confirmed by a clerk: discard the refused local changes, apply the decision."""
    if conflict.kind == P.KIND_CASE:
        s.execute(update(OutboxRecord).where(
            OutboxRecord.entity_key == conflict.key,
            OutboxRecord.state.in_(UNSENT)).values(state=P.DISCARDED))
        case = s.scalar(select(Case).where(Case.case_no == conflict.key))
        st = s.get(SyncCaseState, conflict.key)
        if st is None or int(conflict.county_data.get("county_version") or 0) > (st.county_version or 0):
            apply_county_decision(s, now, conflict.county_data, case, st)
    elif conflict.kind == P.KIND_CALENDAR:
        _set_calendar(s, now, conflict.county_data)
        _recalculate(s, now, [dt.date.fromisoformat(str(conflict.county_data["day"]))], [])
    conflict.resolution = "county"
    conflict.resolved_at = now


def keep_local(s: Session, now: dt.datetime, conflict: SyncConflict) -> None:
    conflict.resolution = "local"
    conflict.resolved_at = now


# --- reference data ---------------------------------------------------------------------


def _catalog_entry(s: Session, now: dt.datetime, data: dict[str, Any]) -> str:
    from clerk_app.services import catalog

    version = int(data.get("version") or 0)
    from clerk_app.services.common import get_setting

    if version <= int(get_setting(s, ST.CATALOG_VERSION, "0") or 0):
        return "skipped"
    rows = []
    for it in data.get("items") or []:
        fields = {k: it.get(k) for k in catalog.ItemRow.__dataclass_fields__ if k != "materials"}
        fields["materials_text"] = fields.get("materials_text") or ""
        rows.append(catalog.ItemRow(**fields, materials=list(it.get("materials") or [])))
    catalog.apply_catalog(s, now, None, rows, f"县级清单第 {version} 版",
                          str(data.get("checksum") or "")[:64])
    ST.put(s, ST.CATALOG_VERSION, version)
    return "applied"


def _set_calendar(s: Session, now: dt.datetime, data: dict[str, Any]) -> None:
    day = dt.date.fromisoformat(str(data["day"]))
    row = s.get(CalendarOverride, day)
    if row is None:
        row = CalendarOverride(day=day)
        s.add(row)
    row.is_workday = bool(data.get("is_workday"))
    row.note = str(data.get("note") or "")[:200]
    row.source = "county"
    row.updated_at = now
    row.operator_id = None


def _calendar_entry(s: Session, now: dt.datetime, data: dict[str, Any]) -> str:
    day = dt.date.fromisoformat(str(data["day"]))
    row = s.get(CalendarOverride, day)
    if row is not None and row.source == "local" and row.is_workday != bool(data.get("is_workday")):
        s.add(SyncConflict(kind=P.KIND_CALENDAR, key=day.isoformat(), county_data=data,
                           local_data={"is_workday": row.is_workday, "note": row.note},
                           detected_at=now, note=""))
        return "held"
    _set_calendar(s, now, data)
    return "applied"


def _calendar_year_entry(s: Session, now: dt.datetime, data: dict[str, Any]) -> str:
    """The county declares a year's holidays all published (or takes that back)."""
    from clerk_app.services.calendar import FIRST_YEAR, LAST_YEAR

    try:
        year = int(data["year"])
    except (KeyError, TypeError, ValueError):
        log.warning("calendar_year entry without a year skipped: %r", data)
        return "skipped"
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return "skipped"
    complete = bool(data.get("complete", True))
    row = s.get(CalendarYear, year)
    if complete:
        if row is None:
            row = CalendarYear(year=year)
            s.add(row)
        row.note = str(data.get("note") or "")[:200]
        row.source = "county"
        row.updated_at = now
        row.operator_id = None
    elif row is not None and row.source == "county":
        s.delete(row)
    else:
        return "skipped"  # nothing of the county's to take back; a local mark stays
    audit(s, now, None, "calendar_year_from_county", "calendar", str(year), complete=complete)
    return "applied"


def _operator_entry(s: Session, now: dt.datetime, data: dict[str, Any]) -> str:
    username = str(data.get("username") or "").strip()
    if not username:
        return "skipped"
    op = s.scalar(select(Operator).where(Operator.username == username))
    if op is None:
        op = Operator(username=username, created_at=now, failed_attempts=0,
                      # without a county password the account waits for a local supervisor
                      password_hash=str(data.get("password_hash") or "!county-unset"))
        s.add(op)
    op.display_name = str(data.get("display_name") or username)
    op.role = str(data.get("role") or "clerk")
    op.active = bool(data.get("active", True))
    op.phone = str(data.get("phone") or "") or None
    s.flush()
    audit(s, now, None, "operator_from_county", "operator", username, role=op.role, active=op.active)
    return "applied"
