"""The agents' pages and dialogs, driven as a supervisor, an agent and a clerk would.

Two databases: the township's counter and the agent's laptop. The agent's laptop signs a
handover sheet; the clerk's USB scanner "types" its QR text into the receive dialog (ASCII,
so ``keyClicks`` types it key by key like a scanner), the clerk receives and accepts.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from clerk_app.domain.agents import CommissionState as S
from clerk_app.domain.status import MaterialState
from clerk_app.services import agents, auth, commissions, handover
from clerk_app.ui.qt import QtCore, Qt
from tests.core.test_agents_support import (
    AGENT_PASSWORD,
    VILLAGE,
    agent_input,
    all_collected,
    item_named,
    make_laptop,
    principal,
)
from tests.ui.conftest import check_preview_fits_and_keys, type_text

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)")

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _idle(qtbot, runner) -> None:
    qtbot.waitUntil(lambda: runner.idle, timeout=20000)


@pytest.fixture
def laptop(tmp_path, clock, demo_ctx, supervisor, keys):
    """An agent registered at the township and a laptop provisioned for them."""
    agent = agents.register_agent(demo_ctx, supervisor, agent_input())
    prov = agents.export_provisioning(demo_ctx, supervisor, agent.id)
    ctx = make_laptop(tmp_path / "laptop", clock)
    agents.import_provisioning(ctx, prov.content, prov.code, keys)
    return ctx


@pytest.fixture
def me(laptop):
    return auth.login(laptop, "lixiuying", AGENT_PASSWORD)


def _collected(ctx, actor, n: int = 1, name: str = "张三") -> list[int]:
    made = []
    for i in range(n):
        c = commissions.create(ctx, actor, commissions.CommissionInput(
            item_named(ctx).id, principal(name=name if i == 0 else "李四" + "一二三四"[i % 4],
                                          id17=f"420528195503120{i + 10:02d}"), place="群众家中"))
        commissions.collect(ctx, actor, c.id, all_collected(c), "群众家中")
        made.append(c.id)
    return made


# --------------------------------------------------------------------------- registry


def test_supervisor_registers_an_agent_and_exports_the_laptop_file(qtbot, demo_ctx, supervisor, runner,
                                                                   tmp_path, keys):
    from clerk_app.ui.agent_dialogs import AgentsDialog

    d = AgentsDialog(demo_ctx, runner, supervisor)
    qtbot.addWidget(d)
    d.show()
    _idle(qtbot, runner)
    assert d.table.rowCount() == 0 and not d.provision_button.isEnabled()
    qtbot.mouseClick(d.add_button, Qt.MouseButton.LeftButton)
    e = d.edit_dialog
    _idle(qtbot, runner)
    assert e.village_list.count() > 10
    type_text(e.name_edit, "李秀英")
    qtbot.keyClicks(e.id_edit, agent_input().id_number)
    qtbot.keyClicks(e.phone_edit, "13907170002")
    qtbot.keyClicks(e.username_edit, "lixiuying")
    qtbot.keyClicks(e.password_edit, AGENT_PASSWORD)
    e.submit()  # no village yet: the service says what to fix
    _idle(qtbot, runner)
    assert "村（社区）" in e.banner.text()
    e.check_village(VILLAGE)
    photo = tmp_path / "photo.png"
    from clerk_app.ui.qt import QtGui

    image = QtGui.QImage(600, 800, QtGui.QImage.Format.Format_RGB32)
    image.fill(QtGui.QColor("#9db6d3"))
    image.save(str(photo))
    e.set_photo_file(photo)
    assert e.photo and len(e.photo) < 60_000
    with qtbot.waitSignal(e.saved, timeout=15000):
        e.submit()
    _idle(qtbot, runner)
    assert d.table.rowCount() == 1 and d.table.item(0, 1).text() == "李秀英"
    assert "湖口社区居委会" in d.table.item(0, 3).text()

    d.table.selectRow(0)
    target = tmp_path / "usb" / "agent.agent"
    d.ask_path = lambda _parent, _default: str(target)
    d.export_provisioning()
    _idle(qtbot, runner)
    code = d.result_dialog.code_label.text()
    assert target.is_file() and len(code) == 14
    d.result_dialog.accept()
    _idle(qtbot, runner)
    assert "已配置" in d.table.item(0, 6).text()

    # the status: suspended with a reason and a date
    d.table.selectRow(0)
    d.change_status()
    s = d.status_dialog
    s.status_combo.setCurrentIndex(s.status_combo.findData("suspended"))
    s.submit()
    _idle(qtbot, runner)
    assert "原因" in s.banner.text()
    type_text(s.reason_edit, "外出务工三个月")
    with qtbot.waitSignal(s.changed, timeout=10000):
        s.submit()
    _idle(qtbot, runner)
    assert d.table.item(0, 5).text() == "暂停"

    # the laptop imports the file through its dialog
    from clerk_app.ui.agent_dialogs import ImportProvisioningDialog

    laptop = make_laptop(tmp_path / "laptop", demo_ctx.clock)
    imp = ImportProvisioningDialog(laptop, runner, None, target)
    qtbot.addWidget(imp)
    assert "李秀英" in imp.header_label.text()
    qtbot.keyClicks(imp.code_edit, "WRONG-CODE-XXXX")
    imp.submit()
    _idle(qtbot, runner)
    assert "提取码" in imp.banner.text()
    imp.code_edit.clear()
    qtbot.keyClicks(imp.code_edit, code)
    with qtbot.waitSignal(imp.imported, timeout=15000):
        imp.submit()
    assert auth.login(laptop, "lixiuying", AGENT_PASSWORD).role.value == "agent"


# --------------------------------------------------------------------------- the agent's home


def test_agent_home_commission_collect_sheet(qtbot, laptop, me, runner, tmp_path, qtmodeltester):
    from clerk_app.ui.agent_pages import AgentHomePage

    page = AgentHomePage(laptop, runner, me)
    qtbot.addWidget(page)
    page.resize(1280, 760)
    page.show()
    _idle(qtbot, runner)
    assert "李秀英" in page.who.text()

    # a new commission through the dialog (only items that allow a proxy are offered)
    qtbot.mouseClick(page.new_button, Qt.MouseButton.LeftButton)
    d = page.dialog
    _idle(qtbot, runner)
    names = [d.item_combo.itemText(i) for i in range(d.item_combo.count())]
    assert "最低生活保障申请" in names and len(names) == 24
    d.select_item("最低生活保障申请")
    type_text(d.name_edit, "张三")
    qtbot.keyClicks(d.id_edit, principal().id_number)
    qtbot.keyClicks(d.phone_edit, "13907170001")
    with qtbot.waitSignal(d.created, timeout=15000):
        d.submit()
    _idle(qtbot, runner)
    assert page.waiting_model.rowCount() == 1
    assert "已登记委托" in page.banner.text()

    # collect: one material missing → the village notice is offered; then complete
    assert page.select("waiting", d.result_value.commission_no)
    page.collect()
    col = page.dialog
    _idle(qtbot, runner)
    col.table.fill_all()
    for r, ln in enumerate(col.table.lines):
        if not ln.required:
            col.table.combos[r].setCurrentIndex(col.table.combos[r].findData("not_applicable"))
    col.table.combos[0].setCurrentIndex(col.table.combos[0].findData("missing"))
    col.submit()
    _idle(qtbot, runner)
    assert "一次性告知书" in col.banner.text() and col.notice_button.isEnabled()
    col.print_notice()
    _idle(qtbot, runner)
    assert col.preview.page_labels
    col.preview.close()
    col.table.fill_all()
    with qtbot.waitSignal(col.collected, timeout=10000):
        col.submit()
    _idle(qtbot, runner)
    assert page.due_model.rowCount() == 1 and page.cards[S.COLLECTED].number.text() == "1"
    qtmodeltester.check(page.due_model)

    # the handover sheet: signed, previewed, saved as PDF
    page.open_sheets()
    sh = page.dialog
    _idle(qtbot, runner)
    assert sh.list.count() == 1
    with qtbot.waitSignal(sh.issued, timeout=15000):
        sh.submit()
    _idle(qtbot, runner)
    preview = sh.previews[0]
    assert preview.page_labels
    out = tmp_path / "sheet.pdf"
    preview._ask_save_path = lambda _default: str(out)
    with qtbot.waitSignal(preview.output_done, timeout=15000):
        preview.save_as_pdf()
    _idle(qtbot, runner)
    assert out.read_bytes().startswith(b"%PDF")
    [h] = handover.list_handovers(laptop, me)
    assert h.print_count == 1


def test_agent_home_flags_overdue_and_shows_what_came_back(qtbot, laptop, me, runner, clock):
    from clerk_app.ui.agent_pages import AgentHomePage

    late, = _collected(laptop, me)
    clock.advance(days=7)
    back = _collected(laptop, me, name="王五")[0]
    [sheet] = handover.create_sheets(laptop, me, [back])
    handover.mark_delivered(laptop, me, sheet.id)
    page = AgentHomePage(laptop, runner, me)
    qtbot.addWidget(page)
    page.show()
    _idle(qtbot, runner)
    assert page.banner.level == "error" and "超过交件期限" in page.banner.text()
    assert page.due_model.rowCount() == 1
    index = page.due_model.index(0, page.due_model.columns.index("due"))
    assert "超期" in page.due_model.data(index)
    assert page.due_model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
    # the township's receipt and the result, recorded on the laptop from paper
    page.select("all", commissions.get_commission(laptop, me, back).commission_no)
    page.record_outcome()
    o = page.dialog
    o.state_combo.setCurrentIndex(o.state_combo.findData("completed"))
    type_text(o.result_edit, "准予享受最低生活保障")
    with qtbot.waitSignal(o.recorded, timeout=10000):
        o.submit()
    _idle(qtbot, runner)
    assert page.back_model.rowCount() == 1 and page.cards["result"].number.text() == "1"
    assert page.select("back", page.back_model.row_at(0).commission_no)
    assert page.action_buttons["return"].isEnabled()
    page.return_result()
    r = page.dialog
    with qtbot.waitSignal(r.recorded, timeout=10000):
        r.submit()
    _idle(qtbot, runner)
    assert page.select("back", page.back_model.row_at(0).commission_no)
    page.confirm_receipt()
    c = page.dialog
    with qtbot.waitSignal(c.recorded, timeout=10000):
        c.submit()
    _idle(qtbot, runner)
    assert page.cards[S.CLOSED].number.text() == "1"


# --------------------------------------------------------------------------- the township


def test_township_scans_receives_and_accepts(qtbot, demo_ctx, clerk, laptop, me, runner, tmp_path, clock):
    from clerk_app.ui.agent_dialogs import HandoverReceiveDialog
    from clerk_app.ui.agent_pages import AgentOverviewPage

    ids_ = _collected(laptop, me, n=2)
    [sheet] = handover.create_sheets(laptop, me, ids_)
    clock.advance(hours=2)

    page = AgentOverviewPage(demo_ctx, runner, clerk)
    qtbot.addWidget(page)
    page.show()
    _idle(qtbot, runner)
    assert page.counts_table.rowCount() == 1 and not page.registry_button.isVisible()
    page.receive_sheet()
    d: HandoverReceiveDialog = page.dialog
    # the scanner's keystrokes bypass a Chinese input method
    assert not d.scan_edit.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
    assert d.scan_edit.inputMethodHints() & Qt.InputMethodHint.ImhLatinOnly
    # a tampered sheet first: refused with a clear message
    body = sheet.payload[5:]
    tampered = "DBJJ:" + body[:30] + ("A" if body[30] != "A" else "B") + body[31:]
    qtbot.keyClicks(d.scan_edit, tampered)
    qtbot.keyClick(d.scan_edit, Qt.Key.Key_Return)
    _idle(qtbot, runner)
    assert d.banner.level == "error" and "校验失败" in d.banner.text() and not d.receive_button.isEnabled()
    # the real one, typed by the scanner key by key, then Enter
    d.scan_edit.clear()
    qtbot.keyClicks(d.scan_edit, sheet.payload)
    qtbot.keyClick(d.scan_edit, Qt.Key.Key_Return)
    _idle(qtbot, runner)
    assert d.scan_result is not None and d.tree.topLevelItemCount() == 2
    first = d.scan_result.commissions[0]
    d.set_missing(first.commission_no, next(m.seq for m in first.materials if m.brought))
    with qtbot.waitSignal(d.received, timeout=15000):
        qtbot.mouseClick(d.receive_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    assert "已接收交接单" in d.banner.text() and "缺少" in d.banner.text()
    assert len(d.accept_buttons) == 2
    # the same sheet again: refused as reused
    qtbot.keyClicks(d.scan_edit, sheet.payload)
    qtbot.keyClick(d.scan_edit, Qt.Key.Key_Return)
    _idle(qtbot, runner)
    assert "不能重复接收" in d.banner.text()

    # accept the second commission (complete) through the accept dialog
    qtbot.mouseClick(d.accept_buttons[1], Qt.MouseButton.LeftButton)
    a = d.accept_dialog
    _idle(qtbot, runner)
    assert "张三" not in a.applicant_label.text() and "李四" in a.applicant_label.text()
    with qtbot.waitSignal(a.decided, timeout=15000):
        qtbot.mouseClick(a.accept_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    assert a.result_value.status.value == "accepted"
    assert a.document_dialog is not None
    a.document_dialog.close()
    # the first one lacks a material: the one-time notice
    qtbot.mouseClick(d.accept_buttons[0], Qt.MouseButton.LeftButton)
    n = d.accept_dialog
    _idle(qtbot, runner)
    with qtbot.waitSignal(n.decided, timeout=15000):
        qtbot.mouseClick(n.notice_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    assert n.result_value.status.value == "awaiting_supplement"
    n.document_dialog.close()
    d.accept()
    _idle(qtbot, runner)
    states = sorted(r.state.value for r in page.open_model.rows)
    assert states == ["accepted", "supplement"]
    [counts] = page.overview.per_agent
    assert (counts.handed_over, counts.on_time) == (2, 2)


def test_overview_lists_overdue_and_period_counts(qtbot, demo_ctx, supervisor, clerk, runner, clock, keys,
                                                  qtmodeltester):
    from clerk_app.ui.agent_pages import AgentOverviewPage

    agents.register_agent(demo_ctx, supervisor, agent_input())
    agent = auth.login(demo_ctx, "lixiuying", AGENT_PASSWORD)
    _collected(demo_ctx, agent)
    clock.advance(days=7)
    page = AgentOverviewPage(demo_ctx, runner, supervisor)
    qtbot.addWidget(page)
    page.show()
    _idle(qtbot, runner)
    assert page.registry_button.isVisible()
    assert page.overdue_model.rowCount() == 1 and page.banner.level == "error"
    assert page.counts_table.item(0, 10).text() == "1"
    qtmodeltester.check(page.open_model)
    page.start_edit.setDate(QtCore.QDate(2027, 1, 1))
    page.end_edit.setDate(QtCore.QDate(2027, 1, 31))
    _idle(qtbot, runner)
    assert page.counts_table.item(0, 4).text() == "0"  # nothing commissioned in that period
    assert dt.date(2027, 1, 1) == page.overview.start


def test_clerk_records_a_handover_at_the_counter_then_accepts(qtbot, demo_ctx, supervisor, clerk, runner, clock,
                                                             keys):
    """An agent working at the township's PC: no sheet; the clerk checks the materials and
    records 已在窗口交件 from the overview, the overdue flag goes, and it is accepted."""
    from clerk_app.ui.agent_dialogs import CounterHandoverDialog
    from clerk_app.ui.agent_pages import AgentOverviewPage

    agents.register_agent(demo_ctx, supervisor, agent_input())
    agent = auth.login(demo_ctx, "lixiuying", AGENT_PASSWORD)
    [cid] = _collected(demo_ctx, agent)
    clock.advance(days=7)
    page = AgentOverviewPage(demo_ctx, runner, clerk)
    qtbot.addWidget(page)
    page.show()
    _idle(qtbot, runner)
    assert page.overdue_model.rowCount() == 1 and "窗口交件" in page.banner.text()
    button = page.action_buttons["counter"]
    assert button.text() == "窗口交件…" and not button.isEnabled()
    no = page.overdue_model.row_at(0).commission_no
    assert page.select(no) and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    d: CounterHandoverDialog = page.dialog
    _idle(qtbot, runner)
    assert d.tree.topLevelItemCount() == 1 and d.banner.level == "warning" and "超期交件" in d.banner.text()
    first = next(m for m in d.check_result.commission.materials if m.brought)
    d.set_missing(first.seq)
    assert d.checks()[first.seq] == "missing"
    with qtbot.waitSignal(d.handed_over, timeout=15000):
        qtbot.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    assert "已在窗口交件" in d.banner.text() and first.name in d.banner.text()
    assert d.accept_now_button.isVisible() and not d.ok_button.isEnabled()
    assert commissions.get_commission(demo_ctx, clerk, cid).state == S.HANDED_OVER
    assert page.overdue_model.rowCount() == 0
    assert page.select(no) and not button.isEnabled() and page.action_buttons["accept"].isEnabled()

    # accepted from the same dialog: the missing material makes it a one-time notice
    qtbot.mouseClick(d.accept_now_button, Qt.MouseButton.LeftButton)
    a = d.accept_dialog
    _idle(qtbot, runner)
    assert a.form is not None and a.form.commission_id == cid
    with qtbot.waitSignal(a.decided, timeout=15000):
        qtbot.mouseClick(a.notice_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    assert a.result_value.status.value == "awaiting_supplement"
    a.document_dialog.close()
    d.accept()
    _idle(qtbot, runner)
    assert [r.state for r in page.open_model.rows] == [S.SUPPLEMENT]


def test_supervisor_sets_a_local_handover_limit_and_returns_to_the_county_one(qtbot, demo_ctx, supervisor, clerk,
                                                                            runner, clock, keys):
    from clerk_app.ui.agent_pages import AgentOverviewPage

    agents.register_agent(demo_ctx, supervisor, agent_input())
    agent = auth.login(demo_ctx, "lixiuying", AGENT_PASSWORD)
    _collected(demo_ctx, agent)
    clock.advance(days=7)  # five or more working days after collection: over the default 3
    clerks_page = AgentOverviewPage(demo_ctx, runner, clerk)
    qtbot.addWidget(clerks_page)
    clerks_page.show()
    assert not clerks_page.limit_button.isVisible()
    page = AgentOverviewPage(demo_ctx, runner, supervisor)
    qtbot.addWidget(page)
    page.show()
    _idle(qtbot, runner)
    assert page.overdue_model.rowCount() == 1
    assert page.limit_button.isVisible()

    page.limit_button.click()
    dialog = page.limit_dialog
    _idle(qtbot, runner)
    assert "3 个工作日" in dialog.info.text() and "县级尚未下发" in dialog.info.text()
    assert dialog.county_radio.isChecked() and not dialog.days_spin.isEnabled()
    dialog.local_radio.setChecked(True)
    assert dialog.days_spin.isEnabled()
    dialog.days_spin.setValue(10)
    dialog.ok_button.click()
    _idle(qtbot, runner)
    assert not dialog.isVisible()
    assert agents.handover_limit_state(demo_ctx) == agents.HandoverLimitState(10, None, True)
    assert page.overdue_model.rowCount() == 0
    assert "10 个工作日" in page.overdue_title.text()

    page.limit_button.click()
    dialog = page.limit_dialog
    _idle(qtbot, runner)
    assert dialog.local_radio.isChecked() and dialog.days_spin.value() == 10
    dialog.county_radio.setChecked(True)
    dialog.ok_button.click()
    _idle(qtbot, runner)
    assert agents.handover_limit_state(demo_ctx) == agents.HandoverLimitState(3, None, False)
    assert page.overdue_model.rowCount() == 1


# --------------------------------------------------------------------------- pictures for docs/


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="needs poppler-utils")
def test_screenshots_for_the_docs(qtbot, styled, laptop, me, runner, clock, tmp_path):
    """docs/screenshot-agent-home.png and docs/print-handover.png, from the real program
    (written to docs/ only with CLERK_UPDATE_DOCS=1, so a test run leaves the tree alone)."""
    out = DOCS if os.environ.get("CLERK_UPDATE_DOCS") else tmp_path / "docs"
    from clerk_app.ui.agent_pages import AgentHomePage
    first = _collected(laptop, me, n=3)
    clock.advance(days=5)
    more = _collected(laptop, me, n=1, name="王五")
    [sheet] = handover.create_sheets(laptop, me, first[:2] + more)
    handover.mark_delivered(laptop, me, sheet.id)
    commissions.record_outcome(laptop, me, first[0], S.COMPLETED, result_text="准予享受最低生活保障")
    c = commissions.create(laptop, me, commissions.CommissionInput(
        item_named(laptop, "80周岁以上老年人高龄津贴申领").id,
        principal(name="覃𠮷兰", id17="42052819400101006"), place="村便民服务室"))
    assert c.state == S.COMMISSIONED
    page = AgentHomePage(laptop, runner, me)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    _idle(qtbot, runner)
    page.tabs.setCurrentIndex(3)
    qtbot.wait(50)
    out.mkdir(exist_ok=True)
    assert page.grab().save(str(out / "screenshot-agent-home.png"))

    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(handover.sheet_pdf(laptop, me, sheet.id))
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(pdf), str(tmp_path / "print")],
                   check=True)
    shutil.copy(tmp_path / "print.png", out / "print-handover.png")
    assert (out / "print-handover.png").stat().st_size > 50_000


def test_roster_file_buttons(qtbot, demo_ctx, supervisor, runner, tmp_path, keys):
    from clerk_app.ui.agent_dialogs import AgentsDialog

    agents.register_agent(demo_ctx, supervisor, agent_input())
    d = AgentsDialog(demo_ctx, runner, supervisor)
    qtbot.addWidget(d)
    _idle(qtbot, runner)
    target = tmp_path / "roster.json"
    d.ask_roster_path = lambda save: str(target)
    d.export_roster_file()
    _idle(qtbot, runner)
    assert target.is_file() and "已导出" in d.banner.text()
    d.import_roster_file()  # the same counter: nothing newer to take
    _idle(qtbot, runner)
    assert "已导入 0 位" in d.banner.text()


# --------------------------------------------------------------------------- small screens


def _bottom_in(dialog, widget) -> bool:
    return widget.isVisible() and widget.mapTo(dialog, widget.rect().bottomLeft()).y() <= dialog.height()


def test_pdf_preview_fits_a_small_screen_and_its_keys_work_from_anywhere(qtbot, styled, demo_ctx, supervisor,
                                                                         runner, monkeypatch):
    from clerk_app.ui.agent_dialogs import PdfPreviewDialog

    d = PdfPreviewDialog(runner, "代办员花名册", lambda: agents.roster_pdf(demo_ctx, supervisor), "花名册")
    qtbot.addWidget(d)
    d.show()
    _idle(qtbot, runner)
    assert d.page_labels and d.print_button.isEnabled()
    check_preview_fits_and_keys(qtbot, d, d.scroll, monkeypatch)


def _fits(d) -> None:
    free = d.screen().availableGeometry()
    assert d.height() <= free.height() - 40, (d.height(), free.height())  # title bar included
    for button in d.button_box.buttons():
        assert _bottom_in(d, button), button.text()
    assert d.banner.isHidden() or _bottom_in(d, d.banner)


def test_register_agent_dialog_fits_a_low_screen_with_its_error_banner(qtbot, styled, demo_ctx, supervisor,
                                                                       runner):
    from clerk_app.ui.agent_dialogs import AgentEditDialog
    from clerk_app.ui.qt import QtCore

    d = AgentEditDialog(demo_ctx, runner, supervisor)
    qtbot.addWidget(d)
    d.show()
    _idle(qtbot, runner)
    QtCore.QCoreApplication.processEvents()
    _fits(d)
    type_text(d.name_edit, "李秀英")
    wrong = agent_input().id_number[:-1] + ("0" if agent_input().id_number[-1] != "0" else "1")
    qtbot.keyClicks(d.id_edit, wrong)
    d.check_village(VILLAGE)
    qtbot.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    qtbot.waitUntil(lambda: d.banner.isVisible())
    qtbot.wait(50)  # the layout takes in the banner
    assert d.banner.level == "error"
    _fits(d)
    assert d.form_scroll.widget().isAncestorOf(d.village_list)  # the form scrolls instead


def test_commission_dialog_fits_a_low_screen_with_its_error_banner(qtbot, styled, laptop, me, runner):
    from clerk_app.ui.agent_dialogs import CommissionDialog
    from clerk_app.ui.qt import QtCore

    d = CommissionDialog(laptop, runner, me)
    qtbot.addWidget(d)
    d.show()
    _idle(qtbot, runner)
    QtCore.QCoreApplication.processEvents()
    _fits(d)
    qtbot.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)  # no item chosen: refused
    qtbot.waitUntil(lambda: d.banner.isVisible())
    qtbot.wait(50)
    assert d.banner.level == "error"
    _fits(d)


def test_receive_lists_only_materials_truly_missing_not_the_not_applicable_ones(qtbot, demo_ctx, clerk, laptop,
                                                                              me, runner, clock):
    from clerk_app.ui.agent_dialogs import HandoverReceiveDialog

    [cid] = _collected(laptop, me)  # the conditional materials marked 不适用
    [sheet] = handover.create_sheets(laptop, me, [cid])
    clock.advance(hours=1)
    d = HandoverReceiveDialog(demo_ctx, runner, clerk)
    qtbot.addWidget(d)
    d.show()
    d.scan_edit.setText(sheet.payload)
    d.scan()
    _idle(qtbot, runner)
    [c] = d.scan_result.commissions
    not_applicable = [m.name for m in c.materials if m.state.value == "not_applicable"]
    assert len(not_applicable) == 3
    lost = next(m for m in c.materials if m.brought)
    d.set_missing(c.commission_no, lost.seq)
    assert d.checks() == {c.commission_no: {m.seq: "missing" if m is lost else "ok"
                                            for m in c.materials if m.brought}}
    with qtbot.waitSignal(d.received, timeout=15000):
        qtbot.mouseClick(d.receive_button, Qt.MouseButton.LeftButton)
    _idle(qtbot, runner)
    assert d.received_result.missing == {c.commission_no: [lost.name]}
    text = d.banner.text()
    assert "缺少" in text and lost.name in text
    for name in not_applicable:
        assert name not in text


def test_collect_summary_follows_the_save_rule_and_a_refusal_shows_the_unasked_row(qtbot, laptop, me, runner):
    from clerk_app.ui.agent_dialogs import CollectDialog
    from clerk_app.ui.qt import QtWidgets

    c = commissions.create(laptop, me, commissions.CommissionInput(item_named(laptop).id, principal(),
                                                                    place="群众家中"))
    d = CollectDialog(laptop, runner, me, c.id)
    qtbot.addWidget(d)
    d.resize(900, 420)  # low: the conditional rows are below the visible part
    d.show()
    d.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is d)
    _idle(qtbot, runner)
    conditional = [r for r, ln in enumerate(d.table.lines) if not ln.required]
    assert len(conditional) == 3
    qtbot.mouseClick(d.fill_button, Qt.MouseButton.LeftButton)
    assert d.summary.text() == "必需材料已收齐，还有 3 项条件材料未询问是否适用"
    assert d.summary.objectName() == "warningText"
    d.table.scrollToTop()
    qtbot.mouseClick(d.ok_button, Qt.MouseButton.LeftButton)  # refused: the conditions were not asked
    _idle(qtbot, runner)
    assert "请先询问条件必需材料是否适用" in d.banner.text()
    first = d.table.combos[conditional[0]]
    qtbot.waitUntil(first.hasFocus)
    row_rect = d.table.visualRect(d.table.model().index(conditional[0], 2))
    assert d.table.viewport().rect().contains(row_rect)
    for r in conditional:
        d.table.set_state(r, MaterialState.NOT_APPLICABLE)
    assert d.summary.text() == "材料已齐全" and d.summary.objectName() == "okText"
    d.table.set_state(0, MaterialState.MISSING)
    d.table.set_state(conditional[0], MaterialState.PENDING)
    assert d.summary.text() == "还缺 1 项，另有 1 项条件材料未询问是否适用"


@pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise|grabbing the keyboard)")
def test_commission_item_box_finds_items_by_pinyin_initials(qtbot, laptop, me, runner):
    from clerk_app.ui.agent_dialogs import CommissionDialog

    d = CommissionDialog(laptop, runner, me)
    qtbot.addWidget(d)
    d.show()
    _idle(qtbot, runner)
    assert d.item_index is not None  # built on the worker with the items
    completer = d.item_combo.completer()

    def offered() -> list[str]:
        model = completer.completionModel()
        return [model.index(i, 0).data() for i in range(model.rowCount())]

    qtbot.keyClicks(d.item_combo.lineEdit(), "dbsq")
    assert "最低生活保障申请" in offered()
    assert all(name in [d.item_combo.itemText(i) for i in range(d.item_combo.count())] for name in offered())
    d.item_combo.lineEdit().clear()
    qtbot.keyClicks(d.item_combo.lineEdit(), "zdsh")
    assert offered()[0] == "最低生活保障申请"
    # choosing the offer chooses the item
    popup = completer.popup()
    popup.setCurrentIndex(completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert d.item_combo.currentData() == item_named(laptop).id
