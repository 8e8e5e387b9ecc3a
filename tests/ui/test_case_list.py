"""The 办件 page: lazy model, filters, deadline colours, scanner, keyboard, actions."""

from __future__ import annotations

import datetime as dt


from bench.fake_cases import insert_fake_cases
from clerk_app.domain.status import CaseStatus, MaterialState
from clerk_app.domain.workdays import WorkCalendar
from clerk_app.services import cases, catalog, intake
from clerk_app.services.cases import CaseList
from clerk_app.ui import case_list as case_list_module
from clerk_app.ui import style
from clerk_app.ui.case_detail import CaseDetailDialog
from clerk_app.ui.case_list import (
    COL_CASE_NO,
    COL_CREATED,
    COL_DEADLINE,
    COL_SYNC,
    COLUMNS,
    COL_DUE,
    COL_STATUS,
    PAGE_SIZE,
    CaseListPage,
    COL_ITEM,
    BadgeRole,
    CaseTableModel,
    DeadlineRole,
)
from clerk_app.ui.qt import QtCore, QtWidgets, Qt
from tests.core.helpers import all_received, person
from tests.ui.conftest import type_text


RELIEF = "临时救助申请"  # promised 5 working days
DIBAO = "最低生活保障申请"


def item_named(ctx, name):
    return next(it for it in catalog.current_items(ctx) if it.name == name)


def accept(ctx, clerk, clock, item_name=RELIEF, name="张三", id17="42052819550312001",
           when: dt.datetime | None = None) -> intake.Outcome:
    """Accept a case with all materials, with the clock at ``when`` (then put back)."""
    item = item_named(ctx, item_name)
    saved = clock.now
    clock.now = when or saved
    try:
        return intake.accept(ctx, clerk, intake.IntakeForm(item.id, person(name=name, id17=id17),
                                                           all_received(item)))
    finally:
        clock.now = saved


def notice(ctx, clerk, item_name=DIBAO, name="王五", id17="42052819600101002") -> intake.Outcome:
    item = item_named(ctx, item_name)
    lines = all_received(item)
    lines[1].state = MaterialState.MISSING
    return intake.issue_notice(ctx, clerk, intake.IntakeForm(item.id, person(name=name, id17=id17), lines))


def start_for_due(today: dt.date, workdays: int, due: dt.date) -> dt.date:
    """A working day from which ``workdays`` working days end on ``due``."""
    cal = WorkCalendar()
    day = today
    while cal.add_workdays(day, workdays).date != due:
        day -= dt.timedelta(days=1)
    return day


def make_page(qtbot, ctx, runner, actor, wait_idle) -> CaseListPage:
    page = CaseListPage(ctx, runner, actor)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    settle(qtbot, page)
    return page


def settle(qtbot, page: CaseListPage) -> None:
    """Wait until the typed filter ran, the query came back and the visible rows arrived."""
    qtbot.waitUntil(lambda: not page._search_timer.isActive() and not page._in_flight
                    and page.runner.idle, timeout=10000)
    qtbot.wait(1)  # let the view ask for its visible rows
    qtbot.waitUntil(lambda: page.runner.idle, timeout=10000)


def shown_rows(page: CaseListPage) -> list:
    rows = [page.model.case_row(r) for r in range(page.model.rowCount())]
    assert all(r is not None for r in rows), "every row of a short list has arrived"
    return rows


def activate(qtbot, widget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is widget.window())


# --------------------------------------------------------------------------- the model


def test_model_passes_qtmodeltester_before_and_after_rows_arrive(demo_ctx, runner, wait_idle,
                                                                  qtmodeltester):
    insert_fake_cases(demo_ctx, 450, days=120, history=False)
    model = CaseTableModel(runner)
    qtmodeltester.check(model)  # empty
    model.set_list(CaseList(demo_ctx))
    assert model.rowCount() == 450 and model.columnCount() == len(COLUMNS)
    qtmodeltester.check(model)  # rows still on the way: placeholders
    wait_idle()
    assert model.case_row(0) is not None
    qtmodeltester.check(model)  # with data
    model.set_list(CaseList(demo_ctx, cases.CaseFilter(text="no such applicant")))
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_head_of_a_long_list_then_the_whole_list(demo_ctx, runner, wait_idle, qtmodeltester):
    insert_fake_cases(demo_ctx, 2 * PAGE_SIZE + 50, days=200, history=False)
    head = CaseList(demo_ctx, limit=PAGE_SIZE)
    whole = CaseList(demo_ctx)
    assert not head.complete and whole.complete and head.ids == whole.ids[:PAGE_SIZE]
    model = CaseTableModel(runner)
    model.set_list(head, case_list_module.load_page(head, 0))
    assert model.rowCount() == PAGE_SIZE and model.is_loaded(0)
    qtmodeltester.check(model)
    model.extend_list(whole)
    assert model.rowCount() == len(whole) and model.case_list is whole
    assert model.is_loaded(0)  # the rows on screen kept their data
    assert model.case_row(0).id == whole.ids[0]
    qtmodeltester.check(model)
    model.data(model.index(PAGE_SIZE + 1, 0))
    wait_idle()
    assert model.case_row(PAGE_SIZE + 1).id == whole.ids[PAGE_SIZE + 1]
    # the list changed in between (a case was added): start over rather than mix
    other = CaseList(demo_ctx, cases.CaseFilter(statuses={"accepted"}))
    model.extend_list(other)
    assert model.rowCount() == len(other) and not model.is_loaded(0)


def test_rows_are_read_page_by_page_and_the_cache_is_bounded(demo_ctx, runner, wait_idle,
                                                             monkeypatch, qtbot):
    monkeypatch.setattr(case_list_module, "MAX_CACHED_PAGES", 2)
    insert_fake_cases(demo_ctx, 3 * PAGE_SIZE + 10, days=200, history=False)
    model = CaseTableModel(runner)
    the_list = CaseList(demo_ctx)
    model.set_list(the_list)
    assert model.data(model.index(0, COL_CASE_NO)) == "…"  # asked for, not there yet
    assert model.data(model.index(0, COL_STATUS)) is None
    with qtbot.waitSignal(model.page_loaded) as blocker:
        pass
    assert blocker.args == [0]
    wait_idle()
    assert model.is_loaded(0) and not model.is_loaded(PAGE_SIZE)
    first = model.case_row(0)
    assert first.id == the_list.ids[0]
    assert model.data(model.index(0, COL_CASE_NO)) == first.case_no
    for row in (PAGE_SIZE, 2 * PAGE_SIZE):
        model.data(model.index(row, 0))
        wait_idle()
    assert model.is_loaded(PAGE_SIZE) and model.is_loaded(2 * PAGE_SIZE)
    assert not model.is_loaded(0)  # the least recently used page was dropped
    last = model.rowCount() - 1
    model.data(model.index(last, 0))
    wait_idle()
    assert model.case_row(last).id == the_list.ids[-1]


def test_a_page_of_a_replaced_list_is_ignored(demo_ctx, runner, wait_idle):
    insert_fake_cases(demo_ctx, 30, days=30, history=False)
    model = CaseTableModel(runner)
    model.set_list(CaseList(demo_ctx))
    model.data(model.index(0, 0))  # page 0 of the first list is on its way
    model.set_list(CaseList(demo_ctx, cases.CaseFilter(statuses={"accepted", "submitted"})))
    wait_idle()
    model.data(model.index(0, 0))
    wait_idle()
    statuses = {model.data(model.index(r, 0), case_list_module.StatusRole)
                for r in range(model.rowCount())}
    assert statuses <= {"accepted", "submitted"}


# --------------------------------------------------------------------------- the page


def test_page_lists_newest_first_with_count(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    insert_fake_cases(demo_ctx, 40, days=30, history=False)
    out = accept(demo_ctx, clerk, clock)
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    assert page.count_label.text() == "共 41 件"
    rows = shown_rows(page)
    assert rows[0].id == out.case_id
    created = [r.created_at for r in rows]
    assert created == sorted(created, reverse=True)
    header = page.view.horizontalHeader()
    assert header.sortIndicatorSection() == COL_CREATED
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder


def test_long_list_shows_its_head_first_and_keeps_a_selection_beyond_it(
        demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    insert_fake_cases(demo_ctx, PAGE_SIZE + 100, days=200, history=False)
    page = CaseListPage(demo_ctx, runner, clerk)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    heads = []
    page.model.modelReset.connect(lambda: heads.append(page.model.rowCount()))
    with qtbot.waitSignal(page.list_ready) as ready:
        page.show()
    assert heads == [PAGE_SIZE]  # the first page showed before the whole list was counted
    assert ready.args == [PAGE_SIZE + 100]
    assert page.count_label.text() == f"共 {PAGE_SIZE + 100} 件"
    wait_idle()
    page.view.setCurrentIndex(page.model.index(PAGE_SIZE + 20, 0))
    chosen = page.current_case_id()
    accept(demo_ctx, clerk, clock)
    with qtbot.waitSignal(page.list_ready):
        page.refresh()
    assert page.current_case_id() == chosen
    assert page.view.currentIndex().row() == PAGE_SIZE + 21


def test_filter_by_text_status_and_deadline(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    insert_fake_cases(demo_ctx, 60, days=40, history=False)
    sima = accept(demo_ctx, clerk, clock, name="司马相如", id17="42052819700101013")
    waiting = notice(demo_ctx, clerk)
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)

    type_text(page.search_edit, "司马")  # two characters: LIKE, as typed through an IME
    settle(qtbot, page)
    assert [r.id for r in shown_rows(page)] == [sima.case_id]
    assert page.count_label.text() == "共 1 件"

    page.search_edit.clear()
    type_text(page.search_edit, person(id17="42052819700101013").id_number)
    settle(qtbot, page)
    assert [r.id for r in shown_rows(page)] == [sima.case_id]

    page.search_edit.clear()
    type_text(page.search_edit, "临时救助")
    settle(qtbot, page)
    rows = shown_rows(page)
    assert rows and all("临时救助" in r.item_name for r in rows)
    expected = CaseList(demo_ctx, cases.CaseFilter(text="临时救助")).ids
    assert [r.id for r in rows] == expected

    page.reset_filter()
    settle(qtbot, page)
    page.status_combo.setCurrentIndex(page.status_combo.findData(CaseStatus.AWAITING_SUPPLEMENT.value))
    settle(qtbot, page)
    rows = shown_rows(page)
    assert waiting.case_id in [r.id for r in rows]
    assert {r.status for r in rows} == {CaseStatus.AWAITING_SUPPLEMENT.value}

    page.status_combo.setCurrentIndex(page.status_combo.findData(case_list_module.OPEN_FILTER))
    settle(qtbot, page)
    assert {r.status for r in shown_rows(page)} <= {"accepted", "submitted", "in_review"}

    page.reset_filter()
    page.deadline_combo.setCurrentIndex(page.deadline_combo.findData("overdue"))
    settle(qtbot, page)
    rows = shown_rows(page)
    assert rows, "the fake cases include some past their promised date"
    assert all(r.deadline == "overdue" for r in rows)
    assert len(rows) == len(CaseList(demo_ctx, cases.CaseFilter(deadline="overdue")))


def test_date_range_filter(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    old = accept(demo_ctx, clerk, clock, when=clock.now - dt.timedelta(days=45))
    new = accept(demo_ctx, clerk, clock, name="李四", id17="42052819800101023")
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    assert page.model.rowCount() == 2
    assert not page.date_from.isEnabled()
    page.date_check.setChecked(True)
    settle(qtbot, page)
    assert [r.id for r in shown_rows(page)] == [new.case_id]  # the last 30 days by default
    page.date_from.setDate(page.date_from.date().addDays(-30))
    settle(qtbot, page)
    assert [r.id for r in shown_rows(page)] == [new.case_id, old.case_id]
    page.date_to.setDate(page.date_to.date().addDays(-10))
    settle(qtbot, page)
    assert [r.id for r in shown_rows(page)] == [old.case_id]


def test_approaching_and_overdue_rows_are_coloured(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    today = clock.now.date()
    cal = WorkCalendar()
    due_soon = cal.add_workdays(today, 1).date
    start = start_for_due(today, 5, due_soon)
    soon = accept(demo_ctx, clerk, clock, name="预警人", id17="42052819700101021",
                  when=dt.datetime.combine(start, dt.time(9, 0)))
    late = accept(demo_ctx, clerk, clock, name="超期人", id17="42052819700101030",
                  when=clock.now - dt.timedelta(days=40))
    fine = accept(demo_ctx, clerk, clock, name="正常人", id17="42052819700101048")
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    model = page.model
    by_id = {model.case_id(r): r for r in range(model.rowCount())}

    def colour(case_id, col, role=Qt.ItemDataRole.BackgroundRole):
        value = model.data(model.index(by_id[case_id], col), role)
        return value.name() if value is not None else None

    assert model.data(model.index(by_id[soon.case_id], 0), DeadlineRole) == "approaching"
    assert model.data(model.index(by_id[late.case_id], 0), DeadlineRole) == "overdue"
    assert model.data(model.index(by_id[fine.case_id], 0), DeadlineRole) == "normal"
    # the whole row is tinted softly, the 时限状态 cell carries a badge in the strong colour
    assert colour(soon.case_id, COL_CASE_NO) == style.APPROACHING_BG.lower()
    assert colour(soon.case_id, COL_DEADLINE) == style.APPROACHING_BG.lower()
    assert colour(soon.case_id, COL_DEADLINE, BadgeRole) == style.APPROACHING_STRONG.lower()
    assert colour(late.case_id, COL_CASE_NO) == style.OVERDUE_BG.lower()
    assert colour(late.case_id, COL_DEADLINE, BadgeRole) == style.OVERDUE_STRONG.lower()
    assert colour(fine.case_id, COL_CASE_NO) is None
    assert colour(fine.case_id, COL_DEADLINE, BadgeRole) is None
    # as painted: tint in the row, badge in the cell, and the badge stays on the selected row
    page.view.setCurrentIndex(model.index(by_id[late.case_id], 0))
    shot = page.view.viewport().grab().toImage()

    def pixel(case_id, col, dx=0):
        rect = page.view.visualRect(model.index(by_id[case_id], col))
        return shot.pixelColor(rect.center().x() + dx, rect.top() + 3).name()

    assert pixel(soon.case_id, COL_ITEM) == style.APPROACHING_BG.lower()
    soon_badge = page.view.visualRect(model.index(by_id[soon.case_id], COL_DEADLINE))
    assert shot.pixelColor(soon_badge.left() + 14, soon_badge.center().y()).name() == \
        style.APPROACHING_STRONG.lower()
    late_badge = page.view.visualRect(model.index(by_id[late.case_id], COL_DEADLINE))
    assert shot.pixelColor(late_badge.left() + 14, late_badge.center().y()).name() == \
        style.OVERDUE_STRONG.lower()
    assert pixel(late.case_id, COL_ITEM) == style.ACCENT.lower()  # selected
    assert model.data(model.index(by_id[soon.case_id], COL_DEADLINE)) == "预警"
    assert model.data(model.index(by_id[late.case_id], COL_DEADLINE)) == "超期"
    assert model.data(model.index(by_id[fine.case_id], COL_DEADLINE)) == "正常"
    # the text on the strong colours stays readable (dark on yellow, white on red)
    assert colour(soon.case_id, COL_DEADLINE, Qt.ItemDataRole.ForegroundRole) == "#3d2e00"
    assert colour(late.case_id, COL_DEADLINE, Qt.ItemDataRole.ForegroundRole) == "#ffffff"
    # the counts above the table, and clicking one filters
    assert page.approaching_button.isVisible() and page.approaching_button.text() == "预警 1 件"
    assert page.overdue_button.text() == "超期 1 件"
    page.overdue_button.click()
    settle(qtbot, page)
    assert [r.id for r in shown_rows(page)] == [late.case_id]


def test_estimated_due_date_is_marked(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    clock.now = dt.datetime(2026, 12, 28, 10, 0)  # 5 working days reach into 2027: estimated
    out = accept(demo_ctx, clerk, clock)
    assert out.due_estimated
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    text = page.model.data(page.model.index(0, COL_DUE))
    assert text == f"{out.due_date.isoformat()}（估）"
    assert "估算" in page.model.data(page.model.index(0, COL_DUE), Qt.ItemDataRole.ToolTipRole)


def test_scanning_a_case_number_opens_the_case(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    insert_fake_cases(demo_ctx, 20, days=20, history=False)
    out = accept(demo_ctx, clerk, clock)
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    opened = []
    page.case_opened.connect(opened.append)
    # the scanner types the number as plain keys, then Enter
    qtbot.keyClicks(page.search_edit, out.case_no.replace("-", ""))
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.detail_dialog is not None, timeout=5000)
    dialog = page.detail_dialog
    assert isinstance(dialog, CaseDetailDialog)
    qtbot.waitUntil(lambda: dialog.data is not None, timeout=5000)
    assert dialog.case_no_label.text() == out.case_no
    assert opened == [out.case_id]
    settle(qtbot, page)
    assert [r.id for r in shown_rows(page)] == [out.case_id]
    dialog.reject()
    qtbot.waitUntil(lambda: page.detail_dialog is None)
    assert page.search_edit.selectedText() == page.search_edit.text()  # the next scan replaces it


def test_scanning_an_unknown_or_garbled_number_says_so(demo_ctx, clerk, clock, runner, wait_idle,
                                                       qtbot):
    out = accept(demo_ctx, clerk, clock)
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    digits = out.case_no.replace("-", "")
    other_seq = digits[:14] + "0999"
    from clerk_app.domain.ids import iso7064_mod11_2

    unknown = other_seq + iso7064_mod11_2(other_seq)
    qtbot.keyClicks(page.search_edit, unknown)
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    settle(qtbot, page)
    assert page.detail_dialog is None
    assert "本机没有办件" in page.message_label.text()
    assert page.count_label.text() == "共 0 件"
    assert page.stack.currentWidget() is page.empty_label

    page.search_edit.clear()
    garbled = digits[:-1] + ("0" if digits[-1] != "0" else "1")
    qtbot.keyClicks(page.search_edit, garbled)
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    settle(qtbot, page)
    assert page.detail_dialog is None
    assert "校验位" in page.message_label.text()


def test_keyboard_ctrl_f_down_and_enter(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    first = accept(demo_ctx, clerk, clock)
    second = accept(demo_ctx, clerk, clock, name="李四", id17="42052819800101023")
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    activate(qtbot, page)
    page.view.setFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.search_edit.hasFocus()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    assert page.view.hasFocus()
    assert page.current_case_id() == second.case_id  # the newest, at the top
    qtbot.keyClick(page.view, Qt.Key.Key_Down)
    assert page.current_case_id() == first.case_id
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.detail_dialog is not None)
    assert page.detail_dialog.case_id == first.case_id
    wait_idle()
    page.detail_dialog.reject()


def test_double_click_opens_the_case(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    out = accept(demo_ctx, clerk, clock)
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    rect = page.view.visualRect(page.model.index(0, COL_STATUS))
    qtbot.mouseClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(page.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: page.detail_dialog is not None)
    assert page.detail_dialog.case_id == out.case_id
    wait_idle()
    page.detail_dialog.reject()


def test_supplement_action_only_for_a_waiting_case(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    done = accept(demo_ctx, clerk, clock)
    waiting = notice(demo_ctx, clerk)
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    rows = {page.model.case_id(r): r for r in range(page.model.rowCount())}
    page.view.setCurrentIndex(page.model.index(rows[done.case_id], 0))
    assert page.open_button.isEnabled()
    assert not page.supplement_button.isEnabled() and not page.supplement_action.isEnabled()
    page.view.setCurrentIndex(page.model.index(rows[waiting.case_id], 0))
    assert page.supplement_button.isEnabled() and page.supplement_action.isEnabled()
    with qtbot.waitSignal(page.supplement_requested) as blocker:
        page.supplement_button.click()
    assert blocker.args == [waiting.case_id]
    with qtbot.waitSignal(page.supplement_requested) as blocker:
        page.supplement_action.trigger()  # the same from the context menu
    assert blocker.args == [waiting.case_id]
    page.copy_action.trigger()
    assert QtWidgets.QApplication.clipboard().text() == waiting.case_no


def test_context_menu_offers_the_actions(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    waiting = notice(demo_ctx, clerk)
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    page.view.setCurrentIndex(QtCore.QModelIndex())
    assert page.context_menu(QtCore.QPoint(5, page.view.viewport().height() - 2)) is None  # no row
    pos = page.view.visualRect(page.model.index(0, 1)).center()
    menu = page.context_menu(pos)
    texts = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert texts == ["查看办件", "补正受理…", "复制办件编号"]
    assert all(a.isEnabled() for a in menu.actions() if not a.isSeparator())
    assert page.current_case_id() == waiting.case_id
    menu.close()


def test_refresh_keeps_filter_and_selection(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    insert_fake_cases(demo_ctx, 30, days=30, history=False)
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    page.view.setCurrentIndex(page.model.index(3, 0))
    chosen = page.current_case_id()
    accept(demo_ctx, clerk, clock)  # a new case arrives at the top
    page.refresh()
    settle(qtbot, page)
    assert page.model.rowCount() == 31
    assert page.current_case_id() == chosen
    assert page.view.currentIndex().row() == 4

    page.status_combo.setCurrentIndex(page.status_combo.findData(case_list_module.OPEN_FILTER))
    settle(qtbot, page)
    n = page.model.rowCount()
    accept(demo_ctx, clerk, clock, name="李四", id17="42052819800101023")
    page.refresh()
    settle(qtbot, page)
    assert page.model.rowCount() == n + 1  # still only the open cases, plus the new one
    assert page.status_combo.currentData() == case_list_module.OPEN_FILTER


def test_sort_by_due_date_in_sql(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    insert_fake_cases(demo_ctx, 50, days=40, history=False)
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    header = page.view.horizontalHeader()
    header.sectionClicked.emit(COL_DUE)
    settle(qtbot, page)
    assert page.sort == ("due_date", False)
    dues = [r.due_date for r in shown_rows(page)]
    dated = [d for d in dues if d is not None]
    assert dated == sorted(dated)
    assert dues[: len(dated)] == dated  # no due date: last
    header.sectionClicked.emit(COL_DUE)
    settle(qtbot, page)
    assert page.sort == ("due_date", True)
    dated = [r.due_date for r in shown_rows(page) if r.due_date is not None]
    assert dated == sorted(dated, reverse=True)
    header.sectionClicked.emit(COL_STATUS)  # not sortable: nothing changes
    assert page.sort == ("due_date", True)
    assert header.sortIndicatorSection() == COL_DUE


def test_rapid_typing_runs_only_the_latest_query(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    accept(demo_ctx, clerk, clock, name="司马相如", id17="42052819700101013")
    accept(demo_ctx, clerk, clock, name="李四", id17="42052819800101023")
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    for text in ("司", "司马", "李"):
        page.search_edit.setText(text)
        page.apply_filter()  # as if each pause in typing ran a query
    settle(qtbot, page)
    assert [r.applicant_name for r in shown_rows(page)] == ["李四"]


def test_each_case_shows_whether_the_county_has_it(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    from sqlalchemy import update

    from clerk_app.store.models import OutboxRecord
    from clerk_app.sync import protocol as P

    waiting = accept(demo_ctx, clerk, clock, name="甲")
    sent = accept(demo_ctx, clerk, clock, name="乙", id17="42052819550312011")
    rejected = accept(demo_ctx, clerk, clock, name="丙", id17="42052819550312021")
    with demo_ctx.tx() as s:
        s.execute(update(OutboxRecord).where(OutboxRecord.entity_key == sent.case_no)
                  .values(state=P.SENT))
        s.execute(update(OutboxRecord).where(OutboxRecord.entity_key == rejected.case_no)
                  .values(state=P.SET_ASIDE, reason="事项编码在县中心不存在"))
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    by_no = {}
    for row in range(page.model.rowCount()):
        no = page.model.data(page.model.index(row, COL_CASE_NO))
        by_no[no] = row
    cell = lambda out, role=Qt.ItemDataRole.DisplayRole: page.model.data(  # noqa: E731
        page.model.index(by_no[out.case_no], COL_SYNC), role)
    assert cell(waiting) == "待上传"
    assert cell(sent) == "已上传"
    assert cell(rejected) == "被拒收"
    assert "事项编码在县中心不存在" in cell(rejected, Qt.ItemDataRole.ToolTipRole)
