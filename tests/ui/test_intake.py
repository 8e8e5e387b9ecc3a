"""The intake page as a clerk uses it: keyboard first, Chinese typed through an input method."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from clerk_app.domain import ids
from clerk_app.domain.status import CaseStatus, DocKind, MaterialState
from clerk_app.services import cases, catalog, documents, intake
from clerk_app.ui.intake_page import (
    STEP_APPLICANT,
    STEP_CHECKLIST,
    STEP_ITEM,
    STEP_RESULT,
    SUPPLEMENT,
    IntakePage,
)
from clerk_app.ui.qt import QtWidgets, Qt
from tests.ui.conftest import type_text

# the offscreen platform warns about window calls it cannot pass on; harmless

DIBAO = "最低生活保障申请"
ELDERLY = "老年人优待证申领"


def make_id(birth: str = "19850312", seq: str = "123", area: str = "420528") -> str:
    """A valid GB 11643 number (the check character computed by the domain function)."""
    body = area + birth + seq
    return body + ids.iso7064_mod11_2(body)


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def compact(text: str) -> str:
    return "".join(text.split())


def item_named(ctx, name: str):
    return next(it for it in catalog.current_items(ctx) if it.name == name)


def activate(qtbot, widget) -> None:
    widget.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is widget.window())


def make_page(qtbot, ctx, runner, actor, wait_idle) -> IntakePage:
    page = IntakePage(ctx, runner, actor)
    qtbot.addWidget(page)
    page.resize(1280, 800)
    page.show()
    qtbot.waitExposed(page)
    activate(qtbot, page)
    wait_idle()
    assert page.loaded
    return page


def dispose(page: IntakePage) -> None:
    page._draft_timer.stop()
    if page.preview_dialog is not None:
        page.preview_dialog.close()


@pytest.fixture
def page(qtbot, demo_ctx, clerk, runner, wait_idle):
    p = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    yield p
    dispose(p)
    wait_idle()


def pick_item(qtbot, page: IntakePage, query: str, expected: str) -> None:
    if query.isascii():
        qtbot.keyClicks(page.search_edit, query)
    else:
        type_text(page.search_edit, query)
    assert page.result_list.currentItem().text() == expected
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert page.step == STEP_APPLICANT
    assert page.item.name == expected


def fill_person(qtbot, page: IntakePage, wait_idle, name: str, number: str,
                phone: str = "13912345678", detail: str = "3组12号") -> None:
    form = page.applicant_form
    qtbot.keyClicks(form.id_number_edit, number)
    qtbot.keyClick(form.id_number_edit, Qt.Key.Key_Return)
    wait_idle()
    type_text(form.name_edit, name)
    qtbot.keyClicks(form.phone_edit, phone)
    form.village_combo.setCurrentIndex(1)
    type_text(form.address_edit, detail)


def ctrl_enter(qtbot, page: IntakePage) -> None:
    target = QtWidgets.QApplication.focusWidget() or page
    if not page.isAncestorOf(target):
        target = page
    qtbot.keyClick(target, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def answer_row(qtbot, page: IntakePage, name: str, key: str) -> None:
    """A quick key on the row of material ``name``: 1 received, 2 missing, 3 wrong, 0 n/a."""
    row = page.checklist.row_named(name)
    widget = row.first_focus()
    widget.setFocus()
    qtbot.keyClick(widget, key)


def receipt_pdf(ctx, outcome) -> str:
    pdf, _copy = documents.render(ctx, outcome.document_id, "a4", as_copy=False)
    return pdf_text(pdf)


# --- the whole flow ---------------------------------------------------------------------


def test_whole_flow_from_search_to_receipt(qtbot, page, demo_ctx, wait_idle):
    saved = []
    page.case_saved.connect(saved.append)
    pick_item(qtbot, page, "dbsq", DIBAO)
    # the item's details are shown
    assert "最低生活保障申请书" in page.item_view.plain_text()

    number = make_id()
    fill_person(qtbot, page, wait_idle, "王秀英", number)
    form = page.applicant_form
    assert "男" in form.derived_label.text() and "1985-03-12" in form.derived_label.text()
    ctrl_enter(qtbot, page)
    assert page.step == STEP_CHECKLIST

    # quick keys: required ones received, 结婚证 applies and received, the others not
    for row in page.checklist.rows:
        if row.line.required:
            answer_row(qtbot, page, row.line.name, "1")
    answer_row(qtbot, page, "结婚证", "1")
    answer_row(qtbot, page, "残疾人证", "0")
    answer_row(qtbot, page, "疾病诊断证明或病历", "0")
    assert page.checklist.outstanding() == []
    assert "材料已齐全" in page.checklist.summary_text()

    ctrl_enter(qtbot, page)
    assert page.step == STEP_RESULT
    assert page.accept_button.isEnabled() and page.accept_button.text().startswith("受理")
    assert not page.notice_button.isEnabled()
    assert "无需告知" in page.reasons["notice"].text()
    ctrl_enter(qtbot, page)
    wait_idle()

    outcome = page.outcome
    assert outcome is not None and outcome.status is CaseStatus.ACCEPTED
    assert saved == [outcome.case_id]
    assert page.case_no_label.text() == outcome.case_no
    assert outcome.due_date is not None
    assert str(outcome.due_date.day) in page.due_label.text()
    # the receipt opened in the preview
    assert page.preview_dialog is not None and page.preview_dialog.isVisible()
    wait_idle()
    assert page.preview_dialog.page_labels

    text = receipt_pdf(demo_ctx, outcome)
    flat = compact(text)
    assert "王秀英" in flat
    assert outcome.case_no in flat
    due = outcome.due_date
    assert f"{due.year}年{due.month}月{due.day}日" in flat
    assert cases.load_draft(demo_ctx, page.actor) is None

    # the clerk closes the preview, and 下一位
    page.preview_dialog.close()
    activate(qtbot, page)
    qtbot.keyClick(page.next_person_button, Qt.Key.Key_F5)
    wait_idle()
    assert page.outcome is None and page.step == STEP_ITEM and page.item is None
    assert page.applicant_form.is_empty()


def test_search_by_chinese_and_arrow_keys(qtbot, page):
    type_text(page.search_edit, "低保")
    assert page.result_list.currentItem().text() == DIBAO
    qtbot.keyClicks(page.search_edit, "")
    page.search_edit.clear()
    qtbot.keyClicks(page.search_edit, "shenqing")
    first = page.result_list.currentItem().text()
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    second = page.result_list.currentItem().text()
    assert second != first
    # the details follow the highlighted row
    assert page.item_view.item.name == second
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Up)
    assert page.result_list.currentItem().text() == first
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Return)
    assert page.item.name == first and page.step == STEP_APPLICANT


def test_incomplete_materials_notice_then_supplement(qtbot, page, demo_ctx, wait_idle):
    pick_item(qtbot, page, "低保", DIBAO)
    fill_person(qtbot, page, wait_idle, "李桂兰", make_id("19700101", "224"))
    ctrl_enter(qtbot, page)
    assert page.step == STEP_CHECKLIST

    answer_row(qtbot, page, "最低生活保障申请书", "1")
    answer_row(qtbot, page, "申请人居民身份证", "3")  # 有误: the cursor goes to the reason
    row = page.checklist.row_named("申请人居民身份证")
    assert row.reason_edit.isVisible()
    answer_row(qtbot, page, "户口簿", "2")
    answer_row(qtbot, page, "家庭经济状况核对授权书", "1")
    answer_row(qtbot, page, "家庭收入及财产状况诚信承诺书", "2")
    for name in ("结婚证", "残疾人证", "疾病诊断证明或病历"):
        answer_row(qtbot, page, name, "0")

    page.go_to(STEP_RESULT)
    # a wrong material needs its reason before the notice
    assert not page.notice_button.isEnabled()
    assert "原因" in page.reasons["notice"].text()
    assert not page.accept_button.isEnabled()
    page.go_to(STEP_CHECKLIST)
    type_text(row.reason_edit, "身份证已过有效期")
    page.go_to(STEP_RESULT)
    assert page.notice_button.isEnabled()
    assert "3" in page.reasons["notice"].text()
    qtbot.mouseClick(page.notice_button, Qt.MouseButton.LeftButton)
    wait_idle()

    outcome = page.outcome
    assert outcome.status is CaseStatus.AWAITING_SUPPLEMENT
    assert outcome.doc_kind is DocKind.NOTICE
    doc = documents.get_document(demo_ctx, outcome.document_id)
    assert sorted(m["name"] for m in doc.content["missing"]) == sorted(
        ["申请人居民身份证", "户口簿", "家庭收入及财产状况诚信承诺书"])
    text = compact(pdf_text(documents.render(demo_ctx, outcome.document_id, "a4")[0]))
    for name in ("申请人居民身份证", "户口簿", "家庭收入及财产状况诚信承诺书", "身份证已过有效期"):
        assert name in text
    for name in ("结婚证", "残疾人证", "疾病诊断证明或病历"):
        assert name not in text
    case_no = outcome.case_no
    dispose(page)

    # the return visit: the case number scanned into the reopen field
    page.new_intake()
    wait_idle()
    qtbot.keyClicks(page.reopen_edit, case_no)
    qtbot.keyClick(page.reopen_edit, Qt.Key.Key_Return)
    wait_idle()
    assert page.mode == SUPPLEMENT and page.step == STEP_CHECKLIST
    assert page.applicant_form.display_name() == "李桂兰"
    highlighted = sorted(r.line.name for r in page.checklist.rows if r.highlighted)
    assert highlighted == sorted(["申请人居民身份证", "户口簿", "家庭收入及财产状况诚信承诺书"])
    assert page.checklist.row_named("最低生活保障申请书").line.state is MaterialState.ORIGINAL

    for name in highlighted:
        answer_row(qtbot, page, name, "1")
    page.go_to(STEP_RESULT)
    assert page.accept_button.isEnabled() and "补正" in page.accept_button.text()
    assert not page.notice_button.isVisible()
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    wait_idle()
    again = page.outcome
    assert again.status is CaseStatus.ACCEPTED and again.case_no == case_no
    assert again.doc_kind is DocKind.RECEIPT
    flat = compact(receipt_pdf(demo_ctx, again))
    assert "李桂兰" in flat and case_no in flat


def test_supplement_save_progress_and_further_notice_needs_a_reason(qtbot, page, demo_ctx,
                                                                    clerk, wait_idle):
    out = waiting_case(demo_ctx, clerk, "赵大山", make_id("19600505", "031"), ("户口簿",))
    page.open_for_supplement(out.case_id)
    wait_idle()
    assert page.mode == SUPPLEMENT
    page.go_to(STEP_RESULT)
    assert not page.accept_button.isEnabled()
    assert not page.further_notice_button.isEnabled()
    assert "原因" in page.reasons["further"].text()
    qtbot.mouseClick(page.save_supplement_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert page.outcome.status is CaseStatus.AWAITING_SUPPLEMENT
    assert "仍待补正" in page.done_title.text()


def test_reopening_a_case_that_is_not_waiting_says_so(qtbot, page, demo_ctx, clerk, wait_idle):
    item = item_named(demo_ctx, ELDERLY)
    lines = intake.checklist_for(item)
    for ln in lines:
        ln.condition_applies = True
        ln.state = ln.expected_state()
        ln.copies_received = ln.copies_required
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(
        item.id, intake.ApplicantInput(name="周老汉", id_number=make_id("19480808", "015"),
                                       phone="13800002222"), lines))
    qtbot.keyClicks(page.reopen_edit, out.case_no)
    qtbot.keyClick(page.reopen_edit, Qt.Key.Key_Return)
    wait_idle()
    assert page.mode != SUPPLEMENT
    assert "不是待补正" in page.banner.text()
    # a mistyped number is caught by its check character before any look-up
    page.reopen_edit.clear()
    bad = out.case_no[:-1] + ("0" if out.case_no[-1] != "0" else "1")
    qtbot.keyClicks(page.reopen_edit, bad)
    qtbot.keyClick(page.reopen_edit, Qt.Key.Key_Return)
    wait_idle()
    assert page.banner.isVisible() and page.banner.level == "error"


def test_on_the_spot_item_completes_at_the_counter(qtbot, page, demo_ctx, wait_idle):
    pick_item(qtbot, page, "lnryd", ELDERLY)
    fill_person(qtbot, page, wait_idle, "陈阿婆", make_id("19500720", "042"))
    ctrl_enter(qtbot, page)
    page.checklist.mark_all_received()
    for row in page.checklist.rows:
        if not row.line.required:
            answer_row(qtbot, page, row.line.name, "0")
    page.go_to(STEP_RESULT)
    assert page.accept_button.text().startswith("即办办结")
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert page.outcome.status is CaseStatus.DONE_ON_SPOT
    assert "即办办结" in page.done_title.text()
    assert "当场办结" in page.due_label.text()
    assert "陈阿婆" in compact(receipt_pdf(demo_ctx, page.outcome))


def test_refusal_path(qtbot, page, demo_ctx, wait_idle):
    pick_item(qtbot, page, "dbsq", DIBAO)
    fill_person(qtbot, page, wait_idle, "孙建国", make_id("19800202", "057", "420102"))
    page.go_to(STEP_RESULT)
    assert page.refuse_button.isEnabled()
    qtbot.mouseClick(page.refuse_button, Qt.MouseButton.LeftButton)
    dialog = page.refusal_dialog
    assert dialog is not None and dialog.isVisible()
    # both fields are required: nothing happens without them
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.reason_message.isVisible()
    type_text(dialog.reason_edit, "申请人户籍不在本县，不符合申请条件")
    type_text(dialog.redirect_edit, "户籍所在地乡镇便民服务中心")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert page.outcome.status is CaseStatus.REFUSED
    assert page.outcome.doc_kind is DocKind.REFUSAL
    flat = compact(pdf_text(documents.render(demo_ctx, page.outcome.document_id, "a4")[0]))
    assert "申请人户籍不在本县" in flat and "户籍所在地乡镇便民服务中心" in flat


def test_returning_applicant_is_filled_by_a_scanned_id(qtbot, page, demo_ctx, clerk, wait_idle):
    number = make_id("19660909", "318")
    item = item_named(demo_ctx, ELDERLY)
    lines = intake.checklist_for(item)
    for ln in lines:
        ln.condition_applies = True
        ln.state = ln.expected_state()
        ln.copies_received = ln.copies_required
    villages = page.applicant_form.village_combo
    code = villages.itemData(2)
    address = "龙舟坪镇" + villages.itemText(2) + "5组8号"
    intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, intake.ApplicantInput(
        name="阿依古丽·买买提", id_number=number, phone="13512345678", address=address,
        village_code=code), lines))

    pick_item(qtbot, page, "dbsq", DIBAO)
    form = page.applicant_form
    # a card reader types the number fast and ends with Enter
    qtbot.keyClicks(form.id_number_edit, number.lower())
    qtbot.keyClick(form.id_number_edit, Qt.Key.Key_Return)
    wait_idle()
    assert form.name_edit.text() == "阿依古丽·买买提"
    assert form.phone_edit.text() == "13512345678"
    assert form.village_code() == code
    assert form.address_edit.text() == "5组8号"
    assert form.returning_label.isVisible()
    assert form.returning_label.text() == "老申请人，已自动填入"
    assert form.address() == address


def test_bad_id_and_phone_show_messages_and_keep_the_text(qtbot, page, wait_idle):
    pick_item(qtbot, page, "dbsq", DIBAO)
    form = page.applicant_form
    good = make_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    qtbot.keyClicks(form.id_number_edit, bad)
    qtbot.keyClick(form.id_number_edit, Qt.Key.Key_Return)
    wait_idle()
    assert "校验位" in form.message_of("id_number")
    assert form.id_number_edit.text() == bad
    type_text(form.name_edit, "刘洋")
    qtbot.keyClicks(form.phone_edit, "1391234")
    ctrl_enter(qtbot, page)
    assert page.step == STEP_APPLICANT  # blocked, nothing lost
    assert "手机号码应为 11 位" in form.message_of("phone")
    assert form.phone_edit.text() == "1391234"
    assert form.name_edit.text() == "刘洋"
    assert form.id_number_edit.text() == bad
    assert form.severity_of("id_number") == "error"
    # fixing the number clears its message as you type
    form.id_number_edit.clear()
    qtbot.keyClicks(form.id_number_edit, good)
    assert form.message_of("id_number") == ""
    assert page.outcome is None


def test_organization_with_a_doubtful_credit_code_is_a_warning_only(qtbot, page, wait_idle):
    pick_item(qtbot, page, "dbsq", DIBAO)
    form = page.applicant_form
    qtbot.mouseClick(form.org_radio, Qt.MouseButton.LeftButton)
    assert form.kind() == "org"
    type_text(form.org_name_edit, "长阳龙舟坪镇某某农业专业合作社")
    qtbot.keyClicks(form.uscc_edit, "93420528MA49ABCD1X")
    qtbot.keyClick(form.uscc_edit, Qt.Key.Key_Return)
    assert form.severity_of("uscc") == "warning"
    type_text(form.legal_rep_edit, "覃大勇")
    qtbot.keyClicks(form.phone_edit, "0717-5321234")
    assert form.validate() is not None  # a warning does not block
    assert form.severity_of("uscc") == "warning"
    # switching to a person and back keeps what was typed
    form.person_radio.setChecked(True)
    form.org_radio.setChecked(True)
    assert form.org_name_edit.text() == "长阳龙舟坪镇某某农业专业合作社"


def test_draft_comes_back_after_the_page_is_destroyed(qtbot, demo_ctx, clerk, runner, wait_idle):
    first = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    pick_item(qtbot, first, "dbsq", DIBAO)
    number = make_id("19721111", "066")
    fill_person(qtbot, first, wait_idle, "𠮷祥·买买提", number)
    first.go_to(STEP_CHECKLIST)
    answer_row(qtbot, first, "户口簿", "2")
    answer_row(qtbot, first, "结婚证", "1")
    qtbot.wait(1300)  # the debounce
    wait_idle()
    saved = cases.load_draft(demo_ctx, clerk)
    assert saved is not None and saved["item_name"] == DIBAO
    first.close()
    first.deleteLater()
    qtbot.wait(10)

    second = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    assert second.draft_banner.isVisible()
    assert "已恢复上次未完成的受理" in second.draft_banner.text()
    assert second.item is not None and second.item.name == DIBAO
    form = second.applicant_form
    assert form.name_edit.text() == "𠮷祥·买买提"
    assert form.id_number_edit.text() == number
    assert second.step == STEP_CHECKLIST
    assert second.checklist.row_named("户口簿").line.state is MaterialState.MISSING
    assert second.checklist.row_named("结婚证").line.condition_applies is True

    # discarding removes it
    discard = [b for b in second.draft_banner.action_buttons()
               if b.objectName() == "discardDraftButton"][0]
    qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
    wait_idle()
    assert cases.load_draft(demo_ctx, clerk) is None
    assert second.item is None and second.applicant_form.is_empty()
    dispose(second)


def test_rare_characters_and_middle_dot_reach_the_receipt(qtbot, page, demo_ctx, wait_idle):
    name = "𠮷𪚥·阿依古丽"
    pick_item(qtbot, page, "lnryd", ELDERLY)
    fill_person(qtbot, page, wait_idle, name, make_id("19551212", "078"))
    assert page.applicant_form.validate() is not None
    page.go_to(STEP_CHECKLIST)
    page.checklist.mark_all_received()
    for row in page.checklist.rows:
        if not row.line.required:
            answer_row(qtbot, page, row.line.name, "0")
    page.go_to(STEP_RESULT)
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert page.outcome is not None
    detail = cases.case_detail(demo_ctx, page.outcome.case_id)
    assert detail.applicant.name == name
    assert name in compact(receipt_pdf(demo_ctx, page.outcome))


def test_steps_by_keyboard_and_nothing_outcome_without_an_item(qtbot, page):
    qtbot.keyClick(page.search_edit, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert page.step == STEP_ITEM  # no item yet
    assert "请先选择事项" in page.banner.text()
    pick_item(qtbot, page, "dbsq", DIBAO)
    target = QtWidgets.QApplication.focusWidget() or page
    qtbot.keyClick(target, Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert page.step == STEP_CHECKLIST
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or page, Qt.Key.Key_Escape)
    assert page.step == STEP_APPLICANT
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or page, Qt.Key.Key_4,
                   Qt.KeyboardModifier.AltModifier)
    assert page.step == STEP_RESULT
    assert not page.accept_button.isEnabled()
    assert "申请人" in page.reasons["accept"].text()


def test_f5_asks_twice_before_dropping_an_unfinished_intake(qtbot, page, demo_ctx, clerk,
                                                            wait_idle):
    pick_item(qtbot, page, "dbsq", DIBAO)
    type_text(page.applicant_form.name_edit, "钱多多")
    target = QtWidgets.QApplication.focusWidget() or page
    qtbot.keyClick(target, Qt.Key.Key_F5)
    assert page.item is not None and "再按一次 F5" in page.banner.text()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or page, Qt.Key.Key_F5)
    wait_idle()
    assert page.item is None and page.applicant_form.is_empty()
    assert cases.load_draft(demo_ctx, clerk) is None


def test_start_with_item_from_the_catalog_page(qtbot, demo_ctx, clerk, runner, wait_idle):
    item = item_named(demo_ctx, ELDERLY)
    page = IntakePage(demo_ctx, runner, clerk)
    qtbot.addWidget(page)
    page.start_with_item(item.id)  # before the catalog has loaded
    wait_idle()
    assert page.item is not None and page.item.id == item.id
    assert page.step == STEP_APPLICANT
    dispose(page)


def test_estimated_due_date_is_marked(qtbot, demo_ctx, clerk, runner, wait_idle, clock):
    clock.now = dt.datetime(2026, 12, 28, 9, 0)  # the promised date falls in 2027
    page = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    pick_item(qtbot, page, "dbsq", DIBAO)
    fill_person(qtbot, page, wait_idle, "吴晓燕", make_id("19900615", "128"))
    page.go_to(STEP_CHECKLIST)
    page.checklist.mark_all_received()
    for row in page.checklist.rows:
        if not row.line.required:
            answer_row(qtbot, page, row.line.name, "0")
    page.go_to(STEP_RESULT)
    qtbot.mouseClick(page.accept_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert page.outcome.due_estimated
    assert "预计" in page.due_label.text()
    assert page.due_banner.isVisible() and page.due_banner.level == "warning"
    dispose(page)


def test_keyboard_walk_through_the_applicant_and_checklist(qtbot, page, wait_idle):
    pick_item(qtbot, page, "dbsq", DIBAO)
    form = page.applicant_form
    focus = QtWidgets.QApplication.focusWidget
    assert focus() is form.id_number_edit  # the cursor waits for the card reader
    qtbot.keyClicks(form.id_number_edit, make_id("19880808", "017"))
    qtbot.keyClick(form.id_number_edit, Qt.Key.Key_Return)
    wait_idle()
    assert focus() is form.name_edit
    # Tab walks the person's fields in reading order
    form.id_type_combo.setFocus()
    order = [focus()]
    for _ in range(5):
        qtbot.keyClick(focus(), Qt.Key.Key_Tab)
        order.append(focus())
    expected = [form.id_type_combo, form.id_number_edit, form.name_edit, form.phone_edit,
                form.village_combo, form.address_edit]
    assert [w is e or e.isAncestorOf(w) for w, e in zip(order, expected)] == [True] * 6

    type_text(form.name_edit, "黄小明")
    qtbot.keyClicks(form.phone_edit, "13700001111")
    qtbot.keyClick(form.address_edit, Qt.Key.Key_Return)  # Enter in the last field: next step
    assert page.step == STEP_CHECKLIST
    first = page.checklist.rows[0]
    assert focus() is first.state_combo
    qtbot.keyClick(first.state_combo, "1")
    assert first.line.state is first.line.expected_state()
    assert focus() is page.checklist.rows[1].state_combo  # moved on by itself
    qtbot.keyClick(focus(), "2")
    assert page.checklist.rows[1].line.state is MaterialState.MISSING
    qtbot.keyClick(focus(), "3")
    row = page.checklist.rows[2]
    assert row.line.state is MaterialState.WRONG and focus() is row.reason_edit
    qtbot.keyClick(focus(), Qt.Key.Key_Escape)
    assert page.step == STEP_APPLICANT  # Esc goes back a step


def test_reload_catalog_keeps_the_intake(qtbot, page, wait_idle):
    pick_item(qtbot, page, "dbsq", DIBAO)
    type_text(page.applicant_form.name_edit, "邓晓梅")
    page.reload_catalog()
    wait_idle()
    assert page.item.name == DIBAO and page.applicant_form.name_edit.text() == "邓晓梅"
    assert len(page.items) == 26


def test_no_notice_before_every_material_was_looked_at(qtbot, page, wait_idle):
    pick_item(qtbot, page, "dbsq", DIBAO)
    fill_person(qtbot, page, wait_idle, "郑秋菊", make_id("19790303", "046"))
    page.go_to(STEP_CHECKLIST)
    for name in ("结婚证", "残疾人证", "疾病诊断证明或病历"):
        answer_row(qtbot, page, name, "0")
    answer_row(qtbot, page, "户口簿", "2")
    page.go_to(STEP_RESULT)
    assert not page.notice_button.isEnabled() and not page.accept_button.isEnabled()
    assert "未核对" in page.reasons["notice"].text()
    page.go_to(STEP_CHECKLIST)
    page.checklist.mark_all_received()  # the rest arrived; 户口簿 stays missing
    assert page.checklist.row_named("户口簿").line.state is MaterialState.MISSING
    assert [ln.name for ln, _why in page.checklist.outstanding()] == ["户口簿"]
    page.go_to(STEP_RESULT)
    assert page.notice_button.isEnabled()
    assert page.notice_button.property("primary")


def test_unchecked_materials_are_not_called_missing_in_the_summary(qtbot, page, wait_idle):
    pick_item(qtbot, page, "dbsq", DIBAO)
    fill_person(qtbot, page, wait_idle, "郑秋菊", make_id("19790303", "046"))
    page.go_to(STEP_CHECKLIST)
    for name in ("结婚证", "残疾人证", "疾病诊断证明或病历"):  # conditions asked, nothing checked
        answer_row(qtbot, page, name, "0")
    page.go_to(STEP_RESULT)
    pending = page.checklist.pending()
    assert pending
    summary = page.summary_label.text()
    assert "缺少或有误 0 项" in summary and "未核对 {n} 项".format(n=len(pending)) in summary
    assert "一次性告知书将列出" not in summary
    assert all(ln.name in summary for ln in pending)
    # the buttons say the same thing
    assert "{n} 项材料未核对".format(n=len(pending)) in page.reasons["accept"].text()

    # one checked and missing, the rest still unchecked: only that one is 缺少
    page.go_to(STEP_CHECKLIST)
    answer_row(qtbot, page, "户口簿", "2")
    page.go_to(STEP_RESULT)
    summary = page.summary_label.text()
    still = len(page.checklist.pending())
    assert "缺少或有误 1 项" in summary and "未核对 {n} 项".format(n=still) in summary
    assert "一次性告知书将列出" not in summary and "已核出缺少或有误" in summary

    # everything checked: the notice lists what is missing, and nothing is 未核对 any more
    page.go_to(STEP_CHECKLIST)
    page.checklist.mark_all_received()
    page.go_to(STEP_RESULT)
    summary = page.summary_label.text()
    assert "未核对" not in summary and "一次性告知书将列出" in summary and "户口簿" in summary


# --- the draft of a 补正 ---------------------------------------------------------------


def waiting_case(ctx, clerk, name: str, number: str, missing: tuple[str, ...]):
    """A 低保 case waiting for supplement: ``missing`` were told in the one-time notice."""
    item = item_named(ctx, DIBAO)
    lines = intake.checklist_for(item)
    for ln in lines:
        ln.condition_applies = None if ln.required else False
        ln.state = ln.expected_state() if ln.required else MaterialState.NOT_APPLICABLE
        ln.copies_received = ln.copies_required if ln.required else 0
        if ln.name in missing:
            ln.state = MaterialState.MISSING
            ln.copies_received = 0
    return intake.issue_notice(ctx, clerk, intake.IntakeForm(
        item.id, intake.ApplicantInput(name=name, id_number=number, phone="13800003333"), lines))


def reopen_and_tick(qtbot, page: IntakePage, case_id: int, wait_idle) -> None:
    """户口簿 received, the 承诺书 brought but wrong, with its reason typed; then the debounce."""
    page.open_for_supplement(case_id)
    wait_idle()
    assert page.mode == SUPPLEMENT
    answer_row(qtbot, page, "户口簿", "1")
    answer_row(qtbot, page, "家庭收入及财产状况诚信承诺书", "3")
    type_text(page.checklist.row_named("家庭收入及财产状况诚信承诺书").reason_edit, "未签名按手印")
    qtbot.wait(1300)  # the debounce
    wait_idle()


def destroy(qtbot, page: IntakePage) -> None:
    page.close()
    page.deleteLater()
    qtbot.wait(10)


SUPPLEMENT_MISSING = ("户口簿", "家庭收入及财产状况诚信承诺书", "家庭经济状况核对授权书")


def test_supplement_ticks_come_back_after_the_page_is_destroyed(qtbot, demo_ctx, clerk, runner,
                                                                wait_idle):
    out = waiting_case(demo_ctx, clerk, "覃春花", make_id("19680404", "052"), SUPPLEMENT_MISSING)
    first = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    reopen_and_tick(qtbot, first, out.case_id, wait_idle)
    saved = cases.load_draft(demo_ctx, clerk, kind="supplement")
    assert saved is not None and saved["case_id"] == out.case_id
    assert saved["case_no"] == out.case_no
    assert cases.load_draft(demo_ctx, clerk) is None  # the new intake's draft is apart
    destroy(qtbot, first)  # nothing saved: the case is still waiting, as before
    assert cases.case_detail(demo_ctx, out.case_id).status == CaseStatus.AWAITING_SUPPLEMENT.value

    second = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    wait_idle()
    assert second.mode == SUPPLEMENT and second.case.id == out.case_id
    assert out.case_no in second.supplement_draft_banner.text()
    assert "已恢复" in second.supplement_draft_banner.text()
    checklist = second.checklist
    received = checklist.row_named("户口簿").line
    assert received.state is received.expected_state() and received.copies_received == 1
    wrong = checklist.row_named("家庭收入及财产状况诚信承诺书")
    assert wrong.line.state is MaterialState.WRONG
    assert wrong.line.problem == "未签名按手印"
    assert wrong.reason_edit.text() == "未签名按手印"
    # untouched: still missing, and the notified materials are still marked
    assert checklist.row_named("家庭经济状况核对授权书").line.state is MaterialState.MISSING
    assert sorted(r.line.name for r in checklist.rows if r.highlighted) == sorted(
        SUPPLEMENT_MISSING)

    # saving the 补正's progress is its outcome: the draft goes
    second.go_to(STEP_RESULT)
    qtbot.mouseClick(second.save_supplement_button, Qt.MouseButton.LeftButton)
    wait_idle()
    assert second.outcome.status is CaseStatus.AWAITING_SUPPLEMENT
    assert cases.load_draft(demo_ctx, clerk, kind="supplement") is None
    stored = {m.name: m for m in cases.case_detail(demo_ctx, out.case_id).materials}
    assert stored["家庭收入及财产状况诚信承诺书"].problem == "未签名按手印"
    dispose(second)


def test_supplement_draft_of_a_case_completed_meanwhile_is_dropped(qtbot, demo_ctx, clerk,
                                                                   runner, wait_idle):
    out = waiting_case(demo_ctx, clerk, "向德明", make_id("19590909", "071"), SUPPLEMENT_MISSING)
    first = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    reopen_and_tick(qtbot, first, out.case_id, wait_idle)
    assert cases.load_draft(demo_ctx, clerk, kind="supplement") is not None
    destroy(qtbot, first)

    # another counter takes the materials and accepts the case
    lines = intake.lines_of(cases.case_detail(demo_ctx, out.case_id))
    for ln in lines:
        if ln.state is MaterialState.MISSING:
            ln.state = ln.expected_state()
            ln.copies_received = ln.copies_required
    intake.supplement(demo_ctx, clerk, out.case_id, lines, "accept")

    second = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    wait_idle()
    assert second.mode != SUPPLEMENT and second.case is None
    assert second.banner.isVisible() and second.banner.level == "info"
    assert out.case_no in second.banner.text() and "不再待补正" in second.banner.text()
    assert cases.load_draft(demo_ctx, clerk, kind="supplement") is None
    dispose(second)


def test_both_drafts_the_intake_comes_back_and_the_supplement_is_offered(
        qtbot, demo_ctx, clerk, runner, wait_idle):
    out = waiting_case(demo_ctx, clerk, "田秀珍", make_id("19710707", "083"), SUPPLEMENT_MISSING)
    first = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    pick_item(qtbot, first, "dbsq", DIBAO)
    type_text(first.applicant_form.name_edit, "冉小军")
    qtbot.wait(1300)
    wait_idle()
    reopen_and_tick(qtbot, first, out.case_id, wait_idle)
    destroy(qtbot, first)
    assert cases.load_draft(demo_ctx, clerk) is not None
    assert cases.load_draft(demo_ctx, clerk, kind="supplement") is not None

    second = make_page(qtbot, demo_ctx, runner, clerk, wait_idle)
    assert second.mode != SUPPLEMENT
    assert second.applicant_form.name_edit.text() == "冉小军"  # restored as before
    offer = second.supplement_draft_banner
    assert offer.isVisible() and out.case_no in offer.text() and "田秀珍" in offer.text()
    restore = [b for b in offer.action_buttons()
               if b.objectName() == "restoreSupplementDraftButton"][0]
    qtbot.mouseClick(restore, Qt.MouseButton.LeftButton)
    wait_idle()
    assert second.mode == SUPPLEMENT and second.case.id == out.case_id
    received = second.checklist.row_named("户口簿").line
    assert received.state is received.expected_state()

    # leaving the 补正 deliberately drops its draft; the put-aside intake comes back
    leave = [b for b in second.banner.action_buttons()
             if b.objectName() == "leaveSupplementButton"][0]
    qtbot.mouseClick(leave, Qt.MouseButton.LeftButton)
    wait_idle()
    assert cases.load_draft(demo_ctx, clerk, kind="supplement") is None
    assert second.mode != SUPPLEMENT
    assert second.applicant_form.name_edit.text() == "冉小军"
    assert cases.load_draft(demo_ctx, clerk) is not None
    dispose(second)


def test_f5_asks_before_dropping_an_unsaved_supplement(qtbot, page, demo_ctx, clerk, wait_idle):
    out = waiting_case(demo_ctx, clerk, "邓光荣", make_id("19620202", "094"), SUPPLEMENT_MISSING)
    reopen_and_tick(qtbot, page, out.case_id, wait_idle)
    assert cases.load_draft(demo_ctx, clerk, kind="supplement") is not None
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or page, Qt.Key.Key_F5)
    assert page.mode == SUPPLEMENT and "再按一次 F5" in page.banner.text()
    qtbot.keyClick(QtWidgets.QApplication.focusWidget() or page, Qt.Key.Key_F5)
    wait_idle()
    assert page.mode != SUPPLEMENT
    assert cases.load_draft(demo_ctx, clerk, kind="supplement") is None


def test_checklist_notes_are_whole_at_1024(styled, qtbot, page, wait_idle):
    page.resize(1008, 640)  # the intake page in a main window on a 1024 x 768 screen
    pick_item(qtbot, page, "dbsq", DIBAO)
    fill_person(qtbot, page, wait_idle, "王秀英", make_id())
    ctrl_enter(qtbot, page)
    required = [r for r in page.checklist.rows if r.line.required]
    for row in required:
        answer_row(qtbot, page, row.line.name, "2")
    qtbot.wait(50)
    viewport = page.checklist.scroll.viewport()
    assert page.checklist.body.width() <= viewport.width()
    for row in required:
        note = row.problem_text
        assert "未提供" in note.text()
        assert note.width() >= 160 and note.height() >= note.heightForWidth(note.width())
        assert note.mapTo(page.checklist.body, note.rect().topLeft()).x() >= 0


def test_checklist_choices_show_whole_where_there_is_room(styled, qtbot, page, wait_idle):
    from clerk_app.ui.checklist import COL_WIDTHS

    page.resize(1280, 720)  # a 1280-pixel screen: the choices need not be cut
    pick_item(qtbot, page, "dbsq", DIBAO)
    fill_person(qtbot, page, wait_idle, "王秀英", make_id())
    ctrl_enter(qtbot, page)
    qtbot.wait(50)
    rows = page.checklist.rows
    conditional = next(r for r in rows if not r.line.required)
    for row in rows:  # the combo's own size hint: its longest choice, padding and arrow
        assert row.state_combo.width() >= row.state_combo.sizeHint().width(), row.line.name
    assert conditional.applies_combo.width() >= conditional.applies_combo.sizeHint().width()
    # on a 1024-pixel screen the narrow columns return, so the notes keep their room
    page.resize(1008, 640)
    qtbot.wait(50)
    assert rows[0].state_combo.width() == COL_WIDTHS["state"]
    assert conditional.applies_combo.width() == COL_WIDTHS["applies"]


def test_the_accept_reason_has_no_space_before_nei(qtbot, page, wait_idle):
    pick_item(qtbot, page, "dbsq", DIBAO)
    fill_person(qtbot, page, wait_idle, "王秀英", make_id())
    ctrl_enter(qtbot, page)
    required = [r for r in page.checklist.rows if r.line.required]
    for row in required:
        answer_row(qtbot, page, row.line.name, "1")
    for row in page.checklist.rows:
        if not row.line.required:
            answer_row(qtbot, page, row.line.name, "0")
    ctrl_enter(qtbot, page)
    assert page.step == STEP_RESULT
    assert page.reasons["accept"].text() == "出具受理回执，承诺 10 个工作日内办结"
