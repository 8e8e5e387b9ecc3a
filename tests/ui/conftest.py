"""UI test helpers: Chinese typed as an input method does, and waiting for background work."""

from __future__ import annotations

import pytest


def type_text(widget, text: str) -> None:
    """Type ``text`` into ``widget`` the way an input method commits it.

    ``qtbot.keyClicks`` aborts the test process on non-Latin-1 text (STACK-FACTS), so
    Chinese goes through a QInputMethodEvent with a commit string.
    """
    from clerk_app.ui.qt import QtCore, QtGui, QtWidgets

    widget.setFocus()
    event = QtGui.QInputMethodEvent("", [])
    event.setCommitString(text)
    QtWidgets.QApplication.sendEvent(widget, event)
    QtCore.QCoreApplication.processEvents()


@pytest.fixture
def runner(qtbot):
    from clerk_app.ui.tasks import TaskRunner

    r = TaskRunner()
    yield r
    qtbot.waitUntil(lambda: r.idle, timeout=10000)
    r.shutdown()


@pytest.fixture
def wait_idle(qtbot, runner):
    def wait(timeout: int = 10000) -> None:
        qtbot.waitUntil(lambda: runner.idle, timeout=timeout)

    return wait


@pytest.fixture
def styled(qapp):
    """The program's own fonts, palette and stylesheet (sizes depend on them); put back after."""
    from clerk_app.ui import style

    old_font, old_sheet, old_palette = qapp.font(), qapp.styleSheet(), qapp.palette()
    style.apply_style(qapp)
    yield qapp
    qapp.setStyleSheet(old_sheet)
    qapp.setFont(old_font)
    qapp.setPalette(old_palette)


def check_preview_fits_and_keys(qtbot, dialog, focus, monkeypatch) -> None:
    """A document preview (the counter's or the agents'): on the offscreen screen (800 x 800,
    lower than the 860 px a preview would like) it fits with its buttons, and Alt+S / Alt+P
    (mnemonics) and Ctrl+S / Ctrl+P (window-wide) save and print with ``focus`` focused."""
    from clerk_app.ui.qt import Qt, QtWidgets

    free = dialog.screen().availableGeometry()
    assert dialog.height() + 40 <= free.height() and dialog.width() + 16 <= free.width()
    for button in (dialog.print_button, dialog.save_button, dialog.close_button):
        assert button.isVisible()
        assert button.mapTo(dialog, button.rect().bottomLeft()).y() <= dialog.height()
    asked = []
    monkeypatch.setattr(dialog, "_ask_save_path", lambda default: asked.append("save") or "")
    monkeypatch.setattr(dialog, "_ask_printer", lambda: asked.append("print"))
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is dialog)
    focus.setFocus()
    for key, mod in ((Qt.Key.Key_S, Qt.KeyboardModifier.AltModifier),
                     (Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier),
                     (Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier),
                     (Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)):
        qtbot.keyClick(focus, key, mod)
        qtbot.wait(200)  # a mnemonic "animates" the button's click
    assert asked == ["save", "print", "save", "print"]
