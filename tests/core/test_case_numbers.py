from __future__ import annotations

import datetime as dt
import re
from datetime import date

import pytest

from clerk_app.domain.case_numbers import (
    CASE_NO_EXAMPLE,
    ParsedCaseNo,
    case_no_error,
    make_case_no,
    make_doc_no,
    normalize_case_no,
    parse_case_no,
)

DAY = date(2026, 3, 15)
SHAPE = re.compile(r"\d{6}-\d{2}-\d{6}-\d{4}-[0-9X]")


def mod11_2(digits: str) -> str:
    """ISO 7064 MOD 11-2 by its textbook definition: weights 2^(n-i) mod 11, from the right."""
    n = len(digits)
    total = sum(int(d) * pow(2, n - i, 11) for i, d in enumerate(digits))
    return "0123456789X"[(12 - total % 11) % 11]


def test_make_case_no_shape_and_parts():
    no = make_case_no("420528101001", 1, DAY, 12)
    assert SHAPE.fullmatch(no)
    assert no.startswith("101001-01-260315-0012-")
    assert no[-1] == mod11_2("101001012603150012")
    assert no == CASE_NO_EXAMPLE


def test_township_hall_and_nine_digit_code():
    no = make_case_no("420528101000", 3, DAY, 1)
    assert no.startswith("101000-03-260315-0001-")
    assert make_case_no("420528101", 3, DAY, 1) == no


def test_datetime_day_is_accepted():
    assert make_case_no("420528101001", 1, dt.datetime(2026, 3, 15, 9, 0), 12) == CASE_NO_EXAMPLE


@pytest.mark.parametrize(
    "args, fragment",
    [
        (("42052810100", 1, DAY, 1), "12 位数字"),
        (("42052810100A", 1, DAY, 1), "12 位数字"),
        (("420528101001", 0, DAY, 1), "设备号"),
        (("420528101001", 100, DAY, 1), "设备号"),
        (("420528101001", 1, DAY, 0), "序号"),
        (("420528101001", 1, DAY, 10000), "序号"),
        (("420528101001", 1, date(2100, 1, 1), 1), "2000–2099"),
    ],
)
def test_make_case_no_rejects_bad_input(args, fragment):
    with pytest.raises(ValueError, match=fragment):
        make_case_no(*args)


def test_numbers_from_different_devices_points_days_and_sequences_differ():
    seen = set()
    for code in ("420528101000", "420528101001", "420528102001"):
        for device in (1, 2, 99):
            for day in (DAY, DAY + dt.timedelta(days=1)):
                for seq in (1, 2, 9999):
                    seen.add(make_case_no(code, device, day, seq))
    assert len(seen) == 3 * 3 * 2 * 3


def test_round_trip():
    for seq in (1, 12, 345, 9999):
        no = make_case_no("420528101023", 7, date(2027, 12, 31), seq)
        parsed = parse_case_no(no)
        assert parsed == ParsedCaseNo("101023", 7, date(2027, 12, 31), seq, no[-1])
        assert parsed.canonical == no == str(parsed)
        assert parsed.township == "101" and parsed.village == "023"
        assert parsed.division_code("420528") == "420528101023"


def _with_x() -> str:
    for seq in range(1, 100):
        no = make_case_no("420528101001", 1, DAY, seq)
        if no.endswith("X"):
            return no
    raise AssertionError("no X in 99 numbers")


@pytest.mark.parametrize(
    "variant",
    [
        lambda no: no,
        lambda no: no.replace("-", ""),
        lambda no: no.replace("-", " "),
        lambda no: no.lower(),
        lambda no: no.replace("-", "").lower(),
        lambda no: "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in no),  # full width
        lambda no: "  " + no.replace("-", "—") + "\n",
        lambda no: no[:6] + " " + no[6:],
    ],
)
def test_parse_accepts_what_people_and_scanners_type(variant):
    no = _with_x()
    assert normalize_case_no(variant(no)) == no
    assert case_no_error(variant(no)) == ""


def test_every_single_digit_error_and_neighbour_swap_is_detected():
    no = make_case_no("420528101001", 2, DAY, 37)
    digits = no.replace("-", "")
    for i in range(len(digits) - 1):
        for d in "0123456789":
            if d != digits[i]:
                assert parse_case_no(digits[:i] + d + digits[i + 1 :]) is None
        if digits[i] != digits[i + 1]:
            swapped = digits[:i] + digits[i + 1] + digits[i] + digits[i + 2 :]
            assert parse_case_no(swapped) is None


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("", "请输入办件编号"),
        ("10100101260315001", "应为 19 位"),
        ("101001-0A-260315-0012-7", "「A」"),
        ("101X01-01-260315-0012-7", "最后一位"),
        ("101001-00-260315-0012-7", "设备号"),
        ("101001-01-260231-0012-7", "260231 不是有效日期"),
        ("101001-01-260315-0000-7", "不能为 0000"),
    ],
)
def test_error_messages(text, fragment):
    message = case_no_error(text)
    assert fragment in message, message
    assert parse_case_no(text) is None and normalize_case_no(text) is None


def test_wrong_check_character_message():
    good = CASE_NO_EXAMPLE
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    assert "校验位不符" in case_no_error(wrong)
    assert parse_case_no(wrong) is None


def test_length_message_shows_an_example():
    message = case_no_error("12345")
    assert "现为 5 位" in message and CASE_NO_EXAMPLE in message


def test_doc_no():
    assert make_doc_no("龙舟坪告", 2026, 12) == "龙舟坪告〔2026〕0012号"
    assert make_doc_no("龙舟坪受", 2026, 1) == "龙舟坪受〔2026〕0001号"
    assert make_doc_no("龙舟坪不受", 2027, 12345) == "龙舟坪不受〔2027〕12345号"
    assert make_doc_no(" 龙舟坪 告 ", 2026, 7, pad=0) == "龙舟坪告〔2026〕7号"
    for args in (("", 2026, 1), ("龙舟坪告", 26, 1), ("龙舟坪告", 2026, 0)):
        with pytest.raises(ValueError):
            make_doc_no(*args)
