"""The 办件详情 dialog: header, applicant, item version, checklist, documents, history, actions."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from clerk_app.domain import ids
from clerk_app.domain.status import MaterialState
from clerk_app.services import auth, catalog, documents, intake, setup
from clerk_app.services.common import ServiceError
from clerk_app.ui import style
from clerk_app.ui.case_detail import CaseDetailDialog, WithdrawDialog
from clerk_app.ui.case_list import CaseListPage
from clerk_app.ui.printing import DocumentPreviewDialog
from clerk_app.ui.qt import QtWidgets
from tests.core.helpers import all_received, person
from tests.ui.conftest import type_text


DIBAO = "最低生活保障申请"
RELIEF = "临时救助申请"
ID17 = "42052819550312001"


def item_named(ctx, name):
    return next(it for it in catalog.current_items(ctx) if it.name == name)


def notice_then_accept(ctx, clerk, clock):
    """One-time notice (one missing, one wrong), the citizen comes back two days later."""
    item = item_named(ctx, DIBAO)
    lines = all_received(item)
    lines[2].state = MaterialState.MISSING  # 户口簿
    lines[3].state = MaterialState.WRONG
    lines[3].problem = "缺少家庭成员签字"
    first = intake.issue_notice(ctx, clerk, intake.IntakeForm(item.id, person(), lines))
    clock.advance(days=2)
    lines = all_received(item)
    done = intake.supplement(ctx, clerk, first.case_id, lines, "accept")
    return item, lines, first, done


def open_dialog(qtbot, ctx, runner, actor, case_id, wait_idle) -> CaseDetailDialog:
    dialog = CaseDetailDialog(ctx, runner, actor, case_id)
    qtbot.addWidget(dialog)
    dialog.show()
    wait_idle()
    assert dialog.data is not None or dialog.banner.isVisible()
    return dialog


def column(table: QtWidgets.QTableWidget, col: int) -> list[str]:
    return [table.item(r, col).text() for r in range(table.rowCount())]


def all_label_text(widget: QtWidgets.QWidget) -> str:
    parts = [lb.text() for lb in widget.findChildren(QtWidgets.QLabel)]
    parts += [le.text() for le in widget.findChildren(QtWidgets.QLineEdit)]
    return "\n".join(parts)


def test_history_documents_and_checklist_after_notice_supplement_accept(
        demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    item, lines, first, done = notice_then_accept(demo_ctx, clerk, clock)
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, done.case_id, wait_idle)

    assert dialog.case_no_label.text() == done.case_no
    assert dialog.windowTitle() == f"办件详情 {done.case_no}"
    assert dialog.status_badge.text() == "已受理"
    assert dialog.deadline_badge.text() == "时限正常"
    dates = dialog.dates_label.text()
    assert f"承诺办结日 {done.due_date.isoformat()}" in dates
    assert "法定办结日" in dates and "登记人 张丽（窗口受理）" in dates

    # applicant: the ID number only masked, anywhere in the dialog
    text = all_label_text(dialog)
    full = person().id_number
    assert full not in text
    assert ids.mask_id(full) in text and "张三" in text
    # the item as it was taken
    assert item.name in text and item.code in text and "第 1 版清单" in text

    history = dialog.history_table
    assert column(history, 2) == ["出具一次性告知书", "补正材料", "受理，出具受理回执"]
    assert column(history, 1) == ["张丽"] * 3
    assert column(history, 3) == ["待补正", "待补正", "待补正 → 已受理"]
    assert column(history, 0)[0] == "2026-12-03 10:00" and column(history, 0)[2] == "2026-12-05 10:00"
    notice_detail = history.item(0, 4).text()
    assert "缺少或有误：户口簿、家庭经济状况核对授权书" in notice_detail
    assert "文书：" in notice_detail
    assert "补交：" in history.item(1, 4).text() and "户口簿" in history.item(1, 4).text()

    docs = dialog.documents_table
    assert column(docs, 0) == ["一次性告知书", "受理回执"]
    notice_doc = documents.get_document(demo_ctx, first.document_id)
    receipt_doc = documents.get_document(demo_ctx, done.document_id)
    assert column(docs, 1) == [notice_doc.doc_no, receipt_doc.doc_no]
    assert column(docs, 2) == ["2026-12-03 10:00\n张丽", "2026-12-05 10:00\n张丽"]
    assert column(docs, 3) == ["未打印", "未打印"]
    assert len(dialog.document_buttons()) == 2

    materials = dialog.materials_table
    assert materials.rowCount() == len(lines)
    assert column(materials, 1) == [ln.name for ln in lines]
    states = column(materials, 4)
    assert states[2] == "原件核验、收复印件" and "不适用" in states

    assert dialog.withdraw_button.isVisible()  # accepted, not yet submitted
    assert not dialog.supplement_button.isVisible()


def test_documents_show_prints_and_reprints_and_open_the_preview(
        demo_ctx, clerk, clock, runner, wait_idle, qtbot, tmp_path):
    _item, _lines, _first, done = notice_then_accept(demo_ctx, clerk, clock)
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, done.case_id, wait_idle)
    receipt_button = dialog.document_buttons()[1]
    assert int(receipt_button.property("doc_id")) == done.document_id
    receipt_button.click()
    preview = next(w for w in QtWidgets.QApplication.topLevelWidgets()
                   if isinstance(w, DocumentPreviewDialog) and w.isVisible())
    assert preview.doc_id == done.document_id
    wait_idle()

    # printed once, then saved once more by another clerk: the second is a copy (补打)
    documents.record_print(demo_ctx, clerk, done.document_id, "a4", "窗口打印机", False)
    clock.advance(hours=1)
    liqiang = auth.login(demo_ctx, "liqiang", "demo1234")
    documents.save_pdf(demo_ctx, liqiang, done.document_id, "r80", tmp_path / "2.pdf")
    with qtbot.waitSignal(dialog.loaded):
        preview.printed.emit(done.document_id, True)
    prints = dialog.documents_table.item(1, 3).text().splitlines()
    assert prints == ["2026-12-05 10:00 张丽 原件 A4 纸",
                      "2026-12-05 11:00 李强 补打 80 毫米小票 PDF"]
    assert dialog.documents_table.item(0, 3).text() == "未打印"
    preview.close()
    wait_idle()


def test_withdraw_needs_a_reason(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    item = item_named(demo_ctx, DIBAO)
    lines = all_received(item)
    lines[2].state = MaterialState.MISSING
    waiting = intake.issue_notice(demo_ctx, clerk, intake.IntakeForm(item.id, person(), lines))
    with pytest.raises(ServiceError):
        intake.withdraw(demo_ctx, clerk, waiting.case_id, "  ")  # the service refuses too
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, waiting.case_id, wait_idle)
    assert dialog.withdraw_button.isVisible() and dialog.supplement_button.isVisible()
    assert "等待申请人补齐材料" in dialog.note_label.text()

    dialog.withdraw_button.click()
    ask = dialog.withdraw_dialog
    assert isinstance(ask, WithdrawDialog) and ask.isVisible()
    assert not ask.ok_button.isEnabled()
    ask.reason_edit.setPlainText("   ")
    assert not ask.ok_button.isEnabled()  # blanks are no reason
    ask.ok_button.click()
    assert ask.isVisible()
    ask.reason_edit.clear()
    type_text(ask.reason_edit, "申请人主动撤回申请")
    assert ask.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.case_changed) as changed:
        ask.ok_button.click()
    assert changed.args == [waiting.case_id]
    wait_idle()
    assert dialog.status_badge.text() == "已撤回"
    assert dialog.banner.isVisible() and "已撤回" in dialog.banner.text()
    last = dialog.history_table.rowCount() - 1
    assert dialog.history_table.item(last, 2).text() == "撤回"
    assert dialog.history_table.item(last, 3).text() == "待补正 → 已撤回"
    assert dialog.history_table.item(last, 4).text() == "原因：申请人主动撤回申请"
    assert not dialog.withdraw_button.isVisible() and not dialog.supplement_button.isVisible()


def test_cancelled_withdraw_changes_nothing(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    item = item_named(demo_ctx, RELIEF)
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, out.case_id, wait_idle)
    dialog.withdraw_button.click()
    type_text(dialog.withdraw_dialog.reason_edit, "写错了")
    dialog.withdraw_dialog.cancel_button.click()
    wait_idle()
    assert dialog.status_badge.text() == "已受理"
    assert dialog.history_table.rowCount() == 1


def test_supplement_closes_the_dialog_and_asks_the_page(demo_ctx, clerk, clock, runner, wait_idle,
                                                       qtbot):
    item = item_named(demo_ctx, DIBAO)
    lines = all_received(item)
    lines[2].state = MaterialState.MISSING
    waiting = intake.issue_notice(demo_ctx, clerk, intake.IntakeForm(item.id, person(), lines))
    page = CaseListPage(demo_ctx, runner, clerk)
    qtbot.addWidget(page)
    page.show()
    wait_idle()
    page.open_case(waiting.case_id)
    dialog = page.detail_dialog
    wait_idle()
    assert dialog.supplement_button.isVisible()
    with qtbot.waitSignal(page.supplement_requested) as blocker:
        dialog.supplement_button.click()
    assert blocker.args == [waiting.case_id]
    qtbot.waitUntil(lambda: page.detail_dialog is None)


def test_item_shown_as_taken_even_after_the_catalog_changed(demo_ctx, clerk, supervisor, clock,
                                                            runner, wait_idle, qtbot, tmp_path):
    item = item_named(demo_ctx, RELIEF)
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    items_csv, materials_csv = setup.demo_catalog_paths()
    with open(items_csv, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for row in rows[1:]:
        if row[1] == RELIEF:
            row[1] = "临时救助金申请"
            row[7] = "3"
    changed = tmp_path / "items.csv"
    with open(changed, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    result = catalog.import_catalog(demo_ctx, supervisor, changed, materials_csv)
    assert item.code in result.updated
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, out.case_id, wait_idle)
    text = all_label_text(dialog)
    assert RELIEF in text and "临时救助金申请" not in text
    assert "5 个工作日" in text
    assert "此后清单已更新，这里是受理时的版本" in text


def test_overdue_case_header(demo_ctx, clerk, clock, runner, wait_idle, qtbot):
    item = item_named(demo_ctx, RELIEF)
    saved = clock.now
    clock.now = saved - dt.timedelta(days=30)
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    clock.now = saved
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, out.case_id, wait_idle)
    assert dialog.deadline_badge.text() == "超期"
    assert style.OVERDUE_STRONG in dialog.deadline_badge.styleSheet()
    assert "督办" in dialog.note_label.text()


def test_refused_case_shows_why_and_offers_no_actions(demo_ctx, clerk, runner, wait_idle, qtbot):
    item = item_named(demo_ctx, DIBAO)
    out = intake.refuse(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)),
                        "户籍不在本镇", "请到户籍所在地乡镇便民服务中心申请")
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, out.case_id, wait_idle)
    assert dialog.status_badge.text() == "不予受理"
    assert not dialog.deadline_badge.isVisible()
    assert "户籍不在本镇" in dialog.note_label.text()
    assert "请到户籍所在地乡镇便民服务中心申请" in dialog.note_label.text()
    assert not dialog.withdraw_button.isVisible() and not dialog.supplement_button.isVisible()
    assert column(dialog.documents_table, 0) == ["不予受理通知书"]
    assert "原因：户籍不在本镇" in dialog.history_table.item(0, 4).text()


def test_unknown_case_says_so(demo_ctx, clerk, runner, wait_idle, qtbot):
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, 999, wait_idle)
    assert dialog.data is None
    assert "找不到该办件" in dialog.banner.text()


def test_header_says_what_the_county_center_knows(demo_ctx, clerk, runner, wait_idle, qtbot):
    from sqlalchemy import update

    from clerk_app.store.models import OutboxRecord, SyncCaseState
    from clerk_app.sync import protocol as P

    item = item_named(demo_ctx, RELIEF)
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, out.case_id, wait_idle)
    assert "报送县中心：待上传" in dialog.note_label.text()
    dialog.close()
    with demo_ctx.tx() as s:
        s.execute(update(OutboxRecord).where(OutboxRecord.entity_key == out.case_no)
                  .values(state=P.SET_ASIDE, reason="申请人证件号码与县库不符"))
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, out.case_id, wait_idle)
    assert "被拒收（申请人证件号码与县库不符）" in dialog.note_label.text()
    dialog.close()
    with demo_ctx.tx() as s:
        s.execute(update(OutboxRecord).where(OutboxRecord.entity_key == out.case_no)
                  .values(state=P.SENT, reason=None))
        s.add(SyncCaseState(case_no=out.case_no, county_status="completed",
                            official_no="长阳民〔2026〕88号", result_text="准予临时救助 1500 元"))
    dialog = open_dialog(qtbot, demo_ctx, runner, clerk, out.case_id, wait_idle)
    text = dialog.note_label.text()
    assert "报送县中心：已上传" in text
    assert "长阳民〔2026〕88号" in text and "准予临时救助 1500 元" in text
