"""The supervisor's dialogs: operators, catalog import, calendar overrides, audit log."""

from __future__ import annotations

import datetime as dt

import pytest

from clerk_app.services import auth, calendar, catalog, setup
from clerk_app.ui.qt import QtCore, Qt
from tests.ui.conftest import type_text



def _idle(qtbot, runner) -> None:
    qtbot.waitUntil(lambda: runner.idle, timeout=15000)


@pytest.fixture
def operators(qtbot, demo_ctx, supervisor, runner):
    from clerk_app.ui.admin_dialogs import OperatorsDialog

    d = OperatorsDialog(demo_ctx, runner, supervisor)
    qtbot.addWidget(d)
    d.show()
    _idle(qtbot, runner)
    return d


def _usernames(dialog) -> list[str]:
    return [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]


def test_operators_are_listed_with_role_and_state(operators):
    assert _usernames(operators) == ["admin", "zhangli", "liqiang"]
    assert operators.table.item(0, 2).text() == "负责人"
    assert operators.table.item(1, 2).text() == "窗口人员"
    assert operators.table.item(1, 3).text() == "正常"


def test_add_operator_through_the_dialog(qtbot, operators, demo_ctx, runner):
    qtbot.mouseClick(operators.add_button, Qt.MouseButton.LeftButton)
    add = operators.add_dialog
    qtbot.keyClicks(add.username_edit, "wangfang")
    type_text(add.name_edit, "王芳")
    add.role_combo.setCurrentIndex(add.role_combo.findData("clerk"))
    qtbot.keyClicks(add.passwords.first, "window2026")
    qtbot.keyClicks(add.passwords.second, "window2025")
    add.submit()
    assert "不一致" in add.message.text()
    assert runner.idle

    add.passwords.second.clear()
    qtbot.keyClicks(add.passwords.second, "window2026")
    with qtbot.waitSignal(add.added, timeout=10000):
        add.submit()
    _idle(qtbot, runner)
    assert "wangfang" in _usernames(operators)
    assert "已新增操作员 wangfang" in operators.message.text()
    actor = auth.login(demo_ctx, "wangfang", "window2026")
    assert actor.name == "王芳" and not actor.is_supervisor


def test_duplicate_username_is_refused_with_the_service_message(qtbot, operators, runner):
    operators.open_add()
    add = operators.add_dialog
    qtbot.keyClicks(add.username_edit, "zhangli")
    type_text(add.name_edit, "张丽二")
    qtbot.keyClicks(add.passwords.first, "window2026")
    qtbot.keyClicks(add.passwords.second, "window2026")
    add.submit()
    _idle(qtbot, runner)
    assert "已存在" in add.message.text()
    assert add.isVisible()


def test_disable_enable_unlock_and_reset(qtbot, operators, demo_ctx, runner):
    operators.select_username("liqiang")
    assert operators.toggle_button.text() == "停用"
    qtbot.mouseClick(operators.toggle_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    row = _usernames(operators).index("liqiang")
    assert operators.table.item(row, 3).text() == "已停用"
    with pytest.raises(Exception):
        auth.login(demo_ctx, "liqiang", setup.DEMO_PASSWORD)
    assert operators.toggle_button.text() == "启用"
    qtbot.mouseClick(operators.toggle_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    assert operators.table.item(row, 3).text() == "正常"

    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        with pytest.raises(Exception):
            auth.login(demo_ctx, "liqiang", "bad-pass-1")
    operators.refresh()
    _idle(qtbot, runner)
    assert operators.table.item(row, 3).text().startswith("已锁定")
    operators.select_username("liqiang")
    assert operators.unlock_button.isEnabled()
    qtbot.mouseClick(operators.unlock_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    assert operators.table.item(row, 3).text() == "正常"
    assert auth.login(demo_ctx, "liqiang", setup.DEMO_PASSWORD).username == "liqiang"


def test_supervisor_cannot_disable_themself(qtbot, operators, runner):
    operators.select_username("admin")
    qtbot.mouseClick(operators.toggle_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    assert "不能停用自己" in operators.message.text()


@pytest.fixture
def import_dialog(qtbot, demo_ctx, supervisor, runner):
    from clerk_app.ui.admin_dialogs import CatalogImportDialog

    d = CatalogImportDialog(demo_ctx, runner, supervisor)
    qtbot.addWidget(d)
    d.show()
    return d


def _catalog_snapshot(ctx):
    return sorted((it.code, it.name, it.promised_limit, len(it.materials)) for it in catalog.current_items(ctx))


def test_broken_csv_shows_every_row_and_column_and_imports_nothing(qtbot, import_dialog, demo_ctx,
                                                                   runner, tmp_path):
    before = _catalog_snapshot(demo_ctx)
    versions_before = catalog.catalog_version_info(demo_ctx).id
    items_src, materials_src = setup.demo_catalog_paths()
    lines = items_src.read_text(encoding="utf-8-sig").splitlines()
    row2 = lines[1].split(",")
    row2[1] = "最低生活保障申请（新）"  # a change that must NOT land
    row2[7] = "40"  # promised 40 > legal 30
    row3 = lines[2].split(",")
    row3[12] = "也许"  # 是否可代办
    broken = tmp_path / "县事项清单.csv"
    broken.write_text("\n".join([lines[0], ",".join(row2), ",".join(row3), *lines[3:]]) + "\n",
                      encoding="utf-8-sig")

    import_dialog.items_field.set_path(broken)
    import_dialog.materials_field.set_path(materials_src)
    qtbot.mouseClick(import_dialog.import_button, Qt.MouseButton.LeftButton)
    assert import_dialog.progress.isVisible()
    _idle(qtbot, runner)
    assert not import_dialog.progress.isVisible()
    errors = import_dialog.errors()
    assert len(errors) == 2
    assert "县事项清单.csv 第 2 行「承诺时限（工作日）」列" in errors[0]
    assert "县事项清单.csv 第 3 行「是否可代办」列" in errors[1]
    assert "没有导入任何内容" in import_dialog.summary_label.text()
    assert _catalog_snapshot(demo_ctx) == before
    assert catalog.catalog_version_info(demo_ctx).id == versions_before


def test_good_import_shows_the_summary(qtbot, import_dialog, demo_ctx, runner, tmp_path):
    items_src, materials_src = setup.demo_catalog_paths()
    lines = items_src.read_text(encoding="utf-8-sig").splitlines()
    row2 = lines[1].split(",")
    row2[7] = "8"
    changed = tmp_path / "items.csv"
    changed.write_text("\n".join([lines[0], ",".join(row2), *lines[2:]]) + "\n", encoding="gb18030")
    import_dialog.items_field.set_path(changed)
    import_dialog.materials_field.set_path(materials_src)
    with qtbot.waitSignal(import_dialog.imported, timeout=15000):
        import_dialog.start_import()
    assert "更新 1 项" in import_dialog.summary_label.text()
    assert not import_dialog.error_list.isVisible()
    item = next(it for it in catalog.current_items(demo_ctx) if it.name == "最低生活保障申请")
    assert item.promised_limit == 8


def test_missing_file_is_explained(qtbot, import_dialog, runner, tmp_path):
    import_dialog.items_field.set_path(tmp_path / "nope.csv")
    import_dialog.start_import()
    _idle(qtbot, runner)
    assert any("找不到文件" in e for e in import_dialog.errors())


@pytest.fixture
def calendar_dialog(qtbot, demo_ctx, supervisor, runner):
    from clerk_app.ui.admin_dialogs import CalendarDialog

    d = CalendarDialog(demo_ctx, runner, supervisor)
    qtbot.addWidget(d)
    d.show()
    _idle(qtbot, runner)
    return d


def test_calendar_overrides_add_and_remove(qtbot, calendar_dialog, demo_ctx, runner):
    d = calendar_dialog
    assert "2026-12-31" in d.coverage_label.text()
    assert "2027" in d.warning_label.text() and d.warning_label.isVisible()
    assert d.table.rowCount() == 0

    d.date_edit.setDate(QtCore.QDate(2027, 2, 6))
    d.kind_combo.setCurrentIndex(d.kind_combo.findData(True))
    d.add_override()
    assert "原因" in d.message.text()  # a reason is required
    type_text(d.note_edit, "2027 年春节调休")
    d.add_override()
    _idle(qtbot, runner)
    assert d.table.rowCount() == 1
    assert [d.table.item(0, c).text() for c in range(5)] == [
        "2027-02-06", "星期六", "工作日", "2027 年春节调休", "本机"]
    assert calendar.calendar(demo_ctx).is_workday(dt.date(2027, 2, 6))[0]

    d.table.selectRow(0)
    d.remove_selected()
    _idle(qtbot, runner)
    assert d.table.rowCount() == 0
    assert calendar.list_overrides(demo_ctx) == []


def test_calendar_year_marked_complete_in_the_dialog(qtbot, calendar_dialog, demo_ctx, runner):
    from sqlalchemy import select

    from clerk_app.store.models import AuditLog

    d = calendar_dialog
    assert d.year_spin.value() == 2027 and "尚未标记" in d.years_label.text()
    assert d.year_complete_button.isEnabled() and not d.year_incomplete_button.isEnabled()
    d.year_complete_button.click()  # nothing entered for 2027 yet: refused, with the reason
    _idle(qtbot, runner)
    assert "还没有录入任何节假日" in d.message.text() and calendar.list_complete_years(demo_ctx) == []

    d.date_edit.setDate(QtCore.QDate(2027, 1, 1))
    d.kind_combo.setCurrentIndex(d.kind_combo.findData(False))
    type_text(d.note_edit, "2027 年元旦")
    d.add_override()
    _idle(qtbot, runner)
    d.year_complete_button.click()
    _idle(qtbot, runner)
    assert "已标记 2027 年节假日安排已全部录入" in d.message.text()
    assert "2027 年（本机）" in d.years_label.text()
    assert "2027-12-31" in d.coverage_label.text() and not d.warning_label.isVisible()
    assert not d.year_complete_button.isEnabled() and d.year_incomplete_button.isEnabled()
    with demo_ctx.tx() as s:
        assert s.scalar(select(AuditLog.entity_id).where(AuditLog.action == "calendar_year_complete")) == "2027"

    d.year_incomplete_button.click()
    _idle(qtbot, runner)
    assert calendar.list_complete_years(demo_ctx) == [] and d.warning_label.isVisible()


def test_audit_log_is_newest_first_and_read_only(qtbot, demo_ctx, supervisor, runner, qtmodeltester):
    from clerk_app.ui.admin_dialogs import AuditLogDialog

    auth.unlock_operator(demo_ctx, supervisor, 2)
    d = AuditLogDialog(demo_ctx)
    qtbot.addWidget(d)
    d.show()
    model = d.model
    assert model.rowCount() > 3
    assert model.index(0, 2).data() == "解锁操作员"
    assert "王建华" in model.index(0, 1).data()
    times = [model.row_at(r).at for r in range(model.rowCount())]
    assert times == sorted(times, reverse=True)
    actions = [model.index(r, 2).data() for r in range(model.rowCount())]
    assert "设置服务点" in actions and "导入事项清单" in actions and "登录" in actions
    assert not (model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsEditable)
    qtmodeltester.check(model)


def test_audit_log_pages_as_it_scrolls(qtbot, demo_ctx, supervisor):
    from clerk_app.ui.admin_dialogs import AuditLogModel

    for _ in range(30):
        auth.unlock_operator(demo_ctx, supervisor, 3)
    model = AuditLogModel(demo_ctx)
    model.PAGE = 10
    model.reload()
    assert model.rowCount() == 10
    assert model.canFetchMore(QtCore.QModelIndex())
    while model.canFetchMore(QtCore.QModelIndex()):
        model.fetchMore(QtCore.QModelIndex())
    ids = [model.row_at(r).id for r in range(model.rowCount())]
    assert ids == sorted(ids, reverse=True) and len(ids) == len(set(ids)) > 30


def test_main_window_admin_menu_opens_the_dialogs(qtbot, demo_ctx, supervisor, runner):
    from clerk_app.ui.main_window import MainWindow

    w = MainWindow(demo_ctx, runner, supervisor, idle_lock_ms=0)
    qtbot.addWidget(w)
    w.show()
    w.operators_action.trigger()
    assert w.operators_dialog.isVisible()
    w.operators_dialog.close()
    w.calendar_action.trigger()
    assert w.calendar_dialog.isVisible()
    w.calendar_dialog.close()
    w.audit_action.trigger()
    assert w.audit_dialog.model.rowCount() > 0
    w.audit_dialog.close()
    w.import_action.trigger()
    assert w.import_dialog.isVisible()
    _idle(qtbot, runner)

    # a finished import reloads the catalog everywhere it is shown, and the status bar
    reloaded = []
    w.intake_page.reload_catalog = lambda: reloaded.append("intake")
    items_src, materials_src = setup.demo_catalog_paths()
    w.import_dialog.items_field.set_path(items_src)
    w.import_dialog.materials_field.set_path(materials_src)
    with qtbot.waitSignal(w.catalog_page.loaded, timeout=15000):
        w.import_dialog.start_import()
    assert reloaded == ["intake"]
    assert "未变 26 项" in w.import_dialog.summary_label.text()
    w.import_dialog.close()
    _idle(qtbot, runner)


def test_audit_details_read_as_words():
    from clerk_app.ui.admin_dialogs import format_detail

    assert format_detail({"username": "liqiang", "role": "clerk"}) == "用户名：liqiang，角色：窗口人员"
    assert format_detail({"is_workday": True, "note": "调休"}) == "调整为：工作日，原因：调休"
    assert format_detail({}) == ""


def test_retiring_items_is_listed_and_confirmed_first(qtbot, import_dialog, demo_ctx, runner,
                                                      tmp_path, monkeypatch):
    items_src, _materials = setup.demo_catalog_paths()
    lines = items_src.read_text(encoding="utf-8-sig").splitlines()
    partial = tmp_path / "partial.csv"
    partial.write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")  # two items only
    before = _catalog_snapshot(demo_ctx)
    asked = []

    def answer(count, names, reply):
        asked.append((count, names))
        return reply

    import_dialog.items_field.set_path(partial)
    import_dialog.remove_missing_box.setChecked(True)
    monkeypatch.setattr(import_dialog, "confirm_removal", lambda n, names: answer(n, names, False))
    import_dialog.start_import()
    qtbot.waitUntil(lambda: bool(asked) and runner.idle, timeout=15000)
    assert asked[0][0] == len(before) - 2 and "老年人优待证申领" in asked[0][1]
    assert "已取消" in import_dialog.summary_label.text()
    assert _catalog_snapshot(demo_ctx) == before  # nothing written
    monkeypatch.setattr(import_dialog, "confirm_removal", lambda n, names: answer(n, names, True))
    with qtbot.waitSignal(import_dialog.imported, timeout=15000):
        import_dialog.start_import()
    assert len(catalog.current_items(demo_ctx)) == 2
    assert f"停用 {len(before) - 2} 项" in import_dialog.summary_label.text()


def test_one_workbook_with_both_sheets_is_enough(qtbot, import_dialog, demo_ctx, runner, tmp_path):
    from tests.core.helpers import SHEET_TITLE, csv_rows, write_workbook

    before = _catalog_snapshot(demo_ctx)
    items_src, materials_src = setup.demo_catalog_paths()
    irows, mrows = csv_rows(items_src), csv_rows(materials_src)
    copies = mrows[0].index("份数")
    mrows[9][copies] = "若干"  # sheet row 12, below the title, a blank line and the header
    book = tmp_path / "book.xlsx"
    write_workbook(book, [("事项", irows, SHEET_TITLE), ("材料", mrows, SHEET_TITLE)])

    import_dialog.items_field.set_path(book)  # the materials field stays empty
    assert import_dialog.import_button.isEnabled()
    qtbot.mouseClick(import_dialog.import_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    errors = import_dialog.errors()
    assert len(errors) == 1
    assert errors[0].startswith("book.xlsx 工作表「材料」第 12 行「份数」列：「若干」不是整数")
    assert "没有导入任何内容" in import_dialog.summary_label.text()
    assert _catalog_snapshot(demo_ctx) == before

    mrows[9][copies] = "3"
    write_workbook(book, [("事项", irows, SHEET_TITLE), ("材料", mrows, SHEET_TITLE)])
    with qtbot.waitSignal(import_dialog.imported, timeout=15000):
        qtbot.mouseClick(import_dialog.import_button, Qt.MouseButton.LeftButton)
    assert "更新 1 项" in import_dialog.summary_label.text()
    assert not import_dialog.error_list.isVisible()
    name = mrows[9][mrows[0].index("材料名称")]
    code = mrows[9][mrows[0].index("实施编码")]
    item = next(it for it in catalog.current_items(demo_ctx) if it.code == code)
    assert next(m for m in item.materials if m.name == name).copies == 3


def test_a_password_of_spaces_is_refused_in_the_dialog(qtbot, operators, runner):
    operators.open_add()
    add = operators.add_dialog
    qtbot.keyClicks(add.username_edit, "blankpw")
    type_text(add.name_edit, "空格")
    for edit in (add.passwords.first, add.passwords.second):
        qtbot.keyClicks(edit, " " * 8)
    add.submit()
    assert "全是空格" in add.message.text()
    assert runner.idle and "blankpw" not in _usernames(operators)
