from __future__ import annotations

import time

import pytest

from clerk_app.domain import divisions
from clerk_app.domain.divisions import Division


@pytest.fixture
def fresh():
    divisions.clear_cache()
    yield
    divisions.clear_cache()


def test_longzhouping_in_changyang():
    town = divisions.get("420528101")
    assert town == Division("420528101", "龙舟坪镇", "township", "420528")
    county = divisions.get("420528")
    assert county.name == "长阳土家族自治县" and county.level == "county" and county.parent_code == "4205"
    names = [d.name for d in divisions.townships("420528")]
    assert "龙舟坪镇" in names and len(names) == 11
    vs = divisions.villages("420528101")
    assert len(vs) == 27
    assert all(v.level == "village" and len(v.code) == 12 and v.code.startswith("420528101") for v in vs)
    assert [v.code for v in vs] == sorted(v.code for v in vs)


def test_get_accepts_every_length_and_padded_codes():
    assert divisions.get("42").name == "湖北省"
    assert divisions.get("4205").name == "宜昌市"
    assert divisions.get("420500").name == "宜昌市"
    assert divisions.get("420500000000").name == "宜昌市"
    assert divisions.get("420528000000").name == "长阳土家族自治县"
    assert divisions.get("420528101000").code == "420528101"
    assert divisions.get(" 420528101000 ").name == "龙舟坪镇"
    assert divisions.get(420528101).name == "龙舟坪镇"
    village = divisions.villages("420528101")[0]
    assert divisions.get(village.code) == village
    assert divisions.get(village.code).parent_code == "420528101"


@pytest.mark.parametrize("code", ["", None, "4", "42052", "4205281010", "abcdef", "420528999", "420528101999", "4399"])
def test_get_unknown_or_malformed(code):
    assert divisions.get(code) is None
    assert divisions.full_name(code) == ""


def test_to_12():
    assert divisions.to_12("420528101") == "420528101000"
    assert divisions.to_12("420528") == "420528000000"
    assert divisions.to_12("4205") == "420500000000"
    assert divisions.to_12("420528101001") == "420528101001"
    assert divisions.get("420528101").code12 == "420528101000"
    for bad in ("", "42052", "4205281010001", "42a528"):
        with pytest.raises(ValueError):
            divisions.to_12(bad)


def test_full_name():
    assert divisions.full_name("420528101") == "湖北省宜昌市长阳土家族自治县龙舟坪镇"
    assert divisions.full_name("420528101000") == "湖北省宜昌市长阳土家族自治县龙舟坪镇"
    village = divisions.villages("420528101")[0]
    assert divisions.full_name(village.code) == "湖北省宜昌市长阳土家族自治县龙舟坪镇" + village.name
    assert divisions.full_name("420528") == "湖北省宜昌市长阳土家族自治县"
    assert divisions.full_name("4205") == "湖北省宜昌市"
    # Counties administered by the province directly have no city in their name.
    assert divisions.full_name("429004") == "湖北省仙桃市"


def test_lists_are_sorted_and_linked():
    cs = divisions.cities()
    assert [c.code for c in cs] == sorted(c.code for c in cs)
    assert "宜昌市" in [c.name for c in cs] and all(c.level == "city" for c in cs)
    yichang = divisions.counties("4205")
    assert "长阳土家族自治县" in [c.name for c in yichang]
    assert divisions.counties("420500") == yichang
    everything = divisions.counties()
    assert len(everything) > len(yichang) and [c.code for c in everything] == sorted(c.code for c in everything)
    assert all(c.parent_code == "4205" for c in yichang)
    assert divisions.townships("420528000000") == divisions.townships("420528")
    assert divisions.villages("420528101000") == divisions.villages("420528101")
    assert divisions.townships("999999") == [] and divisions.villages("420528") == []
    # returned lists are copies
    divisions.townships("420528").clear()
    assert divisions.townships("420528")


def test_villages_are_loaded_only_when_needed(fresh):
    assert not divisions.villages_loaded()
    divisions.townships("420528")
    divisions.get("420528101")
    divisions.full_name("420528101")
    assert not divisions.villages_loaded()
    divisions.villages("420528101")
    assert divisions.villages_loaded()


def test_loading_everything_is_quick(fresh):
    started = time.perf_counter()
    divisions.villages("420528101")
    divisions.townships("420528")
    elapsed = time.perf_counter() - started
    # The target is < 200 ms; the bound here is loose so a busy test machine does not fail it.
    assert elapsed < 2.0
