"""Login dialog, lockout messages, the idle lock and Ctrl+L."""

from __future__ import annotations

import pytest

from clerk_app.services import auth, setup
from clerk_app.ui.qt import QtWidgets, Qt

# the offscreen platform warns about top-level size hints it cannot pass on; harmless


@pytest.fixture
def login_dialog(qtbot, demo_ctx, runner):
    from clerk_app.ui.login import LoginDialog

    dialog = LoginDialog(demo_ctx, runner, demo=True)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _submit(qtbot, runner, dialog, username: str, password: str) -> None:
    dialog.username_edit.setText(username)
    dialog.password_edit.clear()
    qtbot.keyClicks(dialog.password_edit, password)
    qtbot.keyClick(dialog.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)


def test_enter_logs_in_and_emits_the_actor(qtbot, login_dialog, runner):
    with qtbot.waitSignal(login_dialog.logged_in, timeout=10000) as blocker:
        _submit(qtbot, runner, login_dialog, "zhangli", setup.DEMO_PASSWORD)
    actor = blocker.args[0]
    assert actor.username == "zhangli" and actor.name == "张丽"
    assert login_dialog.result() == QtWidgets.QDialog.DialogCode.Accepted


def test_wrong_password_says_how_many_tries_are_left(qtbot, login_dialog, runner):
    _submit(qtbot, runner, login_dialog, "zhangli", "wrong-pass1")
    assert "用户名或密码不正确" in login_dialog.message()
    assert "还可尝试 4 次" in login_dialog.message()
    assert login_dialog.isVisible()


def test_unknown_user_gets_the_same_message(qtbot, login_dialog, runner):
    _submit(qtbot, runner, login_dialog, "nobody", "whatever1")
    assert login_dialog.message() == "用户名或密码不正确。"


def test_lockout_after_too_many_wrong_passwords(qtbot, login_dialog, runner):
    for _ in range(auth.MAX_FAILED_ATTEMPTS):
        _submit(qtbot, runner, login_dialog, "liqiang", "wrong-pass1")
    assert "已锁定" in login_dialog.message()
    # even the right password is refused while locked, with the time to wait
    _submit(qtbot, runner, login_dialog, "liqiang", setup.DEMO_PASSWORD)
    assert "锁定" in login_dialog.message() and "分钟后再试" in login_dialog.message()
    assert login_dialog.actor is None


def test_demo_mode_lists_the_demo_accounts(login_dialog):
    text = login_dialog.demo_label.text()
    assert setup.DEMO_PASSWORD in text
    for username, name, _role in setup.DEMO_OPERATORS:
        assert username in text and name in text


def test_empty_fields_are_explained_without_a_query(qtbot, login_dialog, runner):
    login_dialog.username_edit.clear()
    qtbot.keyClick(login_dialog.password_edit, Qt.Key.Key_Return)
    assert login_dialog.message() == "请输入用户名。"
    assert runner.idle


@pytest.fixture
def main_window(qtbot, demo_ctx, clerk, runner):
    from clerk_app.ui.main_window import MainWindow

    window = MainWindow(demo_ctx, runner, clerk, idle_lock_ms=300)
    qtbot.addWidget(window)
    window.show()
    yield window
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)


def test_idle_lock_covers_the_window_and_unlocks_with_the_password(qtbot, main_window, runner):
    qtbot.waitUntil(lambda: main_window.locked, timeout=5000)
    lock = main_window.lock_screen
    assert lock.isVisible()
    assert lock.geometry() == main_window.rect()
    assert not main_window.centralWidget().isEnabled()
    assert not main_window.catalog_action.isEnabled()

    qtbot.keyClicks(lock.password_edit, "wrong-pass1")
    qtbot.keyClick(lock.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)
    assert main_window.locked
    assert "不正确" in lock.message_label.text()

    lock.password_edit.clear()
    qtbot.keyClicks(lock.password_edit, setup.DEMO_PASSWORD)
    with qtbot.waitSignal(lock.unlocked, timeout=10000):
        qtbot.keyClick(lock.password_edit, Qt.Key.Key_Return)
    assert not main_window.locked
    assert main_window.centralWidget().isEnabled()
    assert main_window.catalog_action.isEnabled()


def test_ctrl_l_locks_now_and_switch_user_closes_the_window(qtbot, demo_ctx, clerk, runner):
    from clerk_app.ui.main_window import MainWindow

    window = MainWindow(demo_ctx, runner, clerk, idle_lock_ms=0)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    window.lock_action.trigger()
    assert window.locked
    with qtbot.waitSignal(window.switch_user_requested, timeout=2000):
        qtbot.mouseClick(window.lock_screen.switch_button, Qt.MouseButton.LeftButton)
    assert window.switching_user
    assert not window.isVisible()
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)


def test_ctrl_l_shortcut_is_bound(main_window):
    assert main_window.lock_action.shortcut().toString() == "Ctrl+L"


def test_idle_lock_minutes_setting(demo_ctx):
    from clerk_app.services.common import set_setting
    from clerk_app.ui.login import idle_lock_minutes

    assert idle_lock_minutes(demo_ctx) == 10
    with demo_ctx.tx() as s:
        set_setting(s, "idle_lock_minutes", "3")
    assert idle_lock_minutes(demo_ctx) == 3
    with demo_ctx.tx() as s:
        set_setting(s, "idle_lock_minutes", "soon")
    assert idle_lock_minutes(demo_ctx) == 10


def test_input_postpones_the_idle_lock(qtbot, demo_ctx, clerk, runner):
    from clerk_app.ui.login import IdleWatcher

    watcher = IdleWatcher(1000)
    fired = []
    watcher.idle.connect(lambda: fired.append(True))
    target = QtWidgets.QLineEdit()
    qtbot.addWidget(target)
    target.show()
    for _ in range(5):  # 1.5 s of typing, never 1 s apart
        qtbot.wait(300)
        qtbot.keyClick(target, Qt.Key.Key_A)
    assert not fired
    qtbot.waitUntil(lambda: bool(fired), timeout=3000)
    watcher.stop()


def test_the_lock_screen_speaks_of_the_password_only(qtbot, demo_ctx, clerk, runner):
    from clerk_app.ui.main_window import MainWindow

    window = MainWindow(demo_ctx, runner, clerk, idle_lock_ms=0)
    qtbot.addWidget(window)
    window.show()
    window.lock()
    lock = window.lock_screen
    qtbot.keyClicks(lock.password_edit, "wrong-pass1")
    qtbot.keyClick(lock.password_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)
    text = lock.message_label.text()
    assert text.startswith("密码不正确") and "还可尝试" in text
    assert "用户名" not in text
    assert window.locked


def test_tab_stays_inside_the_lock_screen(qtbot, demo_ctx, clerk, runner):
    from clerk_app.ui.main_window import MainWindow

    window = MainWindow(demo_ctx, runner, clerk, idle_lock_ms=0)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)
    window.lock()
    lock = window.lock_screen
    assert not window.statusBar().isEnabled()
    own = {lock.password_edit, lock.switch_button, lock.unlock_button}
    seen = []
    for key, modifier in [(Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)] * 8 + \
            [(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)] * 8:
        focused = QtWidgets.QApplication.focusWidget() or lock.password_edit
        qtbot.keyClick(focused, key, modifier)
        seen.append(QtWidgets.QApplication.focusWidget())
    assert set(seen) == own, [w.objectName() or type(w).__name__ for w in set(seen) - own]
    assert not window.sync_widget.sync_button.hasFocus()

    lock.password_edit.setFocus()
    qtbot.keyClicks(lock.password_edit, setup.DEMO_PASSWORD)
    with qtbot.waitSignal(lock.unlocked, timeout=10000):
        qtbot.keyClick(lock.password_edit, Qt.Key.Key_Return)
    assert window.statusBar().isEnabled() and window.sync_widget.sync_button.isEnabled()
    qtbot.waitUntil(lambda: runner.idle, timeout=10000)


def test_the_lock_screen_keeps_tab_to_itself_on_any_window(qtbot, demo_ctx, clerk, runner):
    """Whatever the window underneath still has enabled, Tab does not leave the lock screen."""
    from clerk_app.ui.login import LockScreen

    window = QtWidgets.QWidget()
    qtbot.addWidget(window)
    layout = QtWidgets.QVBoxLayout(window)
    underneath = [QtWidgets.QPushButton("立即同步"), QtWidgets.QLineEdit()]
    for w in underneath:
        layout.addWidget(w)
    window.resize(600, 400)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    lock = LockScreen(demo_ctx, runner, clerk, window)
    lock.lock()
    assert lock.password_edit.hasFocus()
    seen = set()
    for key, modifier in [(Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier)] * 6 + \
            [(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)] * 6:
        qtbot.keyClick(QtWidgets.QApplication.focusWidget() or lock.password_edit, key, modifier)
        seen.add(QtWidgets.QApplication.focusWidget())
    assert seen == {lock.password_edit, lock.switch_button, lock.unlock_button}
