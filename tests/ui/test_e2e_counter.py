"""The counter from the first screen to the printed paper, as a clerk goes through it.

Start on a fresh data folder in demo mode, log in, take an application whose materials are
incomplete (one-time notice), find the case again from the case list by scanning its number
when the citizen returns, complete it in the intake page and print the receipt. Everything
goes through the real window: the login dialog, the main window's keys and pages.
"""

from __future__ import annotations

import pytest

from clerk_app.domain.status import CaseStatus, DocKind
from clerk_app.services import cases, documents, setup
from clerk_app.ui.intake_page import STEP_CHECKLIST, STEP_RESULT, SUPPLEMENT
from clerk_app.ui.qt import Qt, QtWidgets
from tests.ui.test_intake import (
    DIBAO,
    activate,
    answer_row,
    compact,
    ctrl_enter,
    fill_person,
    make_id,
    pdf_text,
    pick_item,
)

pytestmark = pytest.mark.skipif(not __import__("shutil").which("pdftotext"),
                                reason="pdftotext (poppler-utils) is needed to read the PDFs")

MISSING = ["户口簿", "家庭收入及财产状况诚信承诺书"]


def log_in(qtbot, ctx, runner, username: str):
    from clerk_app.ui.app import AppController

    controller = AppController(ctx, runner, demo=True)
    with qtbot.waitSignal(controller.login_shown, timeout=20000) as shown:
        controller.start()
    dialog = shown.args[0]
    qtbot.addWidget(dialog)
    dialog.username_edit.setText(username)
    qtbot.keyClicks(dialog.password_edit, setup.DEMO_PASSWORD)
    with qtbot.waitSignal(controller.main_window_shown, timeout=10000) as opened:
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    window = opened.args[0]
    qtbot.addWidget(window)
    window.resize(1366, 800)
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)
    activate(qtbot, window)
    return controller, window


def test_login_notice_return_visit_and_receipt(qtbot, ctx, runner, wait_idle):
    controller, window = log_in(qtbot, ctx, runner, "zhangli")
    assert window.actor.username == "zhangli"
    page = window.intake_page
    qtbot.waitUntil(lambda: page.loaded, timeout=10000)

    # F2 is the intake page; the clerk types the pinyin initials of the item
    qtbot.keyClick(window, Qt.Key.Key_F2)
    assert window.tabs.currentWidget() is page
    pick_item(qtbot, page, "dbsq", DIBAO)
    name = "覃𠮷·阿依"  # a rare character beyond the basic plane and a minority name's dot
    fill_person(qtbot, page, wait_idle, name, make_id("19620708", "045"))
    ctrl_enter(qtbot, page)
    assert page.step == STEP_CHECKLIST

    for row in page.checklist.rows:
        if row.line.required:
            answer_row(qtbot, page, row.line.name, "2" if row.line.name in MISSING else "1")
    for name_ in ("结婚证", "残疾人证", "疾病诊断证明或病历"):
        answer_row(qtbot, page, name_, "0")
    ctrl_enter(qtbot, page)
    assert page.step == STEP_RESULT
    assert page.notice_button.isEnabled() and not page.accept_button.isEnabled()
    ctrl_enter(qtbot, page)  # the primary action here is the one-time notice
    wait_idle()
    first = page.outcome
    assert first is not None and first.status is CaseStatus.AWAITING_SUPPLEMENT
    assert first.doc_kind is DocKind.NOTICE
    notice = compact(pdf_text(documents.render(ctx, first.document_id, "a4", as_copy=False)[0]))
    assert name in notice and first.case_no in notice
    for missing in MISSING:
        assert missing in notice
    listed = documents.get_document(ctx, first.document_id).content["missing"]
    assert sorted(m["name"] for m in listed) == sorted(MISSING)  # exactly what is missing
    page.preview_dialog.close()

    # the citizen comes back: F3, the case number scanned into the search, Enter
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F3)
    cases_page = window.case_list_page
    assert window.tabs.currentWidget() is cases_page
    wait_idle()
    qtbot.keyClicks(cases_page.search_edit, first.case_no.replace("-", ""))
    qtbot.keyClick(cases_page.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: cases_page.detail_dialog is not None, timeout=5000)
    detail = cases_page.detail_dialog
    qtbot.waitUntil(lambda: detail.data is not None, timeout=5000)
    assert detail.case_no_label.text() == first.case_no
    assert detail.supplement_button.isVisible()
    qtbot.mouseClick(detail.supplement_button, Qt.MouseButton.LeftButton)
    wait_idle()

    assert window.tabs.currentWidget() is page
    assert page.mode == SUPPLEMENT and page.step == STEP_CHECKLIST
    assert page.applicant_form.display_name() == name
    highlighted = sorted(r.line.name for r in page.checklist.rows if r.highlighted)
    assert highlighted == sorted(MISSING)
    for missing in MISSING:
        answer_row(qtbot, page, missing, "1")
    page.go_to(STEP_RESULT)
    assert page.accept_button.isEnabled()
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    wait_idle()

    done = page.outcome
    assert done.status is CaseStatus.ACCEPTED and done.case_no == first.case_no
    assert done.doc_kind is DocKind.RECEIPT and done.due_date is not None
    receipt = compact(pdf_text(documents.render(ctx, done.document_id, "a4", as_copy=False)[0]))
    due = done.due_date
    assert name in receipt and done.case_no in receipt
    assert f"{due.year}年{due.month}月{due.day}日" in receipt
    # the case's history holds both visits, by this clerk
    history = cases.case_detail(ctx, done.case_id).events
    actions = [e.action for e in history]
    assert "notice_issued" in actions and "supplemented" in actions
    assert {e.operator.username for e in history} == {"zhangli"}
    page.preview_dialog.close()
    page._draft_timer.stop()
    QtWidgets.QApplication.processEvents()
