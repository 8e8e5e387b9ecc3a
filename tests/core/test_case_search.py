"""The case list's text search: what the clerk types is looked for literally."""

from __future__ import annotations

import pytest

from clerk_app.services import catalog, intake
from clerk_app.services.cases import CaseFilter, CaseList
from tests.core.helpers import all_received, person


@pytest.fixture
def three_cases(demo_ctx, clerk):
    item = next(it for it in catalog.current_items(demo_ctx) if it.name == "临时救助申请")
    for i, name in enumerate(("张三", "李四", "王五")):
        p = person(name=name, id17=f"42052819700101{i:02d}1")
        intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, p, all_received(item)))
    return demo_ctx


@pytest.mark.parametrize("text", ["%", "_", "__", "%%", "\\", "张%", "_四", "临时%申请"])
def test_like_wildcards_match_only_themselves(three_cases, text):
    assert len(CaseList(three_cases)) == 3
    assert CaseList(three_cases, CaseFilter(text=text)).ids == []


def test_ordinary_search_still_finds_parts_of_names(three_cases):
    assert len(CaseList(three_cases, CaseFilter(text="李"))) == 1
    assert len(CaseList(three_cases, CaseFilter(text="救助"))) == 3


def test_pinyin_of_the_item_finds_its_cases(three_cases, clerk):
    item = next(it for it in catalog.current_items(three_cases) if it.name == "最低生活保障申请")
    intake.accept(three_cases, clerk, intake.IntakeForm(
        item.id, person(name="赵六", id17="42052819700101031"), all_received(item)))
    assert len(CaseList(three_cases, CaseFilter(text="lsjz"))) == 3  # 临时救助
    assert len(CaseList(three_cases, CaseFilter(text="LinShi"))) == 3
    found = CaseList(three_cases, CaseFilter(text="dbsq"))
    assert [r.item_name for r in found.rows(0, 10)] == ["最低生活保障申请"]
    assert CaseList(three_cases, CaseFilter(text="qqqq")).ids == []


def test_last_four_of_the_id_number_find_the_applicant(three_cases):
    from clerk_app.domain import ids

    body = "42052819700101011"  # 李四's first 17 characters (the fixture's pattern)
    last4 = (body + ids.iso7064_mod11_2(body))[-4:]
    found = CaseList(three_cases, CaseFilter(text=last4))
    assert [r.applicant_name for r in found.rows(0, 10)] == ["李四"]
    assert CaseList(three_cases, CaseFilter(text="9999")).ids == []
