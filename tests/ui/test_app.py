"""Start-up (database errors, demo, wizard → login → main window) and the main window."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk_app import paths
from clerk_app.services import setup
from clerk_app.ui.qt import Qt



@pytest.fixture
def window_for(qtbot, demo_ctx, runner):
    from clerk_app.ui.main_window import MainWindow

    made = []

    def make(actor):
        w = MainWindow(demo_ctx, runner, actor, idle_lock_ms=0)
        qtbot.addWidget(w)
        w.show()
        made.append(w)
        return w

    yield make
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)


def _menu_titles(window) -> list[str]:
    return [a.text() for a in window.menuBar().actions() if a.isVisible()]


def test_main_window_has_three_pages_and_a_status_bar(qtbot, window_for, supervisor, runner):
    w = window_for(supervisor)
    assert [w.tabs.tabText(i).split()[0] for i in range(w.tabs.count())] == ["受理", "办件", "事项", "代办"]
    assert w.tabs.currentWidget() is w.intake_page
    qtbot.waitUntil(lambda: w.status_info is not None, timeout=10000)
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)
    text = w.status_text()
    assert "王建华（负责人）" in text
    assert "龙舟坪镇便民服务中心" in text
    assert "清单 12-03" in text and "2026-12-03" in w.catalog_label.toolTip()
    assert "预警 0" in text and "超期 0" in text
    # the test clock is 2026-12-03; holiday data ends with 2026, so the calendar warns in orange
    assert w.calendar_label.objectName() == "statusCalendarWarning"
    assert "需更新" in w.calendar_label.text() and "2026-12-31" in w.calendar_label.toolTip()
    assert w.calendar_banner.isVisibleTo(w)
    assert "2027" in w.calendar_banner_label.text()


def test_function_keys_switch_pages(qtbot, window_for, clerk):
    w = window_for(clerk)
    w.activateWindow()
    w.catalog_action.trigger()
    assert w.tabs.currentWidget() is w.catalog_page
    w.cases_action.trigger()
    assert w.tabs.currentWidget() is w.case_list_page
    w.intake_action.trigger()
    assert w.tabs.currentWidget() is w.intake_page
    shortcuts = {a.text(): a.shortcut().toString() for a in
                 (w.intake_action, w.cases_action, w.catalog_action, w.lock_action, w.quit_action)}
    assert shortcuts == {"受理": "F2", "办件": "F3", "事项": "F4", "锁定窗口": "Ctrl+L", "退出": "Ctrl+Q"}


def test_supervisor_sees_the_admin_menu_and_a_clerk_does_not(window_for, supervisor, clerk):
    sup = window_for(supervisor)
    assert "管理(&M)" in _menu_titles(sup)
    assert [a.text() for a in sup.admin_menu.actions()] == [
        "操作员管理…", "代办员管理…", "导入事项清单…", "工作日历调整…", "审计日志…"]
    plain = window_for(clerk)
    assert "管理(&M)" not in _menu_titles(plain)
    assert plain.admin_menu is None
    assert not plain.operators_action.isEnabled() and not plain.import_action.isEnabled()
    plain.open_operators()  # even if reached somehow, nothing opens
    assert not hasattr(plain, "operators_dialog")


def test_catalog_search_and_enter_switch_to_intake(qtbot, window_for, clerk):
    w = window_for(clerk)
    w.show_catalog()
    page = w.catalog_page
    qtbot.waitUntil(lambda: page.is_loaded, timeout=10000)
    qtbot.keyClicks(page.search_edit, "dbsq")
    assert page.current_item().name == "最低生活保障申请"
    item_id = page.current_item().id
    qtbot.keyClick(page.search_edit, Qt.Key.Key_Down)
    calls = []
    w.intake_page.start_with_item = calls.append  # what the intake page is asked to do
    qtbot.keyClick(page.results_view, Qt.Key.Key_Return)
    assert w.tabs.currentWidget() is w.intake_page
    assert calls == [item_id]


def test_saved_cases_refresh_the_case_list_once(qtbot, window_for, clerk):
    w = window_for(clerk)
    refreshed = []
    w.case_list_page.refresh = lambda: refreshed.append(1)
    for case_id in (1, 2, 3):
        w.intake_page.case_saved.emit(case_id)
    qtbot.waitUntil(lambda: refreshed == [1], timeout=3000)
    qtbot.wait(600)
    assert refreshed == [1]


def test_supplement_request_opens_the_case_in_intake(qtbot, window_for, clerk):
    w = window_for(clerk)
    w.show_cases()
    opened = []
    w.intake_page.open_for_supplement = opened.append
    w.case_list_page.supplement_requested.emit(42)
    assert opened == [42]
    assert w.tabs.currentWidget() is w.intake_page


def test_window_geometry_is_remembered_in_the_data_folder(qtbot, window_for, clerk):
    w = window_for(clerk)
    # the offscreen screen is 800 x 800 and restoreGeometry keeps a window on its screen:
    # the height shows what was remembered
    height = min(w.minimumSizeHint().height() + 41, 790)
    w.resize(w.width(), height)
    w.close()
    assert (paths.data_dir() / "window.ini").exists()
    again = window_for(clerk)
    assert again.size().height() == height


def test_first_start_fits_a_screen_smaller_than_the_default(qtbot, window_for, clerk):
    # nothing remembered yet; the offscreen screen (800 x 800) is smaller than 1280 x 800
    assert not (paths.data_dir() / "window.ini").exists()
    w = window_for(clerk)
    free = w.screen().availableGeometry()
    assert free.height() <= 800
    # the window and the frame and title bar a window manager adds stay on the screen (the
    # width stops at the window's minimum, made for counters of 1024 pixels and more)
    assert w.height() + 40 <= free.height()
    assert w.width() == max(free.width() - 16, w.minimumSizeHint().width())


def test_about_box_names_the_data_folder(window_for, clerk):
    w = window_for(clerk)
    w.show_about()
    assert str(paths.data_dir()) in w.about_box.informativeText()
    w.about_box.close()


def test_broken_database_gives_a_message_and_a_non_zero_exit(qtbot, monkeypatch):
    from clerk_app.ui import app as app_module

    paths.database_path().write_bytes(b"this is not a database" * 100)
    shown = []
    monkeypatch.setattr(app_module, "show_fatal", shown.append)
    assert app_module.run(demo=False) == 1
    assert shown and "无法使用本机数据库" in shown[0] and str(paths.database_path()) in shown[0]


def test_demo_start_goes_to_login_then_main_window_and_back(qtbot, ctx, runner):
    from clerk_app.ui.app import AppController

    controller = AppController(ctx, runner, demo=True)
    with qtbot.waitSignal(controller.login_shown, timeout=20000) as shown:
        controller.start()
    dialog = shown.args[0]
    qtbot.addWidget(dialog)
    assert dialog.demo_label is not None
    dialog.username_edit.setText("zhangli")
    qtbot.keyClicks(dialog.password_edit, setup.DEMO_PASSWORD)
    with qtbot.waitSignal(controller.main_window_shown, timeout=10000) as opened:
        qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    window = opened.args[0]
    qtbot.addWidget(window)
    assert window.actor.username == "zhangli"
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)

    with qtbot.waitSignal(controller.login_shown, timeout=5000) as again:
        window.switch_user()
    qtbot.addWidget(again.args[0])
    assert controller.main_window is None
    with qtbot.waitSignal(controller.quit_requested, timeout=2000) as quit_:
        again.args[0].reject()
    assert quit_.args == [0]


def test_first_start_shows_the_wizard_and_cancel_quits(qtbot, ctx, runner):
    from clerk_app.ui.app import AppController

    controller = AppController(ctx, runner)
    with qtbot.waitSignal(controller.wizard_shown, timeout=5000) as shown:
        controller.start()
    wizard = shown.args[0]
    qtbot.addWidget(wizard)
    with qtbot.waitSignal(controller.quit_requested, timeout=2000):
        wizard.reject()
    assert controller.exit_code == 0


def test_style_knows_the_fonts_without_loading_reportlab():
    """The first window must not pay for reportlab just to learn the font files."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from clerk_app.ui import style\n"
        "from clerk_app.forms import font_files\n"
        "assert style.UI_FONT_FILES == font_files.UI_FONT_FILES\n"
        "assert all(p.exists() for p in style.UI_FONT_FILES)\n"
        "print('reportlab' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_application_loads_the_project_fonts(qapp):
    from clerk_app.forms.fonts import FAMILY_NAME
    from clerk_app.ui import style
    from clerk_app.ui.qt import QtGui

    families = style.load_fonts()
    assert families[0] == FAMILY_NAME
    assert FAMILY_NAME in QtGui.QFontDatabase.families()
    font = style.ui_font()
    assert QtGui.QFontMetrics(font).inFont("𠮷") or QtGui.QFontMetrics(font).inFontUcs4(0x20BB7)


def test_secondary_pages_are_built_after_the_first_paint_or_on_demand(qtbot, window_for, clerk):
    from clerk_app.ui.case_list import CaseListPage
    from clerk_app.ui.catalog_page import CatalogPage

    w = window_for(clerk)
    assert w._catalog_page is None  # not yet: the window shows first
    w.tabs.setCurrentIndex(2)  # a click on the 事项 tab builds it at once
    assert isinstance(w.tabs.currentWidget(), CatalogPage)
    assert w.tabs.currentWidget() is w.catalog_page
    qtbot.waitUntil(lambda: w._case_list_page is not None, timeout=3000)
    assert isinstance(w.tabs.widget(1), CaseListPage)
    assert w.tabs.currentIndex() == 2
    assert [w.tabs.tabText(i) for i in range(3)] == ["受理  F2", "办件  F3", "事项  F4"]


def test_sync_menu_and_status_in_the_main_window(qtbot, window_for, supervisor, clerk):
    boss = window_for(supervisor)
    assert "同步(&S)" in _menu_titles(boss)
    assert boss.sync_settings_action.isVisible()
    # the status bar shows sync state once the controller has read it
    qtbot.waitUntil(lambda: boss.sync_controller.overview is not None, timeout=10000)
    assert boss.sync_widget.last_label.text() == "未注册到县级中心"
    assert boss.sync_widget.isVisibleTo(boss)
    desk = window_for(clerk)
    assert not desk.sync_settings_action.isVisible()
    assert desk.sync_now_action in desk.sync_menu.actions()
    # a clerk asking for the settings is told who may change them, nothing opens
    desk.open_sync_settings()
    assert "负责人" in desk.statusBar().currentMessage()
    # the other sync views open from the menu for anyone
    desk.open_sync_rejected()
    assert desk.sync_dialog.isVisible() and desk.sync_dialog.windowTitle() == "被县级中心拒收的记录"
    desk.sync_dialog.close()
    boss.open_sync_settings()
    assert boss.sync_dialog.isVisible() and boss.sync_dialog.windowTitle() == "同步设置"
    boss.sync_dialog.close()


def test_an_agent_sees_their_own_commissions_not_the_counter(qtbot, demo_ctx, supervisor, runner,
                                                            window_for):
    from clerk_app.services import agents, auth
    from clerk_app.ui.agent_pages import AgentHomePage, AgentOverviewPage

    boss = window_for(supervisor)
    boss.show_agents()
    assert isinstance(boss.tabs.currentWidget(), AgentOverviewPage)
    boss.open_agents()
    assert boss.agents_dialog.isVisible()
    boss.agents_dialog.close()

    reg = agents.AgentInput(name="田代办", id_number=agent_id_number(), phone="13907171234",
                            villages=["420528101001"], start_date=demo_ctx.today(),
                            username="tiandb", password="daiban2026")
    agents.register_agent(demo_ctx, supervisor, reg)
    actor = auth.login(demo_ctx, "tiandb", "daiban2026")
    w = window_for(actor)
    assert isinstance(w.tabs.widget(0), AgentHomePage) and w.intake_page is None
    visible = [w.tabs.tabText(i).split()[0] for i in range(w.tabs.count()) if w.tabs.isTabVisible(i)]
    assert visible == ["我的代办", "事项"]
    w.show_cases()  # F3 does nothing for an agent
    assert w.tabs.currentIndex() == 0
    w._on_intake_requested(1)  # 受理此事项 from the catalog: commissions start on the home page
    assert "新建代办委托" in w.statusBar().currentMessage()
    assert w.admin_menu is None and not w.agents_admin_action.isVisible()


def agent_id_number() -> str:
    from tests.core.helpers import gb11643

    return gb11643("42052819800808005")


def test_the_pending_count_follows_saved_cases(qtbot, window_for, clerk, demo_ctx, runner):
    from clerk_app.services import catalog, intake
    from tests.core.helpers import all_received, person

    w = window_for(clerk)
    qtbot.waitUntil(lambda: w.sync_controller.overview is not None, timeout=10000)
    assert w.sync_widget.pending_label.text() == "待上传 0 条"
    item = next(it for it in catalog.current_items(demo_ctx) if it.name == "临时救助申请")
    out = intake.accept(demo_ctx, clerk, intake.IntakeForm(item.id, person(), all_received(item)))
    w.intake_page.case_saved.emit(out.case_id)
    qtbot.waitUntil(lambda: w.sync_widget.pending_label.text() == "待上传 1 条", timeout=5000)


_STARTUP_PROBE = r"""
import os, sys
from pathlib import Path
folder = Path(sys.argv[1])
if sys.argv[2] == "readonly":  # also as root, which os.access would let write anywhere
    real_access = os.access
    os.access = lambda p, mode, **kw: False if Path(p) == folder and mode & os.W_OK else real_access(p, mode, **kw)
from clerk_app.ui.qt import QtWidgets
shown = []
# the box is built for real and its text read where it would wait for the user
QtWidgets.QMessageBox.exec = lambda box: shown.append((box.windowTitle(), box.text() + " " + box.informativeText())) or 0
from clerk_app.cli import main
code = main(["--data-dir", str(folder)])
for title, text in shown:
    print("BOX", title, text.replace("\n", " "))
print("EXIT", code)
"""


@pytest.mark.parametrize("kind", ["readonly", "proc", "file"])
def test_unusable_data_folder_shows_the_box_without_needing_that_folder(tmp_path, kind):
    """A fresh process (no QApplication yet): the box is created though its own set-up
    would otherwise want the very data folder that failed (style cache)."""
    import os
    import subprocess
    import sys

    if kind == "readonly":
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
    elif kind == "proc":
        folder = Path("/proc/nope")
    else:
        folder = tmp_path / "plain-file"
        folder.write_text("x")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=str(tmp_path))
    env.pop("CLERK_APP_DATA_DIR", None)
    try:
        done = subprocess.run([sys.executable, "-c", _STARTUP_PROBE, str(folder), kind], env=env,
                              capture_output=True, text=True, timeout=60)
    finally:
        if kind == "readonly":
            folder.chmod(0o755)
    boxes = [line for line in done.stdout.splitlines() if line.startswith("BOX ")]
    assert "EXIT 1" in done.stdout, done.stdout + done.stderr
    assert len(boxes) == 1, done.stdout + done.stderr
    assert "无法启动" in boxes[0] and "无法使用数据目录" in boxes[0] and str(folder) in boxes[0]


@pytest.mark.parametrize("who", ["clerk", "supervisor"])
def test_every_page_fits_a_1024_pixel_screen(styled, qtbot, window_for, request, runner, who):
    # the program's own fonts: a 1024 x 768 counter has 1008 pixels inside the window frame
    w = window_for(request.getfixturevalue(who))
    qtbot.waitUntil(lambda: w.status_info is not None, timeout=10000)
    for index in range(w.tabs.count()):
        w.tabs.setCurrentIndex(index)
        qtbot.waitUntil(lambda: runner.idle, timeout=10000)
        if w.tabs.currentWidget() is w.intake_page:
            for step in range(4):
                w.intake_page.stack.setCurrentIndex(step)
                assert w.minimumSizeHint().width() <= 1008, (index, step)
        assert w.minimumSizeHint().width() <= 1008, index


def test_status_bar_at_1024_keeps_who_and_where_and_shortens_a_long_sync_error(
        styled, qtbot, window_for, supervisor, runner):
    w = window_for(supervisor)
    qtbot.waitUntil(lambda: w.status_info is not None, timeout=10000)
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)
    w.resize(1008, 700)
    long_error = "无法连接县级中心（" + "连接被拒绝，请检查网络和县级中心地址；" * 6 + "）"
    w.sync_controller.failed.emit(long_error)
    qtbot.waitUntil(lambda: w.sync_widget.error_label.isVisible(), timeout=3000)
    qtbot.wait(50)
    sync = w.sync_widget
    assert sync.error_label.text() == "同步失败" and long_error in sync.error_label.toolTip()
    # who and where in full; what is shown is never narrower than its text
    for label in (w.operator_label, w.point_label):
        assert label.isVisible() and label.width() >= label.sizeHint().width()
    shown = [x for x in (w.operator_label, w.point_label, w.catalog_label, w.calendar_label,
                         sync.pending_label, sync.last_label, sync.error_label, sync.sync_button,
                         w.approaching_label, w.overdue_label) if x.isVisible()]
    for x in shown:
        assert x.width() >= x.sizeHint().width() - 1, x.text()
    right = [x.mapTo(w, x.rect().topRight()).x() for x in shown]
    assert max(right) <= w.width()
    assert w.sync_widget.width() < 500
    # a wide window shows everything again
    w.resize(1400, 700)
    qtbot.waitUntil(lambda: w.catalog_label.isVisible() and sync.last_label.isVisible(),
                    timeout=3000)
    w.show_sync_error(long_error)
    assert long_error in w.sync_error_box.informativeText()
    w.sync_error_box.close()
