from __future__ import annotations

import datetime as dt
from datetime import date

import chinese_calendar
import pytest

from clerk_app.domain.workdays import (
    DEADLINE_APPROACHING,
    DEADLINE_LABELS,
    DEADLINE_NONE,
    DEADLINE_NORMAL,
    DEADLINE_OVERDUE,
    DueDate,
    WeekdaysOnly,
    WorkCalendar,
    deadline_state,
)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


class RangeSource:
    """A fake holiday source that knows [first, last]; every listed day is a day off."""

    def __init__(self, first: date, last: date, days_off: set[date] = frozenset()) -> None:
        self.first, self.last, self.days_off = first, last, set(days_off)
        self.calls = 0

    def is_workday(self, day: date) -> bool:
        self.calls += 1
        if not (self.first <= day <= self.last):
            raise NotImplementedError(day)
        return day.weekday() < 5 and day not in self.days_off


# ----------------------------------------------------------------------------- hand-checked facts


def test_national_day_and_mid_autumn_2025(cal):
    for offset in range(8):  # 2025-10-01 .. 10-08 off
        day = date(2025, 10, 1) + dt.timedelta(days=offset)
        assert cal.is_workday(day) == (False, False), day
    assert cal.is_workday(date(2025, 9, 28)) == (True, False)  # Sunday, make-up workday
    assert cal.is_workday(date(2025, 10, 11)) == (True, False)  # Saturday, make-up workday
    assert cal.is_workday(date(2025, 10, 9)) == (True, False)
    assert cal.is_workday(date(2025, 10, 12)) == (False, False)  # an ordinary Sunday


def test_due_dates_across_national_day_2025(cal):
    assert cal.add_workdays(date(2025, 9, 26), 1) == DueDate(date(2025, 9, 28), False)
    assert cal.add_workdays(date(2025, 9, 30), 1) == DueDate(date(2025, 10, 9), False)
    # 9-29, 9-30, 10-09, 10-10, 10-11 (Sat, make-up)
    assert cal.add_workdays(date(2025, 9, 28), 5).date == date(2025, 10, 11)
    assert cal.workdays_between(date(2025, 9, 30), date(2025, 10, 9)) == 1


def test_spring_festival_2026(cal):
    assert cal.is_workday(date(2026, 2, 14)) == (True, False)  # Saturday, make-up workday
    assert cal.is_workday(date(2026, 2, 28)) == (True, False)  # Saturday, make-up workday
    assert cal.is_workday(date(2026, 2, 16)) == (False, False)  # a Monday in the holiday
    assert cal.add_workdays(date(2026, 2, 13), 1).date == date(2026, 2, 14)
    assert cal.add_workdays(date(2026, 2, 14), 1).date == date(2026, 2, 24)


# ----------------------------------------------------------------------------- against the package


def _package_days_off(first: date, last: date) -> list[date]:
    return [d for d in chinese_calendar.get_dates(first, last) if not chinese_calendar.is_workday(d)]


@pytest.mark.parametrize(
    "first, last, name",
    [
        (date(2026, 2, 1), date(2026, 3, 10), "Spring Festival"),
        (date(2025, 9, 20), date(2025, 10, 20), "National Day"),
    ],
)
def test_every_day_agrees_with_chinese_calendar(cal, first, last, name):
    holidays = [d for d in _package_days_off(first, last) if chinese_calendar.get_holiday_detail(d)[1] == name]
    assert len(holidays) >= 7, "the schedule should contain a long holiday"
    makeups = [
        d
        for d in chinese_calendar.get_dates(first, last)
        if d.weekday() >= 5 and chinese_calendar.is_workday(d)
    ]
    assert makeups, "the schedule should contain make-up weekend workdays"
    for day in chinese_calendar.get_dates(first, last):
        assert cal.is_workday(day) == (chinese_calendar.is_workday(day), False), day
    for day in makeups:
        assert cal.is_workday(day)[0]


@pytest.mark.parametrize("start", [date(2025, 9, 25), date(2025, 9, 30), date(2026, 2, 10), date(2026, 2, 20)])
@pytest.mark.parametrize("n", [1, 2, 5, 10, 20])
def test_add_workdays_matches_package_workday_list(cal, start, n):
    following = chinese_calendar.get_workdays(start + dt.timedelta(days=1), start + dt.timedelta(days=90))
    due = cal.add_workdays(start, n)
    assert due == DueDate(following[n - 1], False)
    assert cal.workdays_between(start, due.date) == n
    assert cal.workdays_between(due.date, start) == -n


def test_zero_days_is_the_same_day_even_on_a_holiday(cal):
    assert cal.add_workdays(date(2025, 10, 3), 0) == DueDate(date(2025, 10, 3), False)
    assert cal.workdays_between(date(2025, 10, 3), date(2025, 10, 3)) == 0


def test_negative_count_goes_backwards(cal):
    assert cal.add_workdays(date(2025, 10, 9), -1).date == date(2025, 9, 30)
    assert cal.add_workdays(date(2026, 2, 24), -1).date == date(2026, 2, 14)


def test_datetime_is_accepted(cal):
    assert cal.is_workday(dt.datetime(2025, 10, 1, 9, 30)) == (False, False)
    assert cal.add_workdays(dt.datetime(2025, 9, 30, 16, 0), 1).date == date(2025, 10, 9)


# ----------------------------------------------------------------------------- beyond the data


def test_due_date_crossing_into_2027_is_estimated_and_does_not_raise(cal):
    due = cal.add_workdays(date(2026, 12, 24), 10)
    assert due.estimated
    # Weekday rule in 2027: 12-25, 28, 29, 30, 31 (2026, known), then 1-1 (Fri), 1-4..1-7
    assert due.date == date(2027, 1, 7)
    assert cal.is_workday(date(2027, 1, 1)) == (True, True)  # estimated: no data yet
    assert cal.is_workday(date(2027, 1, 2)) == (False, True)
    within = cal.add_workdays(date(2026, 12, 1), 5)
    assert not within.estimated


def test_covered_until_is_probed_not_hardcoded(cal):
    assert cal.covered_until() == date(2026, 12, 31)
    fake = WorkCalendar(source=RangeSource(date(2010, 1, 1), date(2031, 6, 30)))
    assert fake.covered_until() == date(2031, 6, 30)
    assert WorkCalendar(source=WeekdaysOnly()).covered_until() == date.min


def test_coverage_warning(cal):
    assert cal.coverage_warning(date(2026, 10, 1)) == ""  # + 60 days = 11-30
    message = cal.coverage_warning(date(2026, 12, 3))
    assert message == "节假日数据仅到 2026-12-31，2027 年的期限按周一至周五估算，请更新日历"
    assert cal.coverage_warning(date(2028, 5, 1)).startswith("节假日数据仅到 2026-12-31")
    assert "请更新日历" in WorkCalendar(source=WeekdaysOnly()).coverage_warning(date(2026, 1, 1))


@pytest.mark.parametrize(
    "day",
    [date(1, 1, 1), date(1899, 12, 31), date(1900, 1, 1), date(2003, 6, 30), date(2200, 6, 1), date(9999, 12, 31)],
)
def test_never_raises_for_any_date(cal, day):
    working, estimated = cal.is_workday(day)
    assert estimated and working == (day.weekday() < 5)
    assert cal.add_workdays(day, 3).estimated
    assert cal.add_workdays(day, -3).estimated
    cal.workdays_between(day, day)
    assert deadline_state(day, day, cal) in DEADLINE_LABELS
    assert isinstance(cal.coverage_warning(day), str)


def test_counting_past_the_end_of_time_stops_there(cal):
    assert cal.add_workdays(date(9999, 12, 30), 10) == DueDate(date(9999, 12, 31), True)
    assert cal.add_workdays(date(1, 1, 2), -10) == DueDate(date(1, 1, 1), True)


def test_a_broken_source_is_treated_as_unknown():
    class Broken:
        def is_workday(self, day):
            raise RuntimeError("data file missing")

    cal = WorkCalendar(source=Broken())
    assert cal.is_workday(date(2025, 10, 1)) == (True, True)
    assert cal.covered_until() == date.min


# ----------------------------------------------------------------------------- overrides


def test_overrides_beat_the_source():
    cal = WorkCalendar(overrides={date(2025, 10, 8): True, date(2025, 10, 10): False})
    assert cal.is_workday(date(2025, 10, 8)) == (True, False)
    assert cal.is_workday(date(2025, 10, 10)) == (False, False)
    assert cal.add_workdays(date(2025, 9, 30), 1).date == date(2025, 10, 8)
    assert cal.add_workdays(date(2025, 10, 8), 1).date == date(2025, 10, 9)
    assert cal.add_workdays(date(2025, 10, 9), 1).date == date(2025, 10, 11)


def test_overrides_make_a_day_beyond_the_data_known():
    cal = WorkCalendar(overrides={date(2027, 1, 1): False})
    assert cal.is_workday(date(2027, 1, 1)) == (False, False)
    assert cal.is_workday(date(2027, 1, 4)) == (True, True)


def test_complete_override_years_extend_coverage():
    days_off = {date(2027, 1, 1)}
    cal = WorkCalendar(
        overrides={d: False for d in days_off} | {date(2027, 2, 6): True},
        override_years=[2027],
    )
    assert cal.is_workday(date(2027, 1, 4)) == (True, False)
    assert cal.is_workday(date(2027, 2, 6)) == (True, False)  # a make-up Saturday
    assert cal.is_workday(date(2027, 2, 7)) == (False, False)
    assert not cal.add_workdays(date(2026, 12, 24), 10).estimated
    assert cal.covered_until() == date(2027, 12, 31)
    assert cal.coverage_warning(date(2026, 12, 3)) == ""
    assert "2028 年" in cal.coverage_warning(date(2027, 11, 15))


def test_a_complete_year_the_source_knows_still_follows_the_source():
    # 2030 is known to the source (5-1 off); declaring it complete must not turn 5-1 into a
    # plain Wednesday, and a year beyond the source stays an estimate unless declared
    source = RangeSource(date(2030, 1, 1), date(2030, 12, 31), {date(2030, 5, 1)})
    cal = WorkCalendar(source=source, override_years=[2030, 2032])
    assert cal.is_workday(date(2030, 5, 1)) == (False, False)
    assert cal.source_covers_year(2030) and not cal.source_covers_year(2031)
    assert cal.is_workday(date(2031, 5, 1)) == (True, True)
    assert cal.is_workday(date(2032, 5, 3)) == (True, False)
    assert cal.covered_until() == date(2030, 12, 31)  # 2031 is a gap: coverage stops there
    assert cal.override_years == frozenset({2030, 2032})


def test_fake_source_injection_and_caching():
    source = RangeSource(date(2030, 1, 1), date(2030, 12, 31), {date(2030, 5, 1)})
    cal = WorkCalendar(source=source)
    assert cal.is_workday(date(2030, 5, 1)) == (False, False)
    calls = source.calls
    for _ in range(3):
        cal.is_workday(date(2030, 5, 1))
    assert source.calls == calls
    assert cal.add_workdays(date(2030, 4, 30), 1) == DueDate(date(2030, 5, 2), False)
    assert cal.add_workdays(date(2030, 12, 30), 3) == DueDate(date(2031, 1, 2), True)


# ----------------------------------------------------------------------------- deadline states


def test_deadline_states(cal):
    today = date(2025, 9, 26)  # Friday; then 9-28 (Sun, make-up), 9-29, 9-30, then 10-09
    assert deadline_state(None, today, cal) == DEADLINE_NONE
    assert deadline_state(date(2025, 9, 25), today, cal) == DEADLINE_OVERDUE
    assert deadline_state(today, today, cal) == DEADLINE_APPROACHING  # due today
    assert deadline_state(date(2025, 9, 28), today, cal) == DEADLINE_APPROACHING  # 1 left
    assert deadline_state(date(2025, 9, 29), today, cal) == DEADLINE_APPROACHING  # 2 left
    assert deadline_state(date(2025, 9, 30), today, cal) == DEADLINE_NORMAL  # 3 left
    # From 9-30, the next working day is 10-09: the holiday week does not count.
    assert deadline_state(date(2025, 10, 10), date(2025, 9, 30), cal) == DEADLINE_APPROACHING
    assert deadline_state(date(2025, 10, 11), date(2025, 9, 30), cal) == DEADLINE_NORMAL
    assert deadline_state(date(2025, 10, 11), date(2025, 9, 30), cal, warn_days=3) == DEADLINE_APPROACHING
    assert deadline_state(date(2025, 10, 9), date(2025, 9, 30), cal, warn_days=0) == DEADLINE_NORMAL
    assert deadline_state(date(2030, 1, 1), today, cal) == DEADLINE_NORMAL


def test_deadline_state_equals_the_definition(cal):
    today = date(2026, 2, 12)
    for offset in range(-3, 30):
        due = today + dt.timedelta(days=offset)
        state = deadline_state(due, today, cal, warn_days=2)
        if due < today:
            expected = DEADLINE_OVERDUE
        elif cal.workdays_between(today, due) <= 2:
            expected = DEADLINE_APPROACHING
        else:
            expected = DEADLINE_NORMAL
        assert state == expected, due


def test_labels():
    assert DEADLINE_LABELS[DEADLINE_NORMAL] == "正常"
    assert DEADLINE_LABELS[DEADLINE_APPROACHING] == "预警"
    assert DEADLINE_LABELS[DEADLINE_OVERDUE] == "超期"
