"""Administrative divisions of Hubei (统计用区划代码) down to village level.

Codes: province 2 digits (42), city 4, county 6, township 9, village 12 (county 6 + township 3
+ village 3). A code padded with zeros to 12 digits (``420528101000`` for 龙舟坪镇) names the
same division. Cities, counties and townships are read on first use (about 1,600 rows); the
villages (27,000 rows, 1.6 MB) only when a village is first asked for. Both stay cached.
"""

from __future__ import annotations

import csv
import threading
from collections import defaultdict
from dataclasses import dataclass

from clerk_app.paths import resource

__all__ = [
    "Division",
    "PROVINCE",
    "CITY",
    "COUNTY",
    "TOWNSHIP",
    "VILLAGE",
    "cities",
    "counties",
    "townships",
    "villages",
    "get",
    "full_name",
    "to_12",
    "clear_cache",
    "villages_loaded",
]

PROVINCE = "province"
CITY = "city"
COUNTY = "county"
TOWNSHIP = "township"
VILLAGE = "village"

_LEVEL_BY_LENGTH = {2: PROVINCE, 4: CITY, 6: COUNTY, 9: TOWNSHIP, 12: VILLAGE}
_PROVINCE_NAMES = {"42": "湖北省"}  # the data covers Hubei only
# City-level placeholder above counties administered directly by the province (仙桃市 …).
_DIRECT_CITY_NAME = "省直辖县级行政区划"


@dataclass(frozen=True, slots=True)
class Division:
    code: str  # 2, 4, 6, 9 or 12 digits, by level
    name: str
    level: str  # "province" | "city" | "county" | "township" | "village"
    parent_code: str = ""

    @property
    def code12(self) -> str:
        return to_12(self.code)


class _Table:
    def __init__(self) -> None:
        self.by_code: dict[str, Division] = {}
        self.children: dict[str, list[Division]] = defaultdict(list)

    def add(self, division: Division) -> None:
        self.by_code[division.code] = division
        self.children[division.parent_code].append(division)

    def sort(self) -> None:
        for items in self.children.values():
            items.sort(key=lambda d: d.code)


_lock = threading.Lock()
_upper: _Table | None = None
_village: _Table | None = None


def _read(filename: str, level: str, parent_column: str, table: _Table) -> None:
    with resource("divisions", filename).open(encoding="utf-8-sig", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows)
        i_code, i_name, i_parent = (header.index(c) for c in ("code", "name", parent_column))
        by_code, children = table.by_code, table.children
        for row in rows:
            if not row:
                continue
            d = Division(row[i_code].strip(), row[i_name].strip(), level, row[i_parent].strip())
            by_code[d.code] = d
            children[d.parent_code].append(d)


def _upper_table() -> _Table:
    global _upper
    if _upper is None:
        with _lock:
            if _upper is None:
                table = _Table()
                for code, name in _PROVINCE_NAMES.items():
                    table.add(Division(code, name, PROVINCE, ""))
                _read("cities.csv", CITY, "provinceCode", table)
                _read("counties.csv", COUNTY, "cityCode", table)
                _read("townships.csv", TOWNSHIP, "areaCode", table)
                table.sort()
                _upper = table
    return _upper


def _village_table() -> _Table:
    global _village
    if _village is None:
        with _lock:
            if _village is None:
                table = _Table()
                _read("villages.csv", VILLAGE, "streetCode", table)
                table.sort()
                _village = table
    return _village


def clear_cache() -> None:
    """Forget the loaded tables (for tests)."""
    global _upper, _village
    with _lock:
        _upper = None
        _village = None


def villages_loaded() -> bool:
    return _village is not None


# --------------------------------------------------------------------------- codes


def _clean(code: str | int | None) -> str:
    return str(code if code is not None else "").strip()


def to_12(code: str | int) -> str:
    """Pad a 2/4/6/9/12-digit division code with zeros to 12 digits."""
    c = _clean(code)
    if not (c.isdigit() and len(c) in _LEVEL_BY_LENGTH):
        raise ValueError(f"区划代码应为 2、4、6、9 或 12 位数字，现为「{c}」")
    return c.ljust(12, "0")


def _canonical(code: str | int | None) -> str | None:
    """The code at its own level's length (``420528101000`` -> ``420528101``), or None."""
    c = _clean(code)
    if not (c.isdigit() and len(c) in _LEVEL_BY_LENGTH):
        return None
    c12 = c.ljust(12, "0")
    if c12[9:] != "000":
        return c12
    if c12[6:9] != "000":
        return c12[:9]
    if c12[4:6] != "00":
        return c12[:6]
    if c12[2:4] != "00":
        return c12[:4]
    return c12[:2]


def get(code: str | int | None) -> Division | None:
    """The division with this code (any of the lengths 2/4/6/9/12, or zero-padded to 12)."""
    c = _canonical(code)
    if c is None:
        return None
    if len(c) == 12:
        return _village_table().by_code.get(c)
    return _upper_table().by_code.get(c)


def _children(parent: str | int | None, length: int, table: _Table) -> list[Division]:
    c = _canonical(parent)
    if c is None or len(c) != length:
        return []
    return list(table.children.get(c, ()))


def cities() -> list[Division]:
    return list(_upper_table().children.get("42", ()))


def counties(city_code: str | int | None = None) -> list[Division]:
    """Counties of a city, or all counties when ``city_code`` is None."""
    table = _upper_table()
    if city_code is None:
        return sorted((d for d in table.by_code.values() if d.level == COUNTY), key=lambda d: d.code)
    return _children(city_code, 4, table)


def townships(county_code: str | int) -> list[Division]:
    return _children(county_code, 6, _upper_table())


def villages(township_code: str | int) -> list[Division]:
    return _children(township_code, 9, _village_table())


def full_name(code: str | int | None) -> str:
    """Province to the division itself, e.g. ``湖北省宜昌市长阳土家族自治县龙舟坪镇``; empty for
    an unknown code. The placeholder city above province-administered counties is left out."""
    c = _canonical(code)
    if c is None:
        return ""
    target = get(c)
    if target is None:
        return ""
    parts: list[str] = []
    for length in (2, 4, 6, 9, 12):
        if length > len(c):
            break
        d = target if length == len(c) else get(c[:length])
        if d is None:
            continue
        if d.level == CITY and d.name == _DIRECT_CITY_NAME:
            continue
        parts.append(d.name)
    return "".join(parts)
