"""Builders shared by core tests."""

from __future__ import annotations

from clerk_app.domain.checklist import ChecklistLine
from clerk_app.domain.status import MaterialState
from clerk_app.services import intake


def gb11643(first17: str) -> str:
    """Complete a resident ID number with its check digit (computed, not hard-coded)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(first17, weights))
    return first17 + "10X98765432"[total % 11]


def person(name: str = "张三", id17: str = "42052819550312001", phone: str = "13907170001",
           village_code: str | None = "420528101001") -> intake.ApplicantInput:
    return intake.ApplicantInput(kind="person", name=name, id_number=gb11643(id17), phone=phone,
                                 address="龙舟坪镇某村3组12号", village_code=village_code)


def all_received(item) -> list[ChecklistLine]:
    lines = intake.checklist_for(item)
    for ln in lines:
        if not ln.required:
            ln.condition_applies = False
            ln.state = MaterialState.NOT_APPLICABLE
        else:
            ln.state = ln.expected_state()
            ln.copies_received = ln.copies_required
    return lines


SHEET_TITLE = "长阳土家族自治县龙舟坪镇政务服务事项清单"


def csv_rows(path) -> list[list[str]]:  # noqa: ANN001
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_workbook(path, sheets) -> object:  # noqa: ANN001
    """An .xlsx as counties export it: ``sheets`` is [(sheet name, rows, title or None)].

    With a title, the sheet starts with it (merged across the table) and a blank line, so
    the header is on row 3 and the first data row on row 4. Numbers are stored as numbers.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    wb.remove(wb.active)
    for name, rows, title in sheets:
        ws = wb.create_sheet(name)
        if title:
            ws.append([title])
            ws.merge_cells(f"A1:{get_column_letter(len(rows[0]))}1")
            ws.append([])
        for r in rows:
            ws.append([int(c) if isinstance(c, str) and c.isdigit() and len(c) < 6 else c for c in r])
    wb.save(path)
    return path
