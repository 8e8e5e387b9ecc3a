"""Layout of the agents' printed documents with long, realistic data: a village's name, the
service point's name, a date or time and the stamp line never break across lines, and no
text is cut or runs off the page."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from clerk_app.forms.agent_docs import (
    AgentCardData,
    HandoverLine,
    HandoverMaterial,
    HandoverSheetData,
    RosterData,
    RosterRow,
    RosterVillageData,
    render_agent_card,
    render_handover_sheet,
    render_roster,
)
from tests.core.test_forms import words_with_boxes

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")

OFFICE = "长阳土家族自治县龙舟坪镇人民政府"
TOWN = "龙舟坪镇便民服务中心"
VILLAGES = ["湖口社区居委会", "四冲湾社区居委会", "郑家榜村民委员会", "枫竹园社区居委会"]
STAMP = f"{OFFICE}（盖章）"


def lines_of(pdf: bytes, tmp_path, name: str) -> list[str]:
    """Each printed line (words at the same height, left to right), white space removed;
    and every word must lie on the page."""
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = []
    for page, words in words_with_boxes(path):
        for x0, y0, x1, y1, _w in words:
            assert 0 <= x0 and x1 <= page["width"] and 0 <= y0 and y1 <= page["height"], _w
        rows: list[list[tuple[float, float, str]]] = []
        for x0, y0, _x1, y1, w in sorted(words, key=lambda b: (b[1] + b[3]) / 2):
            middle = (y0 + y1) / 2
            if rows and abs(rows[-1][0][0] - middle) < 2:
                rows[-1].append((middle, x0, w))
            else:
                rows.append([(middle, x0, w)])
        out += ["".join(w for _m, _x, w in sorted(row, key=lambda t: t[1])) for row in rows]
    return [re.sub(r"\s+", "", line) for line in out]


def on_one_line(lines: list[str], text: str) -> bool:
    return any(re.sub(r"\s+", "", text) in line for line in lines)


def roster_data() -> RosterData:
    rows = [
        RosterRow("DB0001", "覃晓梅", "女", "420528********1234", "13907201234", "、".join(VILLAGES),
                  dt.date(2024, 3, 1), "在岗"),
        RosterRow("DB0002", "欧阳春花", "女", "420528********5678", "13907205678", "、".join(VILLAGES[1:3]),
                  dt.date(2023, 11, 15), "暂停"),
    ]
    return RosterData(OFFICE, TOWN, dt.datetime(2025, 12, 31, 16, 45),
                      [RosterVillageData(v, rows) for v in VILLAGES])


def sheet_data() -> HandoverSheetData:
    materials = [HandoverMaterial("居民身份证复印件", "复印件", 1, "", True),
                 HandoverMaterial("户口簿", "原件", 1, "未带", False)]
    lines = [HandoverLine(f"WT2025123100{i}", "欧阳春花", "420528********5678",
                          "农村宅基地和建房（规划许可）申请", dt.date(2025, 12, 29), dt.date(2025, 12, 31),
                          materials) for i in range(3)]
    return HandoverSheetData("JJ20251231-0007", OFFICE, TOWN, "覃晓梅", "DB0001", "13907201234",
                             "、".join(VILLAGES), dt.datetime(2025, 12, 31, 16, 45), "DBJJ:" + "ABCD" * 30,
                             "full", lines)


def test_roster_keeps_village_names_dates_and_stamp_on_one_line(tmp_path):
    lines = lines_of(render_roster(roster_data()), tmp_path, "roster")
    for village in VILLAGES:
        assert on_one_line(lines, village), village
    for text in ("2024-03-01", "2023-11-15", "420528********1234", "13907201234", TOWN, STAMP,
                 "2025年12月31日 16:45"):
        assert on_one_line(lines, text), text


def test_handover_sheet_keeps_names_dates_and_times_on_one_line(tmp_path):
    lines = lines_of(render_handover_sheet(sheet_data()), tmp_path, "sheet")
    for village in VILLAGES:
        assert on_one_line(lines, village), village
    for text in (TOWN, "2025年12月31日 16:45", "收件 2025年12月29日", "应交 2025年12月31日 前",
                 "覃晓梅（DB0001）", "13907201234"):
        assert on_one_line(lines, text), text


def test_card_prints_every_line_and_whole_names(tmp_path):
    card = AgentCardData(OFFICE, TOWN, "覃晓梅", "DB0001", "女", "13907201234", "、".join(VILLAGES),
                         dt.date(2024, 3, 1), "在岗", township_phone="0717-5321234",
                         issued_on=dt.date(2025, 12, 31))
    lines = lines_of(render_agent_card(card), tmp_path, "card")
    for village in VILLAGES:
        assert on_one_line(lines, village), village
    # The last line of the front used to be dropped when the villages took three lines.
    for text in ("聘用日期：2024年3月1日", "联系电话：13907201234", STAMP):
        assert on_one_line(lines, text), text
