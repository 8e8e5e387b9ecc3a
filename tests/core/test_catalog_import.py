"""Importing the county's catalog as counties export it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from clerk_app.services import catalog
from clerk_app.services.catalog import CatalogImportError
from clerk_app.store.models import Case, ServiceItem
from tests.conftest import CATALOG_DIR

ITEMS = CATALOG_DIR / "township-items.csv"
MATERIALS = CATALOG_DIR / "township-materials.csv"


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


def write_rows(path: Path, rows: list[list[str]], encoding: str) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def count_items(ctx) -> int:
    with ctx.tx() as s:
        return len(list(s.scalars(select(ServiceItem).where(ServiceItem.current))))


@pytest.fixture
def empty_ctx(ctx):
    """Set up without a catalog, so the import is the first one."""
    from clerk_app.services import setup

    setup.set_up(ctx, setup.SetupRequest("420528101000", 7, "boss", "王主任", "abc12345"))
    return ctx


def expected_count() -> int:
    return len(rows_of(ITEMS)) - 1


def test_shared_catalog_imports_every_item_with_materials(empty_ctx):
    result = catalog.import_catalog(empty_ctx, None, ITEMS, MATERIALS)
    assert len(result.added) == expected_count()
    items = catalog.current_items(empty_ctx)
    dibao = next(it for it in items if it.name == "最低生活保障申请")
    assert dibao.legal_limit == 30 and dibao.promised_limit == 10
    assert dibao.proxy_allowed is True
    names = [m.name for m in dibao.materials]
    assert names[0] == "最低生活保障申请书"
    marriage = next(m for m in dibao.materials if m.name == "结婚证")
    assert marriage.required is False and marriage.condition == "申请人已婚的"
    assert any(it.promised_limit == 0 for it in items)  # 即办 items


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "gb18030"])
def test_encodings(empty_ctx, tmp_path, encoding):
    items = write_rows(tmp_path / "items.csv", rows_of(ITEMS), encoding)
    materials = write_rows(tmp_path / "materials.csv", rows_of(MATERIALS), encoding)
    catalog.import_catalog(empty_ctx, None, items, materials)
    assert count_items(empty_ctx) == expected_count()
    names = {it.name for it in catalog.current_items(empty_ctx)}
    assert "城乡居民基本养老保险参保登记" in names


def test_xlsx(empty_ctx, tmp_path):
    from openpyxl import Workbook

    paths = []
    for src, name in ((ITEMS, "items.xlsx"), (MATERIALS, "materials.xlsx")):
        wb = Workbook()
        ws = wb.active
        for r in rows_of(src):
            # numbers as numbers, as Excel keeps them
            ws.append([int(c) if c.isdigit() and len(c) < 6 else c for c in r])
        wb.save(tmp_path / name)
        paths.append(tmp_path / name)
    catalog.import_catalog(empty_ctx, None, *paths)
    items = catalog.current_items(empty_ctx)
    assert len(items) == expected_count()
    assert next(it for it in items if it.name == "临时救助申请").promised_limit == 5


def test_bad_rows_are_all_reported_and_nothing_is_imported(empty_ctx, tmp_path):
    rows = rows_of(ITEMS)
    header = rows[0]
    col = {h: i for i, h in enumerate(header)}
    rows[2][col["承诺时限（工作日）"]] = "十天"  # row 3 in the spreadsheet
    rows[4][col["实施编码"]] = ""  # row 5
    rows[6][col["承诺时限（工作日）"]] = "99"  # row 7: beyond the legal limit
    rows[8][col["实施编码"]] = rows[1][col["实施编码"]]  # row 9: duplicate
    items = write_rows(tmp_path / "items.csv", rows, "utf-8-sig")
    mrows = rows_of(MATERIALS)
    mrows[3][3] = "扫描件"  # row 4: bad form
    materials = write_rows(tmp_path / "materials.csv", mrows, "utf-8-sig")
    with pytest.raises(CatalogImportError) as info:
        catalog.import_catalog(empty_ctx, None, items, materials)
    found = {(e.file, e.row, e.column) for e in info.value.errors}
    assert ("items.csv", 3, "承诺时限（工作日）") in found
    assert ("items.csv", 5, "实施编码") in found
    assert ("items.csv", 7, "承诺时限（工作日）") in found
    assert ("items.csv", 9, "实施编码") in found
    assert ("materials.csv", 4, "材料形式") in found
    assert "第 3 行" in info.value.message and "未导入任何内容" in info.value.message
    assert count_items(empty_ctx) == 0


def test_missing_column_and_empty_and_undecodable_files(empty_ctx, tmp_path):
    rows = rows_of(ITEMS)
    drop = rows[0].index("实施编码")
    cut = [[c for i, c in enumerate(r) if i != drop] for r in rows]
    with pytest.raises(CatalogImportError) as info:
        catalog.import_catalog(empty_ctx, None, write_rows(tmp_path / "a.csv", cut, "utf-8"))
    assert "缺少这一列" in info.value.message and "实施编码" in info.value.message
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(CatalogImportError):
        catalog.import_catalog(empty_ctx, None, tmp_path / "empty.csv")
    (tmp_path / "bin.csv").write_bytes(bytes(range(128, 256)) * 3)
    with pytest.raises(catalog.ServiceError) as info2:
        catalog.import_catalog(empty_ctx, None, tmp_path / "bin.csv")
    assert "编码" in info2.value.message
    with pytest.raises(catalog.ServiceError):
        catalog.import_catalog(empty_ctx, None, tmp_path / "nope.csv")
    assert count_items(empty_ctx) == 0


def test_reimport_versions_items_and_cases_keep_theirs(demo_ctx, clerk, tmp_path):
    from clerk_app.services import intake
    from tests.core.helpers import person, all_received

    items = catalog.current_items(demo_ctx)
    old = next(it for it in items if it.name == "临时救助申请")
    form = intake.IntakeForm(old.id, person(), all_received(old))
    outcome = intake.accept(demo_ctx, clerk, form)

    rows = rows_of(ITEMS)
    col = {h: i for i, h in enumerate(rows[0])}
    for r in rows[1:]:
        if r[col["事项名称"]] == "临时救助申请":
            r[col["事项名称"]] = "临时救助申请（急难型）"
            r[col["承诺时限（工作日）"]] = "3"
    removed = rows.pop()  # the last item is dropped from the new list
    new_items = write_rows(tmp_path / "items.csv", rows, "utf-8-sig")
    result = catalog.import_catalog(demo_ctx, None, new_items, remove_missing=True)
    assert old.code in result.updated
    assert removed[col["实施编码"]] in result.removed
    current = {it.code: it for it in catalog.current_items(demo_ctx)}
    assert current[old.code].name == "临时救助申请（急难型）"
    assert current[old.code].promised_limit == 3
    assert removed[col["实施编码"]] not in current
    with demo_ctx.tx() as s:
        case = s.get(Case, outcome.case_id)
        assert case.item_id == old.id
        assert case.item.name == "临时救助申请" and case.item.promised_limit == 5
        assert case.item.current is False
    # importing the same list again changes nothing
    again = catalog.import_catalog(demo_ctx, None, new_items, remove_missing=True)
    assert again.added == [] and again.updated == [] and again.removed == []


def test_items_table_alone_keeps_the_real_materials(demo_ctx, tmp_path):
    """Re-importing only the items table must not rebuild materials from 申请材料 text."""
    before = {it.code: [(m.name, m.form, m.required) for m in it.materials]
              for it in catalog.current_items(demo_ctx)}
    result = catalog.import_catalog(demo_ctx, None, ITEMS)
    assert result.updated == [] and result.unchanged == len(before)
    after = {it.code: [(m.name, m.form, m.required) for m in it.materials]
             for it in catalog.current_items(demo_ctx)}
    assert after == before
    dibao = next(it for it in catalog.current_items(demo_ctx) if it.name == "最低生活保障申请")
    assert not next(m for m in dibao.materials if m.name == "结婚证").required


def test_a_partial_file_retires_nothing_unless_asked(demo_ctx, tmp_path):
    rows = rows_of(ITEMS)
    partial = write_rows(tmp_path / "partial.csv", rows[:3], "utf-8-sig")  # header + 2 items
    preview = catalog.import_catalog(demo_ctx, None, partial, remove_missing=True, dry_run=True)
    assert preview.dry_run and len(preview.removed) == expected_count() - 2
    assert count_items(demo_ctx) == expected_count()  # the dry run wrote nothing
    kept = catalog.import_catalog(demo_ctx, None, partial)
    assert kept.removed == [] and len(kept.kept_missing) == expected_count() - 2
    assert "保持不变" in kept.summary()
    assert count_items(demo_ctx) == expected_count()
    gone = catalog.import_catalog(demo_ctx, None, partial, remove_missing=True)
    assert len(gone.removed) == expected_count() - 2
    assert count_items(demo_ctx) == 2


def test_a_directory_and_error_wording(empty_ctx, tmp_path):
    with pytest.raises(catalog.ServiceError, match="是一个目录"):
        catalog.import_catalog(empty_ctx, None, tmp_path)
    rows = rows_of(ITEMS)
    col = {h: i for i, h in enumerate(rows[0])}
    rows[1][col["法定时限（工作日）"]] = "三十"
    rows[2][col["到现场次数"]] = "-5"
    bad = write_rows(tmp_path / "bad.csv", rows, "utf-8-sig")
    with pytest.raises(CatalogImportError) as info:
        catalog.import_catalog(empty_ctx, None, bad)
    messages = {(e.row, e.column): e.message for e in info.value.errors}
    assert "0 表示即办" in messages[(2, "法定时限（工作日）")]
    assert (2, "承诺时限（工作日）") not in messages  # no second error caused by the first
    assert "不能小于 0" in messages[(3, "到现场次数")] and "即办" not in messages[(3, "到现场次数")]


# --- one workbook, title rows ----------------------------------------------------------


def _book(tmp_path, items_sheet="事项", materials_sheet="材料", materials=True, name="book.xlsx"):
    from tests.core.helpers import SHEET_TITLE, write_workbook

    sheets = [(items_sheet, rows_of(ITEMS), SHEET_TITLE)]
    if materials:
        sheets.append((materials_sheet, rows_of(MATERIALS), SHEET_TITLE))
    return write_workbook(tmp_path / name, sheets)


def _materials_count(ctx) -> int:
    return sum(len(it.materials) for it in catalog.current_items(ctx))


def test_one_workbook_with_title_rows_imports_items_and_materials(empty_ctx, tmp_path):
    result = catalog.import_catalog(empty_ctx, None, _book(tmp_path))
    assert len(result.added) == expected_count()
    assert result.derived_materials == [] and result.notes == []
    assert _materials_count(empty_ctx) == len(rows_of(MATERIALS)) - 1
    dibao = next(it for it in catalog.current_items(empty_ctx) if it.name == "最低生活保障申请")
    assert dibao.promised_limit == 10
    assert next(m for m in dibao.materials if m.name == "结婚证").condition == "申请人已婚的"


def test_sheets_are_found_by_their_headers_in_any_order(empty_ctx, tmp_path):
    from tests.core.helpers import write_workbook

    # a materials table that also repeats the item's name is still the materials table
    mrows = [["事项名称", *rows_of(MATERIALS)[0]]] + [["", *r] for r in rows_of(MATERIALS)[1:]]
    book = write_workbook(tmp_path / "export.xlsx", [
        ("说明", [["本表由县政务服务中心导出"]], None),
        ("Sheet2", mrows, None),
        ("Sheet3", rows_of(ITEMS), "事项清单"),
    ])
    result = catalog.import_catalog(empty_ctx, None, book)
    assert count_items(empty_ctx) == expected_count()
    assert result.derived_materials == [] and result.notes == []  # read from the materials sheet
    assert _materials_count(empty_ctx) == len(rows_of(MATERIALS)) - 1
    dibao = next(it for it in catalog.current_items(empty_ctx) if it.name == "最低生活保障申请")
    assert next(m for m in dibao.materials if m.name == "结婚证").required is False


def test_a_bad_cell_in_the_materials_sheet_names_sheet_row_and_column(empty_ctx, tmp_path):
    from tests.core.helpers import SHEET_TITLE, write_workbook

    mrows = rows_of(MATERIALS)
    mrows[9][mrows[0].index("份数")] = "两份"  # title, blank, header: data row 9 is sheet row 12
    irows = rows_of(ITEMS)
    irows[1][irows[0].index("法定时限（工作日）")] = "三十"  # sheet row 4
    book = write_workbook(tmp_path / "book.xlsx", [
        ("事项清单", irows, SHEET_TITLE), ("申请材料", mrows, SHEET_TITLE)])
    with pytest.raises(CatalogImportError) as info:
        catalog.import_catalog(empty_ctx, None, book)
    found = {(e.file, e.sheet, e.row, e.column) for e in info.value.errors}
    assert found == {("book.xlsx", "事项清单", 4, "法定时限（工作日）"),
                     ("book.xlsx", "申请材料", 12, "份数")}
    assert "book.xlsx 工作表「申请材料」第 12 行「份数」列：「两份」不是整数" in info.value.message
    assert count_items(empty_ctx) == 0


def test_a_workbook_without_a_materials_sheet_is_imported_as_items_only(demo_ctx, tmp_path):
    before = {it.code: len(it.materials) for it in catalog.current_items(demo_ctx)}
    irows = rows_of(ITEMS)
    irows[1][irows[0].index("承诺时限（工作日）")] = "8"
    from tests.core.helpers import SHEET_TITLE, write_workbook

    book = write_workbook(tmp_path / "items.xlsx", [("事项", irows, SHEET_TITLE),
                                                    ("Sheet2", [["备注"]], None)])
    result = catalog.import_catalog(demo_ctx, None, book)
    assert len(result.updated) == 1 and len(result.notes) == 1
    assert "items.xlsx 中没有找到材料表" in result.notes[0]
    assert result.notes[0] in result.summary()
    after = {it.code: len(it.materials) for it in catalog.current_items(demo_ctx)}
    assert after == before  # the existing materials are kept, as with an items table alone


def test_a_title_row_above_the_header_in_csv_and_real_row_numbers(empty_ctx, tmp_path):
    from tests.core.helpers import SHEET_TITLE

    rows = rows_of(ITEMS)
    rows[2][rows[0].index("是否可代办")] = "也许"
    items = write_rows(tmp_path / "items.csv", [[SHEET_TITLE], [], [], *rows], "gbk")
    with pytest.raises(CatalogImportError) as info:
        catalog.import_catalog(empty_ctx, None, items)
    assert [(e.row, e.column) for e in info.value.errors] == [(6, "是否可代办")]
    assert info.value.errors[0].sheet == ""
    assert "items.csv 第 6 行「是否可代办」列" in info.value.message
    # a header error is reported on the header's own row
    drop = rows[0].index("实施编码")
    cut = [[c for i, c in enumerate(r) if i != drop] for r in rows]
    with pytest.raises(CatalogImportError) as info:
        catalog.import_catalog(empty_ctx, None, write_rows(tmp_path / "cut.csv", [[SHEET_TITLE], [], *cut],
                                                            "utf-8"))
    assert [(e.row, e.column) for e in info.value.errors] == [(3, "实施编码")]
    rows[2][rows[0].index("是否可代办")] = "是"
    catalog.import_catalog(empty_ctx, None, write_rows(tmp_path / "ok.csv", [[SHEET_TITLE], *rows], "utf-8"))
    assert count_items(empty_ctx) == expected_count()


def test_a_missing_column_in_a_workbook_names_the_sheet_and_header_row(empty_ctx, tmp_path):
    from tests.core.helpers import SHEET_TITLE, write_workbook

    mrows = rows_of(MATERIALS)
    drop = mrows[0].index("材料形式")
    cut = [[c for i, c in enumerate(r) if i != drop] for r in mrows]
    book = write_workbook(tmp_path / "book.xlsx", [("事项", rows_of(ITEMS), None),
                                                   ("材料", cut, SHEET_TITLE)])
    with pytest.raises(CatalogImportError) as info:
        catalog.import_catalog(empty_ctx, None, book)
    assert [(e.sheet, e.row, e.column) for e in info.value.errors] == [("材料", 3, "材料形式")]


def _with_gbk_cell(rows: list[list[str]], row_index: int, bom: bool) -> bytes:
    """The rows as UTF-8 CSV, with the item name of row ``row_index`` (0-based) in GBK."""
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    cell = ",".join(rows[row_index][:2]) + ","  # 序号 and 事项名称: unique in the file
    data = out.getvalue().encode("utf-8")
    assert data.count(cell.encode("utf-8")) == 1
    return (b"\xef\xbb\xbf" if bom else b"") + data.replace(cell.encode("utf-8"), cell.encode("gbk"))


@pytest.mark.parametrize("bom", [True, False])
def test_a_utf8_file_with_some_gbk_bytes_names_file_and_row(empty_ctx, tmp_path, bom):
    rows = rows_of(ITEMS)
    path = tmp_path / "items.csv"
    path.write_bytes(_with_gbk_cell(rows, 6, bom))  # row 7 in the spreadsheet
    with pytest.raises(catalog.ServiceError) as info:
        catalog.import_catalog(empty_ctx, None, path)
    message = info.value.message
    assert message.startswith("items.csv 第 7 行含有无法识别的字符")
    assert "编码混杂（部分 UTF-8、部分 GBK）" in message and "另存为 CSV UTF-8" in message
    assert count_items(empty_ctx) == 0


def test_bad_bytes_after_a_multi_line_cell_give_the_spreadsheet_row(empty_ctx, tmp_path):
    rows = rows_of(ITEMS)
    rows[2][rows[0].index("申请条件")] = "第一条\n第二条\n第三条"  # row 3 spans three lines
    path = tmp_path / "items.csv"
    path.write_bytes(_with_gbk_cell(rows, 4, True))  # row 5, the file's line 7
    with pytest.raises(catalog.ServiceError) as info:
        catalog.import_catalog(empty_ctx, None, path)
    assert info.value.message.startswith("items.csv 第 5 行")


def test_a_renamed_file_posing_as_xlsx_is_named_in_chinese(empty_ctx, tmp_path):
    fake = tmp_path / "清单.xlsx"
    fake.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 200)  # what an old .xls starts with
    with pytest.raises(catalog.ServiceError) as info:
        catalog.import_catalog(empty_ctx, None, fake)
    message = info.value.message
    assert "清单.xlsx 不是真正的 Excel .xlsx 文件" in message and "另存为 .xlsx 或 CSV" in message
    assert "zip" not in message


def test_a_missing_items_column_is_reported_alone_and_materials_are_not_checked(empty_ctx, tmp_path):
    rows = rows_of(ITEMS)
    drop = rows[0].index("事项类型")
    cut = [[c for i, c in enumerate(r) if i != drop] for r in rows]
    items = write_rows(tmp_path / "items.csv", cut, "utf-8-sig")
    with pytest.raises(CatalogImportError) as info:
        catalog.import_catalog(empty_ctx, None, items, MATERIALS)
    errors = info.value.errors
    assert [(e.file, e.row, e.column) for e in errors] == [("items.csv", 1, "事项类型")]
    message = info.value.message
    assert "有 1 处错误" in message and "事项清单中没有这个实施编码" not in message
    assert "材料表（township-materials.csv）未检查" in message
    assert count_items(empty_ctx) == 0


def test_a_missing_column_in_the_items_sheet_of_a_workbook_leaves_its_materials_sheet_unchecked(
        empty_ctx, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "事项"
    drop = rows_of(ITEMS)[0].index("承诺时限（工作日）")
    for r in rows_of(ITEMS):
        ws.append([c for i, c in enumerate(r) if i != drop])
    mats = wb.create_sheet("材料")
    for r in rows_of(MATERIALS):
        mats.append(r)
    wb.save(tmp_path / "清单.xlsx")
    with pytest.raises(CatalogImportError) as info:
        catalog.import_catalog(empty_ctx, None, tmp_path / "清单.xlsx")
    assert len(info.value.errors) == 1 and info.value.errors[0].sheet == "事项"
    assert "材料表（清单.xlsx 工作表「材料」）未检查" in info.value.message
