"""China's working days, and deadlines counted in them.

The default source of holidays and make-up workdays (调休) is the ``chinese_calendar`` package
(chinesecalendar 1.11 knows 2004–2026 and raises ``NotImplementedError`` for any other date).
Overrides kept by the county or the supervisor take precedence over it. A day that neither
knows is judged by the weekday rule (Monday to Friday) and marked *estimated*, so a deadline that
reaches into a year without published holidays is shown as an estimate instead of crashing.
"""

from __future__ import annotations

import datetime as _dt
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "HolidaySource",
    "WeekdaysOnly",
    "WorkCalendar",
    "DueDate",
    "deadline_state",
    "DEADLINE_NONE",
    "DEADLINE_NORMAL",
    "DEADLINE_APPROACHING",
    "DEADLINE_OVERDUE",
    "DEADLINE_LABELS",
    "COVERAGE_MARGIN_DAYS",
]

log = logging.getLogger(__name__)

DEADLINE_NONE = "none"
DEADLINE_NORMAL = "normal"
DEADLINE_APPROACHING = "approaching"
DEADLINE_OVERDUE = "overdue"
DEADLINE_LABELS: dict[str, str] = {
    DEADLINE_NONE: "无期限",
    DEADLINE_NORMAL: "正常",
    DEADLINE_APPROACHING: "预警",
    DEADLINE_OVERDUE: "超期",
}

#: ``coverage_warning`` speaks up when today + this many days lies beyond the holiday data.
COVERAGE_MARGIN_DAYS = 60

# Probing bounds for the source's coverage: the sane range of dates for this program.
_PROBE_FIRST_YEAR = 1900
_PROBE_LAST_YEAR = 2200


class HolidaySource(Protocol):
    """Anything with ``is_workday(day) -> bool`` that raises ``NotImplementedError`` (or returns
    ``None``) for a day it does not know. The ``chinese_calendar`` module is one."""

    def is_workday(self, day: _dt.date) -> bool | None: ...


class WeekdaysOnly:
    """A source that knows no day: every day is judged by the weekday rule and estimated."""

    def is_workday(self, day: _dt.date) -> bool | None:
        return None


def _default_source() -> HolidaySource:
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a dependency of the project
        log.warning("chinese_calendar is not installed: working days are estimated")
        return WeekdaysOnly()
    return chinese_calendar


@dataclass(frozen=True, slots=True)
class DueDate:
    date: _dt.date
    estimated: bool = False


def _as_date(day: _dt.date) -> _dt.date:
    return day.date() if isinstance(day, _dt.datetime) else day


class WorkCalendar:
    """Working days from overrides, then the source, then the weekday rule.

    ``overrides`` map a day to True (workday) or False (day off). ``override_years`` lists years
    the overrides describe completely (all holidays and make-up days of that year, as the county
    sends them before a new chinese_calendar release; "2027 年节假日安排已全部录入"): in those
    years a day that neither an override nor the source knows follows the weekday rule and is
    *not* an estimate. The source still answers for the days it knows, so declaring a year the
    source covers changes nothing.
    """

    def __init__(
        self,
        overrides: Mapping[_dt.date, bool] | None = None,
        source: HolidaySource | None = None,
        *,
        override_years: Iterable[int] = (),
    ) -> None:
        self._overrides: dict[_dt.date, bool] = {
            _as_date(d): bool(v) for d, v in (overrides or {}).items()
        }
        self._override_years = frozenset(override_years)
        self._source: HolidaySource = source if source is not None else _default_source()
        self._cache: dict[_dt.date, tuple[bool, bool]] = {}
        self._covered_until: _dt.date | None = None
        self._source_failed_logged = False

    # ------------------------------------------------------------------ single days

    def _ask_source(self, day: _dt.date) -> bool | None:
        try:
            answer = self._source.is_workday(day)
        except NotImplementedError:
            return None
        except Exception:  # a broken source must not stop the counter
            if not self._source_failed_logged:
                log.exception("holiday source failed for %s; using the weekday rule", day)
                self._source_failed_logged = True
            return None
        return None if answer is None else bool(answer)

    def is_workday(self, day: _dt.date) -> tuple[bool, bool]:
        """(is a working day, estimated by the weekday rule)."""
        day = _as_date(day)
        hit = self._cache.get(day)
        if hit is not None:
            return hit
        if day in self._overrides:
            result = (self._overrides[day], False)
        else:
            answer = self._ask_source(day)
            if answer is not None:
                result = (answer, False)
            else:  # the weekday rule: an estimate unless the year is declared complete
                result = (day.weekday() < 5, day.year not in self._override_years)
        self._cache[day] = result
        return result

    # ------------------------------------------------------------------ counting

    def add_workdays(self, start: _dt.date, n: int) -> DueDate:
        """The n-th working day after ``start`` (the day of acceptance does not count);
        ``n == 0`` gives ``start`` itself (即办); a negative ``n`` counts backwards.

        Never raises: a count that would run past year 9999 (or before year 1) stops at the
        last representable day, marked estimated.
        """
        start = _as_date(start)
        if n == 0:
            return DueDate(start, False)
        step = _dt.timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        day = start
        estimated = False
        while remaining:
            try:
                day = day + step
            except OverflowError:
                return DueDate(day, True)
            working, est = self.is_workday(day)
            estimated = estimated or est
            if working:
                remaining -= 1
        return DueDate(day, estimated)

    def workdays_between(self, a: _dt.date, b: _dt.date) -> int:
        """Working days after ``a`` up to and including ``b``; negative when ``b`` < ``a``."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.workdays_between(b, a)
        count = 0
        day = a
        one = _dt.timedelta(days=1)
        while day < b:
            day += one
            if self.is_workday(day)[0]:
                count += 1
        return count

    # ------------------------------------------------------------------ coverage

    def _source_knows(self, day: _dt.date) -> bool:
        return self._ask_source(day) is not None

    def source_covers_year(self, year: int) -> bool:
        """Whether the holiday source (not the overrides) knows the whole of ``year``."""
        try:
            first, last = _dt.date(year, 1, 1), _dt.date(year, 12, 31)
        except ValueError:
            return False
        return self._source_knows(first) and self._source_knows(last)

    @property
    def override_years(self) -> frozenset[int]:
        return self._override_years

    def _source_covered_until(self) -> _dt.date | None:
        """Last day the source knows, found by probing (coverage assumed contiguous)."""
        this_year = _dt.date.today().year
        probe_years = list(range(this_year, _PROBE_FIRST_YEAR - 1, -1)) + list(
            range(this_year + 1, _PROBE_LAST_YEAR + 1)
        )
        known: _dt.date | None = None
        for year in probe_years:
            for day in (_dt.date(year, 12, 31), _dt.date(year, 7, 1), _dt.date(year, 1, 1)):
                if self._source_knows(day):
                    known = day
                    break
            if known:
                break
        if known is None:
            return None
        last = _dt.date(_PROBE_LAST_YEAR, 12, 31)
        if self._source_knows(last):
            return last
        lo, hi = known.toordinal(), last.toordinal()  # lo known, hi unknown
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._source_knows(_dt.date.fromordinal(mid)):
                lo = mid
            else:
                hi = mid
        return _dt.date.fromordinal(lo)

    def covered_until(self) -> _dt.date:
        """Last day whose working-day status is known rather than estimated: the end of the
        source's data, extended by complete override years that follow it. ``date.min`` when
        nothing is known."""
        if self._covered_until is None:
            end = self._source_covered_until()
            if end is None and self._override_years:
                end = _dt.date(min(self._override_years) - 1, 12, 31)
            if end is not None:
                while end.year + 1 in self._override_years:
                    end = _dt.date(end.year + 1, 12, 31)
            self._covered_until = end or _dt.date.min
        return self._covered_until

    def coverage_warning(self, today: _dt.date) -> str:
        """A Chinese warning when deadlines counted from ``today`` may reach beyond the holiday
        data (today + 60 days); empty otherwise."""
        today = _as_date(today)
        end = self.covered_until()
        if end == _dt.date.min:
            return "没有节假日数据，办理期限一律按周一至周五估算，请更新日历"
        try:
            horizon = today + _dt.timedelta(days=COVERAGE_MARGIN_DAYS)
        except OverflowError:
            horizon = _dt.date.max
        if horizon <= end:
            return ""
        return (
            f"节假日数据仅到 {end.isoformat()}，{end.year + 1} 年的期限按周一至周五估算，请更新日历"
        )


def deadline_state(
    due: _dt.date | None, today: _dt.date, cal: WorkCalendar, warn_days: int = 2
) -> str:
    """``"none"`` without a due date, ``"overdue"`` after it, ``"approaching"`` when at most
    ``warn_days`` working days remain (due today counts as 0), else ``"normal"``."""
    if due is None:
        return DEADLINE_NONE
    due, today = _as_date(due), _as_date(today)
    if today > due:
        return DEADLINE_OVERDUE
    # workdays_between(today, due) <= warn_days  <=>  due comes before the (warn_days + 1)-th
    # working day after today; this looks at a few days only, however far away ``due`` is.
    if due < cal.add_workdays(today, warn_days + 1).date:
        return DEADLINE_APPROACHING
    return DEADLINE_NORMAL
